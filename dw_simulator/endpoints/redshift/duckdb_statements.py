"""Statements of a Redshift endpoint session on the embedded DuckDB warehouse, run on worker threads: each client
statement is classified (SET/SHOW/transactions, drivers' catalog queries, COPY/UNLOAD) or translated by dw-sim's
Redshift layer, then run on the session's own DuckDB connection; result rows are read in Arrow batches and encoded
as DataRow messages (`encode.py`). The messages themselves are handled in `duckdb_sessions.py`."""

from __future__ import annotations

import contextlib
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from dw_simulator.endpoints.redshift import protocol as pg
from dw_simulator.endpoints.redshift.catalog import (
    DUCKDB_SCRIPT,
    ENDPOINT_SCHEMA,
    LAST_ENDPOINT_VIEW,
    duckdb_catalog_sql,
    endpoint_views,
    is_catalog_query,
    session_catalog,
)
from dw_simulator.endpoints.redshift.commands import (
    Command,
    classify,
    command_tag,
    redshift_functions,
    statement_tag,
    strip_database,
)
from dw_simulator.endpoints.redshift.driver_queries import rewrite_driver_query
from dw_simulator.endpoints.redshift.encode import encode_batch
from dw_simulator.endpoints.redshift.errors import IN_FAILED_TRANSACTION, PROTOCOL_VIOLATION, EndpointError
from dw_simulator.endpoints.redshift.naming import postgres_column_names
from dw_simulator.endpoints.redshift.session import Engine, Session
from dw_simulator.endpoints.redshift.type_oids import TEXT, field_for
from dw_simulator.sql.redshift import install_duckdb, translate_redshift
from dw_simulator.sql.redshift.copy_unload import run_action
from dw_simulator.sql.redshift.duckdb_runner import DuckDBCopyTarget, catalog
from dw_simulator.sql.redshift.split import mask
from dw_simulator.staging import stage_for

BATCH_ROWS = 65_536
_PARAM = re.compile(r"\$(\d+)")


@dataclass
class Prepared:
    sql: str
    kind: str  # empty | command | plain | action
    engine_sql: str = ""
    returns_rows: bool = False
    command: Command | None = None
    action: Any = None
    param_oids: list[int] = field(default_factory=list)
    fields: list[pg.Field] | None = None

    @property
    def param_count(self) -> int:
        found = [int(m.group(1)) for m in _PARAM.finditer(mask(self.engine_sql).text)]
        return max([len(self.param_oids), *found]) if found or self.param_oids else 0


@dataclass
class Portal:
    prepared: Prepared
    params: list[Any]
    formats: list[int]
    reader: Any = None  # pyarrow RecordBatchReader while rows remain
    fields: list[pg.Field] | None = None
    pending: pa.RecordBatch | None = None
    rows: int = 0
    executed: bool = False
    tag: str = ""
    rows_in_call: int = 0


