"""Queries over HTTP (in-process): JSON rows with types, truncation, CSV and Parquet downloads, errors, time limit."""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq
import pytest
from api_support import read_events
from fastapi.testclient import TestClient
from test_experiments import assert_error

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings


@pytest.fixture
def loaded(client: TestClient, shop: str) -> str:
    run = client.post(f"/api/experiments/{shop}/generate", json={"seed": 3}).json()["run_id"]
    assert read_events(client, run)[-1].data["status"] == "COMPLETED"
    return shop


def query(client: TestClient, experiment: str, body: dict, fmt: str | None = None):
    suffix = f"?format={fmt}" if fmt else ""
    return client.post(f"/api/experiments/{experiment}/query{suffix}", json=body)


def test_json_rows_with_types_and_truncation(client: TestClient, loaded: str) -> None:
    sql = "select order_id, amount, cast('2024-02-29' as date) as d, null as n from orders order by order_id"
    response = query(client, loaded, {"sql": sql, "limit": 10})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [c["name"] for c in body["columns"]] == ["order_id", "amount", "d", "n"]
    types = {c["name"]: c["type"].upper() for c in body["columns"]}
    assert types["order_id"] in ("INTEGER", "INT", "INT32") and types["amount"].startswith("DECIMAL")
    assert body["row_count"] == 10 and len(body["rows"]) == 10 and body["truncated"] is True
    first = body["rows"][0]
    assert first[0] == 1
    assert isinstance(first[1], str) and 1 <= float(first[1]) <= 500  # exact decimal, as text
    assert first[2] == "2024-02-29" and first[3] is None
    assert body["elapsed_s"] >= 0 and body["statements"] == 1

    whole = query(client, loaded, {"sql": "select * from customers", "limit": 1000}).json()
    assert whole["row_count"] == 200 and whole["truncated"] is False


def test_server_caps_json_rows(settings: Settings) -> None:
    app = create_app(settings, api_settings=ApiSettings(api_max_result_rows=5))
    with TestClient(app) as client:
        client.post(
            "/api/experiments",
            json={
                "name": "tiny",
                "tables": [{"name": "t", "target_rows": 1, "columns": [{"name": "a", "data_type": "INT"}]}],
            },
        )
        body = query(client, "tiny", {"sql": "select * from generate_series(1, 50)", "limit": 1000}).json()
        assert body["row_count"] == 5 and body["truncated"] is True


def test_csv_download_is_the_full_result(client: TestClient, loaded: str) -> None:
    sql = "select order_id, customer_id, amount from orders order by order_id"
    response = query(client, loaded, {"sql": sql, "limit": 3}, fmt="csv")  # limit is for JSON only
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="shop.csv"'
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["order_id", "customer_id", "amount"]
    assert len(rows) == 501
    expected = query(client, loaded, {"sql": sql, "limit": 1000}).json()["rows"]
    assert [[int(r[0]), int(r[1]), r[2]] for r in rows[1:]] == [[e[0], e[1], e[2]] for e in expected]


def test_parquet_download(client: TestClient, loaded: str) -> None:
    response = query(client, loaded, {"sql": "select * from customers order by customer_id"}, fmt="parquet")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(response.content))
    assert table.num_rows == 200
    assert table.column_names == ["customer_id", "email", "signup"]
    assert table.column("customer_id").to_pylist() == list(range(1, 201))


def test_csv_of_nested_values_falls_back_to_json_text(client: TestClient, loaded: str) -> None:
    sql = "select 1 as a, 'x,y' as b, array_construct(1, 2) as c"
    response = query(client, loaded, {"sql": sql, "dialect": "snowflake"}, fmt="csv")
    assert response.status_code == 200, response.text
    # Snowflake SQL (through the Snowflake layer on the DuckDB target too): unquoted aliases are upper-cased
    assert list(csv.reader(io.StringIO(response.text))) == [["A", "B", "C"], ["1", "x,y", "[1,2]"]]
    as_json = query(client, loaded, {"sql": sql, "dialect": "snowflake"}).json()
    # an ARRAY is JSON text, as a Snowflake client reads it and as on a snowflake-target experiment
    assert as_json["rows"] == [[1, "x,y", "[1,2]"]]


def test_query_errors(client: TestClient, loaded: str) -> None:
    body = assert_error(query(client, loaded, {"sql": "select * from no_such_table"}), 400, "query_error")
    assert "no_such_table" in body["message"]
    assert_error(query(client, loaded, {"sql": ""}), 422, "validation_error")
    assert_error(query(client, loaded, {"sql": "select 1", "dialect": "oracle"}), 422, "validation_error")
    assert_error(query(client, loaded, {"sql": "select 1"}, fmt="xml"), 422, "validation_error")
    assert_error(query(client, "nope", {"sql": "select 1"}, fmt="csv"), 404, "not_found")


def test_query_time_limit(settings: Settings) -> None:
    app = create_app(settings, api_settings=ApiSettings(api_query_timeout_s=0.05))
    with TestClient(app) as client:
        client.post(
            "/api/experiments",
            json={
                "name": "tiny",
                "tables": [{"name": "t", "target_rows": 1, "columns": [{"name": "a", "data_type": "INT"}]}],
            },
        )
        slow = "select sum(i * i % 7) from range(300000000) t(i)"
        body = assert_error(query(client, "tiny", {"sql": slow, "dialect": "snowflake"}), 504, "time_limit")
        assert "DW_SIM_API_QUERY_TIMEOUT_S" in body["message"]
