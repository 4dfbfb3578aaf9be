"""`dw-sim serve` as users run it: the HTTP API and, beside it, the Redshift endpoint answering psycopg."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

EXAMPLES = Path(__file__).resolve().parents[2] / "dw_simulator" / "examples"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_runs_the_redshift_endpoint_beside_the_api(tmp_path: Path) -> None:
    env = {**os.environ, "DW_SIM_DATA_ROOT": str(tmp_path / "data"), "DW_SIM_SNOWFLAKE_ENDPOINT_ENABLED": "false"}
    cli = [sys.executable, "-m", "dw_simulator"]
    for args in (["experiment", "create", str(EXAMPLES / "retail_analytics.json")],
                 ["experiment", "generate", "retail_analytics", "--seed", "4"]):  # fmt: skip
        done = subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0, done.stderr
    api_port, rs_port = _free_port(), _free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(api_port), "--redshift-port", str(rs_port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/health", timeout=2) as response:
                    assert response.status == 200
                conn = psycopg.connect(
                    f"postgresql://mockuser:mockpass@127.0.0.1:{rs_port}/retail_analytics?sslmode=disable",
                    connect_timeout=5,
                )
                break
            except (OSError, psycopg.OperationalError):
                assert server.poll() is None, server.stderr.read() if server.stderr else "serve exited"
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.3)
        with conn:
            version = conn.execute("SELECT version()").fetchone()
            assert version is not None and "Redshift" in version[0]
            rows = conn.execute(
                "SELECT COUNT(*), NVL(SUM(quantity), 0) > 0 FROM order_items i JOIN orders o ON o.order_id = i.order_id"
            ).fetchone()
            assert rows is not None and rows[0] > 0 and rows[1] is True
    finally:
        server.terminate()
        server.wait(timeout=30)
