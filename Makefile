# dw-sim task runner. `make` alone lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= dev,postgres,s3,snowflake,api,otel,endpoint,dask

.DEFAULT_GOAL := help
.PHONY: help setup demo test lint format typecheck bench bench-cli bench-dbgen clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: ## Create .venv with every extra, .venv-dbt and the web UI build: all the tests need (idempotent)
	@bash scripts/setup.sh test

demo: ## Install dw-sim alone (no extras), then create the brief's ecommerce experiment, generate and query it
	@bash scripts/setup.sh demo && bash scripts/demo.sh

test: ## Set up, then run lint, type checks, the module-size report and the whole test suite (what CI runs)
	@bash scripts/setup.sh test && bash scripts/test.sh

lint: ## ruff lint + format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: ## ruff format + autofix
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

typecheck: ## mypy (strict) on the package
	$(BIN)/mypy

bench: ## Run the generator benchmark (prints figures side by side with its baselines; no thresholds)
	$(BIN)/python -m bench.generate

bench-cli: ## Time dw-sim's start-up (--version, --help, experiment list, query) next to `import duckdb, pyarrow`
	$(BIN)/python -m bench.cli_latency

bench-dbgen: ## Create .venv-dbgen: a DuckDB that has the TPC-H extension offline (the dbgen baseline)
	$(PYTHON) -m venv .venv-dbgen && .venv-dbgen/bin/pip install --quiet duckdb==1.5.5 duckdb-extension-tpch==1.5.5

clean: ## Remove caches and build output (keeps .venv and your data)
	rm -rf .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
