"""Fixtures for the warehouses' HTTP APIs (helpers in `http_api_support`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_api_support import PAGE_ROWS, Live, live_app, make_shop

from dw_simulator.api.settings import ApiSettings
from dw_simulator.backends.snowflake.endpoint import serving_directories, stop_shared_endpoints
from dw_simulator.config import Settings

sys.path.insert(0, str(Path(__file__).parents[1] / "backends" / "postgres"))
from pg_server import postgres_server, scratch_database


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server over a DuckDB warehouse with the Redshift experiment `shop`."""
    settings = Settings(data_root=tmp_path_factory.mktemp("http-apis") / "data")
    make_shop(settings)
    with live_app(settings, ApiSettings(api_statement_page_rows=PAGE_ROWS, api_cancel_wait_s=10)) as server:
        yield server


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_server() as admin, scratch_database(admin) as url:
        yield url


@pytest.fixture(scope="module")
def stop_snowflake_endpoints() -> Iterator[None]:
    """Stop the embedded Snowflake endpoints a module's server starts in this process (and only those)."""
    before = serving_directories()
    yield
    stop_shared_endpoints(serving_directories() - before)


def pytest_configure(config: pytest.Config) -> None:
    # fakesnow reads every result with DuckDB's DB-API Arrow export, which warns about the copy it makes
    config.addinivalue_line("filterwarnings", "ignore:Arrow output on a DB-API result:UserWarning")
