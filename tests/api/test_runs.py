"""Background runs over HTTP (in-process): 202 + SSE to completion, cancel, one active run per experiment."""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import timedelta

from api_support import BIG_RUN, SHOP_SCHEMA, read_events
from fastapi.testclient import TestClient
from test_experiments import assert_error

from dw_simulator.api import create_app
from dw_simulator.metadata.tables import utcnow
from dw_simulator.service import Simulator


def count(client: TestClient, experiment: str, table: str) -> int:
    response = client.post(f"/api/experiments/{experiment}/query", json={"sql": f"select count(*) from {table}"})
    assert response.status_code == 200, response.text
    return int(response.json()["rows"][0][0])


def generate(client: TestClient, experiment: str, body: dict | None = None) -> int:
    response = client.post(f"/api/experiments/{experiment}/generate", json=body or {})
    assert response.status_code == 202, response.text
    started = response.json()
    assert started["links"]["events"] == f"/api/runs/{started['run_id']}/events"
    return int(started["run_id"])


def test_generate_runs_in_background_and_streams_progress(client: TestClient, shop: str) -> None:
    run_id = generate(client, shop, {"seed": 7, "rows": {"customers": 300}})
    events = read_events(client, run_id)
    names = [e.name for e in events]
    assert names[-1] == "end" and names.count("end") == 1
    progress = [e.data for e in events if e.name == "progress"]
    final = {p["table"]: p for p in progress}
    assert final["customers"]["rows_done"] == final["customers"]["rows_total"] == 300
    assert final["orders"]["rows_done"] == 500
    assert names.index("progress") < names.index("end")
    end = events[-1].data
    assert end["status"] == "COMPLETED" and end["row_counts"] == {"customers": 300, "orders": 500}
    assert end["seed"] == 7 and end["finished_at"] is not None

    run = client.get(f"/api/runs/{run_id}").json()
    assert run["status"] == "COMPLETED" and run["progress"]["phase"] == "done"
    runs = client.get(f"/api/experiments/{shop}/runs").json()
    assert [r["id"] for r in runs] == [run_id]
    info = client.get("/api/experiments").json()[0]
    assert info["last_run_status"] == "COMPLETED" and info["total_rows"] == 800
    assert count(client, shop, "orders") == 500

    # a finished run's stream replays its last progress and the end at once
    again = read_events(client, run_id)
    assert again[-1].name == "end" and again[-1].data["status"] == "COMPLETED"
    assert {e.data["table"] for e in again if e.name == "progress"} == {"customers", "orders"}

    profile = client.get(f"/api/experiments/{shop}/profile").json()
    columns = {c["column"]: c for c in profile["tables"]["orders"]}
    assert columns["order_id"]["distinct"] == 500 and columns["order_id"]["histogram"]


def test_cancel_mid_run_keeps_previous_data(client: TestClient, shop: str) -> None:
    first = generate(client, shop)
    assert read_events(client, first)[-1].data["status"] == "COMPLETED"
    before = count(client, shop, "customers")

    run_id = generate(client, shop, BIG_RUN)
    assert any(e.name == "progress" for e in read_events(client, run_id, until_progress=True))
    cancelled = client.post(f"/api/runs/{run_id}/cancel")
    assert cancelled.status_code == 202, cancelled.text
    events = read_events(client, run_id)
    assert events[-1].data["status"] == "CANCELLED"
    assert client.get(f"/api/runs/{run_id}").json()["status"] == "CANCELLED"
    assert count(client, shop, "customers") == before
    assert client.get("/api/experiments").json()[0]["total_rows"] == 700

    body = assert_error(client.post(f"/api/runs/{run_id}/cancel"), 409, "run_not_active")
    assert "CANCELLED" in body["message"]


def test_one_active_run_per_experiment(client: TestClient, shop: str) -> None:
    run_id = generate(client, shop, BIG_RUN)
    try:
        body = assert_error(client.post(f"/api/experiments/{shop}/generate", json={}), 409, "run_in_progress")
        assert str(run_id) in body["message"]
        assert_error(client.delete(f"/api/experiments/{shop}"), 409, "run_in_progress")
        assert client.get("/health").json()["active_runs"] == 1
    finally:
        assert client.post(f"/api/runs/{run_id}/cancel").status_code == 202
    assert read_events(client, run_id)[-1].data["status"] == "CANCELLED"
    assert generate(client, shop) > run_id  # free again


def test_bad_generate_requests(client: TestClient, shop: str) -> None:
    body = assert_error(
        client.post(f"/api/experiments/{shop}/generate", json={"rows": {"nope": 5}}), 422, "validation_error"
    )
    assert "nope" in body["message"]
    assert_error(client.post(f"/api/experiments/{shop}/generate", json={"colour": "red"}), 422, "validation_error")
    assert_error(client.post(f"/api/experiments/{shop}/generate", json={"workers": 0}), 422, "validation_error")
    assert_error(client.get("/api/runs/0"), 422, "validation_error")
    assert_error(client.get(f"/api/runs/{2**70}"), 422, "validation_error")
    assert client.get(f"/api/experiments/{shop}/runs").json() == []


def test_shutdown_cancels_running_runs(client: TestClient, shop: str) -> None:
    run_id = generate(client, shop, BIG_RUN)
    read_events(client, run_id, until_progress=True)
    client.app.state.dwsim.runs.shutdown(wait_s=30)  # what the app does when the server stops
    deadline = time.monotonic() + 30
    while client.get(f"/api/runs/{run_id}").json()["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.get(f"/api/runs/{run_id}").json()["status"] == "CANCELLED"


def test_start_up_recovers_runs_a_crash_left_behind(settings, tmp_path) -> None:
    sim = Simulator(settings)
    sim.create_experiment_from_text(json.dumps(SHOP_SCHEMA))
    sim.create_experiment_from_text(json.dumps({**SHOP_SCHEMA, "name": "other"}))
    sim.create_experiment_from_text(json.dumps({**SHOP_SCHEMA, "name": "third"}))
    alive = subprocess.Popen(["sleep", "60"])  # stands for a CLI run in another terminal
    try:
        files = tmp_path / "partial"
        files.mkdir()
        with sim.metadata.session() as session:
            ids = []
            for name, pid, age in (("shop", os.getpid(), 0), ("other", None, 120), ("third", alive.pid, 0)):
                experiment = sim.metadata.get_experiment(session, name)
                run = sim.metadata.create_run(session, experiment, seed=1, workers=1, row_overrides={})
                run.status, run.owner_pid = "RUNNING", pid
                run.created_at = utcnow() - timedelta(seconds=age)
                run.output_path = str(files) if name == "shop" else None
                ids.append(run.id)
        sim.close()
        with TestClient(create_app(settings)) as client:
            same_pid, orphan, live = (client.get(f"/api/runs/{i}").json() for i in ids)
            assert same_pid["status"] == "FAILED" and "interrupted" in same_pid["error_message"]
            assert orphan["status"] == "FAILED"
            assert live["status"] == "RUNNING"  # its owner is alive: not ours to touch
            assert not files.exists()
    finally:
        alive.kill()
        alive.wait(timeout=30)
