"""`StatementSession` on `Simulator.query`: the same translation, engines and answers as `dw-sim query`.

The session holds one simulator (so one warehouse connection) for its whole life: statements of a transaction run
on the same connection between the backend's `begin()` and `commit()`/`rollback()`. Bind values become literals
(`sql.binding`). A failed statement inside a transaction leaves it aborted, as on Redshift and PostgreSQL: every
statement but ROLLBACK (or COMMIT, which rolls back) is refused until it ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dw_simulator.errors import DwSimError, QueryError
from dw_simulator.sql.binding import bind_named, bind_positional, placeholders_named, snowflake_literal
from dw_simulator.sql.shaped import (
    ResultColumn,
    ShapedResult,
    StatementCancelled,
    StatementError,
    statement_kind,
    statement_type,
    transaction_verb,
)
from dw_simulator.statements.interface import Bindings, StatementSession, Target
from dw_simulator.statements.result_types import redshift_column, snowflake_column

if TYPE_CHECKING:
    from dw_simulator.backends import QueryResult
    from dw_simulator.service import Simulator

log = logging.getLogger("dw_simulator.statements")
ABORTED_TRANSACTION = "current transaction is aborted, commands ignored until end of transaction block"
_DUCKDB_STATUS_COLUMNS = (["Count"], ["Success"])  # what DuckDB answers DML and DDL with


class QuerySession(StatementSession):
    def __init__(self, simulator: Simulator, target: Target) -> None:
        assert target.experiment is not None
        self.simulator = simulator
        self.target = target
        self.experiment = target.experiment
        self.dialect = "redshift" if target.family == "redshift" else "snowflake"
        self._transaction = False
        self._aborted = False
        self._cancelled = threading.Event()
        self._lock = threading.Lock()

    @property
    def in_transaction(self) -> bool:
        return self._transaction

    # -- statements ---------------------------------------------------------------------------------------------------
    def execute(self, sql: str, bindings: Bindings = None) -> ShapedResult:
        verb = transaction_verb(sql)
        if verb is not None:
            getattr(self, verb)()
            return ShapedResult(None, [], 0, "transaction", statement_type(sql))
        if self._aborted:
            raise StatementError(ABORTED_TRANSACTION, sqlstate="25P02")
        text = self._bind(sql, bindings)
        self._cancelled.clear()
        try:
            with self._lock:
                result = self.simulator.query(self.experiment, text, limit=0, dialect=self.dialect)
        except DwSimError as exc:
            if self._transaction:
                self._abort()
            if self._cancelled.is_set():
                raise StatementCancelled("the statement was cancelled") from None
            if isinstance(exc, QueryError):
                raise StatementError(exc.message) from None
            raise
        return self._shape(sql, result)

    def _bind(self, sql: str, bindings: Bindings) -> str:
        if bindings is None:
            return sql
        if isinstance(bindings, Mapping):
            if not bindings and not placeholders_named(sql):
                return sql
            return bind_named(sql, {str(k): str(v) for k, v in bindings.items()})
        if isinstance(bindings, Sequence) and not isinstance(bindings, str | bytes):
            return bind_positional(sql, list(bindings), snowflake_literal) if bindings else sql
        raise QueryError("bind values must be a mapping of names or a list of positions")

    def _shape(self, sql: str, result: QueryResult) -> ShapedResult:
        kind = statement_kind(sql)
        verb = statement_type(sql)
        status_answer = result.columns in _DUCKDB_STATUS_COLUMNS and len(result.rows) <= 1
        if kind != "query" and (not result.columns or status_answer):
            count = int(result.rows[0][0]) if result.columns == ["Count"] and result.rows else result.rows_affected
            return ShapedResult(None, [], count if count is not None else 0, kind, verb)
        if not result.columns:
            return ShapedResult(None, [], result.rows_affected or 0, kind, verb)
        make = redshift_column if self.dialect == "redshift" else snowflake_column
        columns: list[ResultColumn] = [make(c, t) for c, t in zip(result.columns, result.types, strict=False)]
        return ShapedResult(columns, [tuple(r) for r in result.rows], None, kind, verb)

    # -- transactions -------------------------------------------------------------------------------------------------
    def begin(self) -> None:
        if self._transaction:
            if self.dialect == "snowflake":
                return  # Snowflake ignores a BEGIN inside a transaction
            raise StatementError("there is already a transaction in progress", sqlstate="25001")
        self._backend_call("begin")
        self._transaction, self._aborted = True, False

    def commit(self) -> None:
        """COMMIT; of an aborted transaction it is a ROLLBACK (already done when the statement failed)."""
        if not self._transaction:
            return
        aborted, self._transaction, self._aborted = self._aborted, False, False
        if not aborted:
            self._backend_call("commit")

    def rollback(self) -> None:
        if not self._transaction:
            return
        aborted, self._transaction, self._aborted = self._aborted, False, False
        if not aborted:
            self._backend_call("rollback")

    def _abort(self) -> None:
        """After a failed statement: undo the transaction's work now, refuse statements until it ends."""
        self._aborted = True
        try:
            self._backend_call("rollback")
        except QueryError:  # the engine already ended it (PostgreSQL rolls back on error)
            log.debug("rollback after a failed statement", exc_info=True)

    def _backend_call(self, verb: str) -> None:
        info = self.simulator.get_experiment_info(self.experiment)
        backend: Any = self.simulator.backend(info.target_warehouse)
        with self._lock:
            getattr(backend, verb)()

    # -- lifecycle ----------------------------------------------------------------------------------------------------
    def cancel(self) -> bool:
        self._cancelled.set()
        try:
            return self.simulator.interrupt()
        except Exception:  # an interrupt that fails only means the statement runs to its end
            log.debug("interrupt failed", exc_info=True)
            return False

    def close(self) -> None:
        if self._transaction:
            try:
                self.rollback()
            except DwSimError:
                log.debug("rollback on close failed", exc_info=True)
        self.simulator.release_backends()
