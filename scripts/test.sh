#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, type checks, then pytest (PostgreSQL and S3 are started by the tests
# themselves when the machine has none).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .
echo "== mypy"
$BIN/mypy
echo "== module sizes (advisory, never fails)"
$BIN/python scripts/module_sizes.py
echo "== pytest (the import-graph and layer checks are tests/test_architecture.py)"
$BIN/pytest -p no:cacheprovider "$@"
