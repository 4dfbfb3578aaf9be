"""The `snowflake` warehouse: Snowflake SQL through the real snowflake-connector-python, to the endpoint chosen by
settings (embedded by default, LocalStack Snowflake or a real account; see `connection.py`).

Namespaces: one database per experiment (the experiment name, upper-cased) with its tables in schema PUBLIC
(`snowflake_schema`), so users write `SELECT ... FROM customers` after `USE DATABASE <experiment>` or fully
qualified `<experiment>.public.customers`. With `snowflake_database` set, experiments are schemas of that one
database instead (for accounts where dw-sim may not create databases).

Loading follows the brief: the run's Parquet files are staged (internal stage via PUT, or an external `s3://`
stage on the configured S3 endpoint) and loaded with `COPY INTO ... FILE_FORMAT = (TYPE = PARQUET)`; never row by
row. Replacement is atomic: readers see the old rows until every table is loaded, and a failure leaves them.
"""

from __future__ import annotations

import io
import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dw_simulator import observability as obs
from dw_simulator.backends.base import Capabilities, ColumnProfile, QueryResult, WarehouseBackend
from dw_simulator.backends.profiling import profile_sql_plan
from dw_simulator.backends.snowflake.connection import Endpoint, connect, resolve_endpoint
from dw_simulator.backends.snowflake.types import is_semi_structured, snowflake_type
from dw_simulator.errors import BackendUnavailableError, QueryError
from dw_simulator.schema import ExperimentSchema, TableSchema

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.config import Settings

log = logging.getLogger(__name__)
POOL_SIZE = 4
STAGING_SUFFIX = "__DWSIM_LOAD"


