"""Embedded DuckDB: the zero-setup default warehouse. One database file; one schema per experiment."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from dw_simulator import crashpoints
from dw_simulator.backends.base import ColumnProfile, QueryResult, WarehouseBackend
from dw_simulator.backends.duckdb.carry import carry_over
from dw_simulator.backends.duckdb.factory import DUCKDB
from dw_simulator.backends.duckdb.files import CREATED, DB_NAME, Layout, fsync_dir, mark_closed, mark_open, open_here
from dw_simulator.backends.duckdb.parts import insert_parts, remaining_rows
from dw_simulator.backends.duckdb.sandbox import apply_sandbox, connect_file, sandbox_message
from dw_simulator.errors import QueryError
from dw_simulator.sql.engine_errors import duckdb_message
from dw_simulator.sql.literal_select import literal_select

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.config import Settings
    from dw_simulator.schema import ExperimentSchema, TableSchema

log = logging.getLogger(__name__)


def q(identifier: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + identifier.replace('"', '""') + '"'


class DuckDBBackend(WarehouseBackend):
    """One DuckDB file per experiment and per run (`files.py`); users' SQL runs sandboxed (`sandbox.py`)."""

    name = DUCKDB.name
    capabilities = DUCKDB.capabilities

    def __init__(self, settings: Settings, root: Path | None = None) -> None:
        super().__init__(settings)
        self.layout = Layout(root or settings.warehouse_dir / "duckdb")
        self._cons: dict[str, tuple[Path, duckdb.DuckDBPyConnection]] = {}
        self._lock = threading.RLock()
        self._memory: duckdb.DuckDBPyConnection | None = None
        self._in_transaction = False  # between begin() and commit()/rollback()
        self._open: dict[str, duckdb.DuckDBPyConnection] = {}  # experiments' connections in that transaction

    # -- connections -----------------------------------------------------------------------------------------------
    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory connection (pings; no experiment's data)."""
        if self._memory is None:
            self._memory = duckdb.connect(":memory:")
        return self._memory

    def connection(self, experiment: str) -> duckdb.DuckDBPyConnection:
        """A connection to the experiment's current file, sandboxed for users' SQL; reopened when a run committed
        since it was opened."""
        path = self.layout.current_file(experiment)
        if path is None:
            raise QueryError(
                f"experiment '{experiment}' has no DuckDB data (its files under {self.layout.root} are missing)"
            )
        key = experiment.lower()
        with self._lock:
            cached = self._cons.get(key)
            if cached is not None and cached[0] == path:
                return cached[1]
            if cached is not None:
                self._close_one(key)
            con = connect_file(path)
            mark_open(path)
            try:
                apply_sandbox(con, self.settings)
            except BaseException:
                con.close()
                mark_closed(path)
                raise
            self._cons[key] = (path, con)
            return con

    def open_session(self, experiment: str) -> tuple[duckdb.DuckDBPyConnection, Path]:
        """A connection of its own on the experiment's current file, sandboxed (for a wire-protocol session; close
        it with `close_session`). It keeps reading that run's file until it is closed."""
        path = self.layout.current_file(experiment)
        if path is None:
            raise QueryError(f"experiment '{experiment}' has no DuckDB data under {self.layout.root}")
        con = connect_file(path)
        mark_open(path)
        try:
            apply_sandbox(con, self.settings)
        except BaseException:
            self.close_session(con, path)
            raise
        return con, path

    def close_session(self, con: duckdb.DuckDBPyConnection, path: Path) -> None:
        try:
            con.close()
        finally:
            mark_closed(path)

    def _close_one(self, key: str) -> None:
        path, con = self._cons.pop(key)
        self._open.pop(key, None)
        try:
            con.close()
        finally:
            mark_closed(path)

    def close(self) -> None:
        with self._lock:
            for key in list(self._cons):
                self._close_one(key)
            if self._memory is not None:
                self._memory.close()
                self._memory = None

    def interrupt(self) -> bool:
        with self._lock:
            cons = [con for _path, con in self._cons.values()]
        for con in cons:
            con.interrupt()
        return bool(cons)

    def ping(self) -> None:
        self.connect().execute("SELECT 1").fetchall()
        self.layout.root.mkdir(parents=True, exist_ok=True)

    # -- experiments ---------------------------------------------------------------------------------------------------
    def physical_name(self, experiment: str, table: str) -> str:
        return f"{q(experiment)}.{q(table)}"

    def _create_table_sql(self, experiment: str, table: TableSchema, *, replace: bool = False) -> str:
        from dw_simulator.backends.duckdb.types import duckdb_type  # the schema models: not needed by queries

        cols = []
        for column in table.columns:
            not_null = " NOT NULL" if column.required else ""
            cols.append(f"{q(column.name)} {duckdb_type(column)}{not_null}")
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
        return f"{verb} {self.physical_name(experiment, table.name)} ({', '.join(cols)})"

    def create_experiment(self, schema: ExperimentSchema) -> None:
        """A fresh folder with a `created` generation holding the empty tables, made current at the end."""
        self._forget(schema.name)
        directory = self.layout.experiment_dir(schema.name)
        self.layout.remove_tree(directory)
        building = self.layout.preparing_dir(schema.name, CREATED)
        try:
            building.mkdir(parents=True)
            con = duckdb.connect(str(building / DB_NAME))
            try:
                con.execute(f"CREATE SCHEMA {q(schema.name)}")
                for table in schema.tables:
                    con.execute(self._create_table_sql(schema.name, table))
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(building, directory / CREATED)
            self.layout.set_current(schema.name, CREATED)
        except BaseException:
            self.layout.remove_tree(directory)
            raise

    @contextmanager
    def drop_experiment(self, experiment: str) -> Iterator[int]:
        dropped = len(self.existing_tables(experiment)) if self.layout.current(experiment) else 0
        yield dropped
        self._forget(experiment)
        self.layout.remove_tree(self.layout.experiment_dir(experiment))

    def _forget(self, experiment: str) -> None:
        with self._lock:
            if experiment.lower() in self._cons:
                self._close_one(experiment.lower())

    def existing_tables(self, experiment: str) -> list[str]:
        if self.layout.current(experiment) is None:
            return []
        rows = (
            self.connection(experiment)
            .execute(
                "SELECT table_name FROM information_schema.tables WHERE lower(table_schema) = lower(?) "
                "AND table_catalog = current_database() ORDER BY table_name",
                [experiment],
            )
            .fetchall()
        )
        return [r[0] for r in rows]

    # -- data: runs ----------------------------------------------------------------------------------------------------
    def prepare_run(
        self, schema: ExperimentSchema, run: str, files: Mapping[str, Sequence[Path | str]]
    ) -> dict[str, int]:
        """Write the run's own file (the Parquet files, plus what users created in the current file), out of
        readers' sight until `commit_run`."""
        for table_name in files:
            if schema.table(table_name) is None:
                raise QueryError(f"experiment '{schema.name}' has no table '{table_name}' to load")
        final = self.layout.experiment_dir(schema.name) / run
        if final.is_dir():
            raise QueryError(f"run {run} of experiment '{schema.name}' is prepared already")
        building = self.layout.preparing_dir(schema.name, run)
        self.layout.remove_tree(building)
        building.mkdir(parents=True)
        loaded: dict[str, int] = {}
        try:
            con = self.open_load_target(building / DB_NAME)
            try:
                con.execute(f"CREATE SCHEMA {q(schema.name)}")
                for table in schema.tables:
                    con.execute(self._create_table_sql(schema.name, table))
                    parts = files.get(table.name, [])
                    if parts:
                        columns = ", ".join(q(c.name) for c in table.columns)
                        relation = self.physical_name(schema.name, table.name)
                        insert_parts(con, relation, columns, parts, self.settings)
                    crashpoints.reached("loading")
                    if table.name in files:
                        row = con.execute(
                            f"SELECT count(*) FROM {self.physical_name(schema.name, table.name)}"
                        ).fetchone()
                        loaded[table.name] = int(row[0]) if row else 0
                self._carry_into(schema, con, replaced={t.lower() for t in files})
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(building, final)
            fsync_dir(final.parent)
        except BaseException:
            self.layout.remove_tree(building)
            raise
        return loaded

    def open_load_target(self, path: Path) -> duckdb.DuckDBPyConnection:
        """The connection a run is loaded through (a new file no reader has open; not sandboxed: it reads the
        generated Parquet files)."""
        return duckdb.connect(str(path))

    def _carry_into(self, schema: ExperimentSchema, target: duckdb.DuckDBPyConnection, *, replaced: set[str]) -> None:
        """Copy the current file's other objects: tables not in this run, users' tables and views, load errors."""
        if self.layout.current(schema.name) is None:
            return
        generated = {(schema.name.lower(), t) for t in replaced}
        copied = carry_over(self.connection(schema.name), target, replaced=generated)
        if copied:
            log.info("carried objects into the new run", extra={"experiment": schema.name, "objects": len(copied)})

    def commit_run(self, experiment: str, run: str) -> None:
        if self.layout.current(experiment) == run:
            return
        self.layout.set_current(experiment, run)
        self._forget(experiment)
        self.sweep(experiment)

    def current_run(self, experiment: str) -> str | None:
        generation = self.layout.current(experiment)
        return None if generation in (None, CREATED) else generation

    def discard_run(self, experiment: str, run: str) -> None:
        if self.layout.current(experiment) == run:
            return
        self.layout.remove_tree(self.layout.preparing_dir(experiment, run))
        self._remove_generation(experiment, run)
        self.layout.empty_trash(experiment)

    def leftover_runs(self, experiment: str) -> list[str]:
        found = set(self.layout.generations(experiment)) | set(self.layout.preparing(experiment))
        return sorted(found - {CREATED})

    def sweep(self, experiment: str) -> None:
        """Delete the replaced generations no process holds open (a later sweep gets the others)."""
        current = self.layout.current(experiment)
        for generation in self.layout.generations(experiment):
            if generation != current:
                self._remove_generation(experiment, generation)
        self.layout.empty_trash(experiment)

    def _remove_generation(self, experiment: str, generation: str) -> None:
        path = self.layout.generation_file(experiment, generation)
        if path.exists():
            if open_here(path):
                return
            try:
                duckdb.connect(str(path), read_only=True).close()  # fails while another process writes to it
            except duckdb.Error:
                log.info("replaced run still open elsewhere", extra={"experiment": experiment, "run": generation})
                return
        self.layout.remove_tree(path.parent)

    def count_rows(self, experiment: str, table: str) -> int:
        relation = self.physical_name(experiment, table)
        row = self.connection(experiment).execute(f"SELECT count(*) FROM {relation}").fetchone()
        return int(row[0]) if row else 0

    def profile_table(self, experiment: str, table: TableSchema) -> list[ColumnProfile]:
        from dw_simulator.backends.profiling import profile_sql_plan

        con = self.connection(experiment)
        relation = self.physical_name(experiment, table.name)
        return [profile_sql_plan(column, relation, lambda sql: con.execute(sql).fetchall()) for column in table.columns]

    # -- SQL ----------------------------------------------------------------------------------------------------
    def _prepare(self, experiment: str, sql: str, dialect: str) -> tuple[duckdb.DuckDBPyConnection, list[Any]]:
        con = self.connection(experiment)
        if self._in_transaction and experiment.lower() not in self._open:  # begin() was called: join it
            self._transaction(con, "BEGIN TRANSACTION")
            self._open[experiment.lower()] = con
        con.execute("SET search_path = ?", [experiment])
        plain = literal_select(sql, read=dialect, write="duckdb")
        if plain is not None:  # `select 1` and the like: the translator would write the same SQL
            return con, [s.engine_sql for s in plain]
        if dialect == "redshift":  # the Redshift layer: its macros, and COPY/UNLOAD run as actions
            from dw_simulator.sql.redshift.duckdb_runner import prepare_redshift

            return con, prepare_redshift(con, experiment, sql, self.settings)
        from dw_simulator.sql.translate import translate

        try:
            statements = [s.engine_sql for s in translate(sql, read=dialect, write="duckdb")]
        except QueryError as parse_error:
            # sqlglot cannot read it: let the engine try the text as written before giving up
            try:
                con.execute("PREPARE __dwsim_probe AS " + sql.strip().rstrip(";"))
                con.execute("DEALLOCATE __dwsim_probe")
            except duckdb.Error:
                raise parse_error from None
            statements = [sql]
        return con, statements

    def query(self, experiment: str, sql: str, *, dialect: str, limit: int | None) -> QueryResult:
        started = time.perf_counter()
        cursor: duckdb.DuckDBPyConnection | None = None
        try:
            con, statements = self._prepare(experiment, sql, dialect)
            for statement in statements:
                cursor = con.execute(statement if isinstance(statement, str) else statement())
            assert cursor is not None
            description = cursor.description
            if not description:
                executed = [s if isinstance(s, str) else str(s) for s in statements]
                return QueryResult([], [], [], False, time.perf_counter() - started, len(statements), executed)
            columns = [d[0] for d in description]
            types = [str(d[1]) for d in description]
            if limit is None:
                rows = cursor.fetchall()
                truncated = False
                total = len(rows)
            else:
                rows = cursor.fetchmany(limit + 1)
                truncated = len(rows) > limit
                total = len(rows) + (remaining_rows(cursor) if truncated else 0)
                rows = rows[:limit]
        except duckdb.Error as exc:
            raise QueryError(sandbox_message(duckdb_message(str(exc)))) from None
        executed = [s if isinstance(s, str) else str(s) for s in statements]
        result = QueryResult(columns, types, rows, truncated, time.perf_counter() - started, len(statements), executed)
        result.total_rows = total
        return result

    # a transaction spans the statements that follow begin(), on each experiment's file they reach
    def begin(self) -> None:
        self._end("COMMIT")  # nothing of an earlier statement stays open inside the new transaction
        self._in_transaction = True

    def commit(self) -> None:
        self._end("COMMIT")

    def rollback(self) -> None:
        self._end("ROLLBACK")

    def _end(self, verb: str) -> None:
        open_cons, self._open, self._in_transaction = list(self._open.values()), {}, False
        for con in open_cons:
            self._transaction(con, verb)

    @staticmethod
    def _transaction(con: duckdb.DuckDBPyConnection, verb: str) -> None:
        try:
            con.execute(verb)
        except duckdb.Error as exc:
            if verb == "ROLLBACK" and "no transaction is active" in str(exc).lower():
                return  # a failed statement ended it already
            raise QueryError(duckdb_message(str(exc))) from None

    def query_arrow(self, experiment: str, sql: str, *, dialect: str) -> pa.Table:
        con, statements = self._prepare(experiment, sql, dialect)
        try:
            for statement in statements[:-1]:
                con.execute(statement if isinstance(statement, str) else statement())
            last = statements[-1]
            return con.execute(last if isinstance(last, str) else last()).to_arrow_table()
        except duckdb.Error as exc:
            raise QueryError(sandbox_message(duckdb_message(str(exc)))) from None

    def query_batches(self, experiment: str, sql: str, *, dialect: str, batch_rows: int) -> pa.RecordBatchReader:
        con, statements = self._prepare(experiment, sql, dialect)
        try:
            for statement in statements[:-1]:
                con.execute(statement if isinstance(statement, str) else statement())
            last = statements[-1]
            relation = con.sql(last if isinstance(last, str) else last())  # lazy: streams as it is read
            if relation is None:
                raise QueryError("the last statement returns no rows to export")
            return relation.to_arrow_reader(batch_rows)
        except duckdb.Error as exc:
            raise QueryError(sandbox_message(duckdb_message(str(exc)))) from None

    def execute_raw(self, experiment: str, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run engine SQL as is on the experiment's current file (internal use: tests, benchmarks)."""
        return self.connection(experiment).execute(sql, params or []).fetchall()
