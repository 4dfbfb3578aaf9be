"""The Snowflake warehouse: an embedded Snowflake-protocol endpoint (fakesnow on DuckDB), LocalStack Snowflake or
a real account, always through the real snowflake-connector-python."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dw_simulator.backends.snowflake.factory import SNOWFLAKE

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.backend import SnowflakeBackend

__all__ = ["SNOWFLAKE", "SnowflakeBackend"]


def __getattr__(name: str) -> Any:
    """The backend class, imported on first use: importing the package imports no driver."""
    if name == "SnowflakeBackend":
        from dw_simulator.backends.snowflake.backend import SnowflakeBackend

        return SnowflakeBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
