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
    rows: list[tuple[Any, ...]]
    rowcount: int | None
    statements: list[str]


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
            conn = self.session(schema)
            try:
                cursor = conn.cursor()
                for statement in statements:
                    cursor.execute(statement)
                if cursor._arrow_table is None or not cursor._arrow_table.num_columns:
                    return Outcome([], [], [], cursor.rowcount, statements)
                # described and encoded as the endpoint sends results (lists and structs as JSON text)
                described, table = normalise(cursor._describe_last_sql(), cursor._arrow_table)
                rowtype = describe_as_rowtype(described)
                columns = [str(c["name"]) for c in rowtype]
                types = [_type_name(dict(c)) for c in rowtype]
                return Outcome(columns, types, _rows(table), cursor.rowcount, statements)
            finally:
                conn.close()

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


def _rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """A result's rows as a Snowflake client reads them: ARRAY and OBJECT values as JSON text."""
    columns = []
    for column in table.columns:
        values = column.to_pylist()
        if pa.types.is_list(column.type) or pa.types.is_struct(column.type) or pa.types.is_map(column.type):
            values = [None if v is None else json.dumps(v, default=str) for v in values]
        columns.append(values)
    return list(zip(*columns, strict=True)) if columns else []
