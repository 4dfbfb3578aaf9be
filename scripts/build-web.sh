#!/usr/bin/env bash
# Build the web UI (frontend/, React + Vite) into dw_simulator/web, which `dw-sim serve` serves at /.
# Installs npm dependencies with `npm ci` only when package-lock.json changed, and rebuilds only when a source
# changed, so running it again (scripts/setup.sh does) costs a few file checks. FORCE=1 rebuilds anyway.
set -euo pipefail
cd "$(dirname "$0")/../frontend"

if ! command -v npm >/dev/null 2>&1; then
  # Not fatal: `dw-sim serve` then serves the API alone. CI has npm, and tests/test_web_ui.py fails there without it.
  echo "build-web: npm not found, so the web UI is not built; install Node.js >= 20.19 with npm and run setup again" >&2
  exit 0
fi

deps_stamp=node_modules/.dw-sim-lock.sha256
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ ! -f "$deps_stamp" ] || [ "$(cat "$deps_stamp")" != "$lock_sum" ]; then
  echo "build-web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > "$deps_stamp"
fi

out=../dw_simulator/web
build_stamp="$out/.build-stamp"
src_sum=$(
  {
    find src index.html package-lock.json vite.config.ts tsconfig.json ../dw_simulator/examples -type f -print0 |
      sort -z | xargs -0 sha256sum
  } | sha256sum | cut -d' ' -f1
)
if [ "${FORCE:-0}" != 1 ] && [ -f "$out/index.html" ] && [ -f "$build_stamp" ] && [ "$(cat "$build_stamp")" = "$src_sum" ]; then
  echo "build-web: dw_simulator/web is up to date"
  exit 0
fi
echo "build-web: building the web UI into dw_simulator/web"
npx tsc -b
npx vite build --logLevel warn
echo "$src_sum" > "$build_stamp"
