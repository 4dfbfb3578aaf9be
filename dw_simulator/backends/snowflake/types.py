"""Schema types -> Snowflake column types.

https://docs.snowflake.com/en/sql-reference/intro-summary-data-types
"""

from __future__ import annotations

from dw_simulator.schema import ColumnSchema
from dw_simulator.schema.types import JSON_TYPES, BaseType

SNOWFLAKE_TYPES: dict[BaseType, str] = {
    BaseType.SMALLINT: "SMALLINT",
    BaseType.INT: "INT",
    BaseType.BIGINT: "BIGINT",
    BaseType.FLOAT: "FLOAT",
    BaseType.VARCHAR: "VARCHAR",
    BaseType.CHAR: "VARCHAR",
    BaseType.BOOLEAN: "BOOLEAN",
    BaseType.DATE: "DATE",
    BaseType.TIME: "TIME",
    BaseType.TIMESTAMP: "TIMESTAMP_NTZ",
    BaseType.TIMESTAMPTZ: "TIMESTAMP_TZ",
    BaseType.BINARY: "BINARY",
    BaseType.JSON: "VARIANT",
    BaseType.VARIANT: "VARIANT",
    BaseType.OBJECT: "OBJECT",
    BaseType.ARRAY: "ARRAY",
    BaseType.SUPER: "VARIANT",
}


def snowflake_type(column: ColumnSchema) -> str:
    spec = column.type_spec
    if spec.base is BaseType.DECIMAL:
        precision, scale = spec.precision_scale
        return f"NUMBER({precision},{scale})"
    if spec.is_string and column.varchar_length is not None:
        return f"VARCHAR({column.varchar_length})"
    return SNOWFLAKE_TYPES[spec.base]


def is_semi_structured(column: ColumnSchema) -> bool:
    return column.type_spec.base in JSON_TYPES
