"""Embedded DuckDB: the zero-setup default warehouse. One database file; one schema per experiment."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from dw_simulator.backends.base import ColumnProfile, QueryResult, WarehouseBackend
from dw_simulator.backends.duckdb.factory import DUCKDB
from dw_simulator.backends.duckdb.types import duckdb_type
from dw_simulator.backends.profiling import profile_sql_plan
from dw_simulator.errors import BackendUnavailableError, QueryError
from dw_simulator.schema import ExperimentSchema, TableSchema
from dw_simulator.sql.engine_errors import duckdb_message
from dw_simulator.sql.translate import translate
from dw_simulator.staging.parts import is_s3_url, parts_dataset

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.config import Settings

log = logging.getLogger(__name__)
LOCK_WAIT_S = 15.0


def q(identifier: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + identifier.replace('"', '""') + '"'


class DuckDBBackend(WarehouseBackend):
    name = DUCKDB.name
    capabilities = DUCKDB.capabilities

    def __init__(self, settings: Settings, path: Path | None = None) -> None:
        super().__init__(settings)
        self.path = path or settings.warehouse_dir / "duckdb" / "warehouse.duckdb"
        self._con: duckdb.DuckDBPyConnection | None = None
        self._snowflake: Any = None  # the Snowflake layer over this warehouse (`_snowflake_layer`)
        self._in_transaction = False

    # -- connection ------------------------------------------------------------------------------------------------
    def connect(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            deadline = time.monotonic() + LOCK_WAIT_S
            while True:
                try:
                    self._con = duckdb.connect(str(self.path))
                    break
                except duckdb.IOException as exc:
                    if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                        raise BackendUnavailableError(
                            f"cannot open the embedded warehouse {self.path}: {exc}".splitlines()[0]
                        ) from None
                    time.sleep(0.2)
        return self._con

    def close(self) -> None:
        if self._snowflake:
            self._snowflake.close()
        self._snowflake = None
        if self._con is not None:
            self._con.close()
            self._con = None

    def interrupt(self) -> bool:
        if self._snowflake and self._snowflake.interrupt():
            return True
        con = self._con
        if con is None:
            return False
        con.interrupt()
        return True

    def ping(self) -> None:
        self.connect().execute("SELECT 1").fetchall()

    # -- experiments ---------------------------------------------------------------------------------------------------
    def physical_name(self, experiment: str, table: str) -> str:
        return f"{q(experiment)}.{q(table)}"

    def _create_table_sql(self, experiment: str, table: TableSchema, *, replace: bool = False) -> str:
        cols = []
        for column in table.columns:
            not_null = " NOT NULL" if column.required else ""
            cols.append(f"{q(column.name)} {duckdb_type(column)}{not_null}")
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
        return f"{verb} {self.physical_name(experiment, table.name)} ({', '.join(cols)})"

    def create_experiment(self, schema: ExperimentSchema) -> None:
        con = self.connect()
        con.begin()
        try:
            con.execute(f"DROP SCHEMA IF EXISTS {q(schema.name)} CASCADE")
            con.execute(f"CREATE SCHEMA {q(schema.name)}")
            for table in schema.tables:
                con.execute(self._create_table_sql(schema.name, table))
            con.commit()
        except BaseException:
            con.rollback()
            raise

    @contextmanager
    def drop_experiment(self, experiment: str) -> Iterator[int]:
        con = self.connect()
        con.begin()
        try:
            dropped = len(self.existing_tables(experiment))
            con.execute(f"DROP SCHEMA IF EXISTS {q(experiment)} CASCADE")
            yield dropped
            con.commit()
        except BaseException:
            con.rollback()
            raise

    def existing_tables(self, experiment: str) -> list[str]:
        rows = (
            self.connect()
            .execute(
                "SELECT table_name FROM information_schema.tables WHERE lower(table_schema) = lower(?) "
                "ORDER BY table_name",
                [experiment],
            )
            .fetchall()
        )
        return [r[0] for r in rows]

    # -- data ----------------------------------------------------------------------------------------------------------
    def load_tables(self, schema: ExperimentSchema, files: Mapping[str, Sequence[Path | str]]) -> dict[str, int]:
        """Every table recreated and filled in one transaction: `read_parquet` over the run's folder glob (or
        its file list), or an Arrow dataset over the S3 objects. Readers see the old rows until it commits."""
        con = self.connect()
        loaded: dict[str, int] = {}
        con.begin()
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {q(schema.name)}")
            for table_name, parts in files.items():
                table = schema.table(table_name)
                if table is None:
                    raise QueryError(f"experiment '{schema.name}' has no table '{table_name}' to load")
                con.execute(self._create_table_sql(schema.name, table, replace=True))
                if parts:
                    columns = ", ".join(q(c.name) for c in table.columns)
                    relation = self.physical_name(schema.name, table.name)
                    if any(is_s3_url(p) for p in parts):
                        con.register("__dwsim_parts", parts_dataset(parts, self.settings))
                        try:
                            con.execute(f"INSERT INTO {relation} ({columns}) SELECT {columns} FROM __dwsim_parts")
                        finally:
                            con.unregister("__dwsim_parts")
                    else:
                        source = parquet_source([Path(p) for p in parts])
                        con.execute(f"INSERT INTO {relation} ({columns}) SELECT {columns} FROM read_parquet({source})")
                row = con.execute(f"SELECT count(*) FROM {self.physical_name(schema.name, table.name)}").fetchone()
                loaded[table.name] = int(row[0]) if row else 0
            con.commit()
        except BaseException:
            con.rollback()
            raise
        return loaded

    def count_rows(self, experiment: str, table: str) -> int:
        row = self.connect().execute(f"SELECT count(*) FROM {self.physical_name(experiment, table)}").fetchone()
        return int(row[0]) if row else 0

    def profile_table(self, experiment: str, table: TableSchema) -> list[ColumnProfile]:
        con = self.connect()
        relation = self.physical_name(experiment, table.name)
        return [profile_sql_plan(column, relation, lambda sql: con.execute(sql).fetchall()) for column in table.columns]

    # -- SQL ----------------------------------------------------------------------------------------------------
    def _prepare(self, experiment: str, sql: str, dialect: str) -> tuple[duckdb.DuckDBPyConnection, list[Any]]:
        con = self.connect()
        con.execute(f"SET search_path = '{experiment}'")
        if dialect == "redshift":  # the Redshift layer: its macros, and COPY/UNLOAD run as actions
            from dw_simulator.sql.redshift.duckdb_runner import prepare_redshift

            return con, prepare_redshift(con, experiment, sql, self.settings)
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

    def _snowflake_layer(self) -> Any:
        """The Snowflake session layer over this warehouse (None without the snowflake extra: Snowflake SQL is
        then translated statement by statement, without the layer's emulation)."""
        if self._snowflake is None:
            try:
                from dw_simulator.backends.snowflake.duckdb_target import SnowflakeOnDuckDB
            except ImportError:
                log.warning("dw-sim[snowflake] is not installed: Snowflake SQL runs on DuckDB by plain translation")
                self._snowflake = False
            else:
                try:
                    self._snowflake = SnowflakeOnDuckDB(self.connect(), self.path.parent)
                except duckdb.Error as exc:  # interrupted, or the warehouse cannot take the layer's catalog
                    raise QueryError(duckdb_message(str(exc))) from None
                if self._in_transaction:
                    self._snowflake.begin()
        return self._snowflake or None

    def _run_snowflake(self, layer: Any, experiment: str, sql: str) -> Any:
        import snowflake.connector.errors as sf_errors

        try:
            return layer.run(experiment, sql)
        except sf_errors.Error as exc:
            raise QueryError(f"Snowflake: {exc.raw_msg or exc}") from None

    def _query_snowflake(self, layer: Any, experiment: str, sql: str, limit: int | None) -> QueryResult:
        started = time.perf_counter()
        outcome = self._run_snowflake(layer, experiment, sql)
        table = outcome.table
        truncated = limit is not None and table is not None and table.num_rows > limit
        if truncated:
            outcome.table = table.slice(0, limit)
        rows = outcome.rows
        elapsed = time.perf_counter() - started
        result = QueryResult(outcome.columns, outcome.types, rows, truncated, elapsed, len(outcome.statements),
                             outcome.statements)  # fmt: skip
        if not outcome.columns:
            result.rows_affected = outcome.rowcount
        return result

    def query(self, experiment: str, sql: str, *, dialect: str, limit: int | None) -> QueryResult:
        if dialect == "snowflake" and (layer := self._snowflake_layer()) is not None:
            return self._query_snowflake(layer, experiment, sql, limit)
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
                total = len(rows) + (_remaining_rows(cursor) if truncated else 0)
                rows = rows[:limit]
        except duckdb.Error as exc:
            raise QueryError(duckdb_message(str(exc))) from None
        executed = [s if isinstance(s, str) else str(s) for s in statements]
        result = QueryResult(columns, types, rows, truncated, time.perf_counter() - started, len(statements), executed)
        result.total_rows = total
        return result

    def begin(self) -> None:
        self._transaction("BEGIN TRANSACTION")
        self._in_transaction = True
        if self._snowflake:
            self._snowflake.begin()

    def commit(self) -> None:
        self._end("COMMIT")

    def rollback(self) -> None:
        self._end("ROLLBACK")

    def _end(self, verb: str) -> None:
        """End the transaction on the warehouse connection and in the Snowflake layer's sessions."""
        self._in_transaction = False
        try:
            if self._snowflake:
                import snowflake.connector.errors as sf_errors

                try:
                    self._snowflake.end(verb)
                except sf_errors.Error as exc:
                    raise QueryError(f"Snowflake: {exc.raw_msg or exc}") from None
        finally:
            self._transaction(verb)

    def _transaction(self, verb: str) -> None:
        try:
            self.connect().execute(verb)
        except duckdb.Error as exc:
            raise QueryError(duckdb_message(str(exc))) from None

    def query_arrow(self, experiment: str, sql: str, *, dialect: str) -> pa.Table:
        if dialect == "snowflake" and (layer := self._snowflake_layer()) is not None:
            import pyarrow as pa

            outcome = self._run_snowflake(layer, experiment, sql)
            return outcome.table if outcome.table is not None else pa.table({})
        con, statements = self._prepare(experiment, sql, dialect)
        try:
            for statement in statements[:-1]:
                con.execute(statement if isinstance(statement, str) else statement())
            last = statements[-1]
            return con.execute(last if isinstance(last, str) else last()).to_arrow_table()
        except duckdb.Error as exc:
            raise QueryError(duckdb_message(str(exc))) from None

    def query_batches(self, experiment: str, sql: str, *, dialect: str, batch_rows: int) -> pa.RecordBatchReader:
        if dialect == "snowflake" and self._snowflake_layer() is not None:  # the Snowflake layer's whole result
            import pyarrow as pa

            table = self.query_arrow(experiment, sql, dialect=dialect)
            return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=batch_rows))
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
            raise QueryError(duckdb_message(str(exc))) from None

    def execute_raw(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run engine SQL as is (internal use: tests, profiling)."""
        return self.connect().execute(sql, params or []).fetchall()


def parquet_source(paths: list[Path]) -> str:
    """`read_parquet`'s argument: the folder's glob when the parts are exactly the files it matches (one short
    statement however many parts a run has), else the list of files."""

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    folders = {p.parent for p in paths}
    if len(folders) == 1 and not any(c in str(paths[0].parent) for c in "*?[]{}"):
        folder = folders.pop()
        pattern = folder / "part-*.parquet"
        if sorted(folder.glob("part-*.parquet")) == sorted(paths):
            return literal(str(pattern))
    return "[" + ", ".join(literal(str(p)) for p in paths) + "]"


def _remaining_rows(cursor: duckdb.DuckDBPyConnection) -> int:
    """Count the rows a (materialised) result still holds, without making Python objects of them."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Arrow output on a DB-API result makes an extra copy": batch by batch
        reader = cursor.to_arrow_reader(100_000)
        return 0 if reader is None else sum(batch.num_rows for batch in reader)
