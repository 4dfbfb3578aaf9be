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
  if [ -f frontend/package.json ] && [ -x scripts/build-web.sh ]; then
    step "web UI (frontend/ -> dw_simulator/web)"
    bash scripts/build-web.sh
    done_step
  fi
fi
echo "==> setup ($MODE) finished in $((SECONDS - started))s"
