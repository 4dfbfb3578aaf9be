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
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from dw_simulator.backends.base import ColumnProfile, QueryResult, WarehouseBackend
from dw_simulator.backends.postgres import run_loads, runs
from dw_simulator.backends.postgres.copy_target import PostgresCopyTarget, arrow_of
from dw_simulator.backends.postgres.driver import error_message, psycopg_module, q, redact, type_name
from dw_simulator.backends.postgres.factory import POSTGRES_CAPABILITIES, REDSHIFT
from dw_simulator.backends.postgres.runs import NEW_SUFFIX
from dw_simulator.backends.postgres.types import postgres_type
from dw_simulator.backends.profiling import profile_sql_plan
from dw_simulator.errors import BackendUnavailableError, QueryError
from dw_simulator.schema import ExperimentSchema, TableSchema
from dw_simulator.sql.redshift.copy_unload import run_action
from dw_simulator.sql.translate import Statement, translate
from dw_simulator.staging.parts import s3_stage

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.config import Settings
    from dw_simulator.staging import Stage

log = logging.getLogger(__name__)
_WARNED_SUPERUSER: set[str] = set()
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
            superuser = conn.execute("SELECT current_setting('is_superuser') = 'on'").fetchone()
            conn.commit()
            if superuser and superuser[0]:
                self._warn_superuser()
            self._conn = conn
            self._on_connect(conn)
        return self._conn

    def _warn_superuser(self) -> None:
        """Users' SQL runs as the URL's role: a superuser can read and write the server's files (`pg_read_file`,
        `COPY ... TO '/path'`) and every database. Said once per process and URL."""
        if not self.settings.sql_sandbox or self.url in _WARNED_SUPERUSER:
            return
        _WARNED_SUPERUSER.add(self.url)
        log.warning(
            f"the PostgreSQL URL {redact(self.url)} logs in as a superuser: users' SQL can read and write the "
            "server's files (pg_read_file, COPY ... TO) and other databases; use a role that is not a superuser "
            "(it needs CREATE on the database) or set DW_SIM_SQL_SANDBOX=false to accept it",
            extra={"url": redact(self.url)},
        )

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
    def _transaction(self, *, raw: bool = False) -> Iterator[Any]:
        """A cursor in a transaction committed when the block ends; psycopg errors become QueryError (or, with
        `raw`, propagate as they are, for callers that retry some of them)."""
        conn = self.connect()
        psycopg = psycopg_module()
        try:
            with conn.cursor() as cur:
                yield cur
            conn.commit()
        except psycopg.Error as exc:
            conn.rollback()
            if raw:
                raise
            raise QueryError(error_message(exc)) from None
        except BaseException:
            conn.rollback()
            raise

    def create_experiment(self, schema: ExperimentSchema) -> None:
        with self._transaction() as cur:
            name = q(self.schema_name(schema.name))
            cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            if runs.current_run(cur, schema.name) is not None:
                cur.execute("DELETE FROM dwsim_runs.current_runs WHERE experiment = %s", (schema.name.lower(),))
            cur.execute(f"CREATE SCHEMA {name}")
            for table in schema.tables:
                cur.execute(self._create_table_sql(schema.name, table))

    @contextmanager
    def drop_experiment(self, experiment: str) -> Iterator[int]:
        with self._transaction() as cur:
            dropped = len(self.existing_tables(experiment))
            cur.execute(f"DROP SCHEMA IF EXISTS {q(self.schema_name(experiment))} CASCADE")
            for staged, _run in runs.prepared_runs(cur, experiment):
                cur.execute(f"DROP SCHEMA IF EXISTS {q(staged)} CASCADE")
            runs.drop_unregistered(cur, experiment, self.schema_name(experiment))
            if runs.current_run(cur, experiment) is not None or runs.prepared_runs(cur, experiment):
                cur.execute("DELETE FROM dwsim_runs.prepared WHERE experiment = %s", (experiment.lower(),))
                cur.execute("DELETE FROM dwsim_runs.current_runs WHERE experiment = %s", (experiment.lower(),))
            yield dropped
        run_loads.forget_staged(self, experiment)

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
    # (a run is loaded out of readers' sight and swapped in at one point: `run_loads`)
    def prepare_run(
        self, schema: ExperimentSchema, run: str, files: Mapping[str, Sequence[Path | str]]
    ) -> dict[str, int]:
        """One COPY per part over `load_connections` connections into new tables of the run's own load schema;
        readers keep reading the experiment's tables."""
        return run_loads.prepare_parts(self, schema, run, files)

    def commit_run(self, experiment: str, run: str) -> None:
        """One short transaction: swap the run's tables in and record it as current (retried on lock timeouts)."""
        run_loads.commit(self, experiment, run)

    def current_run(self, experiment: str) -> str | None:
        with self._transaction() as cur:
            return runs.current_run(cur, experiment)

    def discard_run(self, experiment: str, run: str) -> None:
        run_loads.discard(self, experiment, run)

    def leftover_runs(self, experiment: str) -> list[str]:
        return run_loads.leftovers(self, experiment)

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

    def prepare_run(
        self, schema: ExperimentSchema, run: str, files: Mapping[str, Sequence[Path | str]]
    ) -> dict[str, int]:
        """On a real cluster (or `redshift_load_mode = manifest`): one `COPY ... MANIFEST` per table from S3 into
        new tables beside the old ones (`manifest_load`); else one COPY per part (PostgreSQL's way)."""
        mode = self.settings.redshift_load_mode
        if mode == "parts" or (mode == "auto" and not self.real_cluster):
            return super().prepare_run(schema, run, files)
        return run_loads.prepare_manifest(self, schema, run, files)

    def run_redshift(self, conn: Any, experiment: str, sql: str) -> int:
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
