#!/usr/bin/env bash
# Create .venv (if needed) and install dw-sim with its extras. Safe to run again: it only installs what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
EXTRAS="${EXTRAS:-dev,postgres,s3,snowflake,api,otel,endpoint}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.dw-sim-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[${EXTRAS}]"
  touch "$stamp"
fi
# dbt-redshift (for the Redshift endpoint's dbt test) in its own venv: dbt-core pins pathspec<0.13, mypy 2 needs >=1
if [ ! -x .venv-dbt/bin/dbt ]; then
  "$PYTHON" -m venv .venv-dbt
  .venv-dbt/bin/python -m pip install --quiet --upgrade pip
  .venv-dbt/bin/python -m pip install --quiet "dbt-core>=1.10,<1.12" "dbt-redshift>=1.9"
fi
# pgjdbc on Java 17 (the Redshift endpoint's JDBC test): Debian packages, as the web tests install chromium
if [ ! -f /usr/share/java/postgresql.jar ] || ! command -v java >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Java 17 and pgjdbc (Debian packages) for the endpoint tests"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jre-headless libpostgresql-jdbc-java \
      postgresql-client >/dev/null
  fi
fi
if [ -f frontend/package.json ] && [ -x scripts/build-web.sh ]; then
  bash scripts/build-web.sh
fi
