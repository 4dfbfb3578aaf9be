"""The Redshift layer on a DuckDB connection: install the macros, read the experiment's catalog, turn a script into
statements ready to run (COPY/UNLOAD as callables), and be COPY/UNLOAD's target (`DuckDBCopyTarget`).

Used by the DuckDB backend and by the Redshift wire endpoint on DuckDB; the connection is theirs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.copy_unload.run import run_action
from dw_simulator.sql.redshift.copy_unload.target import ColumnInfo
from dw_simulator.sql.redshift.install import install_duckdb
from dw_simulator.sql.redshift.translation import translate_redshift

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.config import Settings

_DUCKDB_KINDS = {
    "SMALLINT": "int2",
    "INTEGER": "int4",
    "BIGINT": "int8",
    "DOUBLE": "float",
    "FLOAT": "float",
    "REAL": "float",
    "BOOLEAN": "bool",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "JSON": "json",
    "BLOB": "binary",
    "VARCHAR": "varchar",
}


def catalog(con: Any, experiment: str) -> dict[str, dict[str, str]]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE lower(schema_name) = lower(?) "
        "ORDER BY table_name, column_index",
        [experiment],
    ).fetchall()
    out: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        out.setdefault(table, {})[column] = data_type
    return out


class ActionCall:
    """A COPY/UNLOAD statement: calling it runs the action and returns the SQL that reports its outcome."""

    def __init__(self, con: Any, experiment: str, statement: Any, settings: Settings) -> None:
        self.con, self.experiment, self.statement, self.settings = con, experiment, statement, settings

    def __call__(self) -> str:
        from dw_simulator.staging import stage_for

        target = DuckDBCopyTarget(self.con, self.experiment)
        rows = run_action(self.statement.action, target, stage_for(self.settings))
        return f"SET VARIABLE dwsim_rows_affected = {int(rows)}"

    def __str__(self) -> str:
        return str(self.statement.source)


def prepare_redshift(con: Any, experiment: str, sql: str, settings: Settings) -> list[Any]:
    """Redshift SQL -> DuckDB statements (strings) and COPY/UNLOAD actions (callables returning SQL)."""
    install_duckdb(con)  # one version lookup when installed already (connections come and go: no caching by id)
    con.execute("SET VARIABLE dwsim_experiment = ?", [experiment])
    statements = translate_redshift(sql, engine="duckdb", catalog=catalog(con, experiment))
    return [s.engine_sql if s.action is None else ActionCall(con, experiment, s, settings) for s in statements]


class DuckDBCopyTarget:
    def __init__(self, con: Any, experiment: str) -> None:
        self.con = con
        self.experiment = experiment

    def table_columns(self, table: str) -> tuple[str, list[ColumnInfo]]:
        parts = [p.strip().strip('"').lower() for p in table.split(".")]
        name = parts[-1]
        schema = parts[-2] if len(parts) > 1 else None
        rows = self.con.execute(
            "SELECT schema_name, column_name, data_type, is_nullable, numeric_precision, numeric_scale, database_name "
            "FROM duckdb_columns() WHERE lower(table_name) = ? ORDER BY column_index",
            [name],
        ).fetchall()
        wanted = schema or self.experiment.lower()
        chosen = [r for r in rows if r[6] == "temp"] or [r for r in rows if r[0].lower() == wanted]
        if not chosen:
            raise QueryError(f'relation "{table}" does not exist')
        columns = []
        for _schema, column, data_type, nullable, precision, scale, _db in chosen:
            base = re.sub(r"\(.*\)", "", data_type).strip()
            kind = "numeric" if base == "DECIMAL" else _DUCKDB_KINDS.get(base, "varchar")
            info = ColumnInfo(name=column, kind=kind, nullable=bool(nullable))
            if kind == "numeric":
                info.precision, info.scale = precision, scale
            columns.append(info)
        qualified = f'"{chosen[0][6]}"."{chosen[0][0]}"."{name}"'
        return qualified, columns

    def load_arrow(self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]) -> int:
        import pyarrow as pa

        collected = list(batches)
        if not collected:
            return 0
        data = pa.Table.from_batches(collected)
        cols = ", ".join(f'"{c}"' for c in columns)
        self.con.register("__dwsim_copy", data)
        try:
            picked = ", ".join(f'"{n}"' for n in data.column_names)
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {picked} FROM __dwsim_copy")
        finally:
            self.con.unregister("__dwsim_copy")
        return int(data.num_rows)

    def record_load_errors(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        names = list(rows[0])
        self.con.executemany(
            f"INSERT INTO dwsim_redshift.stl_load_errors ({', '.join(names)}) VALUES ({', '.join(['?'] * len(names))})",
            [[r[n] for n in names] for r in rows],
        )

    def query_arrow(self, redshift_sql: str) -> pa.Table:
        statements = translate_redshift(redshift_sql, engine="duckdb", catalog=catalog(self.con, self.experiment))
        if len(statements) != 1 or statements[0].action is not None:
            raise QueryError("UNLOAD takes one SELECT statement")
        return self.con.sql(statements[0].engine_sql).to_arrow_table()
