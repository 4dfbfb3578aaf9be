"""The Snowflake session layer over the embedded DuckDB warehouse: a Snowflake-dialect experiment whose target is
DuckDB runs its SQL through the same sessions as the embedded Snowflake endpoint (rewrites, scripting, metadata,
error messages), so the dialect, not the target, decides how Snowflake SQL behaves.

The warehouse file is the session's database and the experiment's schema its current schema. Names are read as
Snowflake reads them, except that the lower-case tables dw-sim generates answer to unquoted names
(`customers` is found as CUSTOMERS). The layer's own catalog (procedures, object registry) is kept next to the
warehouse file.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dw_simulator.backends.snowflake.cursor import DwSimConnection, connect
from dw_simulator.backends.snowflake.instance import Engine, EngineConfig
from dw_simulator.backends.snowflake.result_columns import normalise
from dw_simulator.sql.snowflake import SessionContext

GLOBAL_FILE = "_snowflake_layer.duckdb"


@dataclass
class Outcome:
    columns: list[str]
    types: list[str]
    table: pa.Table | None  # the result as a Snowflake client reads it (ARRAY/OBJECT as JSON text), named `columns`
    rowcount: int | None
    statements: list[str]

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        if self.table is None:
            return []
        data = [column.to_pylist() for column in self.table.columns]
        return list(zip(*data, strict=True)) if data else []


class SnowflakeOnDuckDB:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, warehouse_dir: Path, context: SessionContext | None = None
    ) -> None:
        row = con.execute("SELECT current_database()").fetchone()
        assert row is not None
        self.catalog = str(row[0])
        config = EngineConfig(db_dir=None, context=context or SessionContext(), strict_name_case=False)
        self.engine = Engine(config, connection=con, global_file=warehouse_dir / GLOBAL_FILE)
        self.engine.prepare_catalog(self.catalog)
        self._lock = threading.Lock()
        self._running: DwSimConnection | None = None  # the session of the statement running now (interrupt)
        self._kept: dict[str, DwSimConnection] = {}  # schema -> its session while a transaction is open
        self._in_transaction = False

    def session(self, schema: str) -> DwSimConnection:
        conn = connect(self.engine, self.catalog, schema)
        conn._duck_conn.execute("SET TimeZone = 'UTC'")
        # the DuckDB SQL sqlglot writes for fakesnow still uses `x -> ...` lambdas (fakesnow sets this too)
        conn._duck_conn.execute("SET lambda_syntax = 'ENABLE_SINGLE_ARROW'")
        return conn

    def run(self, schema: str, sql: str) -> Outcome:
        """Run the statements of `sql` in a new session (closed afterwards); the last one's result."""
        from fakesnow.rowtype import describe_as_rowtype
        from snowflake.connector.util_text import split_statements

        statements = [text.strip().rstrip(";").strip() for text, _ in split_statements(io.StringIO(sql))]
        statements = [s for s in statements if s]
        with self._lock:  # one DuckDB connection: one statement at a time
            conn = self._session_for(schema)
            self._running = conn
            try:
                cursor = conn.cursor()
                for statement in statements:
                    cursor.execute(statement)
                if cursor._arrow_table is None or not cursor._arrow_table.num_columns:
                    return Outcome([], [], None, cursor.rowcount, statements)
                # described and encoded as the endpoint sends results (lists and structs as JSON text)
                described, table = normalise(cursor._describe_last_sql(), cursor._arrow_table)
                rowtype = describe_as_rowtype(described)
                columns = [str(c["name"]) for c in rowtype]
                types = [_type_name(dict(c)) for c in rowtype]
                return Outcome(columns, types, _as_client_reads(table, columns), cursor.rowcount, statements)
            finally:
                self._running = None
                if schema not in self._kept:
                    conn.close()

    def _session_for(self, schema: str) -> DwSimConnection:
        """A new session, or inside a transaction the schema's kept one (BEGIN run in it when it opens)."""
        if not self._in_transaction:
            return self.session(schema)
        if schema not in self._kept:
            conn = self.session(schema)
            conn.cursor().execute("BEGIN")
            self._kept[schema] = conn
        return self._kept[schema]

    # -- transactions (the backend's begin/commit/rollback: every session of the transaction) ----------------------
    def begin(self) -> None:
        with self._lock:
            self._in_transaction = True

    def end(self, verb: str) -> None:
        """COMMIT or ROLLBACK every session kept for the transaction (the first error is raised after all end)."""
        with self._lock:
            kept, self._kept, self._in_transaction = self._kept, {}, False
            failure: Exception | None = None
            for conn in kept.values():
                try:
                    conn.cursor().execute(verb)
                except Exception as exc:
                    failure = failure or exc
                finally:
                    conn.close()
            if failure is not None:
                raise failure

    def interrupt(self) -> bool:
        conn = self._running
        if conn is None:
            return False
        conn._duck_conn.interrupt()
        return True

    def close(self) -> None:
        self.engine.close()


def _type_name(column: dict[str, Any]) -> str:
    """A result column's Snowflake type as text, with what it carries: FIXED(10,2), TEXT(40)."""
    name = str(column["type"]).upper()
    if name == "FIXED" and column.get("precision") is not None:
        return f"FIXED({column['precision']},{column.get('scale') or 0})"
    if name == "TEXT" and column.get("length") is not None:
        return f"TEXT({column['length']})"
    return name


def _as_client_reads(table: pa.Table, names: list[str]) -> pa.Table:
    """A result as a Snowflake client reads it: ARRAY and OBJECT values as JSON text, columns named `names`."""
    arrays = []
    for column in table.columns:
        if pa.types.is_list(column.type) or pa.types.is_struct(column.type) or pa.types.is_map(column.type):
            values = [None if v is None else json.dumps(v, default=str) for v in column.to_pylist()]
            arrays.append(pa.array(values, pa.string()))
        else:
            arrays.append(column)
    return pa.Table.from_arrays(arrays, names=names)
