"""Through a real `dw-sim serve` process on 127.0.0.1: the whole lifecycle, the 409 race, crash recovery, logs."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from api_support import BIG_RUN, SALES_SQL, SHOP_SCHEMA, Server, parse_sse, read_events

pytestmark = pytest.mark.slow


def test_full_lifecycle(server: Server) -> None:
    with server.client() as http:
        imported = http.post(
            "/api/experiments/import-sql",
            files={"file": ("sales.sql", SALES_SQL.encode(), "application/sql")},
            data={"dialect": "redshift", "name": "sales", "rows": '{"sales": 2500}'},
        )
        assert imported.status_code == 201, imported.text
        assert any("composite primary key" in w for w in imported.json()["warnings"])

        started = http.post("/api/experiments/sales/generate", json={"seed": 11, "batch_size": 1000, "workers": 2})
        assert started.status_code == 202, started.text
        run_id = started.json()["run_id"]
        events = read_events(http, run_id)
        progress = [e.data for e in events if e.name == "progress"]
        done = [p["rows_done"] for p in progress]  # fast runs coalesce updates; never backwards, ends complete
        assert done == sorted(set(done)) and done[-1] == 2500 and progress[-1]["rows_total"] == 2500
        assert events[-1].name == "end" and events[-1].data["status"] == "COMPLETED"

        answer = http.post(
            "/api/experiments/sales/query", json={"sql": "select count(*), count(distinct _row_id) from sales"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["rows"] == [[2500, 2500]]

        download = http.post(
            "/api/experiments/sales/query?format=csv",
            json={"sql": "select _row_id, region_id, amount from sales order by _row_id"},
        )
        assert download.status_code == 200
        rows = list(csv.reader(io.StringIO(download.text)))
        assert rows[0] == ["_row_id", "region_id", "amount"] and len(rows) == 2501
        assert [int(r[0]) for r in rows[1:]] == list(range(1, 2501))
        sample = http.post(
            "/api/experiments/sales/query", json={"sql": "select region_id, amount from sales where _row_id = 1234"}
        ).json()["rows"][0]
        assert [int(rows[1234][1]), rows[1234][2] or None] == [sample[0], sample[1]]

        deleted = http.delete("/api/experiments/sales")
        assert deleted.json() == {"experiment": "sales", "deleted": True, "tables_dropped": 1}
        assert http.get("/api/experiments").json() == []

    assert server.stop() in (0, -15)  # uvicorn re-raises SIGTERM after its graceful shutdown
    lines = server.log_lines()
    assert any("shutdown complete" in line.get("message", "") for line in lines)
    requests = [line for line in lines if line.get("message") == "request"]
    assert requests and all(line.get("request_id") for line in requests)
    assert {"method", "path", "status", "duration_ms"} <= set(requests[0])
    run_lines = [line for line in lines if line.get("run_id") == run_id]
    assert {"generation started", "generation completed"} <= {line["message"] for line in run_lines}
    assert all(line.get("request_id") for line in run_lines)  # the request that started the run


def test_two_simultaneous_generates_one_202_one_409(server: Server) -> None:
    with server.client() as http:
        assert http.post("/api/experiments", json=SHOP_SCHEMA).status_code == 201
    barrier = threading.Barrier(2)
    responses: list = []

    def post() -> None:
        with server.client() as http:
            barrier.wait(timeout=60)
            responses.append(http.post("/api/experiments/shop/generate", json=BIG_RUN))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request did not finish in time"
    assert sorted(r.status_code for r in responses) == [202, 409], [r.text for r in responses]
    conflict = next(r for r in responses if r.status_code == 409).json()
    assert conflict["error"] == "run_in_progress"
    run_id = next(r for r in responses if r.status_code == 202).json()["run_id"]
    with server.client() as http:
        assert http.post(f"/api/runs/{run_id}/cancel").status_code == 202
        assert read_events(http, run_id)[-1].data["status"] == "CANCELLED"
        assert len(http.get("/api/experiments/shop/runs").json()) == 1


def test_crash_recovery(server_factory: type[Server], tmp_path: Path) -> None:
    data_root = tmp_path / "data"
    first = server_factory(data_root=data_root, log_path=tmp_path / "first.log").start()
    with first.client() as http:
        assert http.post("/api/experiments", json=SHOP_SCHEMA).status_code == 201
        good = http.post("/api/experiments/shop/generate", json={"seed": 5}).json()["run_id"]
        assert read_events(http, good)[-1].data["status"] == "COMPLETED"
        doomed = http.post("/api/experiments/shop/generate", json=BIG_RUN).json()["run_id"]
        read_events(http, doomed, until_progress=True)
        run_dir = data_root / "generated" / "shop" / f"run-{doomed:06d}"
        assert run_dir.exists()
    first.kill()  # SIGKILL mid-run: nothing gets recorded

    second = server_factory(data_root=data_root, log_path=tmp_path / "second.log").start()
    with second.client() as http:
        run = http.get(f"/api/runs/{doomed}").json()
        assert run["status"] == "FAILED" and "interrupted" in run["error_message"]
        assert not run_dir.exists()
        assert http.get(f"/api/runs/{good}").json()["status"] == "COMPLETED"
        counts = http.post(
            "/api/experiments/shop/query",
            json={"sql": "select (select count(*) from customers), (select count(*) from orders)"},
        )
        assert counts.json()["rows"] == [[200, 500]]  # the old data still answers
        again = http.post("/api/experiments/shop/generate", json={"rows": {"orders": 10}})
        assert again.status_code == 202  # not blocked by the dead run
        assert read_events(http, again.json()["run_id"])[-1].data["status"] == "COMPLETED"


def test_cli_can_use_the_warehouse_while_the_server_is_up(server: Server) -> None:
    with server.client() as http:
        assert http.post("/api/experiments", json=SHOP_SCHEMA).status_code == 201
        run_id = http.post("/api/experiments/shop/generate", json={}).json()["run_id"]
        assert read_events(http, run_id)[-1].data["status"] == "COMPLETED"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "dw_simulator",
                "query",
                "select count(*) as n from orders",
                "-e",
                "shop",
                "-f",
                "json",
            ],
            capture_output=True,
            text=True,
            env={"DW_SIM_DATA_ROOT": str(server.data_root), "PATH": "/usr/bin:/bin"},
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == [{"n": 500}]
        # and the server still answers afterwards
        assert http.post("/api/experiments/shop/query", json={"sql": "select 1"}).status_code == 200


def test_stopping_the_server_cancels_its_runs(server_factory: type[Server], tmp_path: Path) -> None:
    data_root = tmp_path / "data"
    first = server_factory(data_root=data_root, log_path=tmp_path / "first.log").start()
    lines: list[str] = []
    streaming = threading.Event()

    def follow(run_id: int) -> None:
        with first.client() as http, http.stream("GET", f"/api/runs/{run_id}/events") as response:
            for line in response.iter_lines():
                lines.append(line)
                streaming.set()

    with first.client() as http:
        assert http.post("/api/experiments", json=SHOP_SCHEMA).status_code == 201
        run_id = http.post("/api/experiments/shop/generate", json=BIG_RUN).json()["run_id"]
        read_events(http, run_id, until_progress=True)
    follower = threading.Thread(target=follow, args=(run_id,))
    follower.start()
    assert streaming.wait(60)
    first.stop()  # SIGTERM, as Ctrl-C or `docker stop`, while a client follows the run
    follower.join(timeout=120)
    followed = parse_sse(lines)
    assert followed and followed[-1].name == "end" and followed[-1].data["status"] == "CANCELLED"
    second = server_factory(data_root=data_root, log_path=tmp_path / "second.log").start()
    with second.client() as http:
        assert http.get(f"/api/runs/{run_id}").json()["status"] == "CANCELLED"


def test_spans_go_over_otlp_when_the_endpoint_is_set(
    server_factory: type[Server], tmp_path: Path, otlp_receiver: Any
) -> None:
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": otlp_receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    server = server_factory(data_root=tmp_path / "data", log_path=tmp_path / "server.log", env=env).start()
    with server.client() as client:
        assert client.post("/api/experiments", json=SHOP_SCHEMA).status_code == 201
        run_id = client.post("/api/experiments/shop/generate", json={}).json()["run_id"]
        assert read_events(client, run_id)[-1].data["status"] == "COMPLETED"
        assert client.post("/api/experiments/shop/query", json={"sql": "select 1"}).status_code == 200
    server.stop()  # flushes what is still queued
    received = otlp_receiver.received
    for name in (b"dwsim.generate", b"dwsim.generation", b"dwsim.load", b"dwsim.table", b"dwsim.query"):
        assert name in received, name
    assert b"dw-sim" in received  # service.name
