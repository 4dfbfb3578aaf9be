"""COPY and UNLOAD's view of a PostgreSQL connection: the target table's columns, Arrow batches streamed in through
`COPY ... FROM STDIN`, load errors recorded where Redshift keeps them, and UNLOAD's query as Arrow."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from dw_simulator.backends.postgres.driver import psycopg_module, q
from dw_simulator.backends.postgres.types import column_kind
from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.copy_unload import ColumnInfo

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.sql.translate import Statement


class TranslatingBackend(Protocol):
    """What COPY/UNLOAD use of the backend (`backend.PostgresBackend`)."""

    @property
    def url(self) -> str: ...  # for a side connection that outlives the statement's transaction
    def translate(self, experiment: str, sql: str, dialect: str) -> list[Statement]: ...
    def _set_path(self, cur: Any, experiment: str) -> None: ...


class PostgresCopyTarget:
    """COPY/UNLOAD's view of a PostgreSQL connection (the statement's own transaction)."""

    def __init__(self, backend: TranslatingBackend, conn: Any, experiment: str, *, freeze: bool = False) -> None:
        self.backend = backend
        self.conn = conn
        self.experiment = experiment
        self.freeze = freeze

    def table_columns(self, table: str) -> tuple[str, list[ColumnInfo]]:
        parts = [p.strip().strip('"').lower() for p in re.split(r'\.(?=(?:[^"]*"[^"]*")*[^"]*$)', table)]
        qualified = ".".join(q(p) for p in parts)
        if len(parts) == 1:
            qualified = q(parts[0])
        with self.conn.cursor() as cur:
            self.backend._set_path(cur, self.experiment)
            row = cur.execute("SELECT to_regclass(%s)::oid", (qualified,)).fetchone()
            if row is None or row[0] is None:
                raise QueryError(f'relation "{table}" does not exist')
            rows = cur.execute(
                "SELECT a.attname, t.typname, format_type(a.atttypid, a.atttypmod), a.atttypmod, a.attnotnull "
                "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = %s AND a.attnum > 0 "
                "AND NOT a.attisdropped ORDER BY a.attnum",
                (row[0],),
            ).fetchall()
        columns = []
        for name, _typname, formatted, typmod, notnull in rows:
            base = re.sub(r"\(.*\)", "", formatted).strip()
            info = ColumnInfo(name=name, kind=column_kind(base), nullable=not notnull)
            if info.kind in ("varchar", "char") and typmod > 4:
                info.length = typmod - 4
            if info.kind == "numeric" and typmod > 4:
                info.precision = ((typmod - 4) >> 16) & 0xFFFF
                info.scale = (typmod - 4) & 0xFFFF
            columns.append(info)
        return qualified, columns

    def load_arrow(self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]) -> int:
        from dw_simulator.backends.postgres.arrow_copy import copy_batches

        cols = ", ".join(q(c) for c in columns)
        freeze = ", FREEZE" if self.freeze else ""
        with self.conn.cursor() as cur:
            return copy_batches(cur, f"COPY {table} ({cols}) FROM STDIN (FORMAT csv{freeze})", batches)

    def record_load_errors(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        psycopg = psycopg_module()
        names = list(rows[0])
        sql = (
            f"INSERT INTO dwsim_redshift.stl_load_errors ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
        )
        # a separate connection: the rows must survive the rollback of the failing COPY
        with psycopg.connect(self.backend.url, autocommit=True, connect_timeout=10) as side, side.cursor() as cur:
            cur.executemany(sql, [[r[n] for n in names] for r in rows])

    def query_arrow(self, redshift_sql: str) -> pa.Table:
        statements = self.backend.translate(self.experiment, redshift_sql, "redshift")
        if len(statements) != 1 or statements[0].action is not None:
            raise QueryError("UNLOAD takes one SELECT statement")
        with self.conn.cursor() as cur:
            self.backend._set_path(cur, self.experiment)
            cur.execute(statements[0].engine_sql)
            if not cur.description:
                raise QueryError("UNLOAD's query returned no result set")
            names = [d.name for d in cur.description]
            rows = cur.fetchall()
        return arrow_of(names, rows)


def arrow_of(names: list[str], rows: list[tuple[Any, ...]]) -> pa.Table:
    import pyarrow as pa

    if not rows:
        return pa.table({n: pa.array([], type=pa.null()) for n in names})
    return pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows])
