"""Result column types as the warehouse names them, from the engine types `Simulator.query` reports.

`Simulator.query` gives DuckDB's names (`INTEGER`, `DECIMAL(10,2)`), PostgreSQL's (`int4`, `numeric`) or, through
the Snowflake connector, Snowflake's (`FIXED`, `TEXT`). The HTTP APIs answer with Redshift's names (`int4`,
`numeric`, `varchar`, `super`) or Snowflake's (`fixed`, `text`, `timestamp_ntz`) and their precision and scale.
"""

from __future__ import annotations

import re

from dw_simulator.sql.shaped import ResultColumn

_PARAMS = re.compile(r"^\s*([A-Za-z_ ]+?)\s*(?:\((\d+)\s*(?:,\s*(\d+))?\))?\s*$")
VARCHAR_MAX = 65535  # Redshift's VARCHAR(MAX): the length reported when the engine does not keep one

_REDSHIFT_NAMES = {
    "BOOLEAN": "bool",
    "BOOL": "bool",
    "TINYINT": "int2",
    "UTINYINT": "int2",
    "SMALLINT": "int2",
    "INT2": "int2",
    "USMALLINT": "int4",
    "INTEGER": "int4",
    "INT": "int4",
    "INT4": "int4",
    "UINTEGER": "int8",
    "BIGINT": "int8",
    "INT8": "int8",
    "HUGEINT": "numeric",
    "UBIGINT": "numeric",
    "UHUGEINT": "numeric",
    "DECIMAL": "numeric",
    "NUMERIC": "numeric",
    "FLOAT": "float4",
    "REAL": "float4",
    "FLOAT4": "float4",
    "DOUBLE": "float8",
    "DOUBLE PRECISION": "float8",
    "FLOAT8": "float8",
    "VARCHAR": "varchar",
    "CHARACTER VARYING": "varchar",
    "TEXT": "text",
    "BPCHAR": "bpchar",
    "CHARACTER": "bpchar",
    "CHAR": "bpchar",
    "UUID": "varchar",
    "NAME": "name",
    "DATE": "date",
    "TIME": "time",
    "TIME WITHOUT TIME ZONE": "time",
    "TIME WITH TIME ZONE": "timetz",
    "TIMETZ": "timetz",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITHOUT TIME ZONE": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "TIMESTAMPTZ": "timestamptz",
    "JSON": "super",
    "JSONB": "super",
    "SUPER": "super",
    "BLOB": "varbyte",
    "BYTEA": "varbyte",
    "VARBYTE": "varbyte",
    "INTERVAL": "interval",
    "OID": "oid",
}
# the JDBC-style precision Redshift reports for types without a declared one
_REDSHIFT_PRECISION = {
    "bool": 1,
    "int2": 5,
    "int4": 10,
    "int8": 19,
    "float4": 8,
    "float8": 17,
    "date": 13,
    "time": 15,
    "timetz": 21,
    "timestamp": 29,
    "timestamptz": 35,
    "numeric": 38,
}
_REDSHIFT_FLOAT_SCALE = {"float4": 8, "float8": 17}
_SIGNED = {"int2", "int4", "int8", "float4", "float8", "numeric"}
_TEXT = {"varchar", "bpchar", "text", "name", "super"}


def _split(engine_type: str) -> tuple[str, int | None, int | None]:
    text = engine_type.strip()
    if text.endswith("[]") or text.upper().startswith(("STRUCT", "MAP", "UNION")) or text.upper().endswith("[]"):
        return "JSON", None, None  # nested values reach Redshift clients as SUPER
    match = _PARAMS.match(text)
    if match is None:
        return text.upper(), None, None
    first = int(match.group(2)) if match.group(2) else None
    second = int(match.group(3)) if match.group(3) else None
    return match.group(1).upper(), first, second


def redshift_column(name: str, engine_type: str) -> ResultColumn:
    base, first, second = _split(engine_type)
    type_name = _REDSHIFT_NAMES.get(base, base.lower())
    precision: int | None
    scale: int | None
    if type_name == "numeric":
        precision = first if first is not None else 38 if base in ("HUGEINT", "UBIGINT", "UHUGEINT") else 0
        scale = second if second is not None else 0
    elif type_name in ("varchar", "bpchar", "text"):
        precision, scale = (first if first is not None else VARCHAR_MAX), 0
    else:
        precision, scale = _REDSHIFT_PRECISION.get(type_name, 0), _REDSHIFT_FLOAT_SCALE.get(type_name, 0)
    return ResultColumn(name, type_name, precision, scale, length=0)


def is_signed(type_name: str) -> bool:
    return type_name in _SIGNED


def is_case_sensitive(type_name: str) -> bool:
    return type_name in _TEXT


# -- Snowflake -----------------------------------------------------------------------------------------------------
SNOWFLAKE_TEXT_LENGTH = 16_777_216
_SNOWFLAKE_NAMES = {
    "BOOLEAN": "boolean",
    "TINYINT": "fixed",
    "UTINYINT": "fixed",
    "SMALLINT": "fixed",
    "USMALLINT": "fixed",
    "INTEGER": "fixed",
    "UINTEGER": "fixed",
    "BIGINT": "fixed",
    "UBIGINT": "fixed",
    "HUGEINT": "fixed",
    "UHUGEINT": "fixed",
    "DECIMAL": "fixed",
    "FIXED": "fixed",
    "FLOAT": "real",
    "REAL": "real",
    "DOUBLE": "real",
    "VARCHAR": "text",
    "TEXT": "text",
    "UUID": "text",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp_ntz",
    "TIMESTAMP_S": "timestamp_ntz",
    "TIMESTAMP_MS": "timestamp_ntz",
    "TIMESTAMP_NS": "timestamp_ntz",
    "TIMESTAMP_NTZ": "timestamp_ntz",
    "TIMESTAMP WITH TIME ZONE": "timestamp_tz",
    "TIMESTAMP_TZ": "timestamp_tz",
    "TIMESTAMP_LTZ": "timestamp_ltz",
    "JSON": "variant",
    "VARIANT": "variant",
    "OBJECT": "object",
    "ARRAY": "array",
    "BLOB": "binary",
    "BINARY": "binary",
}


def snowflake_column(name: str, engine_type: str) -> ResultColumn:
    text = engine_type.strip()
    upper = text.upper()
    if upper.endswith("[]"):
        return ResultColumn(name, "array")
    if upper.startswith(("STRUCT", "MAP")):
        return ResultColumn(name, "object")
    base, first, second = _split(text)
    type_name = _SNOWFLAKE_NAMES.get(base, base.lower())
    if type_name == "fixed":
        return ResultColumn(name, "fixed", first if first is not None else 38, second if second is not None else 0)
    if type_name == "text":
        return ResultColumn(name, "text", length=first if first is not None else SNOWFLAKE_TEXT_LENGTH)
    if type_name == "binary":
        return ResultColumn(name, "binary", length=8_388_608)
    if type_name in ("time", "timestamp_ntz", "timestamp_tz", "timestamp_ltz"):
        return ResultColumn(name, type_name, 0, 9)
    return ResultColumn(name, type_name)
