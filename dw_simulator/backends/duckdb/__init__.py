"""Embedded DuckDB, the zero-setup default warehouse: `factory` (what the registry knows), `backend` (the
backend; imports duckdb), `types` (column types)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dw_simulator.backends.duckdb.factory import DUCKDB

if TYPE_CHECKING:
    from dw_simulator.backends.duckdb.backend import DuckDBBackend

__all__ = ["DUCKDB", "DuckDBBackend"]


def __getattr__(name: str) -> Any:
    """The backend class, imported on first use: importing the package imports no driver."""
    if name == "DuckDBBackend":
        from dw_simulator.backends.duckdb.backend import DuckDBBackend

        return DuckDBBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
