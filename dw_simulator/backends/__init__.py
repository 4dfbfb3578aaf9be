"""Warehouse backends and their registry.

Every built-in backend is imported here explicitly so the full list is visible in one place; drivers inside
them are imported lazily, so a missing optional extra only fails when that backend is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dw_simulator.backends.base import Capabilities, ColumnProfile, QueryResult, WarehouseBackend
from dw_simulator.backends.duckdb import DuckDBBackend
from dw_simulator.backends.postgres import RedshiftBackend
from dw_simulator.backends.snowflake import SnowflakeBackend
from dw_simulator.backends.sqlite import SQLiteBackend
from dw_simulator.errors import BackendUnavailableError

if TYPE_CHECKING:
    from dw_simulator.config import Settings

REGISTRY: dict[str, type[WarehouseBackend]] = {}


def register(backend: type[WarehouseBackend]) -> type[WarehouseBackend]:
    REGISTRY[backend.name] = backend
    return backend


register(DuckDBBackend)
register(SQLiteBackend)
register(SnowflakeBackend)
register(RedshiftBackend)  # PostgreSQL standing in for Redshift (driver imported lazily)


def backend_for(name: str, settings: Settings) -> WarehouseBackend:
    try:
        cls = REGISTRY[name]
    except KeyError:
        available = ", ".join(sorted(REGISTRY))
        raise BackendUnavailableError(
            f"warehouse '{name}' is not available in this version of dw-sim (available: {available})"
        ) from None
    return cls(settings)


__all__ = [
    "REGISTRY",
    "Capabilities",
    "ColumnProfile",
    "QueryResult",
    "WarehouseBackend",
    "backend_for",
    "register",
]
