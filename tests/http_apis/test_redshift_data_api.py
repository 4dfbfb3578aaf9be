"""The Redshift Data API through boto3's own `redshift-data` client, pointed at `dw-sim serve` with endpoint_url:
every action, paging, failures, cancel, batches that commit or roll back, sessions, and an Airflow-style poll."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from http_api_support import BIG_TABLE_SQL, PAGE_ROWS, SLOW_SQL, Live, live_app, make_shop

from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings
from dw_simulator.service import Simulator

TERMINAL = ("FINISHED", "FAILED", "ABORTED")


def data_client(url: str, secret: str = "local-mock-secret") -> Any:
    return boto3.client(
        "redshift-data",
        endpoint_url=url + "/redshift-data",
        region_name="us-east-1",
        aws_access_key_id="AKIDLOCALMOCK",
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, connect_timeout=10, read_timeout=60),
    )


@pytest.fixture(scope="module")
def rsd(live: Live) -> Iterator[Any]:
    client = data_client(live.url)
    yield client
    client.close()


@pytest.fixture(scope="module")
def big(live: Live) -> str:
    with Simulator(live.settings) as sim:
        sim.query("shop", BIG_TABLE_SQL)
    return "big"


def wait(rsd: Any, statement_id: str, timeout_s: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        described: dict[str, Any] = rsd.describe_statement(Id=statement_id)
        if described["Status"] in TERMINAL:
            return described
        assert time.monotonic() < deadline, f"statement still {described['Status']}"
        time.sleep(0.05)


def run(rsd: Any, sql: str, **kwargs: Any) -> dict[str, Any]:
    started = rsd.execute_statement(Database="shop", ClusterIdentifier="local-cluster", Sql=sql, **kwargs)
    return wait(rsd, started["Id"])


def all_records(rsd: Any, statement_id: str) -> list[list[dict[str, Any]]]:
    records: list[list[dict[str, Any]]] = []
    token = None
    while True:
        page = rsd.get_statement_result(Id=statement_id, **({"NextToken": token} if token else {}))
        records.extend(page["Records"])
        token = page.get("NextToken")
        if not token:
            return records


# -- ExecuteStatement, DescribeStatement, GetStatementResult ----------------------------------------------------------
def test_execute_with_named_parameters_and_identity_fields(rsd: Any) -> None:
    started = rsd.execute_statement(
        ClusterIdentifier="local-cluster",
        Database="shop",
        DbUser="awsuser",
        SecretArn="arn:aws:secretsmanager:us-east-1:000000000000:secret:local-mock",
        Sql="SELECT id, name FROM customers WHERE id >= :low AND name <> :skip ORDER BY id",
        Parameters=[{"name": "low", "value": "2"}, {"name": "skip", "value": "Cy"}],
        StatementName="customers-from",
        WithEvent=True,
    )
    assert started["Database"] == "shop" and started["ClusterIdentifier"] == "local-cluster"
    assert started["DbUser"] == "awsuser" and started["Id"]
    described = wait(rsd, started["Id"])
    assert described["Status"] == "FINISHED", described.get("Error")
    assert described["HasResultSet"] is True
    assert described["ResultRows"] == 3
    assert described["Duration"] > 0
    assert described["QueryString"].startswith("SELECT id, name FROM customers")
    assert described["QueryParameters"] == [{"name": "low", "value": "2"}, {"name": "skip", "value": "Cy"}]
    assert described["SecretArn"].endswith("local-mock")
    records = all_records(rsd, started["Id"])
    assert [[r[0]["longValue"], r[1]["stringValue"]] for r in records] == [[2, "Bo's"], [4, "Di"], [5, "Ed"]]


def test_results_are_typed_like_redshift_and_match_dw_sim_query(rsd: Any, live: Live) -> None:
    sql = (
        "SELECT order_id, customer_id, amount, placed, placed_at, score, note, amount > 10 AS big_spender "
        "FROM orders ORDER BY order_id"
    )
    described = run(rsd, sql)
    assert described["Status"] == "FINISHED"
    page = rsd.get_statement_result(Id=described["Id"])
    meta = {c["name"]: c for c in page["ColumnMetadata"]}
    assert [c["name"] for c in page["ColumnMetadata"]] == [
        "order_id", "customer_id", "amount", "placed", "placed_at", "score", "note", "big_spender"
    ]  # fmt: skip
    assert {n: c["typeName"] for n, c in meta.items()} == {
        "order_id": "int8",
        "customer_id": "int4",
        "amount": "numeric",
        "placed": "date",
        "placed_at": "timestamp",
        "score": "float8",
        "note": "varchar",
        "big_spender": "bool",
    }
    assert (meta["amount"]["precision"], meta["amount"]["scale"]) == (10, 2)
    assert meta["order_id"]["isSigned"] is True and meta["note"]["isCaseSensitive"] is True
    first = all_records(rsd, described["Id"])[0]
    assert first == [
        {"longValue": 10},
        {"longValue": 1},
        {"stringValue": "12.50"},
        {"stringValue": "2024-01-31"},
        {"stringValue": "2024-01-31 13:45:00"},
        {"doubleValue": 0.5},
        {"stringValue": "first"},
        {"booleanValue": True},
    ]
    with Simulator(live.settings) as sim:
        direct = sim.query("shop", sql)
    records = all_records(rsd, described["Id"])
    assert len(records) == len(direct.rows) == page["TotalNumRows"] == 3
    assert [r[1]["longValue"] for r in records] == [row[1] for row in direct.rows]
    assert [Decimal(r[2]["stringValue"]) for r in records] == [row[2] for row in direct.rows]
    assert records[1][6] == {"isNull": True} and records[2][4] == {"isNull": True}


def test_result_pages_with_next_token_and_the_paginator(rsd: Any) -> None:
    described = run(rsd, "SELECT id FROM customers ORDER BY id")
    first = rsd.get_statement_result(Id=described["Id"])
    assert len(first["Records"]) == PAGE_ROWS and first["TotalNumRows"] == 5 and first["NextToken"]
    ids = [r[0]["longValue"] for r in all_records(rsd, described["Id"])]
    assert ids == [1, 2, 3, 4, 5]
    pages = list(rsd.get_paginator("get_statement_result").paginate(Id=described["Id"]))
    assert len(pages) == 3
    assert [r[0]["longValue"] for p in pages for r in p["Records"]] == ids
    with pytest.raises(ClientError) as bad:
        rsd.get_statement_result(Id=described["Id"], NextToken="not-a-token")
    assert bad.value.response["Error"]["Code"] == "ValidationException"


def test_csv_results_through_get_statement_result_v2(rsd: Any) -> None:
    described = run(rsd, "SELECT id, name, tier FROM customers ORDER BY id", ResultFormat="CSV")
    assert described["ResultFormat"] == "CSV"
    text, token = "", None
    while True:
        page = rsd.get_statement_result_v2(Id=described["Id"], **({"NextToken": token} if token else {}))
        assert page["ResultFormat"] == "CSV" and page["TotalNumRows"] == 5
        text += "".join(r["CSVRecords"] for r in page["Records"])
        token = page.get("NextToken")
        if not token:
            break
    assert text == "1,Ada,A\n2,Bo's,B\n3,Cy,\n4,Di,A\n5,Ed,C\n"
    with pytest.raises(rsd.exceptions.ValidationException):
        rsd.get_statement_result(Id=described["Id"])  # a CSV result is read with V2 only


def test_dml_counts_rows_and_has_no_result_set(rsd: Any) -> None:
    run(rsd, "CREATE TABLE scratch_counts (k INT)")
    described = run(rsd, "INSERT INTO scratch_counts VALUES (1), (2), (3)")
    assert described["Status"] == "FINISHED"
    assert described["HasResultSet"] is False and described["ResultRows"] == 3
    updated = run(
        rsd, "UPDATE scratch_counts SET k = k + 10 WHERE k > :floor", Parameters=[{"name": "floor", "value": "1"}]
    )
    assert updated["ResultRows"] == 2
    with pytest.raises(rsd.exceptions.ResourceNotFoundException):
        rsd.get_statement_result(Id=described["Id"])


def test_a_failing_statement_is_failed_with_redshifts_error(rsd: Any) -> None:
    described = run(rsd, "SELECT nope FROM customers")
    assert described["Status"] == "FAILED"
    assert described["Error"].startswith("ERROR:") and "nope" in described["Error"]
    assert described["HasResultSet"] is False
    with pytest.raises(rsd.exceptions.ResourceNotFoundException):
        rsd.get_statement_result(Id=described["Id"])
    missing = rsd.execute_statement(Database="no_such_db", Sql="SELECT 1")
    failed = wait(rsd, missing["Id"])
    assert failed["Status"] == "FAILED" and "no_such_db" in failed["Error"]


def test_validation_and_not_found_errors_are_the_apis_exception_classes(rsd: Any) -> None:
    with pytest.raises(rsd.exceptions.ValidationException, match="Database is required"):
        rsd.execute_statement(Sql="SELECT 1")
    with pytest.raises(rsd.exceptions.ValidationException, match=":missing"):
        rsd.execute_statement(Database="shop", Sql="SELECT :missing", Parameters=[{"name": "other", "value": "1"}])
    with pytest.raises(rsd.exceptions.ResourceNotFoundException):
        rsd.describe_statement(Id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(rsd.exceptions.ValidationException, match="Could not cancel"):
        rsd.cancel_statement(Id=run(rsd, "SELECT 1")["Id"])


def test_wait_time_seconds_and_client_token(rsd: Any) -> None:
    started = rsd.execute_statement(Database="shop", Sql="SELECT 42 AS answer", WaitTimeSeconds=20, ClientToken="tok-1")
    assert started["Status"] == "FINISHED" and started["HasResultSet"] is True
    again = rsd.execute_statement(Database="shop", Sql="SELECT 42 AS answer", ClientToken="tok-1")
    assert again["Id"] == started["Id"]
    page = rsd.get_statement_result(Id=started["Id"], WaitTimeSeconds=5)
    assert page["Records"] == [[{"longValue": 42}]]


# -- cancel -----------------------------------------------------------------------------------------------------------
def test_cancel_aborts_a_running_statement(rsd: Any, big: str) -> None:
    started = rsd.execute_statement(Database="shop", Sql=SLOW_SQL)
    deadline = time.monotonic() + 30
    while rsd.describe_statement(Id=started["Id"])["Status"] != "STARTED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)
    assert rsd.cancel_statement(Id=started["Id"])["Status"] is True
    described = wait(rsd, started["Id"], timeout_s=15)
    assert described["Status"] == "ABORTED"
    listed = rsd.list_statements(Status="ABORTED")["Statements"]
    assert started["Id"] in [s["Id"] for s in listed]


# -- BatchExecuteStatement --------------------------------------------------------------------------------------------
def count(rsd: Any, table: str) -> int:
    described = run(rsd, f"SELECT COUNT(*) FROM {table}")
    return int(rsd.get_statement_result(Id=described["Id"])["Records"][0][0]["longValue"])


def test_a_batch_is_one_transaction_and_its_statements_have_results(rsd: Any) -> None:
    run(rsd, "CREATE TABLE batch_ok (k INT, v VARCHAR(10))")
    started = rsd.batch_execute_statement(
        Database="shop",
        ClusterIdentifier="local-cluster",
        Sqls=[
            "INSERT INTO batch_ok VALUES (1, 'a'), (2, 'b')",
            "UPDATE batch_ok SET v = 'z' WHERE k = 2",
            "SELECT k, v FROM batch_ok ORDER BY k",
        ],
        StatementName="batch-ok",
    )
    described = wait(rsd, started["Id"])
    assert described["Status"] == "FINISHED"
    subs = described["SubStatements"]
    assert [s["Id"] for s in subs] == [f"{started['Id']}:{i}" for i in (1, 2, 3)]
    assert [s["Status"] for s in subs] == ["FINISHED"] * 3
    assert [s["ResultRows"] for s in subs] == [2, 1, 2]
    assert [s["HasResultSet"] for s in subs] == [False, False, True]
    rows = rsd.get_statement_result(Id=f"{started['Id']}:3")["Records"]
    assert [[r[0]["longValue"], r[1]["stringValue"]] for r in rows] == [[1, "a"], [2, "z"]]
    with pytest.raises(rsd.exceptions.ValidationException, match=":1"):
        rsd.get_statement_result(Id=started["Id"])
    listed = rsd.list_statements(StatementName="batch-")["Statements"]
    assert listed[0]["IsBatchStatement"] is True and len(listed[0]["QueryStrings"]) == 3


def test_a_failing_batch_rolls_back_every_statement(rsd: Any) -> None:
    run(rsd, "CREATE TABLE batch_tx (k INT)")
    run(rsd, "INSERT INTO batch_tx VALUES (0)")
    started = rsd.batch_execute_statement(
        Database="shop",
        Sqls=[
            "INSERT INTO batch_tx VALUES (1)",
            "DELETE FROM batch_tx WHERE k = 0",
            "INSERT INTO batch_tx VALUES ('x')",
            "INSERT INTO batch_tx VALUES (3)",
        ],
    )
    described = wait(rsd, started["Id"])
    assert described["Status"] == "FAILED" and "ERROR:" in described["Error"]
    assert [s["Status"] for s in described["SubStatements"]] == ["FINISHED", "FINISHED", "FAILED", "ABORTED"]
    assert "Error" in described["SubStatements"][2]
    assert count(rsd, "batch_tx") == 1  # the insert and the delete before the failure were rolled back
    auto = rsd.batch_execute_statement(
        Database="shop",
        Sqls=["INSERT INTO batch_tx VALUES (5)", "INSERT INTO batch_tx VALUES ('y')"],
        ExecutionMode="AUTO_COMMIT",
    )
    assert wait(rsd, auto["Id"])["Status"] == "FAILED"
    assert count(rsd, "batch_tx") == 2  # AUTO_COMMIT: the first statement stays


def test_a_cancelled_batch_rolls_back(rsd: Any, big: str) -> None:
    run(rsd, "CREATE TABLE batch_cancel (k INT)")
    started = rsd.batch_execute_statement(Database="shop", Sqls=["INSERT INTO batch_cancel VALUES (1)", SLOW_SQL])
    deadline = time.monotonic() + 30
    while rsd.describe_statement(Id=started["Id"])["SubStatements"][1]["Status"] != "STARTED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    rsd.cancel_statement(Id=started["Id"])
    described = wait(rsd, started["Id"], timeout_s=15)
    assert described["Status"] == "ABORTED"
    assert count(rsd, "batch_cancel") == 0


# -- an Airflow-style caller ------------------------------------------------------------------------------------------
def airflow_style_execute(client: Any, database: str, sql: str, poll_interval: float = 0.1) -> int:
    """What Airflow's RedshiftDataHook.execute_query(wait_for_completion=True) does: start, then poll
    describe_statement until a terminal status, raising on FAILED/ABORTED; returns ResultRows."""
    resp = client.execute_statement(
        Database=database, ClusterIdentifier="local-cluster", DbUser="airflow", Sql=sql, WithEvent=False
    )
    statement_id = resp["Id"]
    while True:
        resp = client.describe_statement(Id=statement_id)
        status = resp["Status"]
        if status == "FINISHED":
            return int(resp.get("ResultRows", -1))
        if status in ("FAILED", "ABORTED"):
            raise RuntimeError(f"Statement {statement_id} terminated with status {status}. Response details: {resp}")
        time.sleep(poll_interval)


def test_an_airflow_style_poll_works_unchanged(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    # code that builds its client without endpoint_url reaches dw-sim through botocore's per-service variable
    monkeypatch.setenv("AWS_ENDPOINT_URL_REDSHIFT_DATA", live.url + "/redshift-data")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDLOCALMOCK")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local-mock-secret")
    client = boto3.session.Session().client("redshift-data", region_name="us-east-1")
    assert airflow_style_execute(client, "shop", "SELECT id FROM customers WHERE active") == 3
    with pytest.raises(RuntimeError, match="FAILED"):
        airflow_style_execute(client, "shop", "SELECT * FROM missing_table")


# -- sessions ---------------------------------------------------------------------------------------------------------
def test_a_kept_alive_session_keeps_temporary_tables(rsd: Any) -> None:
    first = rsd.execute_statement(
        Database="shop", Sql="CREATE TEMP TABLE tmp_s AS SELECT 7 AS k", SessionKeepAliveSeconds=60
    )
    session = first["SessionId"]
    assert wait(rsd, first["Id"])["Status"] == "FINISHED"
    second = rsd.execute_statement(SessionId=session, Sql="SELECT k FROM tmp_s")
    assert wait(rsd, second["Id"])["Status"] == "FINISHED"
    assert rsd.get_statement_result(Id=second["Id"])["Records"] == [[{"longValue": 7}]]
    sessions = rsd.list_sessions()["Sessions"]
    assert session in [s["SessionId"] for s in sessions]
    assert next(s for s in sessions if s["SessionId"] == session)["Status"] == "AVAILABLE"
    elsewhere = rsd.execute_statement(Database="shop", Sql="SELECT k FROM tmp_s")
    assert wait(rsd, elsewhere["Id"])["Status"] == "FAILED"  # another session does not see it
    with pytest.raises(rsd.exceptions.ResourceNotFoundException):
        rsd.execute_statement(SessionId="00000000-0000-0000-0000-000000000000", Sql="SELECT 1")


# -- ListStatements and the catalog -----------------------------------------------------------------------------------
def test_list_statements_filters_and_pages(rsd: Any) -> None:
    for i in range(3):
        run(rsd, f"SELECT {i}", StatementName=f"listme-{i}")
    named = rsd.list_statements(StatementName="listme-")["Statements"]
    assert [s["StatementName"] for s in named] == ["listme-2", "listme-1", "listme-0"]  # newest first
    assert all(s["Status"] == "FINISHED" and s["IsBatchStatement"] is False for s in named)
    first = rsd.list_statements(StatementName="listme-", MaxResults=2)
    assert len(first["Statements"]) == 2 and first["NextToken"]
    rest = rsd.list_statements(StatementName="listme-", MaxResults=2, NextToken=first["NextToken"])
    assert [s["StatementName"] for s in rest["Statements"]] == ["listme-0"] and "NextToken" not in rest
    assert all(s["Status"] == "FAILED" for s in rsd.list_statements(Status="FAILED")["Statements"])


def test_catalog_actions(rsd: Any, live: Live) -> None:
    assert rsd.list_databases(Database="shop", ClusterIdentifier="local-cluster")["Databases"] == ["shop"]
    schemas = rsd.list_schemas(Database="shop")["Schemas"]
    assert "shop" in schemas and "information_schema" in schemas and "pg_catalog" in schemas
    assert "dwsim_redshift" not in schemas and "main" not in schemas
    assert rsd.list_schemas(Database="shop", SchemaPattern="sh%")["Schemas"] == ["shop"]
    tables = rsd.list_tables(Database="shop", SchemaPattern="shop", TablePattern="c%")["Tables"]
    assert tables == [{"name": "customers", "schema": "shop", "type": "TABLE"}]
    paged = rsd.list_tables(Database="shop", MaxResults=1)
    assert len(paged["Tables"]) == 1 and paged["NextToken"]
    described = rsd.describe_table(Database="shop", Schema="shop", Table="orders")
    assert described["TableName"] == "orders"
    columns = {c["name"]: c for c in described["ColumnList"]}
    assert list(columns) == ["order_id", "customer_id", "amount", "placed", "placed_at", "score", "note"]
    assert columns["amount"]["typeName"] == "numeric" and (
        columns["amount"]["precision"],
        columns["amount"]["scale"],
    ) == (10, 2)
    assert columns["order_id"]["typeName"] == "int8" and columns["order_id"]["nullable"] == 0
    assert columns["note"]["nullable"] == 1 and columns["note"]["tableName"] == "orders"
    with pytest.raises(rsd.exceptions.ResourceNotFoundException):
        rsd.describe_table(Database="shop", Table="nope")
    with pytest.raises(rsd.exceptions.ResourceNotFoundException):
        rsd.list_schemas(Database="no_such_db")


# -- queueing ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    settings = Settings(data_root=tmp_path_factory.mktemp("one-worker") / "data")
    make_shop(settings)
    with Simulator(settings) as sim:
        sim.query("shop", BIG_TABLE_SQL)
    api = ApiSettings(api_statement_workers=1, api_statement_max_active=2, api_cancel_wait_s=10)
    with live_app(settings, api) as server:
        client = data_client(server.url)
        yield client
        client.close()


def test_statements_wait_submitted_for_a_worker_and_the_active_limit_holds(one_worker: Any) -> None:
    rsd = one_worker
    slow = rsd.execute_statement(Database="shop", Sql=SLOW_SQL)
    queued = rsd.execute_statement(Database="shop", Sql="SELECT 1 AS one")
    assert rsd.describe_statement(Id=queued["Id"])["Status"] == "SUBMITTED"
    assert rsd.describe_statement(Id=queued["Id"])["ResultRows"] == -1
    with pytest.raises(rsd.exceptions.ActiveStatementsExceededException):
        rsd.execute_statement(Database="shop", Sql="SELECT 2")
    rsd.cancel_statement(Id=slow["Id"])
    assert wait(rsd, slow["Id"], timeout_s=15)["Status"] == "ABORTED"
    done = wait(rsd, queued["Id"])
    assert done["Status"] == "FINISHED" and done["ResultRows"] == 1
