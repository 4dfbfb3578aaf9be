#!/usr/bin/env bash
# Create .venv (if needed) and install dw-sim into it. Safe to run again: it only does what changed.
#   scripts/setup.sh          everything the test suite needs (`make setup`, `make test`): every extra, the dbt venv
#                             (.venv-dbt) and the web UI build
#   scripts/setup.sh demo     only what `make demo` needs: dw-sim itself (embedded DuckDB, no extras)
# Each step says what it does and how long it took; pip's full output goes to .venv/setup.log.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
MODE="${1:-test}"
case "$MODE" in
  demo) EXTRAS="${EXTRAS-}" ;;
  test) EXTRAS="${EXTRAS:-dev,postgres,s3,snowflake,api,otel,endpoint,dask}" ;;
  *) echo "usage: scripts/setup.sh [test|demo]" >&2; exit 2 ;;
esac

started=$SECONDS
step() { printf '==> %s\n' "$*"; step_started=$SECONDS; }
done_step() { printf '    done in %ss\n' "$((SECONDS - step_started))"; }

# pip with one line per package it collects or installs; the whole output is in $log, shown when pip fails
pip_install() {
  local python=$1 log=$2
  shift 2
  if ! "$python" -m pip install --progress-bar off "$@" >"$log" 2>&1; then
    echo "pip failed; the end of $log:" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
  grep -E '^(Collecting|Successfully installed)' "$log" | sed -E 's/^/    /; s/^(    Successfully installed .{0,110}).*/\1.../' || true
}

if [ ! -x .venv/bin/python ]; then
  step "creating .venv with $("$PYTHON" --version 2>&1)"
  "$PYTHON" -m venv .venv
  done_step
fi

stamp=".venv/.dw-sim-installed"
spec=".[${EXTRAS}]"
[ -n "$EXTRAS" ] || spec="."
# installed already when the stamp is newer than pyproject.toml and lists every extra this mode needs
installed_extras=$( [ -f "$stamp" ] && cat "$stamp" || echo "none" )
need_install=0
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  need_install=1
else
  for extra in ${EXTRAS//,/ }; do
    case ",$installed_extras," in *",$extra,"*) ;; *) need_install=1 ;; esac
  done
fi
if [ "$need_install" = 1 ]; then
  step "upgrading pip in .venv"
  pip_install .venv/bin/python .venv/setup.log --upgrade pip
  done_step
  step "installing dw-sim${EXTRAS:+ with extras $EXTRAS} (editable; the first run downloads its dependencies)"
  pip_install .venv/bin/python .venv/setup.log -e "$spec"
  if [ "$installed_extras" != "none" ] && [ -n "$installed_extras" ]; then
    # keep what was installed before in the record (pip does not remove extras' packages)
    EXTRAS=$(printf '%s,%s' "$installed_extras" "$EXTRAS" | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -)
  fi
  echo "$EXTRAS" > "$stamp"
  done_step
else
  echo "==> dw-sim is installed in .venv (extras: ${installed_extras:-none})"
fi

if [ "$MODE" = test ]; then
  # dbt-redshift (for the Redshift endpoint's dbt test) in its own venv: dbt-core pins pathspec<0.13, mypy 2 needs >=1
  if [ ! -x .venv-dbt/bin/dbt ]; then
    step "creating .venv-dbt with dbt-core and dbt-redshift (for the Redshift endpoint's dbt test)"
    "$PYTHON" -m venv .venv-dbt
    pip_install .venv-dbt/bin/python .venv-dbt/setup.log --upgrade pip
    pip_install .venv-dbt/bin/python .venv-dbt/setup.log "dbt-core>=1.10,<1.12" "dbt-redshift>=1.9"
    done_step
  else
    echo "==> .venv-dbt is ready"
  fi
  # snowflake-sqlalchemy (needs SQLAlchemy < 2.1) and Snowpark (installs a `snowflake` namespace hook) for the
  # Snowflake endpoint's client tests, in a venv of their own
  if [ ! -x .venv-snowflake/bin/python ] || ! .venv-snowflake/bin/python -c "import snowflake.snowpark, snowflake.sqlalchemy" 2>/dev/null; then
    step "creating .venv-snowflake with snowflake-sqlalchemy and Snowpark (for the Snowflake endpoint's client tests)"
    "$PYTHON" -m venv .venv-snowflake
    pip_install .venv-snowflake/bin/python .venv-snowflake/setup.log --upgrade pip
    pip_install .venv-snowflake/bin/python .venv-snowflake/setup.log "snowflake-connector-python[pandas]>=3.12,<5" \
      "snowflake-sqlalchemy>=1.7" "sqlalchemy>=2.0,<2.1" "snowflake-snowpark-python>=1.20" "pandas>=2"
    done_step
  else
    echo "==> .venv-snowflake is ready"
  fi
  # dbt-snowflake (the Snowflake endpoint's dbt test) beside dbt-redshift's venv, not in it (.venv-dbt is shared)
  if [ ! -x .venv-dbt-snowflake/bin/dbt ]; then
    step "creating .venv-dbt-snowflake with dbt-core and dbt-snowflake (for the Snowflake endpoint's dbt test)"
    "$PYTHON" -m venv .venv-dbt-snowflake
    pip_install .venv-dbt-snowflake/bin/python .venv-dbt-snowflake/setup.log --upgrade pip
    pip_install .venv-dbt-snowflake/bin/python .venv-dbt-snowflake/setup.log "dbt-core>=1.10,<1.12" "dbt-snowflake>=1.9"
    done_step
  else
    echo "==> .venv-dbt-snowflake is ready"
  fi
  # pgjdbc on Java 17 (the Redshift endpoint's JDBC test) and psql: Debian packages, as the web tests install chromium
  if [ ! -f /usr/share/java/postgresql.jar ] || ! command -v java >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      step "installing Java 17, pgjdbc and psql (Debian packages) for the endpoint tests"
      SUDO=""
      if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jre-headless libpostgresql-jdbc-java \
        postgresql-client >/dev/null
      done_step
    fi
  fi
  if [ -f frontend/package.json ] && [ -x scripts/build-web.sh ]; then
    step "web UI (frontend/ -> dw_simulator/web)"
    bash scripts/build-web.sh
    done_step
  fi
fi
echo "==> setup ($MODE) finished in $((SECONDS - started))s"
