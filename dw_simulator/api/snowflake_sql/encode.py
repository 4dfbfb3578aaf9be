"""Results in the SQL API's `jsonv2` format: every value a string (or null), `rowType` with Snowflake's column
types, partitions of the rows.

Values as Snowflake writes them in `jsonv2`: FIXED as the exact decimal with its scale (`"1.50"`), REAL as a float,
BOOLEAN `"true"`/`"false"`, DATE as days since 1970-01-01, TIME as seconds since midnight and TIMESTAMP_NTZ/LTZ as
seconds since the epoch (both with 9 decimals), TIMESTAMP_TZ as those seconds, a space and the UTC offset in minutes
plus 1440, BINARY in hex, VARIANT/OBJECT/ARRAY as (indented) JSON text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from dw_simulator.sql.shaped import ResultColumn

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_DATE = dt.date(1970, 1, 1)
_DML_STATS = {
    "number of rows inserted": "numRowsInserted",
    "number of rows updated": "numRowsUpdated",
    "number of rows deleted": "numRowsDeleted",
    "number of multi-joined rows updated": "numDmlDuplicates",
}


def row_type(columns: Sequence[ResultColumn]) -> list[dict[str, Any]]:
    out = []
    for c in columns:
        text_like = c.type_name in ("text", "binary")
        out.append(
            {
                "name": c.name,
                "database": c.database,
                "schema": c.schema,
                "table": c.table,
                "nullable": c.nullable,
                "type": c.type_name,
                "byteLength": c.length if text_like else None,
                "length": c.length if text_like else None,
                "scale": c.scale
                if c.type_name in ("fixed", "time", "timestamp_ntz", "timestamp_ltz", "timestamp_tz")
                else None,
                "precision": c.precision if c.type_name == "fixed" else None,
                "collation": None,
            }
        )
    return out


def _seconds(ns: int) -> str:
    sign = "-" if ns < 0 else ""
    whole, frac = divmod(abs(ns), 1_000_000_000)
    return f"{sign}{whole}.{frac:09d}"


def _epoch_ns(value: dt.datetime) -> int:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    delta = aware - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def value(raw: Any, column: ResultColumn) -> str | None:
    """One value as its jsonv2 string."""
    return encoder(column)(raw)


def encoder(column: ResultColumn) -> Callable[[Any], str | None]:
    """The function writing a column's values as jsonv2 strings (chosen once per column)."""
    kind = column.type_name
    if kind == "fixed":
        scale = column.scale or 0
        exponent = Decimal(1).scaleb(-scale)

        def fixed(raw: Any) -> str | None:
            if raw is None:
                return None
            if isinstance(raw, bool):
                return "true" if raw else "false"
            if isinstance(raw, int) and scale <= 0:
                return str(raw)
            number = raw if isinstance(raw, Decimal) else Decimal(str(raw))
            return str(int(number)) if scale <= 0 else str(number.quantize(exponent))

        return fixed
    if kind == "text":
        return lambda raw: None if raw is None else raw if isinstance(raw, str) else _other(raw, kind)
    return lambda raw: None if raw is None else _other(raw, kind)


def _other(raw: Any, kind: str) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if kind == "real":
        number = float(raw)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        return repr(number)
    if kind == "date" and isinstance(raw, dt.date):
        day = raw.date() if isinstance(raw, dt.datetime) else raw
        return str((day - _EPOCH_DATE).days)
    if kind == "time" and isinstance(raw, dt.time):
        seconds = raw.hour * 3600 + raw.minute * 60 + raw.second
        return f"{seconds}.{raw.microsecond * 1000:09d}"
    if kind in ("timestamp_ntz", "timestamp_ltz") and isinstance(raw, dt.datetime):
        naive_utc = raw if kind == "timestamp_ltz" or raw.tzinfo is None else raw.replace(tzinfo=None)
        return _seconds(_epoch_ns(naive_utc))
    if kind == "timestamp_tz" and isinstance(raw, dt.datetime):
        offset = raw.utcoffset() or dt.timedelta(0)
        return f"{_seconds(_epoch_ns(raw))} {int(offset.total_seconds() // 60) + 1440}"
    if isinstance(raw, bytes | bytearray | memoryview):
        return bytes(raw).hex().upper()
    if kind in ("variant", "object", "array"):
        return _json_text(raw)
    if isinstance(raw, dt.datetime | dt.date | dt.time):
        return raw.isoformat()
    return str(raw)


def _json_text(raw: Any) -> str:
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except ValueError:
            return raw
    else:
        parsed = raw
    return json.dumps(parsed, indent=2, default=str)


def rows(data: Sequence[tuple[Any, ...]], columns: Sequence[ResultColumn]) -> list[list[str | None]]:
    """Rows as jsonv2 (SQL NULL as None)."""
    encoders = [encoder(c) for c in columns]
    return [[enc(v) for enc, v in zip(encoders, row, strict=False)] for row in data]


def without_nulls(encoded: list[list[str | None]]) -> list[list[str]]:
    """`nullable=false`: a NULL is the string "null"."""
    return [["null" if v is None else v for v in row] for row in encoded]


def partitions(count: int, size: int) -> list[tuple[int, int]]:
    """(start, end) row ranges of the partitions of `count` rows; one empty partition for no rows."""
    size = max(1, size)
    if count == 0:
        return [(0, 0)]
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def encoded_partitions(
    data: Sequence[tuple[Any, ...]], columns: Sequence[ResultColumn], size: int
) -> tuple[list[list[list[str | None]]], list[dict[str, int]]]:
    """Every partition's rows as jsonv2 and the `partitionInfo` describing them (encoded once, kept with the run)."""
    parts, info = [], []
    for start, end in partitions(len(data), size):
        encoded = rows(data[start:end], columns)
        parts.append(encoded)
        info.append({"rowCount": end - start, "uncompressedSize": len(json.dumps(encoded).encode())})
    return parts, info


def dml_stats(columns: Sequence[ResultColumn], data: Sequence[tuple[Any, ...]]) -> dict[str, int] | None:
    """`stats` of a DML answer (`numRowsInserted`...), from Snowflake's DML result columns."""
    if not data or not columns:
        return None
    stats = {_DML_STATS[c.name]: int(v) for c, v in zip(columns, data[0], strict=False) if c.name in _DML_STATS}
    return stats or None
