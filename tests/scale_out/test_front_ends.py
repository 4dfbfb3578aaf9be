"""The CLI and the API driving runs on a real Dask cluster: flags and settings, progress over SSE, API cancel."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from dask_cluster import Cluster
from fastapi.testclient import TestClient
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from api_support import SHOP_SCHEMA, read_events

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.cli import app as cli_app
from dw_simulator.config import Settings
from dw_simulator.generator.dask_executor import _running_units


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_generates_on_the_cluster(cluster: Cluster, tmp_path: Path) -> None:
    schema = tmp_path / "shop.json"
    schema.write_text(json.dumps(SHOP_SCHEMA))
    assert cli("experiment", "create", str(schema))[0] == 0
    code, out, err = cli("experiment", "generate", "shop", "--scheduler", cluster.address, "--seed", "3", "--json")
    assert code == 0, err
    run = json.loads(out)
    assert run["status"] == "COMPLETED" and run["workers"] == 2
    assert run["row_counts"] == {"customers": 200, "orders": 500}
    code, out, err = cli("experiment", "generate", "shop", "--executor", "local", "--scheduler", cluster.address)
    assert code != 0 and "--executor dask" in (out + err)
    code, out, err = cli("experiment", "generate", "shop", "--executor", "spark")
    assert code != 0 and "unknown executor 'spark'" in (out + err)


@pytest.fixture
def client(cluster: Cluster, tmp_path: Path):
    settings = Settings(data_root=tmp_path / "api-data", dask_scheduler=cluster.address)
    with TestClient(create_app(settings, api_settings=ApiSettings())) as test_client:
        assert test_client.post("/api/experiments", json=SHOP_SCHEMA).status_code == 201
        yield test_client


def test_api_streams_cluster_progress_and_cancel_stops_it(client: TestClient, cluster: Cluster) -> None:
    started = client.post("/api/experiments/shop/generate", json={"executor": "dask", "seed": 1})
    assert started.status_code == 202, started.text
    events = read_events(client, started.json()["run_id"])
    final = {e.data["table"]: e.data for e in events if e.name == "progress"}
    assert final["orders"]["rows_done"] == 500 and events[-1].data["status"] == "COMPLETED"
    assert events[-1].data["workers"] == 2

    big = {"executor": "dask", "rows": {"customers": 3_000_000, "orders": 3_000_000}, "batch_size": 5000}
    run_id = client.post("/api/experiments/shop/generate", json=big).json()["run_id"]
    assert any(e.name == "progress" for e in read_events(client, run_id, until_progress=True))
    assert client.post(f"/api/runs/{run_id}/cancel").status_code == 202
    assert read_events(client, run_id)[-1].data["status"] == "CANCELLED"
    rows = client.post("/api/experiments/shop/query", json={"sql": "select count(*) from orders"}).json()["rows"]
    assert rows == [[500]]
    with cluster.client() as dask:
        assert sum(dask.run(_running_units).values()) == 0
        assert not [k for keys in dask.processing().values() for k in keys if str(k).startswith("dw-sim-unit-")]
