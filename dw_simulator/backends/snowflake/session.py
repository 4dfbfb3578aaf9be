"""A session on the embedded endpoint as the statement handlers see it: fakesnow's connection with the shared
engine, explicit transactions and temporary stages, and the cursor's rewrite chain and status results.

`cursor.py` builds the full cursor on this base, and the statement handlers (`udfs`, `stages`, `databases`,
`copy_*`, `transaction`) take a `SessionCursor`.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import uuid
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot
from fakesnow.conn import FakeSnowflakeConnection
from fakesnow.cursor import FakeSnowflakeCursor
from fakesnow.transforms import stage as fs_stage
from sqlglot import exp

from dw_simulator.backends.snowflake.statement_rollback import TransactionLog

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.instance import Engine

log = logging.getLogger(__name__)
_SESSION_IDS = itertools.count(1)  # Snowflake's session ids, as QUERY_HISTORY and CURRENT_SESSION() report them


class SessionConnection(FakeSnowflakeConnection):
    def __init__(self, engine: Engine, *args: Any, **kwargs: Any) -> None:
        self.engine = engine
        self.explicit_transaction = False  # BEGIN ... COMMIT in autocommit mode (fakesnow tracks only implicit ones)
        self.tx_log = TransactionLog()  # what succeeded since BEGIN (statement-level rollback)
        self.temporary_tables: set[tuple[str, str, str]] = set()  # (database, schema, name) they were created as
        self.client_is_local = True  # the client runs on this machine (GET writes its files directly); per request
        self.temporary_stages: set[str] = set()
        self.parameters: dict[str, str] = {}  # ALTER SESSION SET (dw_simulator.sql.snowflake.parameters)
        self.leftover_tables: list[str] = []  # temporary tables of the last scripting block's resultsets
        self.registered: list[str] = []  # relations registered for the last statement (history.py)
        self.query_ids: list[str] = []  # the session's statements, for LAST_QUERY_ID
        self.session_id = next(_SESSION_IDS)
        super().__init__(*args, **kwargs)

    @staticmethod
    def new_query_id() -> str:
        return str(uuid.uuid4())

    def internal_cursor(self) -> SessionCursor:
        """A cursor for statements dw-sim runs for itself (checks, arguments): not in the query history."""
        cursor = self.cursor()
        assert isinstance(cursor, SessionCursor)
        cursor._dwsim_internal = True
        return cursor

    @property
    def in_transaction(self) -> bool:
        return self.explicit_transaction or bool(self._in_transaction)

    def close(self, retry: bool = True) -> None:
        """End the session: its temporary stages go with it, as on Snowflake."""
        if not self.is_closed():
            for fqname in list(self.temporary_stages):
                try:
                    drop_stage(self._duck_conn, fqname)
                except duckdb.Error:
                    log.debug("could not drop temporary stage %s", fqname, exc_info=True)
            self.temporary_stages.clear()
        super().close(retry)


class SessionCursor(FakeSnowflakeCursor):
    """What statement handlers use of a session's cursor."""

    _conn: SessionConnection
    _dwsim_internal = False  # a statement dw-sim runs for itself: not in the query history

    def _translate(self, expression: exp.Expr) -> exp.Expr:
        """A Snowflake expression (or query) as DuckDB will run it, through the whole rewrite chain."""
        return self._transform(expression, None)

    def _status(self, message: str) -> None:
        self._execute(exp.select(exp.alias_(exp.Literal.string(message), "status", quoted=True)))

    def _rows(self, columns: list[tuple[str, str]], rows: list[tuple[Any, ...]]) -> None:
        """Make `rows` the statement's result, with these (name, DuckDB type) columns."""
        names = ", ".join(f'"{name}"' for name, _ in columns)
        if not rows:
            nulls = ", ".join(f'CAST(NULL AS {kind}) AS "{name}"' for name, kind in columns)
            sql = f"SELECT {nulls} WHERE FALSE"
            params: list[Any] = []
        else:
            casts = ", ".join(f'CAST("{name}" AS {kind}) AS "{name}"' for name, kind in columns)
            row = "(" + ", ".join("?" for _ in columns) + ")"
            sql = f"SELECT {casts} FROM (VALUES {', '.join(row for _ in rows)}) AS t({names})"
            params = [value for r in rows for value in r]
        self._execute(sqlglot.parse_one(sql, read="duckdb"), params or None)


def drop_stage(con: duckdb.DuckDBPyConnection, fqname: str) -> bool:
    """Remove a stage from fakesnow's catalog and delete its internal files; False when it does not exist."""
    catalog, schema, name = fqname.split(".")
    with con.cursor() as side:
        found = side.execute(
            "DELETE FROM _fs_global._fs_information_schema._fs_stages "
            "WHERE database_name = ? AND schema_name = ? AND name = ? RETURNING url",
            [catalog, schema, name],
        ).fetchall()
    if not found:
        return False
    shutil.rmtree(fs_stage.internal_dir(fqname), ignore_errors=True)
    return True
