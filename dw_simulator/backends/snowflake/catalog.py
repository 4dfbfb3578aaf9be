"""The column types of the tables a statement reads, from the endpoint's DuckDB catalog (for the typed rewrites
of `dw_simulator.sql.snowflake.typed`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.backends.snowflake.names import normalise
from dw_simulator.sql.snowflake.typed import tables_read

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor


def statement_catalog(cursor: SessionCursor, expression: exp.Expr) -> dict[str, dict[str, dict[str, dict[str, str]]]]:
    """database -> schema -> table -> column -> DuckDB type, for the tables and views `expression` names (keyed by
    the names as the statement resolves them; found in the catalog whatever its case, which `check_name_case`
    checks where it matters)."""
    wanted: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    for table in tables_read(expression):
        database = normalise(table.args.get("catalog")) or cursor._conn.database or ""
        schema = normalise(table.args.get("db")) or cursor._conn.schema or ""
        key = (database, schema, normalise(table.this))
        wanted[(database.lower(), schema.lower(), key[2].lower())] = key
    if not wanted:
        return {}
    condition = " OR ".join(
        "(lower(database_name) = ? AND lower(schema_name) = ? AND lower(table_name) = ?)" for _ in wanted
    )
    params = [part for key in sorted(wanted) for part in key]
    rows = cursor._duck_conn.execute(
        f"SELECT database_name, schema_name, table_name, column_name, data_type FROM duckdb_columns() "
        f"WHERE {condition} ORDER BY column_index",
        params,
    ).fetchall()
    catalog: dict[str, dict[str, dict[str, dict[str, str]]]] = {}
    for database, schema, table, column, data_type in rows:
        found = wanted.get((database.lower(), schema.lower(), table.lower()))
        if found is None:
            continue
        key = found
        name = column if cursor._conn.engine.config.strict_name_case or column != column.lower() else column.upper()
        catalog.setdefault(key[0], {}).setdefault(key[1], {}).setdefault(key[2], {})[name] = data_type
    return catalog


def check_name_case(cursor: SessionCursor, expression: exp.Expr) -> None:
    """Snowflake resolves `mixedcase` as MIXEDCASE and `"MixedCase"` as written, so a name that matches an object
    only when case is ignored names no object (DuckDB would find it): raise Snowflake's error for it.

    https://docs.snowflake.com/en/sql-reference/identifiers-syntax
    """
    if not isinstance(expression, exp.Query | exp.Insert | exp.Update | exp.Delete | exp.Merge):
        return
    if not cursor._conn.engine.config.strict_name_case:
        return
    wanted = set()
    for table in tables_read(expression):
        if table.name.upper() == "INFORMATION_SCHEMA" or normalise(table.args.get("db")) == "INFORMATION_SCHEMA":
            continue
        database = normalise(table.args.get("catalog")) or cursor._conn.database or ""
        schema = normalise(table.args.get("db")) or cursor._conn.schema or ""
        wanted.add((database, schema, normalise(table.this)))
    if not wanted:
        return
    condition = " OR ".join(
        "(lower(database_name) = lower(?) AND lower(schema_name) = lower(?) AND lower(name) = lower(?))" for _ in wanted
    )
    params = [part for key in sorted(wanted) for part in key]
    found = {
        tuple(row)
        for row in cursor._duck_conn.execute(
            "SELECT database_name, schema_name, name FROM (SELECT database_name, schema_name, table_name AS name "
            "FROM duckdb_tables() UNION ALL SELECT database_name, schema_name, view_name FROM duckdb_views()) "
            f"WHERE {condition}",
            params,
        ).fetchall()
    }
    for key in sorted(wanted):
        lowered = tuple(p.lower() for p in key)
        if key not in found and any(tuple(p.lower() for p in f) == lowered for f in found):
            raise programming_error(
                f"SQL compilation error:\nObject '{'.'.join(key)}' does not exist or not authorized.", 2003, "42S02"
            )
