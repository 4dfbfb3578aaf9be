"""The registry of tables and views (`_dwsim.objects`): what DuckDB's catalog does not keep about them (TRANSIENT,
SECURE, dynamic tables, creation and last-change times, a view's DDL as the user wrote it), kept up to date after
each statement that creates, changes or drops one, for INFORMATION_SCHEMA, SHOW and GET_DDL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from dw_simulator.backends.snowflake import store
from dw_simulator.backends.snowflake.names import normalise
from dw_simulator.backends.snowflake.view_columns import record_view_lengths

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor

_DML = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Copy, exp.TruncateTable)
_WHERE = "database_name = ? AND schema_name = ? AND name = ?"


def _path(cursor: SessionCursor, table: exp.Table) -> list[str]:
    database = normalise(table.args.get("catalog")) or cursor._conn.database or ""
    schema = normalise(table.args.get("db")) or cursor._conn.schema or ""
    return [database, schema, normalise(table.this)]


def _kind(statement: exp.Create) -> tuple[str, bool, bool] | None:
    """(kind, transient, secure) of a CREATE TABLE/VIEW; None for other objects."""
    kind = str(statement.args.get("kind") or "").upper()
    properties = statement.args.get("properties")
    props = {type(p) for p in properties.expressions} if properties is not None else set()
    if kind == "TABLE":
        if exp.TemporaryProperty in props:
            return None
        kind = "DYNAMIC TABLE" if exp.DynamicProperty in props else "TABLE"
        return kind, exp.TransientProperty in props, False
    if kind == "VIEW":
        kind = "MATERIALIZED VIEW" if exp.MaterializedProperty in props else "VIEW"
        return kind, False, exp.SecureProperty in props
    return None


def record(cursor: SessionCursor, statement: exp.Expr | None, source: str) -> None:
    """Bring the registry up to date with a statement that has just run."""
    if statement is None:
        return
    con = cursor._duck_conn
    if isinstance(statement, exp.Create) and (described := _kind(statement)) is not None:
        table = statement.find(exp.Table)
        if table is None:
            return
        kind, transient, secure = described
        ddl = source.strip().rstrip(";").strip() if kind.endswith("VIEW") else None
        store.write(con, f"INSERT OR REPLACE INTO {store.SCHEMA}.objects VALUES (?, ?, ?, ?, ?, ?, now(), now(), ?)",
                    [*_path(cursor, table), kind, transient, secure, ddl])  # fmt: skip
        if kind == "VIEW":
            record_view_lengths(cursor, statement)
    elif isinstance(statement, exp.Drop) and str(statement.args.get("kind") or "").upper() in ("TABLE", "VIEW"):
        for table in statement.find_all(exp.Table):
            store.write(con, f"DELETE FROM {store.SCHEMA}.objects WHERE {_WHERE}", _path(cursor, table))
    elif isinstance(statement, exp.Alter) and isinstance(statement.this, exp.Table):
        path = _path(cursor, statement.this)
        rename = next((a for a in statement.args.get("actions") or [] if isinstance(a, exp.AlterRename)), None)
        if rename is not None and isinstance(rename.this, exp.Table):
            new = _path(cursor, rename.this)
            store.write(con, f"UPDATE {store.SCHEMA}.objects SET database_name = ?, schema_name = ?, name = ?, "
                        f"last_altered = now() WHERE {_WHERE}", [*new, *path])  # fmt: skip
        else:
            touch(cursor, path)
    elif isinstance(statement, _DML):
        target = statement.this if isinstance(statement.this, exp.Table) else statement.find(exp.Table)
        if isinstance(target, exp.Schema):
            target = target.this
        if isinstance(target, exp.Table):
            touch(cursor, _path(cursor, target))


def touch(cursor: SessionCursor, path: list[str]) -> None:
    """The object's data or definition changed now (a row is made for objects created before the registry)."""
    store.write(
        cursor._duck_conn,
        f"INSERT INTO {store.SCHEMA}.objects VALUES (?, ?, ?, 'TABLE', false, false, now(), now(), NULL) "
        "ON CONFLICT (database_name, schema_name, name) DO UPDATE SET last_altered = now()",
        path,
    )
