from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "backends" / "postgres"))
sys.path.insert(0, str(Path(__file__).parent))
from pg_server import postgres_server, scratch_database


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with postgres_server() as admin, scratch_database(admin) as url:
        yield url
