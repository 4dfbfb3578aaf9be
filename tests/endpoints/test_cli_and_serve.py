"""`dw-sim endpoints`, `dw-sim redshift-endpoint` (a real process) and the endpoint inside an ASGI app's lifespan
(how `dw-sim serve` runs it)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import typer
from endpoint_support import EXAMPLE, PASSWORD, USER, Endpoint
from typer.testing import CliRunner

from dw_simulator.cli import app as cli_app
from dw_simulator.cli import redshift_cmds
from dw_simulator.config import Settings
from dw_simulator.service import Simulator


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    if "endpoints" not in {c.name for c in cli_app.registered_commands}:
        redshift_cmds.register(cli_app)
    return cli_app


def test_endpoints_json_lists_both_warehouses(cli: typer.Typer, endpoint: Endpoint) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--data-root", str(endpoint.settings.data_root), "endpoints", "--json", "-e", "shop_duck"]
    )
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    rs = info["redshift"]
    assert rs["running"] is True and rs["port"] == endpoint.port  # the live endpoint published its address
    assert rs["psql"] == f'psql "postgresql://{USER}:{PASSWORD}@127.0.0.1:{endpoint.port}/shop_duck?sslmode=require"'
    assert rs["dbt_profile"]["type"] == "redshift" and rs["dbt_profile"]["dbname"] == "shop_duck"
    assert "redshift_connector.connect(" in rs["redshift_connector"]
    assert rs["sqlalchemy"].startswith("redshift+psycopg2://")
    assert info["snowflake"]["available"] is True
    assert info["snowflake"]["dbt_profile"]["type"] == "snowflake"
    # the printed psql URL works as printed
    url = rs["psql"].split('"')[1]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (100,)


def test_endpoints_text(cli: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-root", str(tmp_path), "endpoints"])
    assert result.exit_code == 0, result.output
    assert "Redshift endpoint (127.0.0.1:5439, not running" in result.output
    assert "profiles.yml" in result.output and "Snowflake endpoint" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_standalone_command_serves(tmp_path: Path) -> None:
    settings = Settings(data_root=tmp_path)
    with Simulator(settings) as sim:
        sim.create_experiment_from_file(EXAMPLE, name="solo", target_warehouse="duckdb")
    port = _free_port()
    code = (
        "from dw_simulator.cli import app; from dw_simulator.cli import redshift_cmds; "
        "redshift_cmds.register(app); app()"
    )
    env = {**os.environ, "DW_SIM_DATA_ROOT": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "redshift-endpoint", "--port", str(port), "--no-tls"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert f"listening on 127.0.0.1:{port} (TLS off)" in first, first + (proc.stderr.read() if proc.stderr else "")
        url = f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/solo?sslmode=disable"
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM customers").fetchone() == (0,)  # created, not generated
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_refuses_a_public_address(cli: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-root", str(tmp_path), "redshift-endpoint", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "not a loopback address" in result.output


def test_runs_inside_an_asgi_app_lifespan(endpoint: Endpoint) -> None:
    pytest.importorskip("fastapi")
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from dw_simulator.endpoints.redshift.embed import attach_to_app

    api = FastAPI()
    port = _free_port()
    attach_to_app(api, endpoint.simulator, host="127.0.0.1", port=port, tls=False)
    with TestClient(api, base_url="http://127.0.0.1"):
        assert api.state.redshift_endpoint is not None
        url = f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/shop_pg?sslmode=disable"
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM orders").fetchone() == (500,)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)  # stopped with the app


def test_a_taken_port_does_not_stop_the_app(endpoint: Endpoint) -> None:
    pytest.importorskip("fastapi")
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from dw_simulator.endpoints.redshift.embed import attach_to_app

    api = FastAPI()

    @api.get("/ping")
    def ping() -> dict[str, bool]:
        return {"ok": True}

    attach_to_app(api, endpoint.simulator, host="127.0.0.1", port=endpoint.port, tls=False)  # already in use
    with TestClient(api, base_url="http://127.0.0.1") as client:
        assert api.state.redshift_endpoint is None
        assert client.get("/ping").json() == {"ok": True}


def test_serve_companion(endpoint: Endpoint) -> None:
    from dw_simulator.endpoints.redshift.embed import redshift_companion

    port = _free_port()
    settings = endpoint.settings.model_copy(update={"redshift_endpoint_port": port, "redshift_endpoint_tls": False})
    with redshift_companion(settings) as running:
        assert running is not None
        url = f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/shop_duck?sslmode=disable"
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM orders").fetchone() == (500,)
    taken = settings.model_copy(update={"redshift_endpoint_port": endpoint.port})
    with redshift_companion(taken) as running:
        assert running is None  # logged; `dw-sim serve` goes on without it
    disabled = settings.model_copy(update={"redshift_endpoint_enabled": False})
    with redshift_companion(disabled) as running:
        assert running is None
