"""The column types of the tables a statement reads, from the endpoint's DuckDB catalog (for the typed rewrites
of `dw_simulator.sql.snowflake.typed`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from dw_simulator.backends.snowflake.names import normalise
from dw_simulator.sql.snowflake.typed import tables_read

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor


def statement_catalog(cursor: SessionCursor, expression: exp.Expr) -> dict[str, dict[str, dict[str, dict[str, str]]]]:
    """database -> schema -> table -> column -> DuckDB type, for the tables and views `expression` names."""
    wanted = set()
    for table in tables_read(expression):
        database = normalise(table.args.get("catalog")) or cursor._conn.database or ""
        schema = normalise(table.args.get("db")) or cursor._conn.schema or ""
        wanted.add((database, schema, normalise(table.this)))
    if not wanted:
        return {}
    condition = " OR ".join("(database_name = ? AND schema_name = ? AND table_name = ?)" for _ in wanted)
    params = [part for key in sorted(wanted) for part in key]
    rows = cursor._duck_conn.execute(
        f"SELECT database_name, schema_name, table_name, column_name, data_type FROM duckdb_columns() "
        f"WHERE {condition} ORDER BY column_index",
        params,
    ).fetchall()
    catalog: dict[str, dict[str, dict[str, dict[str, str]]]] = {}
    for database, schema, table, column, data_type in rows:
        catalog.setdefault(database, {}).setdefault(schema, {}).setdefault(table, {})[column] = data_type
    return catalog
