"""State of Snowflake objects that DuckDB has no counterpart for (procedures, streams, tasks, dynamic tables,
dropped-table versions), kept in fakesnow's global catalog database under the `_dwsim` schema, so it lives in the
data root with the databases and survives a restart of the endpoint."""

from __future__ import annotations

from typing import Any

import duckdb

from dw_simulator.sql.snowflake.rewrites.nodes import LIBRARY_SCHEMA

SCHEMA = LIBRARY_SCHEMA
CREATION_SQL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.procedures (
    database_name VARCHAR, schema_name VARCHAR, name VARCHAR, arity INTEGER,
    arguments VARCHAR,      -- JSON list of [name, type, default or null]
    returns VARCHAR,        -- the RETURNS clause as written
    returns_table VARCHAR,  -- JSON list of [name, type] for RETURNS TABLE (...), else null
    language VARCHAR, body VARCHAR, comment VARCHAR, created_on TIMESTAMPTZ,
    PRIMARY KEY (database_name, schema_name, name, arity)
);
-- tables and views as Snowflake reports them (kind, transient, times, the DDL as written)
CREATE TABLE IF NOT EXISTS {SCHEMA}.objects (
    database_name VARCHAR, schema_name VARCHAR, name VARCHAR,
    kind VARCHAR,           -- TABLE, VIEW, MATERIALIZED VIEW, DYNAMIC TABLE
    transient BOOLEAN, secure BOOLEAN, created TIMESTAMPTZ, last_altered TIMESTAMPTZ, ddl VARCHAR,
    PRIMARY KEY (database_name, schema_name, name)
);
"""


def create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(CREATION_SQL)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Read the store on a cursor of its own (it is another DuckDB database than the session's tables)."""
    with con.cursor() as side:
        return side.execute(sql, params or []).fetchall()


def write(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> None:
    with con.cursor() as side:
        side.execute(sql, params or [])
