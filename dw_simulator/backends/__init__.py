"""Warehouse backends and their registry: the domain that owns the physical side of experiments on each engine.

The contract is in `base.py` (`WarehouseBackend`, `Capabilities`, result types, `BackendFactory`). Each backend is a
subpackage (`duckdb/`, `postgres/` for Redshift, `snowflake/`, `sqlite/`) whose `factory.py` tells the registry its
name and capabilities as data; every built-in one is listed here explicitly so the full list is visible in one
place. Importing this package imports no driver (duckdb, psycopg, snowflake, fakesnow, pyarrow, sqlglot, boto3):
`backend_for` imports a backend's module, and the backend its driver, when a backend is made.

Backends may import `schema`, `config`, `errors`, `sql`, `staging` and `observability`; never `service`, `cli`, `api`
or `endpoints` (those sit above them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dw_simulator.backends.base import BackendFactory, Capabilities, ColumnProfile, QueryResult, WarehouseBackend
from dw_simulator.backends.duckdb.factory import DUCKDB
from dw_simulator.backends.postgres.factory import REDSHIFT
from dw_simulator.backends.snowflake.factory import SNOWFLAKE
from dw_simulator.backends.sqlite.factory import SQLITE
from dw_simulator.errors import BackendUnavailableError

if TYPE_CHECKING:
    from dw_simulator.config import Settings

REGISTRY: dict[str, BackendFactory] = {}


def register(factory: BackendFactory) -> BackendFactory:
    REGISTRY[factory.name] = factory
    return factory


register(DUCKDB)
register(SQLITE)
register(SNOWFLAKE)
register(REDSHIFT)  # PostgreSQL standing in for Redshift


def backend_for(name: str, settings: Settings) -> WarehouseBackend:
    try:
        factory = REGISTRY[name]
    except KeyError:
        available = ", ".join(sorted(REGISTRY))
        raise BackendUnavailableError(
            f"warehouse '{name}' is not available in this version of dw-sim (available: {available})"
        ) from None
    return factory.create(settings)


__all__ = [
    "REGISTRY",
    "BackendFactory",
    "Capabilities",
    "ColumnProfile",
    "QueryResult",
    "WarehouseBackend",
    "backend_for",
    "register",
]
