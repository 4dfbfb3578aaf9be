"""CREATE and DROP DATABASE on the embedded endpoint: each database is a DuckDB file under the data root, attached
to the shared instance; DROP detaches it and deletes the file (DuckDB has no DROP DATABASE), CREATE OR REPLACE
starts from an empty one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
from fakesnow.cursor import FakeSnowflakeCursor
from sqlglot import exp

from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.backends.snowflake.names import ident, normalise

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor


def drop_database(cursor: SessionCursor, statement: exp.Drop) -> None:
    """DROP DATABASE detaches the database and deletes its file (DuckDB 2 has no DROP DATABASE)."""
    table = statement.find(exp.Table)
    name = normalise(table.this) if table is not None else ""
    engine = cursor._conn.engine
    with engine.catalog_lock, engine.write_lock:
        if name not in engine.databases():
            if statement.args.get("exists"):
                cursor._status(f"Drop statement executed successfully ({name} already dropped).")
                return
            raise programming_error(
                f"SQL compilation error:\nDatabase '{name}' does not exist or not authorized.", 2003, "02000"
            )
        if cursor._conn.database == name:
            cursor._conn.database = None
            cursor._conn._schema = None
            cursor._conn.database_set = False
            cursor._conn.schema_set = False
        cursor._duck_conn.execute("USE memory")
        try:
            cursor._duck_conn.execute(f"DETACH DATABASE {ident(name)}")
        except duckdb.Error as exc:
            raise programming_error(f"cannot drop database {name}: {exc}".splitlines()[0]) from None
        cursor._duck_conn.execute(
            "DELETE FROM _fs_global._fs_information_schema._fs_stages WHERE database_name = ?", [name]
        )
        engine.remove_database_files(name)
        cursor._status(f"{name} successfully dropped.")


def create_database(cursor: SessionCursor, statement: exp.Create) -> bool:
    """CREATE OR REPLACE DATABASE empties the database; fakesnow would re-attach the old file."""
    table = statement.find(exp.Table)
    if table is None:
        return False
    name = normalise(table.this)
    engine = cursor._conn.engine
    with engine.catalog_lock, engine.write_lock:
        exists = name in engine.databases()
        if statement.args.get("replace"):
            if exists:
                if cursor._conn.database == name:
                    cursor._duck_conn.execute("USE memory")
                cursor._duck_conn.execute(f"DETACH DATABASE {ident(name)}")
            engine.remove_database_files(name)
            statement.set("replace", False)
        elif exists and not statement.args.get("exists"):
            raise programming_error(f"SQL compilation error:\nObject '{name}' already exists.", 2002, "42710")
        elif not exists and not statement.args.get("exists"):
            engine.remove_database_files(name)  # a stale file of a dropped database
        FakeSnowflakeCursor.execute(cursor, statement.sql(dialect="snowflake"))
    return True
