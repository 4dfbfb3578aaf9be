"""SQLite warehouse (listed in the brief): one database file per experiment, stdlib driver, no server."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dw_simulator.backends.base import ColumnProfile, QueryResult, WarehouseBackend
from dw_simulator.backends.profiling import profile_sql_plan
from dw_simulator.backends.sqlite.factory import SQLITE
from dw_simulator.errors import QueryError
from dw_simulator.schema import ColumnSchema, ExperimentSchema, TableSchema
from dw_simulator.schema.types import BaseType
from dw_simulator.sql.translate import translate
from dw_simulator.staging.parts import parts_dataset

if TYPE_CHECKING:
    from dw_simulator.config import Settings

SQLITE_TYPES: dict[BaseType, str] = {
    BaseType.SMALLINT: "INTEGER",
    BaseType.INT: "INTEGER",
    BaseType.BIGINT: "INTEGER",
    BaseType.FLOAT: "REAL",
    BaseType.DECIMAL: "NUMERIC",
    BaseType.BOOLEAN: "INTEGER",
    BaseType.BINARY: "BLOB",
}
INSERT_BATCH = 50_000


def q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sqlite_type(column: ColumnSchema) -> str:
    return SQLITE_TYPES.get(column.type_spec.base, "TEXT")


def _to_sqlite(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | dtime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class SQLiteBackend(WarehouseBackend):
    name = SQLITE.name
    capabilities = SQLITE.capabilities

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.root = settings.warehouse_dir / "sqlite"
        self._cons: dict[str, sqlite3.Connection] = {}

    def _path(self, experiment: str) -> Path:
        return self.root / f"{experiment.lower()}.sqlite"

    def connect(self, experiment: str) -> sqlite3.Connection:
        key = experiment.lower()
        if key not in self._cons:
            self.root.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self._path(experiment), isolation_level=None, timeout=30, check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            self._cons[key] = con
        return self._cons[key]

    def close(self) -> None:
        for con in self._cons.values():
            con.close()
        self._cons.clear()

    def ping(self) -> None:
        sqlite3.connect(":memory:").execute("SELECT 1").fetchall()

    def physical_name(self, experiment: str, table: str) -> str:
        return f"{self._path(experiment).name}:{q(table)}"

    def _create_sql(self, table: TableSchema) -> str:
        cols = [f"{q(c.name)} {sqlite_type(c)}{' NOT NULL' if c.required else ''}" for c in table.columns]
        return f"CREATE TABLE {q(table.name)} ({', '.join(cols)})"

    def create_experiment(self, schema: ExperimentSchema) -> None:
        con = self.connect(schema.name)
        con.execute("BEGIN")
        try:
            for existing in self.existing_tables(schema.name):
                con.execute(f"DROP TABLE {q(existing)}")
            for table in schema.tables:
                con.execute(self._create_sql(table))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    @contextmanager
    def drop_experiment(self, experiment: str) -> Iterator[int]:
        con = self.connect(experiment)
        con.execute("BEGIN")
        try:
            tables = self.existing_tables(experiment)
            for table in tables:
                con.execute(f"DROP TABLE {q(table)}")
            yield len(tables)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.close()
        self._cons.pop(experiment.lower(), None)
        for suffix in ("", "-wal", "-shm"):
            Path(str(self._path(experiment)) + suffix).unlink(missing_ok=True)

    def existing_tables(self, experiment: str) -> list[str]:
        if experiment.lower() not in self._cons and not self._path(experiment).exists():
            return []
        rows = self.connect(experiment).execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        return [r[0] for r in rows]

    def load_tables(self, schema: ExperimentSchema, files: Mapping[str, Sequence[Path | str]]) -> dict[str, int]:
        con = self.connect(schema.name)
        loaded: dict[str, int] = {}
        con.execute("BEGIN")
        try:
            for table_name, paths in files.items():
                table = schema.table(table_name)
                if table is None:
                    raise QueryError(f"experiment '{schema.name}' has no table '{table_name}' to load")
                con.execute(f"DROP TABLE IF EXISTS {q(table.name)}")
                con.execute(self._create_sql(table))
                names = [c.name for c in table.columns]
                insert = (
                    f"INSERT INTO {q(table.name)} ({', '.join(q(n) for n in names)}) "
                    f"VALUES ({', '.join('?' for _ in names)})"
                )
                total = 0
                if paths:
                    scanner = parts_dataset(list(paths), self.settings).scanner(columns=names, batch_size=INSERT_BATCH)
                    for batch in scanner.to_batches():
                        columns = [batch.column(n).to_pylist() for n in names]
                        rows = [tuple(_to_sqlite(v) for v in row) for row in zip(*columns, strict=True)]
                        con.executemany(insert, rows)
                        total += len(rows)
                loaded[table.name] = total
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return loaded

    def count_rows(self, experiment: str, table: str) -> int:
        return int(self.connect(experiment).execute(f"SELECT count(*) FROM {q(table)}").fetchone()[0])

    def profile_table(self, experiment: str, table: TableSchema) -> list[ColumnProfile]:
        con = self.connect(experiment)
        return [
            profile_sql_plan(column, q(table.name), lambda sql: con.execute(sql).fetchall()) for column in table.columns
        ]

    def query(self, experiment: str, sql: str, *, dialect: str, limit: int | None) -> QueryResult:
        started = time.perf_counter()
        statements = [s.engine_sql for s in translate(sql, read=dialect, write="sqlite")]
        con = self.connect(experiment)
        cursor: sqlite3.Cursor | None = None
        try:
            for statement in statements:
                cursor = con.execute(statement)
            assert cursor is not None
            if cursor.description is None:
                return QueryResult(
                    [],
                    [],
                    [],
                    False,
                    time.perf_counter() - started,
                    len(statements),
                    statements,
                    rows_affected=cursor.rowcount,
                )
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall() if limit is None else cursor.fetchmany(limit + 1)
            total = len(rows)
            if limit is not None and len(rows) > limit:
                total += sum(1 for _ in cursor)  # the rest of the result, counted
        except sqlite3.Error as exc:
            raise QueryError(f"SQLite: {exc}") from None
        truncated = limit is not None and len(rows) > limit
        rows = rows[:limit] if limit is not None else rows
        types = [_sqlite_value_type(rows, i) for i in range(len(columns))]
        return QueryResult(
            columns,
            types,
            [tuple(r) for r in rows],
            truncated,
            time.perf_counter() - started,
            len(statements),
            statements,
            total_rows=total,
        )


def _sqlite_value_type(rows: list[Any], index: int) -> str:
    for row in rows:
        value = row[index]
        if value is not None:
            return {int: "INTEGER", float: "REAL", str: "TEXT", bytes: "BLOB"}.get(type(value), "TEXT")
    return "NULL"
