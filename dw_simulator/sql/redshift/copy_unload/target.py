"""What COPY and UNLOAD need from an engine (`CopyTarget`; PostgreSQL and DuckDB each provide one), and the
target table's columns as COPY checks values against them (`ColumnInfo`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass
class ColumnInfo:
    name: str
    kind: str  # int2 int4 int8 float numeric varchar char bool date time timestamp timestamptz json binary
    nullable: bool = True
    length: int | None = None
    precision: int | None = None
    scale: int | None = None

    @property
    def redshift_type(self) -> str:
        return {
            "int2": "int2",
            "int4": "int4",
            "int8": "int8",
            "float": "float8",
            "numeric": "numeric",
            "varchar": "varchar",
            "char": "char",
            "bool": "bool",
            "date": "date",
            "time": "time",
            "timestamp": "timestamp",
            "timestamptz": "timestamptz",
            "json": "super",
            "binary": "varbyte",
        }.get(self.kind, self.kind)


class CopyTarget(Protocol):
    """What COPY/UNLOAD need from an engine."""

    def table_columns(self, table: str) -> tuple[str, list[ColumnInfo]]:
        """(table's resolved display name, its columns); raises QueryError when the table does not exist."""

    def load_arrow(self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]) -> int:
        """Append the batches to the table (inside the statement's transaction); returns rows loaded."""

    def record_load_errors(self, rows: list[dict[str, Any]]) -> None:
        """Add rows to STL_LOAD_ERRORS so that they survive the failure of the statement."""

    def query_arrow(self, redshift_sql: str) -> pa.Table:
        """Run a Redshift SELECT and return its result."""
