"""One Redshift endpoint for the session, on 127.0.0.1 and a free port, serving an embedded-DuckDB experiment and a
PostgreSQL (redshift warehouse) experiment with the same generated data."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "backends" / "postgres"))
from endpoint_support import EXAMPLE, EXPERIMENTS, WAREHOUSES, Endpoint
from pg_server import postgres_server, scratch_database

from dw_simulator.config import Settings
from dw_simulator.connections import bundle_path
from dw_simulator.endpoints.redshift.runner import EndpointThread
from dw_simulator.endpoints.redshift.server import EndpointConfig
from dw_simulator.endpoints.redshift.tls import certificate_paths
from dw_simulator.service import Simulator


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with postgres_server() as admin, scratch_database(admin) as url:
        yield url


@pytest.fixture(scope="session")
def endpoint(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    root = tmp_path_factory.mktemp("redshift-endpoint")
    settings = Settings(data_root=root, redshift_url=pg_url, default_warehouse="duckdb")
    simulator = Simulator(settings)
    for engine, name in EXPERIMENTS.items():
        simulator.create_experiment_from_file(EXAMPLE, name=name, target_warehouse=WAREHOUSES[engine])
        simulator.generate(name, seed=7)
    simulator.release_backends()
    thread = EndpointThread(simulator, EndpointConfig.from_settings(settings, host="127.0.0.1", port=0)).start()
    cert, _ = certificate_paths(settings)
    try:
        yield Endpoint("127.0.0.1", thread.port, settings, simulator, thread, cert, bundle_path(settings), pg_url)
    finally:
        thread.stop()
        simulator.close()


@pytest.fixture(params=["duckdb", "postgres"])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database(engine: str) -> str:
    return EXPERIMENTS[engine]
