"""Schema types -> DuckDB column types."""

from __future__ import annotations

from dw_simulator.schema import ColumnSchema
from dw_simulator.schema.types import BaseType

DUCKDB_TYPES: dict[BaseType, str] = {
    BaseType.SMALLINT: "SMALLINT",
    BaseType.INT: "INTEGER",
    BaseType.BIGINT: "BIGINT",
    BaseType.FLOAT: "DOUBLE",
    BaseType.VARCHAR: "VARCHAR",
    BaseType.CHAR: "VARCHAR",
    BaseType.BOOLEAN: "BOOLEAN",
    BaseType.DATE: "DATE",
    BaseType.TIME: "TIME",
    BaseType.TIMESTAMP: "TIMESTAMP",
    BaseType.TIMESTAMPTZ: "TIMESTAMPTZ",
    BaseType.BINARY: "BLOB",
    BaseType.JSON: "JSON",
    BaseType.VARIANT: "JSON",
    BaseType.OBJECT: "JSON",
    BaseType.ARRAY: "JSON",
    BaseType.SUPER: "JSON",
}


def duckdb_type(column: ColumnSchema) -> str:
    spec = column.type_spec
    if spec.base is BaseType.DECIMAL:
        precision, scale = spec.precision_scale
        return f"DECIMAL({precision},{scale})"
    if spec.is_string and column.varchar_length is not None:
        return f"VARCHAR({column.varchar_length})"
    return DUCKDB_TYPES[spec.base]
