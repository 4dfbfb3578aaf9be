"""Metrics move as runs and queries happen; spans are emitted when tracing is on and cost nothing when off."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from api_support import read_events
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from dw_simulator import observability
from dw_simulator.observability import tracing


def metric(client: TestClient, name: str, **labels: str) -> float:
    """The value of one sample in /metrics (0 when absent)."""
    text = client.get("/metrics").text
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:]+)(\{.*\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return 0.0


def test_metrics_follow_runs_queries_and_errors(client: TestClient, shop: str) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    before_rows = metric(client, "dwsim_rows_generated_total", experiment="shop", table="orders")
    before_runs = metric(client, "dwsim_runs_total", status="COMPLETED")
    before_gen = metric(client, "dwsim_generation_duration_seconds_count", experiment="shop")
    before_load = metric(client, "dwsim_load_duration_seconds_count", experiment="shop", warehouse="duckdb")
    before_query = metric(client, "dwsim_query_duration_seconds_count", experiment="shop", outcome="ok")
    before_404 = metric(client, "dwsim_errors_total", kind="not_found", where="api")

    run_id = client.post(f"/api/experiments/{shop}/generate", json={"rows": {"orders": 321}}).json()["run_id"]
    assert read_events(client, run_id)[-1].data["status"] == "COMPLETED"
    assert metric(client, "dwsim_rows_generated_total", experiment="shop", table="orders") == before_rows + 321
    assert metric(client, "dwsim_rows_generated_total", experiment="shop", table="customers") >= 200
    assert metric(client, "dwsim_runs_total", status="COMPLETED") == before_runs + 1
    assert metric(client, "dwsim_generation_duration_seconds_count", experiment="shop") == before_gen + 1
    assert metric(client, "dwsim_load_duration_seconds_count", experiment="shop", warehouse="duckdb") == before_load + 1
    assert metric(client, "dwsim_active_runs") == 0

    assert client.post(f"/api/experiments/{shop}/query", json={"sql": "select 1"}).status_code == 200
    assert client.post(f"/api/experiments/{shop}/query", json={"sql": "select * from nope"}).status_code == 400
    assert metric(client, "dwsim_query_duration_seconds_count", experiment="shop", outcome="ok") == before_query + 1
    assert metric(client, "dwsim_query_duration_seconds_count", experiment="shop", outcome="error") >= 1
    assert metric(client, "dwsim_errors_total", kind="query_error", where="api") >= 1

    client.get("/api/runs/999999")
    assert metric(client, "dwsim_errors_total", kind="not_found", where="api") == before_404 + 1
    assert metric(client, "dwsim_http_requests_total", method="GET", route="/api/runs/{run_id}", status="404") >= 1


def test_active_runs_gauge_counts_a_running_run(client: TestClient, shop: str) -> None:
    from api_support import BIG_RUN

    run_id = client.post(f"/api/experiments/{shop}/generate", json=BIG_RUN).json()["run_id"]
    read_events(client, run_id, until_progress=True)
    assert metric(client, "dwsim_active_runs") == 1
    client.post(f"/api/runs/{run_id}/cancel")
    assert read_events(client, run_id)[-1].data["status"] == "CANCELLED"
    assert metric(client, "dwsim_active_runs") == 0
    assert metric(client, "dwsim_runs_total", status="CANCELLED") >= 1


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert observability.configure_tracing(exporter=exporter)
    yield exporter
    observability.shutdown_tracing()


def test_spans_cover_generate_tables_batches_load_and_query(
    spans: InMemorySpanExporter, client: TestClient, shop: str
) -> None:
    run_id = client.post(f"/api/experiments/{shop}/generate", json={"batch_size": 1000, "rows": {"orders": 2500}})
    run_id = run_id.json()["run_id"]
    assert read_events(client, run_id)[-1].data["status"] == "COMPLETED"
    assert client.post(f"/api/experiments/{shop}/query", json={"sql": "select count(*) from orders"}).status_code == 200

    finished = spans.get_finished_spans()
    by_name: dict[str, list] = {}
    for item in finished:
        by_name.setdefault(item.name, []).append(item)
    for name in ("dwsim.generate", "dwsim.generation", "dwsim.load", "dwsim.table", "dwsim.batch", "dwsim.query"):
        assert name in by_name, f"no {name} span in {sorted(by_name)}"
    generate = by_name["dwsim.generate"][0]
    assert generate.attributes["run_id"] == run_id and generate.attributes["status"] == "COMPLETED"
    for child in ("dwsim.generation", "dwsim.load", "dwsim.table"):
        assert all(s.parent.span_id == generate.context.span_id for s in by_name[child]), child
    tables = {s.attributes["table"]: s for s in by_name["dwsim.table"]}
    assert set(tables) == {"customers", "orders"}
    order_batches = [s for s in by_name["dwsim.batch"] if s.attributes["table"] == "orders"]
    assert len(order_batches) == 3 and sum(s.attributes["rows"] for s in order_batches) == 2500
    assert all(s.parent.span_id == tables["orders"].context.span_id for s in order_batches)
    # the run's spans belong to the trace of the request that started it
    http = [s for s in finished if s.name.startswith("POST /api/experiments/{name}/generate")]
    assert http and generate.context.trace_id == http[0].context.trace_id
    query = by_name["dwsim.query"][0]
    assert query.attributes["experiment"] == "shop" and query.attributes["warehouse"] == "duckdb"


def test_tracing_off_costs_nothing() -> None:
    observability.shutdown_tracing()
    assert not observability.tracing_enabled()
    first, second = observability.span("a"), observability.span("b", {"x": 1})
    assert first is second  # one shared no-op context manager: no allocation, no OpenTelemetry call
    with first as handle:
        assert handle is None
    assert observability.current_context() is None
    assert tracing.start_span("x") is None


def test_otlp_only_when_the_endpoint_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    assert observability.configure_tracing() is False
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")  # nothing listens; spans are batched
    try:
        assert observability.configure_tracing() is True
        assert observability.tracing_enabled()
    finally:
        observability.shutdown_tracing()
