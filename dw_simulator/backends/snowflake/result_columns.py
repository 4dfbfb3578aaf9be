"""Result columns whose DuckDB type has no Snowflake equivalent in fakesnow's result encoder, made sendable.

fakesnow describes a result by its DuckDB types and fails (HTTP 500) on any it does not map: lists and structs
(`ARRAY_CONSTRUCT(1, 2)` is an INTEGER[] before it becomes JSON), TINYINT (`SIGN(x)`), FLOAT, UUID... Here lists,
structs and maps become VARIANT (JSON text, as Snowflake returns ARRAY and OBJECT values), small and unsigned
integers become NUMBER, FLOAT becomes DOUBLE and anything else unknown becomes VARCHAR.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pyarrow as pa
from fakesnow.rowtype import duckdb_to_sf_type

_INTEGER_LIKE = re.compile(r"^(TINYINT|SMALLINT|UTINYINT|USMALLINT|UINTEGER)$")
_NESTED = re.compile(r"(\[\d*\]$)|^(STRUCT|MAP|UNION)\(")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex().upper()
    return str(value)


def _to_json_text(column: pa.ChunkedArray) -> pa.Array:
    values = column.to_pylist()
    return pa.array(
        [None if v is None else json.dumps(v, default=_json_default, separators=(",", ":")) for v in values],
        type=pa.string(),
    )


def _to_text(column: pa.ChunkedArray) -> pa.Array:
    try:
        return column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else str(v) for v in column.to_pylist()], type=pa.string())


def is_supported(duck_type: str) -> bool:
    return duck_type.startswith("DECIMAL") or duck_type in duckdb_to_sf_type


def normalise(
    described: list[tuple[Any, ...]], table: pa.Table | None
) -> tuple[list[tuple[Any, ...]], pa.Table | None]:
    """(DESCRIBE rows, Arrow result) with every column in a type the Snowflake result encoder accepts."""
    if all(is_supported(str(row[1])) for row in described):
        return described, table
    rows: list[tuple[Any, ...]] = []
    columns: list[pa.Array | pa.ChunkedArray] = []
    for index, row in enumerate(described):
        duck_type = str(row[1])
        column = table.column(index) if table is not None else None
        if is_supported(duck_type):
            new_type = duck_type
        elif _INTEGER_LIKE.match(duck_type):
            new_type = "BIGINT"
            column = column.cast(pa.int64()) if column is not None else None
        elif duck_type == "FLOAT":
            new_type = "DOUBLE"
            column = column.cast(pa.float64()) if column is not None else None
        elif duck_type in ("TIMESTAMP_S", "TIMESTAMP_MS"):
            new_type = "TIMESTAMP"
            column = column.cast(pa.timestamp("us")) if column is not None else None
        elif _NESTED.search(duck_type):
            new_type = "JSON"
            column = _to_json_text(column) if column is not None else None
        else:
            new_type = "VARCHAR"
            column = _to_text(column) if column is not None else None
        rows.append((row[0], new_type, *row[2:]))
        if column is not None:
            columns.append(column)
    if table is None:
        return rows, None
    return rows, pa.Table.from_arrays(columns, names=table.column_names)
