"""POST /api/experiments/import-sql: JSON or file upload; normalised schema and warnings; errors with line/column."""

from __future__ import annotations

import time

from api_support import SALES_SQL
from fastapi.testclient import TestClient
from test_experiments import assert_error

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings


def test_dry_run_returns_the_schema_and_creates_nothing(client: TestClient) -> None:
    response = client.post(
        "/api/experiments/import-sql", json={"sql": SALES_SQL, "dialect": "redshift", "name": "sales", "dry_run": True}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["experiment"] is None
    table = body["schema"]["tables"][0]
    assert table["name"] == "sales"
    assert [c["name"] for c in table["columns"]][:2] == ["region_id", "store_id"]  # no surrogate column
    assert table["composite_keys"] == [["region_id", "store_id"]]
    assert body["warnings"] == []
    kinds = {i["kind"] for i in body["inferences"]}
    assert {"time_window", "semantic"} <= kinds and all(i["reason"] for i in body["inferences"])
    assert client.get("/api/experiments").json() == []


def test_json_import_creates_the_experiment(client: TestClient) -> None:
    response = client.post(
        "/api/experiments/import-sql",
        json={"sql": SALES_SQL, "dialect": "snowflake", "name": "sales", "rows": {"sales": 1234}},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["experiment"]["name"] == "sales" and body["experiment"]["dialect"] == "snowflake"
    assert body["schema"]["tables"][0]["target_rows"] == 1234
    listed = client.get("/api/experiments").json()
    assert listed[0]["name"] == "sales" and listed[0]["warnings"] == []
    again = client.post("/api/experiments/import-sql", json={"sql": SALES_SQL, "dialect": "redshift", "name": "sales"})
    assert_error(again, 409, "already_exists")


def test_inferred_keys_are_listed_and_can_be_refused(client: TestClient) -> None:
    sql = (
        "CREATE TABLE nation (n_nationkey INT PRIMARY KEY, n_name CHAR(25)); "
        "CREATE TABLE customer (c_custkey INT PRIMARY KEY, c_nationkey INT NOT NULL);"
    )
    body = client.post("/api/experiments/import-sql", json={"sql": sql, "dialect": "redshift", "dry_run": True}).json()
    keys = [i for i in body["inferences"] if i["kind"] == "foreign_key"]
    assert [(i["table"], i["column"], i["value"]) for i in keys] == [("customer", "c_nationkey", "nation.n_nationkey")]
    refused = client.post(
        "/api/experiments/import-sql",
        files={"file": ("keys.sql", sql.encode(), "application/sql")},
        data={"dialect": "redshift", "dry_run": "true", "infer_keys": "false"},
    )
    assert refused.status_code == 200, refused.text
    assert not [i for i in refused.json()["inferences"] if i["kind"] == "foreign_key"]


def test_file_upload(client: TestClient) -> None:
    response = client.post(
        "/api/experiments/import-sql",
        files={"file": ("sales.sql", SALES_SQL.encode(), "application/sql")},
        data={"dialect": "redshift", "name": "uploaded", "rows": '{"sales": 50}'},
    )
    assert response.status_code == 201, response.text
    assert response.json()["experiment"]["name"] == "uploaded"
    assert response.json()["experiment"]["tables"][0]["target_rows"] == 50

    dry = client.post(
        "/api/experiments/import-sql",
        files={"file": ("sales.sql", SALES_SQL.encode(), "text/plain")},
        data={"dialect": "redshift", "name": "other", "dry_run": "true"},
    )
    assert dry.status_code == 200 and dry.json()["experiment"] is None


def test_sql_errors_name_line_and_column(client: TestClient) -> None:
    sql = "CREATE TABLE ok (a INT);\nCREATE TABLE broken (\n  a INT,\n  b VARCHAR(10\n);"
    body = assert_error(
        client.post("/api/experiments/import-sql", json={"sql": sql, "dialect": "redshift"}), 422, "validation_error"
    )
    located = [d for d in body["details"] if "line" in d]
    assert located and located[0]["line"] >= 2 and located[0]["col"] >= 1
    assert "line" in body["message"]
    assert client.get("/api/experiments").json() == []


def test_bad_import_requests(client: TestClient) -> None:
    body = assert_error(
        client.post("/api/experiments/import-sql", json={"sql": SALES_SQL, "dialect": "oracle"}),
        422,
        "validation_error",
    )
    assert body["details"][0]["field"] == "body.dialect"
    body = assert_error(
        client.post("/api/experiments/import-sql", json={"dialect": "redshift"}), 422, "validation_error"
    )
    assert body["details"][0]["field"] == "body.sql"
    assert_error(
        client.post("/api/experiments/import-sql", content=b'{"sql": ', headers={"content-type": "application/json"}),
        422,
        "validation_error",
    )
    assert_error(
        client.post(
            "/api/experiments/import-sql",
            files={"file": ("x.sql", b"\xff\xfe\xfa", "application/sql")},
            data={"dialect": "redshift"},
        ),
        422,
        "validation_error",
    )
    assert_error(
        client.post("/api/experiments/import-sql", files={"other": ("x", b"1")}, data={"dialect": "redshift"}),
        422,
        "validation_error",
    )
    assert_error(
        client.post("/api/experiments/import-sql", content=SALES_SQL, headers={"content-type": "text/plain"}),
        415,
        "unsupported_media_type",
    )


def test_import_time_limit_leaves_nothing_behind(settings: Settings) -> None:
    tables = "\n".join(
        f"CREATE TABLE t{i} (id INT PRIMARY KEY, a VARCHAR(20), b DECIMAL(10,2), c DATE, d BOOLEAN);"
        for i in range(400)
    )
    app = create_app(settings, api_settings=ApiSettings(api_import_timeout_s=0.001))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        response = client.post(
            "/api/experiments/import-sql", json={"sql": tables, "dialect": "redshift", "name": "big"}
        )
        body = assert_error(response, 504, "time_limit")
        assert "DW_SIM_API_IMPORT_TIMEOUT_S" in body["message"]
        time.sleep(1.0)  # the abandoned parse may finish in the background; it must still create nothing
        assert client.get("/api/experiments").json() == []
