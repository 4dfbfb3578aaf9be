"""`dw-sim snowflake-endpoint`: a standalone endpoint for users' own clients, shared with other dw-sim processes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import snowflake.connector
import typer
from typer.testing import CliRunner

from dw_simulator.backends.snowflake.endpoint import ENDPOINT_FILE, snowflake_dir, stop_shared_endpoints
from dw_simulator.cli.snowflake_cmds import register
from dw_simulator.config import Settings
from dw_simulator.schema import load_schema_data
from dw_simulator.service import Simulator

SCRIPT = """
import typer
from dw_simulator.cli.snowflake_cmds import register
app = typer.Typer()
@app.callback()
def main() -> None:
    pass
register(app)
app()
"""


def cli_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        pass

    register(app)
    return app


def test_refuses_a_non_loopback_address() -> None:
    result = CliRunner().invoke(cli_app(), ["snowflake-endpoint", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "not a loopback address" in result.output


def test_standalone_endpoint_serves_clients_and_other_processes(tmp_path: Path) -> None:
    data_root = tmp_path / "root"
    env = {**os.environ, "DW_SIM_DATA_ROOT": str(data_root), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "snowflake-endpoint", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        printed = []
        deadline = time.monotonic() + 60
        port = None
        while port is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            printed.append(line)
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
        assert port is not None, "".join(printed) + (proc.stderr.read() if proc.poll() is not None else "")
        while "Ctrl-C" not in printed[-1] and time.monotonic() < deadline:  # the rest of the parameters
            printed.append(proc.stdout.readline())
        text = "".join(printed)
        assert f"snowflake://dwsim:dwsim@127.0.0.1:{port}/<EXPERIMENT>/PUBLIC?account=dwsim" in text
        assert "connect_args={'protocol': 'http'}" in text
        assert "protocol: http" in text and f"port: {port}" in text
        kwargs = json.loads(re.search(r"connect\(\*\*(\{.*\})\)", text).group(1))  # type: ignore[union-attr]

        # another dw-sim process on the same data root uses the running endpoint instead of opening the files
        settings = Settings(data_root=data_root)
        sim = Simulator(settings)
        try:
            sim.create_experiment(
                load_schema_data(
                    {
                        "name": "shared_exp",
                        "target_warehouse": "snowflake",
                        "tables": [{"name": "t", "columns": [{"name": "x", "data_type": "INT"}]}],
                    }
                )
            )
        finally:
            sim.close()
        published = json.loads((data_root / "warehouse" / "snowflake" / ENDPOINT_FILE).read_text())
        assert published["port"] == port and published["pid"] == proc.pid

        # a user's own client with the printed parameters sees the experiment as a database
        conn = snowflake.connector.connect(
            **{**kwargs, "database": "SHARED_EXP", "network_timeout": 5, "login_timeout": 5}
        )
        cur = conn.cursor()
        cur.execute("INSERT INTO t VALUES (1), (2)")
        assert cur.execute("SELECT SUM(x) FROM t").fetchone() == (3,)
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        stop_shared_endpoints({snowflake_dir(Settings(data_root=data_root))})
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    assert not (data_root / "warehouse" / "snowflake" / ENDPOINT_FILE).exists()


def test_port_in_use_is_a_clear_error() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli_app(), ["snowflake-endpoint", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot serve the Snowflake endpoint on 127.0.0.1:{port}" in result.output
