"""A maintained SQL API client from PyPI (`snowflake-sql-api`, pure Python over httpx, keypair JWT auth) against
`dw-sim serve`: queries with bind values, typed rows, several partitions, DML counts, async handles and cancel.

The library only speaks https to `<host>`; the one thing changed for dw-sim is the httpx client it is given, whose
transport sends its requests to the plain-HTTP loopback server (docs/snowflake-sql-api.md shows the same).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from http_api_support import BIG_TABLE_SQL, PAGE_ROWS, SLOW_SQL, Live, live_app
from snowflake_sql_api import SnowflakeClient, SnowflakeProgrammingError

from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings
from dw_simulator.service import Simulator


class ToDwSim(httpx.BaseTransport):
    """Send every request to dw-sim's loopback server instead of https://<account host>."""

    def __init__(self, base_url: str) -> None:
        self.base = httpx.URL(base_url)
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme=self.base.scheme, host=self.base.host, port=self.base.port)
        request.headers["Host"] = f"{self.base.host}:{self.base.port}"
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def lib_live(tmp_path_factory: pytest.TempPathFactory, stop_snowflake_endpoints: None) -> Iterator[Live]:
    settings = Settings(data_root=tmp_path_factory.mktemp("sql-api-lib") / "data")
    with Simulator(settings) as sim:
        sim.import_sql(
            "CREATE TABLE sales (id INT, region VARCHAR(10), amount NUMBER(12,2), sold DATE, sold_at TIMESTAMP_NTZ);",
            "snowflake",
            name="libshop",
            target_warehouse="snowflake",
        )
        sim.query(
            "libshop",
            "INSERT INTO sales SELECT 1, 'north', 10.50, '2024-03-01', '2024-03-01 09:30:00' UNION ALL "
            "SELECT 2, 'south', 99.99, '2024-03-02', '2024-03-02 18:00:00' UNION ALL "
            "SELECT 3, 'north', 0.01, '2024-03-03', NULL UNION ALL SELECT 4, 'east', 5, '2024-03-04', NULL UNION ALL "
            "SELECT 5, 'west', 7.77, NULL, NULL",
        )
        sim.query("libshop", BIG_TABLE_SQL)
    with live_app(settings, ApiSettings(api_statement_page_rows=PAGE_ROWS, api_cancel_wait_s=10)) as server:
        yield server


@pytest.fixture(scope="module")
def client(lib_live: Live) -> Iterator[Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with SnowflakeClient(
        account="dwsim",
        user="TESTER",
        private_key=pem,
        database="LIBSHOP",
        schema="PUBLIC",
        warehouse="DWSIM_WH",
        host="dwsim.local",
        poll_interval=0.05,
        http_client=httpx.Client(transport=ToDwSim(lib_live.url), timeout=60),
    ) as sf:
        yield sf


def test_query_with_bind_values_returns_typed_rows_from_every_partition(client: Any) -> None:
    rows = client.query("SELECT id, region, amount, sold, sold_at FROM sales WHERE id >= ? ORDER BY id", [1])
    assert len(rows) == 5  # three partitions of PAGE_ROWS rows
    assert rows[0]["ID"] == 1 and rows[0]["REGION"] == "north"
    assert rows[0]["AMOUNT"] == Decimal("10.50")
    assert rows[0]["SOLD"] == dt.date(2024, 3, 1)
    assert rows[0]["SOLD_AT"] == dt.datetime(2024, 3, 1, 9, 30)
    assert rows[4]["SOLD"] is None and rows[4]["AMOUNT"] == Decimal("7.77")
    assert client.query_scalar("SELECT SUM(amount) FROM sales WHERE region = ?", ["north"]) == Decimal("10.51")


def test_dml_returns_rows_affected(client: Any) -> None:
    client.execute("CREATE TABLE audit (k INT, note TEXT)")
    assert client.execute("INSERT INTO audit VALUES (?, ?), (?, ?)", [1, "a", 2, "b"]) == 2
    assert client.execute("UPDATE audit SET note = ? WHERE k = ?", ["z", 2]) == 1
    assert client.query_column("SELECT note FROM audit ORDER BY k") == ["a", "z"]


def test_errors_are_the_librarys_programming_errors(client: Any) -> None:
    with pytest.raises(SnowflakeProgrammingError) as caught:
        client.query("SELECT * FROM not_there")
    assert "NOT_THERE" in str(caught.value).upper()


def test_async_handles_poll_and_cancel(client: Any) -> None:
    handle = client.submit("SELECT COUNT(*) AS n FROM sales")
    assert handle.result(timeout=30)[0]["N"] == 5
    slow = client.submit(SLOW_SQL)
    time.sleep(0.3)
    assert slow.status() == "RUNNING"
    slow.cancel()
    with pytest.raises(SnowflakeProgrammingError):
        slow.result(timeout=30)
