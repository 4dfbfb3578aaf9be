"""The Snowflake warehouse: an embedded Snowflake-protocol endpoint (fakesnow on DuckDB), LocalStack Snowflake or
a real account, always through the real snowflake-connector-python.

The backend (client side): `factory` (what the registry knows), `backend`, `connection` (which endpoint, connector
parameters), `pool` (pooled connections), `namespaces` (where tables live, their DDL and COPY), `loading` (stage,
COPY INTO, atomic swap), `types` (column types), `s3` (boto3 helpers), `connect_info` (what users' clients need).

The embedded endpoint (server side): `endpoint` (one per data root, published for other processes), `server` (the
REST protocol the connectors speak), `instance` (the shared fakesnow/DuckDB engine), `cursor` and `session` (a
session's connection and cursor), the statements dw-sim handles itself (`udfs`, `stages`, `databases`,
`copy_into`/`copy_sources`/`copy_parquet`, `transaction`), `result_columns` (results made sendable), `names` and
`client_errors` (identifiers and the connector's error codes).

Imports the domains below it (schema, config, errors, sql, staging); importing the package imports no driver.
"""

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
