"""What the web UI needs from the API: total rows of a capped result, cancelling a query, streamed exports (JSON
Lines, Parquet written batch by batch), schema edits saved as versions that the next run uses, a column preview
made by the generator, and the import's inferences."""

from __future__ import annotations

import copy
import io
import json
import threading
import time

import pyarrow.parquet as pq
import pytest
from api_support import SHOP_SCHEMA, read_events
from fastapi.testclient import TestClient
from test_experiments import assert_error

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings

SLOW = "select sum(i * i % 7) from range(3000000000) t(i)"


@pytest.fixture
def loaded(client: TestClient, shop: str) -> str:
    run = client.post(f"/api/experiments/{shop}/generate", json={"seed": 3}).json()["run_id"]
    assert read_events(client, run)[-1].data["status"] == "COMPLETED"
    return shop


def test_capped_results_say_how_many_rows_the_whole_result_has(client: TestClient, loaded: str) -> None:
    body = client.post(f"/api/experiments/{loaded}/query", json={"sql": "select * from orders", "limit": 7}).json()
    assert body["row_count"] == 7 and body["truncated"] is True
    assert body["total_rows"] == 500
    small = client.post(f"/api/experiments/{loaded}/query", json={"sql": "select 1 as x", "limit": 7}).json()
    assert small["total_rows"] == 1 and small["truncated"] is False


def test_cancel_interrupts_a_running_query(client: TestClient, shop: str) -> None:
    answer: dict[str, object] = {}

    def run() -> None:
        body = {"sql": SLOW, "dialect": "snowflake", "query_id": "q-slow-1"}
        answer["response"] = client.post(f"/api/experiments/{shop}/query", json=body)

    worker = threading.Thread(target=run)
    started = time.monotonic()
    worker.start()
    deadline = time.monotonic() + 30
    cancelled = None
    while time.monotonic() < deadline:  # the query registers once its request is being handled
        cancelled = client.post("/api/queries/q-slow-1/cancel")
        if cancelled.status_code == 200:
            break
        time.sleep(0.05)
    assert cancelled is not None and cancelled.status_code == 200, cancelled.text if cancelled else None
    assert cancelled.json() == {"query_id": "q-slow-1", "stopped": True}
    worker.join(timeout=60)
    assert not worker.is_alive()
    response = answer["response"]
    body = assert_error(response, 409, "query_cancelled")  # type: ignore[arg-type]
    assert "q-slow-1" in body["message"] and "DuckDB" not in body["message"]
    assert time.monotonic() - started < 60  # far less than the query itself would take
    assert_error(client.post("/api/queries/q-slow-1/cancel"), 404, "not_found")
    assert_error(client.post("/api/queries/bad%20id/cancel"), 422, "validation_error")


def test_exports_stream_the_full_result(client: TestClient, loaded: str) -> None:
    url = f"/api/experiments/{loaded}/query"
    sql = "select order_id, amount, customer_id from orders order by order_id"
    lines = client.post(f"{url}?format=jsonl", json={"sql": sql, "limit": 3})
    assert lines.status_code == 200, lines.text
    assert lines.headers["content-type"].startswith("application/jsonl")
    assert lines.headers["content-disposition"] == 'attachment; filename="shop.jsonl"'
    rows = [json.loads(line) for line in lines.text.splitlines()]
    assert len(rows) == 500  # the row limit applies to JSON pages only
    assert rows[0]["order_id"] == 1 and isinstance(rows[0]["amount"], str)  # exact decimals, as in JSON rows
    big = "select i, i * 2 as j from range(230000) t(i)"
    parquet = client.post(f"{url}?format=parquet", json={"sql": big, "dialect": "snowflake"})
    assert parquet.status_code == 200
    table = pq.read_table(io.BytesIO(parquet.content))
    # Snowflake SQL names unquoted aliases in upper case (the Snowflake layer runs it on the DuckDB target too)
    assert table.num_rows == 230000 and table.column("J")[229999].as_py() == 459998
    meta = pq.ParquetFile(io.BytesIO(parquet.content)).metadata
    assert meta.num_row_groups >= 2  # written batch by batch, not as one table
    csv_text = client.post(f"{url}?format=csv", json={"sql": big, "dialect": "snowflake"}).text
    assert len(csv_text.splitlines()) == 230001
    assert_error(client.post(f"{url}?format=jsonl", json={"sql": "select * from nope"}), 400, "query_error")


def test_export_time_limit_covers_the_first_batch(settings: Settings) -> None:
    app = create_app(settings, api_settings=ApiSettings(api_query_timeout_s=0.2))
    with TestClient(app) as client:
        client.post("/api/experiments", json=SHOP_SCHEMA)
        slow = "select sum(i * i % 7) from range(3000000000) t(i)"
        response = client.post("/api/experiments/shop/query?format=csv", json={"sql": slow, "dialect": "snowflake"})
        assert_error(response, 504, "time_limit")


