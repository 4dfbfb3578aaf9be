# dw-sim task runner. `make` alone lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= dev,postgres,s3,snowflake,api,otel,endpoint,dask

.DEFAULT_GOAL := help
.PHONY: help setup demo test lint format typecheck bench bench-dbgen clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: ## Create .venv and install dw-sim with every extra (idempotent)
	@bash scripts/setup.sh

demo: ## Set up, then create the brief's ecommerce experiment, generate it and query it on embedded DuckDB
	@bash scripts/setup.sh && bash scripts/demo.sh

test: ## Set up, then run lint, type checks and the whole test suite (what CI runs)
	@bash scripts/setup.sh && bash scripts/test.sh

lint: ## ruff lint + format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: ## ruff format + autofix
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

typecheck: ## mypy (strict) on the package
	$(BIN)/mypy

bench: ## Run the generator benchmark (prints figures side by side with its baselines; no thresholds)
	$(BIN)/python -m bench.generate

bench-dbgen: ## Create .venv-dbgen: a DuckDB that has the TPC-H extension offline (the dbgen baseline)
	$(PYTHON) -m venv .venv-dbgen && .venv-dbgen/bin/pip install --quiet duckdb==1.5.5 duckdb-extension-tpch==1.5.5

clean: ## Remove caches and build output (keeps .venv and your data)
	rm -rf .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
