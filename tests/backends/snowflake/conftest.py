"""Fixtures for the Snowflake warehouse: the embedded endpoint on 127.0.0.1 (a free port), the real
snowflake-connector-python, and a moto S3 server for external stages."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import snowflake.connector
from sfhelpers import connect_kwargs

from dw_simulator.backends.snowflake.endpoint import (
    EmbeddedEndpoint,
    EndpointAddress,
    serving_directories,
    stop_shared_endpoints,
)
from dw_simulator.backends.snowflake.instance import EngineConfig
from dw_simulator.sql.snowflake import SessionContext

Connect = Callable[..., Any]


def pytest_configure(config: pytest.Config) -> None:
    # fakesnow reads every result with DuckDB's DB-API Arrow export, which warns about the copy it makes
    config.addinivalue_line("filterwarnings", "ignore:Arrow output on a DB-API result:UserWarning")


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedEndpoint]:
    root = tmp_path_factory.mktemp("snowflake-endpoint")
    server = EmbeddedEndpoint(
        EngineConfig(
            db_dir=root / "databases",
            context=SessionContext(user="TESTER", role="ANALYST", warehouse="TEST_WH", account="DWSIM"),
            work_dir=root / "tmp",
        )
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def address(endpoint: EmbeddedEndpoint) -> EndpointAddress:
    assert endpoint.address is not None
    return endpoint.address


@pytest.fixture(scope="session")
def connect(address: EndpointAddress) -> Iterator[Connect]:
    """Open real connector connections to the endpoint; all are closed at the end of the session."""
    opened: list[Any] = []

    def _connect(**extra: Any) -> Any:
        conn = snowflake.connector.connect(**connect_kwargs(address, **extra))
        opened.append(conn)
        return conn

    yield _connect
    for conn in opened:
        if not conn.is_closed():
            conn.close()


@pytest.fixture
def fresh_db(connect: Connect) -> Any:
    """A connection whose current database is new (named uniquely) with schema PUBLIC."""
    name = f"T_{uuid.uuid4().hex[:10].upper()}"
    return connect(database=name, schema="PUBLIC")


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_client(moto_s3: str) -> Any:
    from dw_simulator.backends.snowflake import s3 as s3lib

    return s3lib.client(moto_s3)


@pytest.fixture
def stop_endpoints() -> Iterator[None]:
    """Stop the per-data-root endpoints that a test starts through settings (and only those)."""
    before = serving_directories()
    yield
    stop_shared_endpoints(serving_directories() - before)
