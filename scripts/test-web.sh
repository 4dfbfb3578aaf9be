#!/usr/bin/env bash
# The web UI's tests: Vitest component tests, then the Playwright end-to-end suite in a real browser (Debian's
# chromium driven by playwright-core; nothing is downloaded) against a real `dw-sim serve` on 127.0.0.1, on a free
# port, with a throw-away DW_SIM_DATA_ROOT. Run by tests/test_web_ui.py, so `make test` and CI include it.
#   DW_SIM_E2E_URL=http://127.0.0.1:8000 scripts/test-web.sh   use a server you already run instead
#   SKIP_E2E=1 scripts/test-web.sh                            component tests only
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CHROMIUM="${DW_SIM_CHROMIUM:-/usr/bin/chromium}"

if [ "${SKIP_E2E:-0}" != 1 ] && [ ! -x "$CHROMIUM" ]; then
  echo "test-web: installing chromium (Debian package) for the end-to-end tests"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

bash scripts/build-web.sh

echo "== vitest (component tests)"
(cd frontend && npx vitest run)

if [ "${SKIP_E2E:-0}" = 1 ]; then
  exit 0
fi

server_pid=""
data_root=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$data_root" ]; then rm -rf "$data_root"; fi
}
trap cleanup EXIT

url="${DW_SIM_E2E_URL:-}"
if [ -z "$url" ]; then
  port=$("$ROOT/.venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  data_root=$(mktemp -d -t dw-sim-web-e2e-XXXXXX)
  url="http://127.0.0.1:$port"
  echo "== dw-sim serve on $url (data in $data_root)"
  DW_SIM_DATA_ROOT="$data_root" "$ROOT/.venv/bin/dw-sim" serve --host 127.0.0.1 --port "$port" \
    >"$data_root/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    if curl -sf "$url/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "test-web: dw-sim serve exited before answering:" >&2
      cat "$data_root/server.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  if ! curl -sf "$url/health" >/dev/null 2>&1; then
    echo "test-web: dw-sim serve did not answer /health within 30 s:" >&2
    cat "$data_root/server.log" >&2
    exit 1
  fi
fi
if ! curl -sf "$url/" | grep -q 'id="root"'; then
  echo "test-web: $url/ does not serve the web UI (is dw_simulator/web mounted by the API app?)" >&2
  exit 1
fi

echo "== playwright end-to-end tests against $url"
status=0
(cd frontend && DW_SIM_E2E_URL="$url" DW_SIM_CHROMIUM="$CHROMIUM" npx vitest run --config vitest.e2e.config.ts) || status=$?
if [ "$status" != 0 ] && [ -n "$data_root" ] && [ -f "$data_root/server.log" ]; then
  echo "== last lines of the server log" >&2
  tail -n 40 "$data_root/server.log" >&2
fi
echo "test-web: screenshots in frontend/e2e/screenshots/"
exit "$status"
