"""A live preview of one column's values (the schema editor's histogram): a small sample made by the real generator,
profiled the way a run's columns are, so the preview shows what a run would produce."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from dw_simulator.backends.base import ColumnProfile
from dw_simulator.errors import SchemaValidationError
from dw_simulator.schema import load_schema_data

PREVIEW_TABLE = "preview"
MAX_PREVIEW_ROWS = 20_000


def preview_column(column: dict[str, Any], *, rows: int = 2000, seed: int = 1) -> ColumnProfile:
    """Generate `rows` values of `column` (a column as written in a schema) and profile them. A foreign key is
    left out (the sample has no parent table): preview its `cardinality` as a numeric column instead."""
    if not 1 <= rows <= MAX_PREVIEW_ROWS:
        raise SchemaValidationError(f"rows must be between 1 and {MAX_PREVIEW_ROWS}, got {rows}")
    data = {k: v for k, v in column.items() if k != "foreign_key"}
    schema = load_schema_data(
        {"name": PREVIEW_TABLE, "tables": [{"name": PREVIEW_TABLE, "target_rows": rows, "columns": [data]}]},
        source="column",
    )
    spec = schema.tables[0].columns[0]
    import duckdb

    from dw_simulator.backends.profiling import profile_sql_plan
    from dw_simulator.generator import generate_experiment

    with tempfile.TemporaryDirectory(prefix="dw-sim-preview-") as tmp:
        result = generate_experiment(schema, Path(tmp), seed=seed, workers=1, batch_size=rows)
        files = [str(p) for p in result.tables[PREVIEW_TABLE].files]
        con = duckdb.connect()
        try:
            listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            relation = f"read_parquet([{listed}])"
            return profile_sql_plan(spec, relation, lambda sql: con.execute(sql).fetchall())
        finally:
            con.close()
