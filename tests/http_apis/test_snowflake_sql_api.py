"""The Snowflake SQL API v2 with plain HTTP (httpx) against `dw-sim serve`: sync and async statements, bindings,
partitions, multi-statement requests, failures, time limits, cancel and the authorization headers."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from http_api_support import BIG_TABLE_SQL, PAGE_ROWS, SLOW_SQL, Live, live_app, make_shop

from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings
from dw_simulator.service import Simulator

STATEMENTS = "/api/v2/statements"
ITEMS_DDL = (
    "CREATE TABLE items (id INT NOT NULL, label VARCHAR(40), price NUMBER(10,2), added DATE, seen TIMESTAMP_NTZ, "
    "ok BOOLEAN, attrs VARIANT)"
)
ITEMS_ROWS = (
    "INSERT INTO items SELECT 1, 'apple', 1.50, '2024-01-31', '2024-01-31 13:45:00', TRUE, "
    "PARSE_JSON('{\"c\": [1, 2]}') "
    "UNION ALL SELECT 2, 'pear', 0.25, '1969-12-31', '1969-12-31 23:59:59.5', FALSE, NULL "
    "UNION ALL SELECT 3, NULL, NULL, NULL, NULL, NULL, NULL "
    "UNION ALL SELECT 4, 'plum', 10, '2000-02-29', '2000-02-29 00:00:00', TRUE, PARSE_JSON('[]') "
    "UNION ALL SELECT 5, 'fig', 3.33, '2024-06-01', '2024-06-01 12:00:00', FALSE, PARSE_JSON('\"x\"')"
)


def jwt(exp: float) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"iss": "DWSIM.USER.SHA256:x", "sub": "DWSIM.USER", "exp": exp}
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2ln"


HEADERS = {
    "Authorization": f"Bearer {jwt(time.time() + 3600)}",
    "X-Snowflake-Authorization-Token-Type": "KEYPAIR_JWT",
    "Accept": "application/json",
    "User-Agent": "dw-sim-tests/1.0",
}


@pytest.fixture(scope="module")
def sf_live(tmp_path_factory: pytest.TempPathFactory, stop_snowflake_endpoints: None) -> Iterator[Live]:
    settings = Settings(data_root=tmp_path_factory.mktemp("sql-api") / "data")
    with Simulator(settings) as sim:
        sim.import_sql(ITEMS_DDL + ";", "snowflake", name="sfshop", target_warehouse="snowflake")
        sim.query("sfshop", ITEMS_ROWS)
        sim.query("sfshop", BIG_TABLE_SQL)
        sim.import_sql(ITEMS_DDL + ";", "snowflake", name="sfduck", target_warehouse="duckdb")
        sim.query("sfduck", ITEMS_ROWS)
    make_shop(settings)  # a Redshift-dialect experiment: not a Snowflake database
    with live_app(settings, ApiSettings(api_statement_page_rows=PAGE_ROWS, api_cancel_wait_s=10)) as server:
        yield server


@pytest.fixture(scope="module")
def http(sf_live: Live) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sf_live.url, headers=HEADERS, timeout=60) as client:
        yield client


def submit(http: httpx.Client, statement: str, **body: Any) -> httpx.Response:
    params = body.pop("params", None)
    return http.post(
        STATEMENTS, json={"statement": statement, "database": "SFSHOP", "schema": "PUBLIC", **body}, params=params
    )


def poll(http: httpx.Client, handle: str, timeout_s: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while True:
        response = http.get(f"{STATEMENTS}/{handle}")
        if response.status_code != 202:
            return response
        assert time.monotonic() < deadline, "still running"
        time.sleep(0.05)


def all_rows(http: httpx.Client, first: dict[str, Any]) -> list[list[Any]]:
    rows = list(first["data"])
    for index in range(1, len(first["resultSetMetaData"]["partitionInfo"])):
        response = http.get(f"{STATEMENTS}/{first['statementHandle']}", params={"partition": index})
        assert response.status_code == 200
        assert set(response.json()) == {"data"}
        rows.extend(response.json()["data"])
    return rows


# -- synchronous statements, result sets, partitions ------------------------------------------------------------------
def test_a_synchronous_select_answers_a_result_set_in_partitions(http: httpx.Client, sf_live: Live) -> None:
    response = submit(http, "SELECT id, label, price, added, seen, ok, attrs FROM items ORDER BY id")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == "090001" and body["sqlState"] == "00000"
    assert body["message"] == "Statement executed successfully."
    assert body["statementStatusUrl"].startswith(f"{STATEMENTS}/{body['statementHandle']}")
    assert isinstance(body["createdOn"], int)
    meta = body["resultSetMetaData"]
    assert meta["format"] == "jsonv2" and meta["numRows"] == 5
    assert [p["rowCount"] for p in meta["partitionInfo"]] == [2, 2, 1]
    types = {c["name"]: (c["type"], c["precision"], c["scale"]) for c in meta["rowType"]}
    assert types == {
        "ID": ("fixed", 38, 0),
        "LABEL": ("text", None, None),
        "PRICE": ("fixed", 10, 2),
        "ADDED": ("date", None, None),
        "SEEN": ("timestamp_ntz", None, 9),
        "OK": ("boolean", None, None),
        "ATTRS": ("variant", None, None),
    }
    rows = all_rows(http, body)
    assert rows[0] == [
        "1",
        "apple",
        "1.50",
        "19753",
        "1706708700.000000000",
        "true",
        '{\n  "c": [\n    1,\n    2\n  ]\n}',
    ]
    assert rows[1] == ["2", "pear", "0.25", "-1", "-0.500000000", "false", None]
    assert rows[2] == ["3", None, None, None, None, None, None]
    assert rows[3][2] == "10.00" and rows[3][3] == "11016"
    with Simulator(sf_live.settings) as sim:
        direct = sim.query("sfshop", "SELECT id, price FROM items ORDER BY id")
    assert [[int(r[0]), None if r[2] is None else Decimal(r[2])] for r in rows] == [list(r) for r in direct.rows]


def test_bindings_fill_question_marks_and_numbered_placeholders(http: httpx.Client) -> None:
    response = submit(
        http,
        "SELECT id FROM items WHERE price > ? AND added >= ? AND ok = ? AND label <> :4 ORDER BY id",
        bindings={
            "1": {"type": "FIXED", "value": "1"},
            "2": {"type": "DATE", "value": "2000-01-01"},
            "3": {"type": "BOOLEAN", "value": "true"},
            "4": {"type": "TEXT", "value": "it's"},
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == [["1"], ["4"]]
    bad = submit(http, "SELECT ?", bindings={"1": {"type": "FIXED", "value": "one"}})
    assert bad.status_code == 400 and "FIXED" in bad.json()["message"]


def test_nullable_false_writes_null_as_a_string(http: httpx.Client) -> None:
    response = submit(http, "SELECT label FROM items WHERE id = 3", params={"nullable": "false"})
    assert response.json()["data"] == [["null"]]


def test_dml_answers_counts_and_stats(http: httpx.Client) -> None:
    assert submit(http, "CREATE TABLE counted (k INT)").status_code == 200
    response = submit(http, "INSERT INTO counted VALUES (1), (2), (3)")
    body = response.json()
    assert response.status_code == 200 and body["data"] == [["3"]]
    assert body["resultSetMetaData"]["rowType"][0]["name"] == "number of rows inserted"
    assert body["stats"] == {"numRowsInserted": 3}


# -- asynchronous statements, 202, cancel, time limits ----------------------------------------------------------------
def test_async_returns_202_then_the_result(http: httpx.Client) -> None:
    response = submit(http, "SELECT COUNT(*) AS n FROM items", params={"async": "true"})
    assert response.status_code == 202
    status = response.json()
    assert status["code"] == "333334" and status["statementHandle"]
    assert status["statementStatusUrl"] == f"{STATEMENTS}/{status['statementHandle']}?requestId={status['requestId']}"
    done = poll(http, status["statementHandle"])
    assert done.status_code == 200 and done.json()["data"] == [["5"]]


def test_a_running_statement_is_202_until_cancelled(http: httpx.Client) -> None:
    response = submit(http, SLOW_SQL, params={"async": "true"})
    handle = response.json()["statementHandle"]
    time.sleep(0.5)
    assert http.get(f"{STATEMENTS}/{handle}").status_code == 202
    cancelled = http.post(f"{STATEMENTS}/{handle}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["code"] == "000604" and cancelled.json()["statementHandle"] == handle
    after = poll(http, handle, timeout_s=15)
    assert after.status_code == 422
    assert after.json()["code"] == "000604" and after.json()["sqlState"] == "57014"


def test_a_statement_past_its_timeout_is_408(http: httpx.Client) -> None:
    started = time.monotonic()
    response = submit(http, SLOW_SQL, timeout=1)
    assert response.status_code == 408, response.text
    assert response.json()["code"] == "000630" and "timeout of 1 second(s)" in response.json()["message"]
    assert time.monotonic() - started < 30


# -- multi-statement requests -----------------------------------------------------------------------------------------
def test_multi_statement_requests_return_a_handle_per_statement(http: httpx.Client) -> None:
    assert submit(http, "CREATE TABLE multi (k INT, v TEXT)").status_code == 200
    response = submit(
        http,
        "INSERT INTO multi VALUES (?, 'a'), (2, 'b'); UPDATE multi SET v = ? WHERE k = 2; "
        "SELECT k, v FROM multi ORDER BY k",
        parameters={"MULTI_STATEMENT_COUNT": "3"},
        bindings={"1": {"type": "FIXED", "value": "1"}, "2": {"type": "TEXT", "value": "z"}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] == [["Multiple statements executed successfully."]]
    handles = body["statementHandles"]
    assert len(handles) == 3
    insert, update, select = (poll(http, h).json() for h in handles)
    assert insert["stats"] == {"numRowsInserted": 2}
    assert update["data"][0][0] == "1"
    assert select["data"] == [["1", "a"], ["2", "z"]]
    any_count = submit(http, "SELECT 1; SELECT 2", parameters={"MULTI_STATEMENT_COUNT": 0})
    assert len(any_count.json()["statementHandles"]) == 2


def test_the_statement_count_must_match(http: httpx.Client) -> None:
    response = submit(http, "SELECT 1; SELECT 2")
    assert response.status_code == 422
    assert response.json()["code"] == "000008"
    assert "Actual statement count 2 did not match the desired statement count 1" in response.json()["message"]


def test_a_failing_statement_of_a_multi_statement_request_stops_it(http: httpx.Client) -> None:
    response = submit(http, "SELECT 1; SELECT * FROM nowhere; SELECT 3", parameters={"MULTI_STATEMENT_COUNT": "3"})
    assert response.status_code == 422
    handles = response.json()["statementHandles"]
    assert poll(http, handles[0]).status_code == 200
    assert poll(http, handles[1]).json()["sqlState"] == "42S02"
    assert poll(http, handles[2]).status_code == 422  # never ran


# -- failures and errors ----------------------------------------------------------------------------------------------
def test_a_failing_statement_is_422_with_snowflakes_code_and_sql_state(http: httpx.Client) -> None:
    response = submit(http, "SELECT * FROM missing_table")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "002003" and body["sqlState"] == "42S02" and "MISSING_TABLE" in body["message"].upper()
    assert body["statementHandle"] and http.get(f"{STATEMENTS}/{body['statementHandle']}").status_code == 422


def test_request_errors(http: httpx.Client, sf_live: Live) -> None:
    assert http.post(STATEMENTS, content=b"{not json").status_code == 400
    assert http.post(STATEMENTS, json={"database": "SFSHOP"}).status_code == 400
    unsupported = submit(http, "SELECT 1", parameters={"TIMEZONE": "America/New_York"})
    assert unsupported.status_code == 400 and "TIMEZONE" in unsupported.json()["message"]
    assert http.get(f"{STATEMENTS}/00000000-0000-0000-0000-000000000000").status_code == 404
    redshift = http.post(STATEMENTS, json={"statement": "SELECT 1", "database": "shop"})
    assert redshift.status_code == 422 and "Snowflake SQL API serves" in redshift.json()["message"]


def test_authorization_headers(sf_live: Live) -> None:
    with httpx.Client(base_url=sf_live.url, timeout=30) as bare:
        missing = bare.post(STATEMENTS, json={"statement": "SELECT 1"})
        assert missing.status_code == 401 and missing.json()["code"] == "390101"
        expired = bare.post(
            STATEMENTS,
            json={"statement": "SELECT 1"},
            headers={
                "Authorization": f"Bearer {jwt(time.time() - 60)}",
                "X-Snowflake-Authorization-Token-Type": "KEYPAIR_JWT",
            },
        )
        assert expired.status_code == 401 and expired.json()["code"] == "390144"
        oauth = bare.post(
            STATEMENTS,
            json={"statement": "SELECT 41 + 1"},
            headers={"Authorization": "Bearer local-oauth-token", "X-Snowflake-Authorization-Token-Type": "OAUTH"},
        )
        assert oauth.status_code == 200 and oauth.json()["data"] == [["42"]]


def test_retry_with_the_same_request_id_does_not_run_again(http: httpx.Client) -> None:
    assert submit(http, "CREATE TABLE retried (k INT)").status_code == 200
    first = submit(http, "INSERT INTO retried VALUES (1)", params={"requestId": "6f1c2b1e-0000-4000-8000-000000000001"})
    again = submit(
        http,
        "INSERT INTO retried VALUES (1)",
        params={"requestId": "6f1c2b1e-0000-4000-8000-000000000001", "retry": "true"},
    )
    assert again.json()["statementHandle"] == first.json()["statementHandle"]
    assert submit(http, "SELECT COUNT(*) FROM retried").json()["data"] == [["1"]]


# -- a Snowflake-dialect experiment on DuckDB -------------------------------------------------------------------------
def test_a_snowflake_experiment_on_duckdb_is_a_database_too(http: httpx.Client) -> None:
    response = http.post(
        STATEMENTS,
        json={
            "statement": "SELECT id, price FROM items WHERE id = ? ORDER BY id",
            "database": "sfduck",
            "bindings": {"1": {"type": "FIXED", "value": "1"}},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] == [["1", "1.50"]]
    assert [(c["type"], c["precision"], c["scale"]) for c in body["resultSetMetaData"]["rowType"]] == [
        ("fixed", 38, 0),
        ("fixed", 10, 2),
    ]
