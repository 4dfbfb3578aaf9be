"""Fixtures for scale-out tests: one real Dask cluster (scheduler + 2 workers, separate processes) for the session,
a moto S3 server and a scratch PostgreSQL database."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "backends" / "postgres"))
sys.path.insert(0, str(Path(__file__).parent))
from dask_cluster import Cluster, dask_cluster
from pg_server import postgres_server, scratch_database


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with dask_cluster(tmp_path_factory.mktemp("dask")) as running:
        yield running


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real moto S3 server on a free loopback port for the session."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with postgres_server() as admin, scratch_database(admin) as url:
        yield url
