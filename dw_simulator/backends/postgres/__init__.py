"""PostgreSQL as a warehouse, and Redshift on PostgreSQL: `factory` (what the registry knows), `backend` (the
backends; psycopg is imported on connect), `copy_target` (COPY/UNLOAD's view of a connection), `arrow_copy` (Arrow
batches through COPY FROM STDIN), `driver` (psycopg helpers), `types` (column types)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dw_simulator.backends.postgres.factory import REDSHIFT

if TYPE_CHECKING:
    from dw_simulator.backends.postgres.backend import PostgresBackend, RedshiftBackend

__all__ = ["REDSHIFT", "PostgresBackend", "RedshiftBackend"]


def __getattr__(name: str) -> Any:
    """The backend class, imported on first use: importing the package imports no driver."""
    if name in ("PostgresBackend", "RedshiftBackend"):
        from dw_simulator.backends.postgres.backend import PostgresBackend, RedshiftBackend

        return {"PostgresBackend": PostgresBackend, "RedshiftBackend": RedshiftBackend}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
