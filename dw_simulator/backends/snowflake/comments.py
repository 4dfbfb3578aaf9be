"""Comments on tables, views and columns on the embedded endpoint.

Object comments live in fakesnow's global catalog (`_fs_tables_ext`, what INFORMATION_SCHEMA.TABLES shows); column
comments are DuckDB's own (`COMMENT ON COLUMN`, what INFORMATION_SCHEMA.COLUMNS shows). Both are written with the
text as a bound value, so apostrophes and `$$` bodies are kept as written (fakesnow pastes them into its SQL).

https://docs.snowflake.com/en/sql-reference/sql/comment
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
from sqlglot import exp

from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.backends.snowflake.names import ident, lit, normalise

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor

_UPSERT = (
    "INSERT INTO _fs_global._fs_information_schema._fs_tables_ext VALUES (?, ?, ?, ?) "
    "ON CONFLICT (ext_table_catalog, ext_table_schema, ext_table_name) DO UPDATE SET comment = excluded.comment"
)


def object_path(cursor: SessionCursor, table: exp.Table) -> tuple[str, str, str]:
    """(database, schema, name) of a table reference, completed with the session's database and schema."""
    catalog = normalise(table.args.get("catalog")) or cursor._conn.database or ""
    schema = normalise(table.args.get("db")) or cursor._conn.schema or ""
    return catalog, schema, normalise(table.this)


def _require(cursor: SessionCursor, path: tuple[str, str, str]) -> None:
    found = cursor._duck_conn.execute(
        "SELECT 1 FROM duckdb_tables() WHERE lower(database_name) = lower(?) AND lower(schema_name) = lower(?) "
        "AND lower(table_name) = lower(?) UNION ALL SELECT 1 FROM duckdb_views() WHERE lower(database_name) = "
        "lower(?) AND lower(schema_name) = lower(?) AND lower(view_name) = lower(?)",
        [*path, *path],
    ).fetchone()
    if found is None:
        raise programming_error(
            f"SQL compilation error:\nObject '{'.'.join(path)}' does not exist or not authorized.", 2003, "42S02"
        )


def set_object_comment(cursor: SessionCursor, table: exp.Table, text: str | None) -> None:
    """`COMMENT ON TABLE|VIEW t IS '...'` (and `COMMENT = '...'` of CREATE/ALTER)."""
    path = object_path(cursor, table)
    with cursor._duck_conn.cursor() as side:  # another DuckDB database: its own transaction
        side.execute(_UPSERT, [*path, text])


def set_column_comments(cursor: SessionCursor, table: exp.Table, comments: list[tuple[str, str]]) -> None:
    """`COMMENT ON COLUMN t.c IS '...'` for each (column, comment); the object and its columns must exist."""
    path = object_path(cursor, table)
    _require(cursor, path)
    target = ".".join(ident(p) for p in path if p)
    for column, text in comments:
        try:
            cursor._duck_conn.execute(f"COMMENT ON COLUMN {target}.{ident(column)} IS {lit(text)}")
        except duckdb.Error:
            raise programming_error(
                f"SQL compilation error: error line 0 at position -1\ninvalid identifier '{column}'", 904, "42000"
            ) from None


def comment_statement(cursor: SessionCursor, statement: exp.Comment) -> bool:
    """Run `COMMENT [IF EXISTS] ON <kind> <name> IS '...'`; False when the kind is not one dw-sim keeps."""
    kind = str(statement.args.get("kind") or "").upper()
    text = statement.expression.name if isinstance(statement.expression, exp.Expr) else None
    target = statement.this
    if kind == "COLUMN" and isinstance(target, exp.Column):
        table = exp.Table(this=target.args.get("table"), db=target.args.get("db"), catalog=target.args.get("catalog"))
        set_column_comments(cursor, table, [(normalise(target.this), text or "")])
    elif kind in ("TABLE", "VIEW", "DYNAMIC TABLE", "MATERIALIZED VIEW") and isinstance(target, exp.Table):
        path = object_path(cursor, target)
        if not statement.args.get("exists"):
            _require(cursor, path)
        set_object_comment(cursor, target, text)
    else:
        return False
    cursor._status("Statement executed successfully.")
    return True
