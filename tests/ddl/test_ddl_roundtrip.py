"""import -> export -> import gives the same schema, for every golden and TPC fixture, in its own dialect.

Also: every export loads into a real DuckDB, cross-dialect exports import again, and `checks=False` DDL has no CHECK.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot
from ddl_support import FIXTURES, TODAY, TPC_FIXTURES, comparable, golden_paths, header, import_fixture, rows_option

from dw_simulator.ddl import export_ddl, import_sql

ALL = [*golden_paths(), *(FIXTURES / f"{name}.sql" for name in TPC_FIXTURES)]


def _dialect(path: Path) -> str:
    return TPC_FIXTURES.get(path.stem) or path.parent.name


def _reimport(text: str, dialect: str, path: Path) -> dict[str, Any]:
    result = import_sql(text, dialect, name=path.stem, rows=rows_option(header(path).get("rows")), today=TODAY)
    return comparable(result.schema)


def _fold_json_types(data: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL has one semi-structured type (JSONB): ARRAY/OBJECT/VARIANT/SUPER export as it and return as JSON."""
    for table in data["tables"]:
        for column in table["columns"]:
            if column["data_type"] in ("ARRAY", "OBJECT", "VARIANT", "SUPER"):
                column["data_type"] = "JSON"
    return data


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_import_export_import_is_stable(path: Path) -> None:
    dialect = _dialect(path)
    first = import_fixture(path, dialect)
    ddl = export_ddl(first.schema, dialect)
    expected = comparable(first.schema)
    if dialect == "postgres":
        expected = _fold_json_types(expected)
    assert _reimport(ddl, dialect, path) == expected
    # and once more: the export of the re-import is the same text
    again = import_sql(ddl, dialect, name=path.stem, rows=rows_option(header(path).get("rows")), today=TODAY)
    assert export_ddl(again.schema, dialect) == ddl


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_exports_load_into_duckdb_and_other_dialects(path: Path) -> None:
    schema = import_fixture(path, _dialect(path)).schema
    connection = duckdb.connect()
    try:
        connection.execute(export_ddl(schema, "duckdb"))
        tables = {
            row[0].lower() for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
    finally:
        connection.close()
    assert tables == {t.name.lower() for t in schema.tables}
    for target in ("redshift", "snowflake", "postgres"):
        again = import_sql(export_ddl(schema, target), target, name="x", today=TODAY).schema
        assert [t.name for t in again.tables] == [t.name for t in schema.tables]
        assert [len(t.columns) for t in again.tables] == [len(t.columns) for t in schema.tables]
    assert sqlglot.parse(export_ddl(schema, "postgres"), read="postgres")


def test_the_briefs_example_round_trips_to_its_original_ddl() -> None:
    sql = (FIXTURES / "redshift" / "composite_key.sql").read_text()
    schema = import_sql(sql, "redshift", name="sales_experiment").schema
    ddl = export_ddl(schema, "redshift")
    assert "_row_id" not in ddl
    assert "PRIMARY KEY (region_id, store_id)" in ddl
    assert "amount DECIMAL(10,2)" in ddl
    assert "region_id INTEGER NOT NULL" in ddl


@pytest.mark.parametrize("dialect", ["redshift", "snowflake"])
def test_export_without_checks_has_no_check_constraints(dialect: str) -> None:
    schema = import_fixture(FIXTURES / dialect / "checks.sql").schema
    with_checks = export_ddl(schema, dialect)
    without = export_ddl(schema, dialect, checks=False)
    assert "CHECK (" in with_checks and "CHECK (" not in without
    assert import_sql(without, dialect, name="x", today=TODAY).schema.tables
