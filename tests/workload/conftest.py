from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backends" / "postgres"))
from pg_server import postgres_server, scratch_database


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a database of this session's own on a real PostgreSQL server."""
    with postgres_server() as admin, scratch_database(admin) as url:
        yield url