def test_schema_edit_saves_a_version_that_the_next_run_uses(client: TestClient, loaded: str) -> None:
    original = client.get(f"/api/experiments/{loaded}").json()["schema"]
    assert [v["version"] for v in client.get(f"/api/experiments/{loaded}/schema/versions").json()] == [1]
    edited = copy.deepcopy(original)
    amount = next(c for c in edited["tables"][1]["columns"] if c["name"] == "amount")
    amount["min_value"], amount["max_value"] = 1000, 2000
    edited["tables"][1]["target_rows"] = 321
    check = client.post(f"/api/experiments/{loaded}/schema/check", json=edited)
    assert check.status_code == 200 and check.json()["valid"] is True and check.json()["tables"] == 2
    saved = client.put(f"/api/experiments/{loaded}/schema", json=edited)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2 and saved.json()["tables_recreated"] is False
    # the data stays until the next run
    detail = client.get(f"/api/experiments/{loaded}").json()
    orders = next(t for t in detail["tables"] if t["name"] == "orders")
    assert orders["row_count"] == 500 and orders["target_rows"] == 321
    versions = client.get(f"/api/experiments/{loaded}/schema/versions").json()
    assert [(v["version"], v["current"]) for v in versions] == [(2, True), (1, False)]
    first = client.get(f"/api/experiments/{loaded}/schema/versions/1").json()["schema"]
    assert next(c for c in first["tables"][1]["columns"] if c["name"] == "amount")["max_value"] == 500
    run = client.post(f"/api/experiments/{loaded}/generate", json={"seed": 4}).json()["run_id"]
    assert read_events(client, run)[-1].data["status"] == "COMPLETED"
    stats = client.post(
        f"/api/experiments/{loaded}/query", json={"sql": "select count(*), min(amount), max(amount) from orders"}
    ).json()["rows"][0]
    assert stats[0] == 321 and float(stats[1]) >= 1000 and float(stats[2]) <= 2000


def test_structural_edits_recreate_the_tables_empty(client: TestClient, loaded: str) -> None:
    edited = copy.deepcopy(client.get(f"/api/experiments/{loaded}").json()["schema"])
    edited["tables"][0]["columns"].append({"name": "nickname", "data_type": "VARCHAR(20)"})
    yaml_text = json.dumps(edited)  # JSON is YAML too; send it as YAML
    saved = client.put(
        f"/api/experiments/{loaded}/schema", content=yaml_text, headers={"Content-Type": "application/yaml"}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["tables_recreated"] is True
    rows = client.post(f"/api/experiments/{loaded}/query", json={"sql": "select nickname from customers"}).json()
    assert rows["rows"] == []


def test_schema_edit_problems_are_located(client: TestClient, shop: str) -> None:
    edited = copy.deepcopy(SHOP_SCHEMA)
    edited["tables"][0]["columns"][2]["null_rate"] = 2
    body = client.post(f"/api/experiments/{shop}/schema/check", json=edited).json()
    assert body["valid"] is False and "null_rate" in body["message"]
    assert body["details"][0]["table"] == "customers" and body["details"][0]["column"] == "signup"
    assert body["details"][0]["field"] == "null_rate"
    renamed = {**copy.deepcopy(SHOP_SCHEMA), "name": "other"}
    body = assert_error(client.put(f"/api/experiments/{shop}/schema", json=renamed), 422, "validation_error")
    assert body["details"][0]["field"] == "name"
    assert_error(client.put("/api/experiments/nope/schema", json=SHOP_SCHEMA), 404, "not_found")
    assert_error(client.get(f"/api/experiments/{shop}/schema/versions/9"), 404, "not_found")


def test_column_preview_uses_the_generator(client: TestClient) -> None:
    column = {
        "name": "score",
        "data_type": "DECIMAL(8,2)",
        "min_value": 0,
        "max_value": 100,
        "distribution": {"type": "normal", "mean": 70, "stddev": 5},
        "null_rate": 0.1,
    }
    body = client.post("/api/preview/column", json={"column": column, "rows": 4000}).json()
    assert body["rows"] == 4000 and 0.05 < body["null_fraction"] < 0.15
    assert 65 < float(body["mean"]) < 75
    assert sum(b["count"] for b in body["histogram"]) == 4000 - body["nulls"]
    bad = {**column, "distribution": {"type": "normal"}}
    details = assert_error(client.post("/api/preview/column", json={"column": bad}), 422, "validation_error")["details"]
    assert {d["field"] for d in details} == {"distribution.mean", "distribution.stddev"}


def test_import_lists_its_inferences(client: TestClient) -> None:
    sql = "CREATE TABLE people (id INT PRIMARY KEY, email VARCHAR(200), birth_date DATE, price DECIMAL(10,2));"
    body = client.post(
        "/api/experiments/import-sql", json={"sql": sql, "dialect": "redshift", "name": "people", "dry_run": True}
    ).json()
    kinds = {(i["column"], i["kind"]): i for i in body["inferences"]}
    assert kinds[("email", "faker_rule")]["fields"] == ["faker_rule"]
    assert kinds[("birth_date", "dates")]["fields"] == ["date_start", "date_end"]
    assert kinds[("price", "range")]["fields"] == ["min_value", "max_value"]
    assert all(i["table"] == "people" and i["reason"] for i in body["inferences"])
