"""`dw-sim serve` also serves the embedded Snowflake endpoint: a user's own connector sees the experiments."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import snowflake.connector

from dw_simulator.backends.snowflake.endpoint import ENDPOINT_FILE, EndpointAddress


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_exposes_the_snowflake_endpoint(tmp_path: Path, examples: Path) -> None:
    env = {**os.environ, "DW_SIM_DATA_ROOT": str(tmp_path / "data")}
    cli = [sys.executable, "-m", "dw_simulator"]
    schema = json.loads((examples / "ecommerce_experiment.json").read_text())
    schema["target_warehouse"] = "snowflake"
    (tmp_path / "snow.json").write_text(json.dumps(schema))
    for args in (["experiment", "create", str(tmp_path / "snow.json")],
                 ["experiment", "generate", "ecommerce_experiment", "--seed", "2"]):  # fmt: skip
        done = subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0, done.stderr
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(_free_port())], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        published = tmp_path / "data" / "warehouse" / "snowflake" / ENDPOINT_FILE
        deadline = time.monotonic() + 60
        address = None
        while time.monotonic() < deadline and server.poll() is None:
            if published.exists():
                data = json.loads(published.read_text())
                if data.get("pid") == server.pid:
                    address = EndpointAddress(**data)
                    break
            time.sleep(0.2)
        assert address is not None, "serve did not publish a Snowflake endpoint"
        conn = snowflake.connector.connect(
            user="analyst", password="any", account="dwsim", host=address.host, port=address.port,
            protocol=address.protocol, database="ECOMMERCE_EXPERIMENT", schema="PUBLIC", network_timeout=10,
            login_timeout=10,
        )  # fmt: skip
        try:
            cur = conn.cursor()
            cur.execute("SELECT COUNT(*), COUNT(DISTINCT customer_id) FROM orders")
            orders, customers = cur.fetchone()
            assert orders == 500 and 1 <= customers <= 100
            cur.execute("SELECT COUNT(*) FROM orders o JOIN customers c ON o.customer_id = c.customer_id")
            assert cur.fetchone()[0] == 500
        finally:
            conn.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
