"""Shared helpers for the DDL importer tests: fixture discovery, header options and schema comparison."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from dw_simulator.ddl import ImportResult, import_sql
from dw_simulator.schema import ExperimentSchema

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2025, 6, 30)  # inferred date windows depend on "today": frozen for golden files
DIALECT_DIRS = ("redshift", "snowflake", "postgres")
TPC_FIXTURES = {
    "tpch_redshift": "redshift",
    "tpch_snowflake": "snowflake",
    "tpcds_redshift": "redshift",
    "tpcds_snowflake": "snowflake",
}

_HEADER = re.compile(r"^--\s*([a-z_-]+):\s*(.*?)\s*$")


def golden_paths() -> list[Path]:
    return [p for d in DIALECT_DIRS for p in sorted((FIXTURES / d).glob("*.sql"))]


def header(path: Path) -> dict[str, str]:
    """`-- key: value` lines at the top of a fixture (before the first non-comment line)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        match = _HEADER.match(line)
        if match:
            out[match.group(1)] = match.group(2)
    return out


def rows_option(text: str | None) -> dict[str, int] | None:
    if not text:
        return None
    pairs = (item.split("=") for item in text.split(","))
    return {table.strip(): int(count) for table, count in pairs}


def import_fixture(path: Path, dialect: str | None = None) -> ImportResult:
    options = header(path)
    return import_sql(
        path.read_text(encoding="utf-8"),
        dialect or options.get("dialect") or path.parent.name,
        name=path.stem,
        rows=rows_option(options.get("rows")),
        today=TODAY,
    )


def result_json(result: ImportResult) -> dict[str, Any]:
    return {
        "schema": result.schema.model_dump(mode="json", exclude_defaults=True),
        "warnings": result.warnings,
        "notes": result.notes,
    }


def comparable(schema: ExperimentSchema) -> dict[str, Any]:
    """A schema as import -> export -> import must preserve it: everything but the experiment description, the
    tables' warnings (which describe the original DDL, e.g. a dropped foreign key that the export no longer has) and
    the list of inferences (the export declares the keys the first import inferred, so the second reads them)."""
    data = schema.model_dump(mode="json", exclude_defaults=True)
    data.pop("description", None)
    data.pop("inferences", None)
    for table in data["tables"]:
        table.pop("warnings", None)
    return data
