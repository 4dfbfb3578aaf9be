"""Statements on the embedded Snowflake engine for the HTTP APIs: one session of the endpoint's own cursor.

The same path users' connectors take through `server.py` (fakesnow's cursor with dw-sim's rewrites, result columns
normalised by `result_columns`, Snowflake's row types from `describe_as_rowtype`), without the wire in between:
typed bind values go straight to the cursor, results come back as Python values with Snowflake's column types.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import snowflake.connector.errors as sf_errors
from fakesnow.rowtype import describe_as_rowtype
from fakesnow.statement_type import DML_TYPE_IDS, statement_type_id

from dw_simulator.backends.snowflake.cursor import DwSimConnection, connect
from dw_simulator.backends.snowflake.endpoint import local_engine
from dw_simulator.backends.snowflake.result_columns import normalise
from dw_simulator.sql.shaped import (
    ResultColumn,
    ShapedResult,
    StatementCancelled,
    StatementError,
    statement_kind,
    statement_type,
)

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.instance import Engine

log = logging.getLogger(__name__)
_CODE_PREFIX = re.compile(r"^\d{6} \(\w{5}\): ")
INTERNAL_ERROR = "000603"  # Snowflake's "SQL execution internal error"
__all__ = ["EngineSession", "local_engine"]


class EngineSession:
    """A session on the engine, in `database` and `schema` (either may be None, as after a login without them)."""

    def __init__(self, engine: Engine, *, database: str | None, schema: str | None) -> None:
        self.conn: DwSimConnection = connect(engine, database, schema)
        self._cancelled = threading.Event()
        self._lock = threading.Lock()

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    @property
    def database(self) -> str:
        return str(self.conn.database or "")

    @property
    def schema(self) -> str:
        return str(self.conn.schema or "")

    def execute(self, sql: str, bindings: Sequence[Any] | None = None) -> ShapedResult:
        from fakesnow.dialect import parse_one

        self._cancelled.clear()
        params = tuple(bindings) if bindings else None
        with self._lock:
            cur = self.conn.cursor()
            try:
                cur.execute(sql, binding_params=params, server=True)
            except sf_errors.Error as exc:
                if self._cancelled.is_set():
                    raise StatementCancelled("SQL execution canceled") from None
                errno = exc.errno if isinstance(exc.errno, int) and exc.errno > 0 else 2140
                message = _CODE_PREFIX.sub("", exc.msg or str(exc), count=1)
                raise StatementError(message, sqlstate=exc.sqlstate, code=f"{errno:06d}") from None
            except Exception as exc:  # a gap of the emulator: a SQL error, as the endpoint reports it
                if self._cancelled.is_set():
                    raise StatementCancelled("SQL execution canceled") from None
                log.warning("statement failed on the embedded Snowflake engine", exc_info=exc)
                message = f"{type(exc).__name__}: {exc}".splitlines()[0]
                raise StatementError(
                    f"the embedded Snowflake endpoint cannot run this statement ({message})", code=INTERNAL_ERROR
                ) from None
            described, cur._arrow_table = normalise(cur._describe_last_sql(), cur._arrow_table)
            arrow = cur._arrow_table
        try:
            type_id = statement_type_id(parse_one(sql))
        except Exception:  # parsed by the cursor already: only the statement's kind is asked here
            type_id = 0
        kind = statement_kind(sql)
        verb = statement_type(sql)
        if arrow is None:
            return ShapedResult(None, [], 0, kind, verb)
        columns = [_column(dict(r)) for r in describe_as_rowtype(described)]
        data = [c.to_pylist() for c in arrow.columns]
        rows = list(zip(*data, strict=True)) if data else []
        affected = None
        if type_id in DML_TYPE_IDS:
            affected = sum(int(v) for v in rows[0] if isinstance(v, int)) if rows else 0
        return ShapedResult(columns, rows, affected, kind, verb)

    def begin(self) -> None:
        self.execute("BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        self.execute("ROLLBACK")

    def cancel(self) -> bool:
        self._cancelled.set()
        try:
            self.conn._duck_conn.interrupt()
        except Exception:  # nothing running, or the connection is gone
            log.debug("interrupt failed", exc_info=True)
            return False
        return True

    def close(self) -> None:
        try:
            if self.conn.in_transaction:
                self.rollback()
        except StatementError:
            log.debug("rollback on close failed", exc_info=True)
        try:
            self.conn.close()
        except Exception:  # already closed with its engine
            log.debug("closing a session failed", exc_info=True)


def _column(rowtype: dict[str, Any]) -> ResultColumn:
    return ResultColumn(
        name=str(rowtype.get("name", "")),
        type_name=str(rowtype.get("type", "text")).lower(),
        precision=rowtype.get("precision"),
        scale=rowtype.get("scale"),
        length=rowtype.get("length"),
        nullable=bool(rowtype.get("nullable", True)),
        table=str(rowtype.get("table") or ""),
        schema=str(rowtype.get("schema") or ""),
        database=str(rowtype.get("database") or ""),
    )
