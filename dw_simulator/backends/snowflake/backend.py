"""The `snowflake` warehouse: Snowflake SQL through the real snowflake-connector-python, to the endpoint chosen by
settings (embedded by default, LocalStack Snowflake or a real account; see `connection.py`).

Experiments' namespaces are described in `namespaces.py`; loading (stage, COPY INTO, atomic swap) in `loading.py`.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dw_simulator.backends.base import ColumnProfile, QueryResult, WarehouseBackend
from dw_simulator.backends.profiling import profile_sql_plan
from dw_simulator.backends.snowflake.connection import Endpoint
from dw_simulator.backends.snowflake.factory import SNOWFLAKE
from dw_simulator.backends.snowflake.loading import StagedLoader
from dw_simulator.backends.snowflake.namespaces import STAGING_SUFFIX, Namespaces, q, sql_string
from dw_simulator.backends.snowflake.pool import ConnectionPool, execute
from dw_simulator.errors import BackendUnavailableError, QueryError
from dw_simulator.staging.parts import is_s3_url

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.config import Settings
    from dw_simulator.schema import ExperimentSchema, TableSchema

log = logging.getLogger(__name__)
# statements that change the session's state: their connection is not handed to the next query
_SESSION_STATE = re.compile(
    r"^\s*(?:ALTER\s+SESSION|SET\s|UNSET\s|USE\s|BEGIN\b|START\s+TRANSACTION|"
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:LOCAL\s+|GLOBAL\s+)?TEMP(?:ORARY)?\s)",
    re.I,
)


class SnowflakeBackend(WarehouseBackend):
    name = SNOWFLAKE.name
    capabilities = SNOWFLAKE.capabilities

    def __init__(self, settings: Settings, endpoint: Endpoint | None = None) -> None:
        super().__init__(settings)
        self._pool = ConnectionPool(settings, endpoint)
        self._names = Namespaces(settings)
        self._loader = StagedLoader(settings, self._names, self.name)

    # -- connections -----------------------------------------------------------------------------------------------
    @property
    def endpoint(self) -> Endpoint:
        return self._pool.endpoint

    def connection(self) -> AbstractContextManager[Any]:
        """A pooled connector connection, for one caller at a time."""
        return self._pool.connection()

    def close(self) -> None:
        self._pool.close()

    def ping(self) -> None:
        with self.connection() as conn:
            self._execute(conn.cursor(), "SELECT 1")

    _execute = staticmethod(execute)

    # -- naming ----------------------------------------------------------------------------------------------------
    def namespace(self, experiment: str) -> tuple[str, str]:
        """(database, schema) holding the experiment's tables."""
        return self._names.namespace(experiment)

    def _schema_ref(self, experiment: str) -> str:
        return self._names.schema_ref(experiment)

    def physical_name(self, experiment: str, table: str) -> str:
        return self._names.physical_name(experiment, table)

    def _table_ddl(
        self, experiment: str, table: TableSchema, *, name: str | None = None, verb: str = "CREATE TABLE"
    ) -> str:
        return self._names.table_ddl(experiment, table, name=name, verb=verb)

    def _copy_sql(self, experiment: str, table: TableSchema, stage: str, target_name: str | None = None) -> str:
        return self._names.copy_sql(experiment, table, stage, target_name)

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
        self._loader.delete_staged(experiment, keep=None)

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
    def load_tables(self, schema: ExperimentSchema, files: Mapping[str, Sequence[Path | str]]) -> dict[str, int]:
        tables: list[TableSchema] = []
        for table_name in files:
            table = schema.table(table_name)
            if table is None:
                raise QueryError(f"experiment '{schema.name}' has no table '{table_name}' to load")
            tables.append(table)
        for table in tables:
            for path in files[table.name]:
                if not is_s3_url(path) and not Path(path).is_file():
                    raise QueryError(f"cannot load table '{table.name}': file {path} does not exist")
        token = f"{time.strftime('%Y%m%d%H%M%S')}_{secrets.token_hex(4)}"
        started = time.perf_counter()
        with self.connection() as conn:
            s3_prefix = self._loader.load(
                conn.cursor(),
                schema.name,
                token,
                tables,
                files,
                s3=self._s3_staging(),
                transactional_ddl=self.endpoint.transactional_ddl,
            )
            counts = self.row_counts(schema.name, [t.name for t in tables])
        if s3_prefix is not None:
            self._loader.delete_staged(schema.name, keep=s3_prefix)
        log.info(
            "snowflake load",
            extra={"experiment": schema.name, "rows": sum(counts.values()), "elapsed_s": time.perf_counter() - started},
        )
        return counts

    def _s3_staging(self) -> bool:
        return bool(self.settings.s3_endpoint_url) and self.endpoint.local

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
        if any(_SESSION_STATE.match(statement) for statement in statements):
            self._pool.retire(conn)
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