class DuckDBStatements(Engine):
    """The worker-thread side of `DuckDBEngine`: preparing, running and reading statements on DuckDB."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        assert session.target is not None
        self.target = session.target
        self.experiment = session.target.experiment
        self.con: Any = None
        self.statements: dict[str, Prepared] = {}
        self.portals: dict[str, Portal] = {}
        self.cache: dict[str, Prepared] = {}  # client SQL -> translated query

    def _open(self) -> Any:
        con = self.session.server.duckdb_cursor()
        try:
            install_duckdb(con)
            con.execute("SET VARIABLE dwsim_endpoint_user = ?", [self.session.user])
            con.execute("SET VARIABLE dwsim_endpoint_pid = ?", [self.session.pid])
            if not con.execute(
                "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'dwsim_endpoint' AND view_name = ?",
                [LAST_ENDPOINT_VIEW],
            ).fetchone()[0]:
                con.execute(DUCKDB_SCRIPT)
            con.execute("SET search_path = ?", [f"{self.experiment},{ENDPOINT_SCHEMA}"])
            con.execute("SET VARIABLE dwsim_experiment = ?", [self.experiment])
            con.execute("SET TimeZone = 'UTC'")
        except BaseException:
            self.session.server.release_duckdb(con)
            raise
        return con

    # -- preparing ---------------------------------------------------------------------------------------------------
    def _prepare(self, sql: str, param_oids: list[int] | None = None) -> Prepared:
        """One client statement -> what runs on DuckDB (worker thread). Queries are remembered until the session
        runs a statement that may change the catalog."""
        cached = self._cached(sql, param_oids)
        if cached is not None:
            return cached
        prepared = self._translate(sql, param_oids)
        if prepared.kind == "plain" and prepared.returns_rows:
            if len(self.cache) > 256:
                self.cache.clear()
            self.cache[sql] = prepared
        return prepared

    def _cached(self, sql: str, param_oids: list[int] | None) -> Prepared | None:
        cached = self.cache.get(sql)
        if cached is None or cached.param_oids != (param_oids or []):
            return None
        return Prepared(cached.sql, cached.kind, cached.engine_sql, cached.returns_rows, param_oids=cached.param_oids)

    def _translate(self, sql: str, param_oids: list[int] | None) -> Prepared:
        oids = param_oids or []
        if not mask(sql).text.strip(" \n\t;"):
            return Prepared(sql, "empty", param_oids=oids)
        command = classify(sql)
        if command is not None:
            return Prepared(sql, "command", command=command, returns_rows=command.kind == "show", param_oids=oids)
        text = strip_database(redshift_functions(sql, self.target.database), self.target.database)
        known = rewrite_driver_query(text, "duckdb", self.session.user)
        if known is not None:
            return Prepared(sql, "plain", engine_sql=known, returns_rows=True, param_oids=oids)
        if is_catalog_query(text):
            engine_sql = duckdb_catalog_sql(
                session_catalog(text, self.target.database), self.experiment, self.session.setting
            )
            return Prepared(sql, "plain", engine_sql=engine_sql, returns_rows=True, param_oids=oids)
        text = endpoint_views(text)
        statements = translate_redshift(text, engine="duckdb", catalog=catalog(self.con, self.experiment))
        if len(statements) != 1:
            raise EndpointError(PROTOCOL_VIOLATION, "cannot insert multiple commands into a prepared statement")
        statement = statements[0]
        if statement.action is not None:
            return Prepared(sql, "action", action=statement, param_oids=oids)
        engine_sql = postgres_column_names(statement.engine_sql)
        return Prepared(sql, "plain", engine_sql=engine_sql, returns_rows=statement.returns_rows, param_oids=oids)

    def _describe(self, prepared: Prepared, params: list[Any] | None) -> list[pg.Field] | None:
        if prepared.kind == "command":
            assert prepared.command is not None
            return [pg.Field(prepared.command.name, TEXT)] if prepared.command.kind == "show" else None
        if prepared.kind != "plain" or not prepared.returns_rows:
            return None
        values = params if params is not None else [None] * prepared.param_count
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            relation = self.con.sql(prepared.engine_sql, params=values or None)
        if relation is None:
            return None
        return [field_for(name, str(t)) for name, t in zip(relation.columns, relation.types, strict=True)]

    # -- executing ---------------------------------------------------------------------------------------------------
    def _execute(self, portal: Portal) -> None:
        """Start a portal's statement; rows are read later with `_next_rows` (worker thread)."""
        prepared = portal.prepared
        portal.executed = True
        if not (prepared.kind == "plain" and prepared.returns_rows):
            self.cache.clear()  # DDL, COPY, SET search_path...: translations may depend on what changed
        if prepared.kind == "empty":
            return
        if self.tx_status == b"E" and not (
            prepared.kind == "command"
            and prepared.command is not None
            and prepared.command.kind in ("commit", "rollback")
        ):
            raise EndpointError(
                IN_FAILED_TRANSACTION, "current transaction is aborted, commands ignored until end of transaction block"
            )
        if prepared.kind == "command":
            assert prepared.command is not None
            self._command(prepared.command, portal)
            return
        if prepared.kind == "action":
            rows = run_action(
                prepared.action.action,
                DuckDBCopyTarget(self.con, self.experiment),
                stage_for(self.session.server.settings),
            )
            first = mask(prepared.sql).text.split()[0].upper()
            portal.tag = f"COPY {rows}" if first == "COPY" else "UNLOAD"
            return
        params = portal.params or None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if prepared.returns_rows:
                relation = self.con.sql(prepared.engine_sql, params=params)
                if relation is not None:
                    if portal.fields is None:
                        portal.fields = [
                            field_for(n, str(t)) for n, t in zip(relation.columns, relation.types, strict=True)
                        ]
                    portal.reader = relation.to_arrow_reader(BATCH_ROWS)
                    return
                portal.tag = statement_tag(prepared.sql, 0)
                return
            self.con.execute(prepared.engine_sql, params)
            count = None
            if re.match(r"\s*(INSERT|UPDATE|DELETE|MERGE)\b", prepared.engine_sql, re.I):
                row = self.con.fetchone()
                count = int(row[0]) if row else 0
            else:
                # drain whatever the statement returned so the connection is free for the next one
                _ = self.con.fetchall() if self.con.description else None
        portal.tag = statement_tag(prepared.sql, count)

    def _command(self, command: Command, portal: Portal) -> None:
        session = self.session
        status = self.tx_status
        if command.kind == "begin":
            if status == b"I":
                self.con.execute("BEGIN TRANSACTION")
            self.tx_status = b"T" if status == b"I" else status
        elif command.kind in ("commit", "rollback"):
            if status == b"T":
                self.con.execute("COMMIT" if command.kind == "commit" else "ROLLBACK")
            elif status == b"E":
                self.con.execute("ROLLBACK")
            self.tx_status = b"I"
            portal.tag = "ROLLBACK" if status == b"E" else command_tag(command.kind)
            return
        elif command.kind == "set":
            session.settings[command.name] = command.value
            if command.name == "search_path":
                self._apply_search_path(command.value)
        elif command.kind == "reset":
            if command.name == "all":
                session.settings.clear()
            else:
                session.settings.pop(command.name, None)
            if command.name in ("all", "search_path"):
                self._apply_search_path(session.setting("search_path"))
        elif command.kind == "show":
            value = session.setting(command.name)
            portal.fields = portal.fields or [pg.Field(command.name, TEXT)]
            portal.reader = pa.RecordBatchReader.from_batches(
                pa.schema([(command.name, pa.string())]),
                [pa.record_batch([pa.array([value], pa.string())], names=[command.name])],
            )
            return
        portal.tag = command_tag(command.kind)

    def _apply_search_path(self, value: str) -> None:
        """search_path names schemas of the warehouse; `public` and `$user` mean the experiment's own schema."""
        names = []
        for part in value.split(","):
            name = part.strip().strip('"').strip("'")
            if not name or name in ("$user", "public"):
                name = self.experiment
            if name not in names:
                names.append(name)
        if self.experiment not in names:
            names.append(self.experiment)
        existing = {r[0].lower() for r in self.con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
        names = [n for n in names if n.lower() in existing] or [self.experiment]
        self.con.execute("SET search_path = ?", [",".join([*names, ENDPOINT_SCHEMA])])

    def _next_rows(self, portal: Portal, limit: int) -> tuple[bytes, int, bool]:
        """Up to `limit` rows (0 = all of the next batch) encoded as DataRows; (data, rows, finished). The batch
        after is read ahead, so the last one comes back with finished=True (one thread hop for a small result)."""
        assert portal.fields is not None
        if portal.pending is not None:
            batch, portal.pending = portal.pending, None
        else:
            batch = self._read(portal)
            if batch is None:
                return b"", 0, True
        if limit and batch.num_rows > limit:
            portal.pending = batch.slice(limit)
            batch = batch.slice(0, limit)
        data = encode_batch(batch, portal.fields, portal.formats)
        if portal.pending is None:
            portal.pending = self._read(portal)
        return data, batch.num_rows, portal.pending is None

    @staticmethod
    def _read(portal: Portal) -> pa.RecordBatch | None:
        if portal.reader is None:
            return None
        try:
            return portal.reader.read_next_batch()
        except StopIteration:
            close_reader(portal)
            return None


def close_reader(portal: Portal) -> None:
    reader, portal.reader, portal.pending = portal.reader, None, None
    if reader is not None:
        with contextlib.suppress(Exception):  # already closed
            reader.close()
