"""Full TPC-H and TPC-DS DDL (Redshift and Snowflake styles) import, generate and load with keys that join."""

from __future__ import annotations

from pathlib import Path

import pytest

from dw_simulator.service import Simulator

FIXTURES = Path(__file__).resolve().parent / "ddl" / "fixtures"


@pytest.mark.parametrize(
    ("file", "dialect"),
    [
        ("tpch_redshift.sql", "redshift"),
        ("tpch_snowflake.sql", "snowflake"),
        ("tpcds_redshift.sql", "redshift"),
        ("tpcds_snowflake.sql", "snowflake"),
    ],
)
def test_tpc_schema_imports_generates_and_loads(sim: Simulator, file: str, dialect: str) -> None:
    name = file.removesuffix(".sql")
    outcome = sim.import_sql((FIXTURES / file).read_text(), dialect, name=name, target_warehouse="duckdb")
    schema = outcome.schema
    rows = {t.name: 300 for t in schema.tables if not any(c.foreign_key and c.foreign_key.cardinality
                                                           for c in t.columns)}  # fmt: skip
    run = sim.generate(name, seed=1, rows=rows)
    assert run.status == "COMPLETED", run.error_message
    assert set(run.row_counts) == {t.name for t in schema.tables}
    assert all(count > 0 for count in run.row_counts.values())
    checked = 0
    for table in schema.tables:
        for column in table.columns:
            fk = column.foreign_key
            if fk is None:
                continue
            orphans = sim.query(
                name,
                f'SELECT count(*) FROM "{table.name}" c LEFT JOIN "{fk.references_table}" p '
                f'ON c."{column.name}" = p."{fk.references_column}" '
                f'WHERE c."{column.name}" IS NOT NULL AND p."{fk.references_column}" IS NULL',
                dialect="duckdb",
            ).rows[0][0]
            assert orphans == 0, f"{table.name}.{column.name} -> {fk.references_table}"
            checked += 1
        for group in table.composite_keys:
            cols = ", ".join(f'"{c}"' for c in group)
            dupes = sim.query(
                name,
                f'SELECT count(*) FROM (SELECT {cols} FROM "{table.name}" GROUP BY {cols} HAVING count(*) > 1)',
                dialect="duckdb",
            ).rows[0][0]
            assert dupes == 0, f"{table.name} composite key {group}"
    assert checked >= (8 if "tpch" in file else 20), "the schema's foreign keys were imported"
