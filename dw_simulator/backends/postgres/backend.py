"""PostgreSQL as a warehouse, and Redshift on PostgreSQL (the brief's `local-redshift-mock`).

One schema per experiment; names are folded to lower case as Redshift does. Loads stream Parquet batches through
`COPY ... FROM STDIN` (Arrow encodes CSV in C++), all tables of a run inside one transaction, so readers see the
old data until the whole run has loaded. `RedshiftBackend` reads users' SQL in the redshift dialect through dw-sim's
Redshift layer, stages each run's files in S3 when an endpoint is configured, and loads them with the same COPY
emulation that users' own `COPY ... FROM 's3://...'` statements use.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from dw_simulator import observability as obs
from dw_simulator.backends.base import ColumnProfile, QueryResult, WarehouseBackend
from dw_simulator.backends.postgres.copy_target import PostgresCopyTarget, arrow_of
from dw_simulator.backends.postgres.driver import error_message, psycopg_module, q, redact, type_name
from dw_simulator.backends.postgres.factory import POSTGRES_CAPABILITIES, REDSHIFT
from dw_simulator.backends.postgres.manifest_load import NEW_SUFFIX, ManifestLoad
from dw_simulator.backends.postgres.parallel_load import ParallelLoad, PartCopy
from dw_simulator.backends.postgres.types import postgres_type
from dw_simulator.backends.profiling import profile_sql_plan
from dw_simulator.errors import BackendUnavailableError, QueryError
from dw_simulator.schema import ExperimentSchema, TableSchema
from dw_simulator.sql.redshift.copy_unload import run_action
from dw_simulator.sql.translate import Statement, translate
from dw_simulator.staging.parts import is_s3_url, s3_stage

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.config import Settings
    from dw_simulator.staging import Stage

log = logging.getLogger(__name__)
DEFAULT_URL = "postgresql://mockuser:mockpass@localhost:5439/dev"  # docker-compose's local-redshift-mock
LOCAL_IAM_ROLE = "arn:aws:iam::000000000000:role/dw-sim-local"


class PostgresBackend(WarehouseBackend):
    name = "postgres"
    read_dialect: ClassVar[str] = "postgres"
    capabilities = POSTGRES_CAPABILITIES

    def __init__(self, settings: Settings, url: str | None = None) -> None:
        super().__init__(settings)
        self.url = url or settings.redshift_url or DEFAULT_URL
        self._conn: Any = None
        self._stage: Stage | None = None
        self._in_transaction = False  # between begin() and commit()/rollback(): query() leaves its work open

    # -- connection ---------------------------------------------------------------------------------------------------
    def connect(self) -> Any:
        if self._conn is None or self._conn.closed:
            conn = self.new_connection()
            self._conn = conn
            self._on_connect(conn)
        return self._conn

    def new_connection(self) -> Any:
        """A connection of its own (the backend's is `connect()`), set up the same way: UTC, JSON as text."""
        psycopg = psycopg_module()
        from psycopg.types.string import TextLoader

        try:
            conn = psycopg.connect(self.url, autocommit=False, connect_timeout=10)
        except psycopg.Error as exc:
            raise BackendUnavailableError(
                f"cannot connect to PostgreSQL at {redact(self.url)}: {str(exc).strip().splitlines()[0]}"
            ) from None
        # SUPER/json values come back as their JSON text, as Redshift clients receive them
        conn.adapters.register_loader("jsonb", TextLoader)
        conn.adapters.register_loader("json", TextLoader)
        conn.execute("SET TIME ZONE 'UTC'")
        conn.commit()
        return conn

    def _on_connect(self, conn: Any) -> None:
        """Hook for subclasses (the Redshift flavour installs its SQL library)."""

    def interrupt(self) -> bool:
        conn = self._conn
        if conn is None or conn.closed:
            return False
        conn.cancel_safe()  # a PostgreSQL cancel request on a separate connection
        return True

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None

    def ping(self) -> None:
        conn = self.connect()
        conn.execute("SELECT 1")
        conn.rollback()

    @property
    def stage(self) -> Stage:
        if self._stage is None:
            from dw_simulator.staging import stage_for

            self._stage = stage_for(self.settings)
        return self._stage

    # -- names --------------------------------------------------------------------------------------------------------
    @staticmethod
    def schema_name(experiment: str) -> str:
        return experiment.lower()

    def physical_name(self, experiment: str, table: str) -> str:
        return f"{q(experiment.lower())}.{q(table.lower())}"

    def _create_table_sql(self, experiment: str, table: TableSchema) -> str:
        return self._create_in_schema_sql(self.schema_name(experiment), table)

    @staticmethod
    def _create_in_schema_sql(schema_name: str, table: TableSchema, name: str | None = None) -> str:
        cols = []
        for column in table.columns:
            not_null = " NOT NULL" if column.required else ""
            cols.append(f"{q(column.name.lower())} {postgres_type(column)}{not_null}")
        return f"CREATE TABLE {q(schema_name)}.{q(name or table.name.lower())} ({', '.join(cols)})"

    # -- experiments --------------------------------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        conn = self.connect()
        psycopg = psycopg_module()
        try:
            with conn.cursor() as cur:
                yield cur
            conn.commit()
        except psycopg.Error as exc:
            conn.rollback()
            raise QueryError(error_message(exc)) from None
        except BaseException:
            conn.rollback()
            raise

    def create_experiment(self, schema: ExperimentSchema) -> None:
        with self._transaction() as cur:
            name = q(self.schema_name(schema.name))
            cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            cur.execute(f"CREATE SCHEMA {name}")
            for table in schema.tables:
                cur.execute(self._create_table_sql(schema.name, table))

    @contextmanager
    def drop_experiment(self, experiment: str) -> Iterator[int]:
        with self._transaction() as cur:
            dropped = len(self.existing_tables(experiment))
            cur.execute(f"DROP SCHEMA IF EXISTS {q(self.schema_name(experiment))} CASCADE")
            yield dropped
        self._forget_staged(experiment)

    def _forget_staged(self, experiment: str) -> None:
        """Best effort: remove the experiment's staged objects (`s3://<bucket>/<experiment>/`)."""
        if not self.settings.s3_endpoint_url:
            return
        try:
            self.stage.delete_prefix(f"s3://{self.settings.s3_bucket}/{experiment}/")
        except Exception as exc:  # staging cleanup must not undo a completed drop
            log.warning("could not remove staged files", extra={"experiment": experiment, "error": str(exc)})

    def existing_tables(self, experiment: str) -> list[str]:
        conn = self.connect()
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_name NOT LIKE %s "
            "ORDER BY table_name",
            (self.schema_name(experiment), "%" + NEW_SUFFIX.replace("_", r"\_")),
        ).fetchall()
        return [r[0] for r in rows]

    def catalog(self, experiment: str) -> dict[str, dict[str, str]]:
        conn = self.connect()
        rows = conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = %s "
            "ORDER BY table_name, ordinal_position",
            (self.schema_name(experiment),),
        ).fetchall()
        out: dict[str, dict[str, str]] = {}
        for table, column, data_type in rows:
            out.setdefault(table, {})[column] = data_type
        return out

    # -- data ---------------------------------------------------------------------------------------------------------
    def load_tables(self, schema: ExperimentSchema, files: Mapping[str, Sequence[Path | str]]) -> dict[str, int]:
        """One COPY per part over `load_connections` connections into new tables, then one short transaction
        that swaps them in (`parallel_load`): readers see the old rows until the swap commits."""
        tables: list[TableSchema] = []
        for table_name in files:
            table = schema.table(table_name)
            if table is None:
                raise QueryError(f"experiment '{schema.name}' has no table '{table_name}' to load")
            tables.append(table)
        stage, sources = self._stage_parts(schema.name, files)
        load = ParallelLoad(
            experiment=schema.name,
            schema_name=self.schema_name(schema.name),
            connect=self.new_connection,
            copy_target=lambda conn: PostgresCopyTarget(self, conn, schema.name),
            create_sql=self._create_in_schema_sql,
            connections=self.settings.load_connections,
            iam_role=LOCAL_IAM_ROLE,
        )
        parts = [PartCopy(t.name, url) for t in tables for url in sources[t.name]]
        with obs.stage("copy", experiment=schema.name, warehouse=self.name):
            loaded = load.run(self.connect(), schema, tables, parts, stage)
        return {t.name: loaded[t.name] for t in tables}

    def _stage_parts(
        self, experiment: str, files: Mapping[str, Sequence[Path | str]]
    ) -> tuple[Stage, dict[str, list[str]]]:
        """Where COPY reads each part: the run's own S3 objects; else local files uploaded to the S3 staging bucket
        when an endpoint is configured; else the generated files in place (made-up `s3://` URLs on a file list)."""
        kinds = {is_s3_url(p) for parts in files.values() for p in parts}
        if kinds == {True}:
            return s3_stage(self.settings), {t: [str(p) for p in parts] for t, parts in files.items()}
        if len(kinds) > 1:
            raise QueryError("a load takes either local Parquet files or s3:// objects, not both")
        local = {t: [Path(p) for p in parts] for t, parts in files.items()}
        run = _run_id(local)
        if self.settings.s3_endpoint_url:
            stage = self.stage
            present = {t: p for t, p in local.items() if p}
            with obs.stage("stage", experiment=experiment, warehouse=self.name):
                prefixes = stage.upload_run(experiment, run, present, self.settings.s3_bucket)
            return stage, {t: [prefixes[t] + p.name for p in paths] for t, paths in local.items()}
        from dw_simulator.staging.s3 import FileListStage

        listed = FileListStage()
        sources: dict[str, list[str]] = {}
        for table, paths in local.items():
            sources[table] = []
            for i, path in enumerate(paths):
                prefix = listed.add(f"s3://local-staging/{experiment}/{run}/{table}/{i:05d}/", [path])
                sources[table].append(prefix)
        return listed, sources

    def count_rows(self, experiment: str, table: str) -> int:
        conn = self.connect()
        row = conn.execute(f"SELECT count(*) FROM {self.physical_name(experiment, table)}").fetchone()
        conn.rollback()  # end the read's implicit transaction
        return int(row[0]) if row else 0

    def profile_table(self, experiment: str, table: TableSchema) -> list[ColumnProfile]:
        conn = self.connect()
        relation = self.physical_name(experiment, table.name)
        profiles = []
        try:
            for column in table.columns:
                lowered = column.model_copy(update={"name": column.name.lower()})
                profile = profile_sql_plan(
                    lowered, relation, lambda sql: conn.execute(sql).fetchall(), dialect="postgres"
                )
                profile.column = column.name
                profiles.append(profile)
        finally:
            conn.rollback()
        return profiles

    # -- SQL ----------------------------------------------------------------------------------------------------------
    def translate(self, experiment: str, sql: str, dialect: str) -> list[Statement]:
        catalog = self.catalog(experiment) if dialect == "redshift" else None
        return translate(sql, read=dialect, write="postgres", catalog=catalog)

    def _set_path(self, cur: Any, experiment: str) -> None:
        cur.execute("SELECT set_config('search_path', %s, false)", (f"{q(self.schema_name(experiment))}, public",))

    def query(self, experiment: str, sql: str, *, dialect: str, limit: int | None) -> QueryResult:
        started = time.perf_counter()
        conn = self.connect()
        psycopg = psycopg_module()
        statements = self.translate(experiment, sql, dialect)
        affected: int | None = None
        try:
            with conn.cursor() as cur:
                self._set_path(cur, experiment)
                description = None
                for statement in statements:
                    if statement.action is not None:
                        affected = run_action(
                            statement.action,
                            PostgresCopyTarget(self, conn, experiment),
                            self.stage,
                            query_id=self._query_id(),
                        )
                        description = None
                        continue
                    cur.execute(statement.engine_sql)
                    description = cur.description
                    affected = cur.rowcount if cur.rowcount >= 0 else None
                if not description:
                    self._end_statement(conn)
                    return QueryResult(
                        [],
                        [],
                        [],
                        False,
                        time.perf_counter() - started,
                        len(statements),
                        [s.engine_sql for s in statements],
                        affected,
                    )
                columns = [d.name for d in description]
                types = [type_name(conn, d.type_code) for d in description]
                if limit is None:
                    rows = cur.fetchall()
                    truncated = False
                else:
                    rows = cur.fetchmany(limit + 1)
                    truncated = len(rows) > limit
                    rows = rows[:limit]
                # a client-side cursor holds the whole result: rowcount is its size
                total = cur.rowcount if truncated and cur.rowcount >= 0 else (None if truncated else len(rows))
            self._end_statement(conn)
        except psycopg.Error as exc:
            self._abort(conn)
            raise QueryError(error_message(exc)) from None
        except BaseException:
            self._abort(conn)
            raise
        return QueryResult(
            columns,
            types,
            [tuple(r) for r in rows],
            truncated,
            time.perf_counter() - started,
            len(statements),
            [s.engine_sql for s in statements],
            affected,
            total,
        )

    def _end_statement(self, conn: Any) -> None:
        if not self._in_transaction:
            conn.commit()

    def _abort(self, conn: Any) -> None:
        """A failed statement ends the transaction (PostgreSQL would refuse every statement until ROLLBACK)."""
        self._in_transaction = False
        conn.rollback()

    def begin(self) -> None:
        conn = self.connect()
        conn.commit()  # nothing of an earlier statement stays open inside the new transaction
        self._in_transaction = True

    def commit(self) -> None:
        self._in_transaction = False
        self.connect().commit()

    def rollback(self) -> None:
        self._in_transaction = False
        self.connect().rollback()

    def query_arrow(self, experiment: str, sql: str, *, dialect: str) -> pa.Table:
        result = self.query(experiment, sql, dialect=dialect, limit=None)
        return arrow_of(result.columns, result.rows)

    def _query_id(self) -> int:
        return 0

    def execute_raw(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Run engine SQL as is (internal use: tests, benchmarks); commits."""
        conn = self.connect()
        with conn.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall() if cur.description else []
        conn.commit()
        return [tuple(r) for r in rows]


class RedshiftBackend(PostgresBackend):
    """Redshift on PostgreSQL: users' SQL is read in the redshift dialect through dw-sim's Redshift layer. When the
    URL reaches a real Redshift cluster, nothing is installed and runs load with `COPY ... MANIFEST`."""

    name = REDSHIFT.name
    read_dialect = "redshift"
    real_cluster: bool = False

    def _on_connect(self, conn: Any) -> None:
        from dw_simulator.sql.redshift import install_postgres

        row = conn.execute("SELECT version()").fetchone()
        conn.rollback()
        self.real_cluster = bool(row) and "redshift" in str(row[0]).lower()
        if self.real_cluster:
            log.warning("connected to a real Redshift cluster: dw-sim's Redshift SQL library is not installed")
            return
        psycopg = psycopg_module()
        try:
            install_postgres(conn)
        except psycopg.Error as exc:
            conn.rollback()
            raise BackendUnavailableError(f"cannot install the Redshift SQL library: {error_message(exc)}") from None

    def translate(self, experiment: str, sql: str, dialect: str) -> list[Statement]:
        return super().translate(experiment, sql, dialect)

    def _query_id(self) -> int:
        row = self.connect().execute("SELECT nextval('dwsim_redshift.query_id')").fetchone()
        return int(row[0]) if row else 0

    def load_tables(self, schema: ExperimentSchema, files: Mapping[str, Sequence[Path | str]]) -> dict[str, int]:
        conn = self.connect()
        mode = self.settings.redshift_load_mode
        if mode == "parts" or (mode == "auto" and not self.real_cluster):
            return super().load_tables(schema, files)
        tables = [t for t in schema.tables if t.name in files]
        if len(tables) != len(files):
            missing = next(t for t in files if schema.table(t) is None)
            raise QueryError(f"experiment '{schema.name}' has no table '{missing}' to load")
        stage = s3_stage(self.settings)
        parts = self._parts_on_s3(schema.name, files, stage)
        sizes = {u: stage.size(u) for urls in parts.values() for u in urls}
        load = ManifestLoad(
            schema_name=self.schema_name(schema.name),
            run_sql=lambda c, sql: self._run_redshift(c, schema.name, sql),
            create_sql=lambda schema_name, name, table: self._create_in_schema_sql(schema_name, table, name),
            iam_role=self.settings.redshift_iam_role,
        )
        with obs.stage("copy", experiment=schema.name, warehouse=self.name):
            return load.run(conn, tables, parts, stage, sizes)

    def _parts_on_s3(
        self, experiment: str, files: Mapping[str, Sequence[Path | str]], stage: Stage
    ) -> dict[str, list[str]]:
        if all(is_s3_url(p) for parts in files.values() for p in parts):
            return {t: [str(p) for p in parts] for t, parts in files.items()}
        local = {t: [Path(p) for p in parts] for t, parts in files.items()}
        with obs.stage("stage", experiment=experiment, warehouse=self.name):
            prefixes = stage.upload_run(experiment, _run_id(local), {t: p for t, p in local.items() if p},
                                        self.settings.s3_bucket)  # fmt: skip
        return {t: [prefixes[t] + p.name for p in paths] for t, paths in local.items()}

    def _run_redshift(self, conn: Any, experiment: str, sql: str) -> int:
        """Run one Redshift statement: on a real cluster as is, on the stand-in through the COPY emulation."""
        if self.real_cluster:
            with conn.cursor() as cur:
                cur.execute(sql)
                return int(cur.rowcount)
        statements = self.translate(experiment, sql, "redshift")
        rows = 0
        for statement in statements:
            if statement.action is not None:
                rows += run_action(
                    statement.action, PostgresCopyTarget(self, conn, experiment), s3_stage(self.settings)
                )
            else:
                conn.execute(statement.engine_sql)
        return rows


def _run_id(files: Mapping[str, list[Path]]) -> str:
    """The generator writes `<generated>/<experiment>/run-000042/<table>/...`; use that run id when present."""
    for paths in files.values():
        for path in paths:
            for parent in Path(path).parents:
                if re.fullmatch(r"run-\d+", parent.name):
                    return parent.name
    return "load-" + datetime.now().strftime("%Y%m%dT%H%M%S%f")
