"""Helpers for generator tests: build schemas tersely and query generated Parquet with DuckDB."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from dw_simulator.generator import GenerationResult
from dw_simulator.schema import ExperimentSchema, load_schema_data


def col(name: str, data_type: str = "INT", **fields: Any) -> dict[str, Any]:
    return {"name": name, "data_type": data_type, **fields}


def fk(table: str, column: str, **fields: Any) -> dict[str, Any]:
    return {"references_table": table, "references_column": column, **fields}


def table(name: str, rows: int, *columns: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"name": name, "target_rows": rows, "columns": list(columns), **fields}


def experiment(*tables: dict[str, Any], name: str = "exp") -> ExperimentSchema:
    return load_schema_data({"name": name, "tables": list(tables)})


@dataclass
class Generated:
    result: GenerationResult
    root: Path

    def __post_init__(self) -> None:
        self.con = duckdb.connect()
        for name in self.result.tables:
            self.con.execute(f"create view \"{name}\" as select * from read_parquet('{self.root / name}/*.parquet')")

    def q(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def one(self, sql: str) -> Any:
        return self.q(sql)[0][0]

    def fingerprint(self, name: str) -> str:
        """A digest of the table's content in row order (independent of how rows are split into files)."""
        rows = self.con.execute(f'select * from "{name}"').fetchall()
        return hashlib.sha256(repr(rows).encode()).hexdigest()

    def fingerprints(self) -> dict[str, str]:
        return {name: self.fingerprint(name) for name in self.result.tables}