def q(identifier: str) -> str:
    """A Snowflake quoted identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class SnowflakeBackend(WarehouseBackend):
    name = "snowflake"
    capabilities = Capabilities(
        engine_dialect="snowflake",
        embedded=False,
        schemas=True,
        transactional_ddl=False,
        native_json=True,
        staging_formats=("parquet",),
        max_identifier_length=255,
    )

    def __init__(self, settings: Settings, endpoint: Endpoint | None = None) -> None:
        super().__init__(settings)
        self._endpoint = endpoint
        self._pool: list[Any] = []
        self._lock = threading.Lock()

    # -- connections -----------------------------------------------------------------------------------------------
    @property
    def endpoint(self) -> Endpoint:
        with self._lock:
            if self._endpoint is None:
                self._endpoint = resolve_endpoint(self.settings)
            return self._endpoint

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A pooled connector connection, for one caller at a time."""
        with self._lock:
            conn = self._pool.pop() if self._pool else None
        if conn is None or conn.is_closed():
            conn = self._connect()
        healthy = True
        try:
            yield conn
        except BaseException:
            healthy = not conn.is_closed()
            raise
        finally:
            with self._lock:
                if healthy and len(self._pool) < POOL_SIZE and not conn.is_closed():
                    self._pool.append(conn)
                    conn = None
            if conn is not None:
                _close(conn)

    def _connect(self) -> Any:
        try:
            return connect(self.endpoint)
        except BackendUnavailableError:
            if self.endpoint.kind != "embedded":
                raise
            # the process serving the embedded endpoint may have stopped: find (or start) it again, once
            with self._lock:
                self._endpoint = None
                pool, self._pool = self._pool, []
            for stale in pool:
                _close(stale)
            return connect(self.endpoint)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, []
        for conn in pool:
            _close(conn)

    def ping(self) -> None:
        with self.connection() as conn:
            self._execute(conn.cursor(), "SELECT 1")

    @staticmethod
    def _execute(cursor: Any, sql: str, what: str | None = None) -> Any:
        import snowflake.connector.errors as sf_errors

        try:
            return cursor.execute(sql)
        except sf_errors.Error as exc:
            message = exc.msg or str(exc)
            raise QueryError(f"Snowflake: {message}" if what is None else f"{what}: {message}") from None

    # -- naming ----------------------------------------------------------------------------------------------------
    def namespace(self, experiment: str) -> tuple[str, str]:
        """(database, schema) holding the experiment's tables."""
        if self.settings.snowflake_database:
            return self.settings.snowflake_database.upper(), experiment.upper()
        return experiment.upper(), self.settings.snowflake_schema.upper()

    def _schema_ref(self, experiment: str) -> str:
        database, schema = self.namespace(experiment)
        return f"{q(database)}.{q(schema)}"

    def physical_name(self, experiment: str, table: str) -> str:
        return f"{self._schema_ref(experiment)}.{q(table.upper())}"

    def _table_ddl(
        self, experiment: str, table: TableSchema, *, name: str | None = None, verb: str = "CREATE TABLE"
    ) -> str:
        names = [c.name.upper() for c in table.columns]
        if len(set(names)) != len(names):
            raise QueryError(
                f"table '{table.name}' has column names that differ only in case; Snowflake folds unquoted names "
                "to upper case, so they would collide"
            )
        cols = []
        for column in table.columns:
            not_null = " NOT NULL" if column.required else ""
            cols.append(f"{q(column.name.upper())} {snowflake_type(column)}{not_null}")
        target = self.physical_name(experiment, name or table.name)
        return f"{verb} {target} ({', '.join(cols)})"

    # -- experiments -------------------------------------------------------------------------------------------------
    def create_experiment(self, schema: ExperimentSchema) -> None:
        database, namespace = self.namespace(schema.name)
        with self.connection() as conn:
            cur = conn.cursor()
            if self.settings.snowflake_database:
                self._execute(cur, f"CREATE DATABASE IF NOT EXISTS {q(database)}")
                self._execute(cur, f"CREATE OR REPLACE SCHEMA {q(database)}.{q(namespace)}")
            else:
                self._execute(cur, f"CREATE OR REPLACE DATABASE {q(database)}")
                self._execute(cur, f"CREATE SCHEMA IF NOT EXISTS {q(database)}.{q(namespace)}")
            try:
                for table in schema.tables:
                    self._execute(cur, self._table_ddl(schema.name, table), f"cannot create table '{table.name}'")
            except BaseException:
                self._drop_namespace(cur, schema.name)
                raise

    def _drop_namespace(self, cur: Any, experiment: str) -> None:
        database, namespace = self.namespace(experiment)
        if self.settings.snowflake_database:
            self._execute(cur, f"DROP SCHEMA IF EXISTS {q(database)}.{q(namespace)} CASCADE")
        else:
            self._execute(cur, f"DROP DATABASE IF EXISTS {q(database)}")

    @contextmanager
    def drop_experiment(self, experiment: str) -> Iterator[int]:
        # Snowflake DDL commits on its own, so the drop runs once the caller's block has succeeded
        dropped = len(self.existing_tables(experiment))
        yield dropped
        with self.connection() as conn:
            self._drop_namespace(conn.cursor(), experiment)
        self._delete_staged(experiment, keep=None)

    def existing_tables(self, experiment: str) -> list[str]:
        database, namespace = self.namespace(experiment)
        with self.connection() as conn:
            cur = conn.cursor()
            try:
                self._execute(
                    cur,
                    f"SELECT table_name FROM {q(database)}.information_schema.tables WHERE table_schema = "
                    f"{sql_string(namespace)} AND table_type = 'BASE TABLE' ORDER BY table_name",
                )
            except QueryError:
                return []  # no such database
            return [str(r[0]) for r in cur.fetchall() if not str(r[0]).endswith(STAGING_SUFFIX)]

    # -- loading -----------------------------------------------------------------------------------------------------
    def load_tables(self, schema: ExperimentSchema, files: dict[str, list[Path]]) -> dict[str, int]:
        tables: list[TableSchema] = []
        for table_name in files:
            table = schema.table(table_name)
            if table is None:
                raise QueryError(f"experiment '{schema.name}' has no table '{table_name}' to load")
            tables.append(table)
        for table in tables:
            for path in files[table.name]:
                if not Path(path).is_file():
                    raise QueryError(f"cannot load table '{table.name}': file {path} does not exist")
        token = f"{time.strftime('%Y%m%d%H%M%S')}_{secrets.token_hex(4)}"
        started = time.perf_counter()
        with self.connection() as conn:
            cur = conn.cursor()
            self._execute(cur, f"USE SCHEMA {self._schema_ref(schema.name)}", f"experiment '{schema.name}'")
            stage = f"{self._schema_ref(schema.name)}.{q('DWSIM_LOAD_' + token.upper())}"
            with obs.stage("stage", experiment=schema.name, warehouse=self.name):
                s3_prefix = self._stage(cur, schema.name, stage, token, tables, files)
            try:
                if self.endpoint.transactional_ddl:
                    self._swap_in_transaction(cur, schema.name, stage, tables, files)
                else:
                    self._swap_through_staging_tables(cur, schema.name, stage, tables, files)
            finally:
                try:
                    self._execute(cur, f"DROP STAGE IF EXISTS {stage}")
                except QueryError:
                    log.warning("could not drop the load stage", extra={"stage": stage})
            counts = self.row_counts(schema.name, [t.name for t in tables])
        if s3_prefix is not None:
            self._delete_staged(schema.name, keep=s3_prefix)
        log.info(
            "snowflake load",
            extra={"experiment": schema.name, "rows": sum(counts.values()), "elapsed_s": time.perf_counter() - started},
        )
        return counts

    def _s3_staging(self) -> bool:
        return bool(self.settings.s3_endpoint_url) and self.endpoint.local

    def _stage(
        self,
        cur: Any,
        experiment: str,
        stage: str,
        token: str,
        tables: list[TableSchema],
        files: dict[str, list[Path]],
    ) -> str | None:
        """Put the files on a stage under `<table>/`; returns the S3 prefix when staged on S3."""
        if self._s3_staging():
            from dw_simulator.backends.snowflake import s3 as s3lib

            prefix = f"snowflake/{experiment}/{token}/"
            client = s3lib.client(self.settings.s3_endpoint_url)
            uploads = [
                (Path(path), f"{prefix}{table.name.upper()}/{i:05d}-{Path(path).name}")
                for table in tables
                for i, path in enumerate(files[table.name])
            ]
            s3lib.upload(client, self.settings.s3_bucket, uploads)
            key, secret = _s3_keys()
            self._execute(
                cur,
                f"CREATE OR REPLACE TEMPORARY STAGE {stage} URL = {sql_string(f's3://{self.settings.s3_bucket}/{prefix}')}"
                f" CREDENTIALS = (AWS_KEY_ID = {sql_string(key)} AWS_SECRET_KEY = {sql_string(secret)})",
                "cannot create the S3 load stage",
            )
            return prefix
        self._execute(cur, f"CREATE OR REPLACE TEMPORARY STAGE {stage}", "cannot create the load stage")
        for table in tables:
            for i, group in enumerate(_put_groups(files[table.name])):
                target = f"@{stage}/{table.name.upper()}/{i:05d}/"
                self._execute(
                    cur,
                    f"PUT {sql_string('file://' + group)} {target} AUTO_COMPRESS = FALSE OVERWRITE = TRUE",
                    f"cannot stage the files of table '{table.name}'",
                )
        return None

    def _copy_sql(self, experiment: str, table: TableSchema, stage: str, target_name: str | None = None) -> str:
        target = self.physical_name(experiment, target_name or table.name)
        source = f"@{stage}/{table.name.upper()}/"
        if any(is_semi_structured(c) for c in table.columns):
            # JSON text in Parquet becomes VARIANT/OBJECT/ARRAY values with PARSE_JSON; other columns by name
            columns = ", ".join(q(c.name.upper()) for c in table.columns)
            values = ", ".join(
                f'PARSE_JSON($1:"{c.name}")' if is_semi_structured(c) else f'$1:"{c.name}"::{snowflake_type(c)}'
                for c in table.columns
            )
            return (
                f"COPY INTO {target} ({columns}) FROM (SELECT {values} FROM {source}) "
                "FILE_FORMAT = (TYPE = PARQUET) FORCE = TRUE"
            )
        return (
            f"COPY INTO {target} FROM {source} FILE_FORMAT = (TYPE = PARQUET) "
            "MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE FORCE = TRUE"
        )

    def _swap_in_transaction(
        self, cur: Any, experiment: str, stage: str, tables: list[TableSchema], files: dict[str, list[Path]]
    ) -> None:
        """Engines with transactional DDL: recreate and load every table inside one transaction."""
        self._execute(cur, "BEGIN")
        try:
            for table in tables:
                self._execute(cur, self._table_ddl(experiment, table, verb="CREATE OR REPLACE TABLE"))
                if files[table.name]:
                    self._execute(cur, self._copy_sql(experiment, table, stage), f"cannot load table '{table.name}'")
            self._execute(cur, "COMMIT")
        except BaseException:
            self._rollback(cur)
            raise

    def _swap_through_staging_tables(
        self, cur: Any, experiment: str, stage: str, tables: list[TableSchema], files: dict[str, list[Path]]
    ) -> None:
        """Snowflake commits DDL on its own: load side tables first, then replace the rows in one transaction."""
        staging = {t.name: f"{t.name}{STAGING_SUFFIX}" for t in tables}
        try:
            for table in tables:
                self._execute(
                    cur, self._table_ddl(experiment, table, name=staging[table.name], verb="CREATE OR REPLACE TABLE")
                )
                if files[table.name]:
                    self._execute(
                        cur,
                        self._copy_sql(experiment, table, stage, target_name=staging[table.name]),
                        f"cannot load table '{table.name}'",
                    )
            for table in tables:
                self._execute(cur, self._table_ddl(experiment, table, verb="CREATE TABLE IF NOT EXISTS"))
            self._execute(cur, "BEGIN")
            try:
                for table in tables:
                    columns = ", ".join(q(c.name.upper()) for c in table.columns)
                    target = self.physical_name(experiment, table.name)
                    self._execute(cur, f"DELETE FROM {target}")
                    self._execute(
                        cur,
                        f"INSERT INTO {target} ({columns}) SELECT {columns} "
                        f"FROM {self.physical_name(experiment, staging[table.name])}",
                        f"cannot replace the rows of table '{table.name}'",
                    )
                self._execute(cur, "COMMIT")
            except BaseException:
                self._rollback(cur)
                raise
        finally:
            for name in staging.values():
                try:
                    self._execute(cur, f"DROP TABLE IF EXISTS {self.physical_name(experiment, name)}")
                except QueryError:
                    log.warning("could not drop a staging table", extra={"table": name})

    def _rollback(self, cur: Any) -> None:
        try:
            self._execute(cur, "ROLLBACK")
        except QueryError:
            log.warning("rollback failed")

    def _delete_staged(self, experiment: str, keep: str | None) -> None:
        """Remove staged copies of older runs (or all of them) from the S3 bucket."""
        if not self.settings.s3_endpoint_url:
            return
        from dw_simulator.backends.snowflake import s3 as s3lib

        try:
            client = s3lib.client(self.settings.s3_endpoint_url)
            objects = s3lib.list_objects(client, self.settings.s3_bucket, f"snowflake/{experiment}/")
            s3lib.delete(
                client,
                self.settings.s3_bucket,
                [o.key for o in objects if keep is None or not o.key.startswith(keep)],
            )
        except Exception as exc:  # staging clean-up never fails a load or a delete
            log.warning("could not clean staged files", extra={"experiment": experiment, "error": str(exc)})

    def count_rows(self, experiment: str, table: str) -> int:
        with self.connection() as conn:
            cur = conn.cursor()
            self._execute(cur, f"SELECT COUNT(*) FROM {self.physical_name(experiment, table)}")
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def profile_table(self, experiment: str, table: TableSchema) -> list[ColumnProfile]:
        relation = self.physical_name(experiment, table.name)
        profiles: list[ColumnProfile] = []
        with self.connection() as conn:
            cur = conn.cursor()

            def run(sql: str) -> list[tuple[Any, ...]]:
                self._execute(cur, sql)
                return list(cur.fetchall())

            for column in table.columns:
                upper = column.model_copy(update={"name": column.name.upper()})
                profile = profile_sql_plan(upper, relation, run)
                profile.column = column.name
                profiles.append(profile)
        return profiles

    # -- SQL -----------------------------------------------------------------------------------------------------------
    def _statements(self, sql: str, dialect: str) -> list[str]:
        if dialect != "snowflake":
            from dw_simulator.sql.translate import translate

            return [s.engine_sql for s in translate(sql, read=dialect, write="snowflake")]
        from snowflake.connector.util_text import split_statements

        statements = [text.strip().rstrip(";").strip() for text, _ in split_statements(io.StringIO(sql))]
        statements = [s for s in statements if s]
        if not statements:
            raise QueryError("no SQL given")
        return statements

    def _run_statements(self, experiment: str, sql: str, dialect: str, conn: Any) -> tuple[Any, list[str]]:
        statements = self._statements(sql, dialect)
        cur = conn.cursor()
        try:
            self._execute(cur, f"USE SCHEMA {self._schema_ref(experiment)}")
        except QueryError:
            raise BackendUnavailableError(
                f"experiment '{experiment}' has no database on the {self.endpoint.description}"
            ) from None
        for statement in statements:
            self._execute(cur, statement)
        return cur, statements

    def query(self, experiment: str, sql: str, *, dialect: str, limit: int | None) -> QueryResult:
        from snowflake.connector.constants import FIELD_ID_TO_NAME

        started = time.perf_counter()
        with self.connection() as conn:
            cur, statements = self._run_statements(experiment, sql, dialect, conn)
            description = cur.description
            if not description:
                return QueryResult([], [], [], False, time.perf_counter() - started, len(statements), statements)
            columns = [d.name for d in description]
            types = [FIELD_ID_TO_NAME.get(d.type_code, str(d.type_code)) for d in description]
            if limit is None:
                rows = [tuple(r) for r in cur.fetchall()]
                truncated = False
            else:
                rows = [tuple(r) for r in cur.fetchmany(limit + 1)]
                truncated = len(rows) > limit
                rows = rows[:limit]
            affected = cur.rowcount if not rows and cur.rowcount is not None else None
            # the connector's rowcount is the result's size, as the server reported it
            count = cur.rowcount
            reported = count if truncated and isinstance(count, int) and limit is not None and count > limit else None
        result = QueryResult(
            columns, types, rows, truncated, time.perf_counter() - started, len(statements), statements
        )
        result.rows_affected = affected
        result.total_rows = reported if truncated else len(rows)
        return result

    def query_arrow(self, experiment: str, sql: str, *, dialect: str) -> pa.Table:
        import pyarrow as pa

        with self.connection() as conn:
            cur, _ = self._run_statements(experiment, sql, dialect, conn)
            try:
                table = cur.fetch_arrow_all(force_return_table=True)
            except Exception:  # a JSON result (DML counts): build the table from rows
                table = None
            if table is not None:
                return table
            columns = [d.name for d in cur.description or []]
            return pa.Table.from_pylist([dict(zip(columns, row, strict=False)) for row in cur.fetchall()])


