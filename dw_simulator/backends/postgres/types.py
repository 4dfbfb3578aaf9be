"""Schema types -> PostgreSQL column types, as Redshift would declare them.

https://docs.aws.amazon.com/redshift/latest/dg/c_Supported_data_types.html: VARCHAR without a length is
VARCHAR(256); SUPER is stored as jsonb; VARBYTE as bytea; FLOAT is DOUBLE PRECISION.
"""

from __future__ import annotations

from dw_simulator.schema import ColumnSchema
from dw_simulator.schema.types import BaseType

REDSHIFT_DEFAULT_VARCHAR = 256

POSTGRES_TYPES: dict[BaseType, str] = {
    BaseType.SMALLINT: "SMALLINT",
    BaseType.INT: "INTEGER",
    BaseType.BIGINT: "BIGINT",
    BaseType.FLOAT: "DOUBLE PRECISION",
    BaseType.BOOLEAN: "BOOLEAN",
    BaseType.DATE: "DATE",
    BaseType.TIME: "TIME",
    BaseType.TIMESTAMP: "TIMESTAMP",
    BaseType.TIMESTAMPTZ: "TIMESTAMPTZ",
    BaseType.BINARY: "BYTEA",
    BaseType.JSON: "JSONB",
    BaseType.VARIANT: "JSONB",
    BaseType.OBJECT: "JSONB",
    BaseType.ARRAY: "JSONB",
    BaseType.SUPER: "JSONB",
}


def postgres_type(column: ColumnSchema) -> str:
    spec = column.type_spec
    if spec.base is BaseType.DECIMAL:
        precision, scale = spec.precision_scale
        return f"NUMERIC({precision},{scale})"
    if spec.base is BaseType.VARCHAR:
        return f"VARCHAR({column.varchar_length or REDSHIFT_DEFAULT_VARCHAR})"
    if spec.base is BaseType.CHAR:
        return f"CHAR({column.varchar_length or 1})"
    return POSTGRES_TYPES[spec.base]


def column_kind(data_type: str) -> str:
    """information_schema data_type -> the kind names used by COPY validation."""
    t = data_type.lower()
    return {
        "smallint": "int2",
        "integer": "int4",
        "bigint": "int8",
        "double precision": "float",
        "real": "float",
        "numeric": "numeric",
        "character varying": "varchar",
        "text": "varchar",
        "character": "char",
        "boolean": "bool",
        "date": "date",
        "time without time zone": "time",
        "timestamp without time zone": "timestamp",
        "timestamp with time zone": "timestamptz",
        "jsonb": "json",
        "json": "json",
        "bytea": "binary",
    }.get(t, "varchar")
