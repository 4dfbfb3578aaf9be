"""The Data API on an experiment of the redshift warehouse (Redshift on a real PostgreSQL): the same answers as
`dw-sim query` on it, batches as one PostgreSQL transaction, cancel through PostgreSQL's cancel request."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from http_api_support import Live, live_app, make_shop
from test_redshift_data_api import data_client, wait

from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings
from dw_simulator.service import Simulator

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_live(tmp_path_factory: pytest.TempPathFactory, pg_url: str) -> Iterator[Live]:
    settings = Settings(data_root=tmp_path_factory.mktemp("data-api-pg") / "data", redshift_url=pg_url)
    make_shop(settings, name="pgshop", target="redshift")
    with live_app(settings, ApiSettings(api_statement_page_rows=2, api_cancel_wait_s=10)) as server:
        yield server


@pytest.fixture(scope="module")
def rsd(pg_live: Live) -> Iterator[Any]:
    client = data_client(pg_live.url)
    yield client
    client.close()


def test_answers_match_dw_sim_query_on_postgres(rsd: Any, pg_live: Live) -> None:
    sql = "SELECT order_id, amount, placed, note FROM orders ORDER BY order_id"
    described = wait(rsd, rsd.execute_statement(Database="pgshop", Sql=sql)["Id"])
    assert described["Status"] == "FINISHED", described.get("Error")
    page = rsd.get_statement_result(Id=described["Id"])
    assert [c["typeName"] for c in page["ColumnMetadata"]] == ["int8", "numeric", "date", "varchar"]
    records = page["Records"]
    token = page.get("NextToken")
    while token:
        more = rsd.get_statement_result(Id=described["Id"], NextToken=token)
        records += more["Records"]
        token = more.get("NextToken")
    with Simulator(pg_live.settings) as sim:
        direct = sim.query("pgshop", sql)
    assert [[r[0]["longValue"], r[1]["stringValue"], r[2]["stringValue"]] for r in records] == [
        [row[0], str(row[1]), row[2].isoformat()] for row in direct.rows
    ]
    assert records[1][3] == {"isNull": True}


def test_a_failing_batch_rolls_back_on_postgres(rsd: Any) -> None:
    assert (
        wait(rsd, rsd.execute_statement(Database="pgshop", Sql="CREATE TABLE pg_batch (k INT)")["Id"])["Status"]
        == "FINISHED"
    )
    started = rsd.batch_execute_statement(
        Database="pgshop",
        Sqls=[
            "INSERT INTO pg_batch VALUES (1)",
            "INSERT INTO pg_batch VALUES (2)",
            "INSERT INTO pg_batch VALUES ('x')",
        ],
    )
    described = wait(rsd, started["Id"])
    assert described["Status"] == "FAILED"
    assert [s["Status"] for s in described["SubStatements"]] == ["FINISHED", "FINISHED", "FAILED"]
    counted = wait(rsd, rsd.execute_statement(Database="pgshop", Sql="SELECT COUNT(*) FROM pg_batch")["Id"])
    assert rsd.get_statement_result(Id=counted["Id"])["Records"] == [[{"longValue": 0}]]
    good = rsd.batch_execute_statement(
        Database="pgshop", Sqls=["INSERT INTO pg_batch VALUES (1)", "INSERT INTO pg_batch VALUES (2)"]
    )
    assert wait(rsd, good["Id"])["Status"] == "FINISHED"
    counted = wait(rsd, rsd.execute_statement(Database="pgshop", Sql="SELECT COUNT(*) FROM pg_batch")["Id"])
    assert rsd.get_statement_result(Id=counted["Id"])["Records"] == [[{"longValue": 2}]]


def test_cancel_on_postgres(rsd: Any) -> None:
    started = rsd.execute_statement(Database="pgshop", Sql="SELECT COUNT(*) FROM generate_series(1, 1000000000) a")
    deadline = time.monotonic() + 30
    while rsd.describe_statement(Id=started["Id"])["Status"] != "STARTED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)
    rsd.cancel_statement(Id=started["Id"])
    assert wait(rsd, started["Id"], timeout_s=15)["Status"] == "ABORTED"