def _put_groups(paths: list[Path]) -> list[str]:
    """PUT sources for the files: `dir/*.parquet` when a directory holds exactly these files, else one each."""
    by_dir: dict[Path, list[Path]] = {}
    for path in paths:
        resolved = Path(path).resolve()
        by_dir.setdefault(resolved.parent, []).append(resolved)
    groups: list[str] = []
    for directory, members in by_dir.items():
        for member in members:
            if "'" in str(member) or "*" in str(member) or "?" in str(member):
                raise QueryError(f"cannot stage {member}: PUT cannot address a path containing ', * or ?")
        suffixes = {m.suffix for m in members}
        if len(suffixes) == 1:
            suffix = suffixes.pop()
            present = {p.resolve() for p in directory.glob(f"*{suffix}")}
            if present == set(members):
                groups.append(f"{directory.as_posix()}/*{suffix}")
                continue
        groups.extend(m.as_posix() for m in members)
    return groups


def _s3_keys() -> tuple[str, str]:
    import os

    return os.environ.get("AWS_ACCESS_KEY_ID", "test"), os.environ.get("AWS_SECRET_ACCESS_KEY", "test")


def _close(conn: Any) -> None:
    try:
        conn.close()
    except Exception:
        log.debug("closing a Snowflake connection failed", exc_info=True)
