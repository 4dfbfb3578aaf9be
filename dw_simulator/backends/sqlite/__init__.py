"""The SQLite warehouse: `factory` (what the registry knows), `backend` (one database file per experiment)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dw_simulator.backends.sqlite.factory import SQLITE

if TYPE_CHECKING:
    from dw_simulator.backends.sqlite.backend import SQLiteBackend

__all__ = ["SQLITE", "SQLiteBackend"]


def __getattr__(name: str) -> Any:
    """The backend class, imported on first use: importing the package imports no driver."""
    if name == "SQLiteBackend":
        from dw_simulator.backends.sqlite.backend import SQLiteBackend

        return SQLiteBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
