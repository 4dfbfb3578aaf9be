"""Results as the Redshift Data API returns them: `ColumnMetadata`, typed `Records` (a `Field` union per value),
CSV records for `GetStatementResultV2`, and the opaque `NextToken` of every paged answer.

Values follow Redshift's text forms: numeric as an exact string (`"1.50"`), timestamps as `2024-01-31 13:45:00`
(with `+00` for timestamptz), SUPER as JSON text, VARBYTE as a blob (base64 on the wire).
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import io
import json
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from dw_simulator.sql.shaped import ResultColumn
from dw_simulator.statements.result_types import is_case_sensitive, is_signed

_LONG = {"int2", "int4", "int8", "oid"}
_DOUBLE = {"float4", "float8"}


class BadToken(ValueError):
    """A NextToken this server did not give out."""


def column_metadata(column: ResultColumn, *, with_default: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "isCaseSensitive": is_case_sensitive(column.type_name),
        "isCurrency": False,
        "isSigned": is_signed(column.type_name),
        "label": column.name,
        "length": column.length or 0,
        "name": column.name,
        "nullable": 1 if column.nullable else 0,
        "precision": column.precision or 0,
        "scale": column.scale or 0,
        "schemaName": column.schema,
        "tableName": column.table,
        "typeName": column.type_name,
    }
    if with_default is not None:
        meta["columnDefault"] = with_default
    return meta


def text(value: Any, type_name: str = "") -> str:
    """A value in Redshift's text form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, dt.datetime):
        stamp = value.strftime("%Y-%m-%d %H:%M:%S") + (
            f".{value.microsecond:06d}".rstrip("0") if value.microsecond else ""
        )
        if value.tzinfo is not None or type_name == "timestamptz":
            offset = value.utcoffset() or dt.timedelta(0)
            minutes = int(offset.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            hours, rest = divmod(abs(minutes), 60)
            stamp += f"{sign}{hours:02d}" + (f":{rest:02d}" if rest else "")
        return stamp
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _interval(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return binascii.hexlify(bytes(value)).decode("ascii")
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, separators=(",", ":"))
    return str(value)


def _interval(value: dt.timedelta) -> str:
    days, seconds = value.days, value.seconds
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}" + (f".{value.microseconds:06d}" if value.microseconds else "")
    return f"{days} days {clock}" if days else clock


def field(value: Any, column: ResultColumn) -> dict[str, Any]:
    """One value as the API's `Field` union."""
    if value is None:
        return {"isNull": True}
    kind = column.type_name
    if isinstance(value, bool) or kind == "bool":
        return {"booleanValue": bool(value)}
    if kind in _LONG and isinstance(value, int):
        return {"longValue": value}
    if kind in _DOUBLE and isinstance(value, float | int) and math.isfinite(value):
        return {"doubleValue": float(value)}
    if kind == "varbyte" and isinstance(value, bytes | bytearray | memoryview):
        return {"blobValue": base64.b64encode(bytes(value)).decode("ascii")}
    return {"stringValue": text(value, kind)}


def records(rows: Sequence[tuple[Any, ...]], columns: Sequence[ResultColumn]) -> list[list[dict[str, Any]]]:
    return [[field(v, c) for v, c in zip(row, columns, strict=False)] for row in rows]


def csv_records(rows: Sequence[tuple[Any, ...]], columns: Sequence[ResultColumn]) -> str:
    """Rows as CSV (no header: `ColumnMetadata` names the columns; NULL is an empty field)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else text(v, c.type_name) for v, c in zip(row, columns, strict=False)])
    return out.getvalue()


def result_size(rows: Sequence[tuple[Any, ...]]) -> int:
    """Bytes of the result in its text form (the API's `ResultSize`)."""
    return sum(len(text(v).encode()) for row in rows for v in row if v is not None)


# -- paging --------------------------------------------------------------------------------------------------------
def token(kind: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"dwsim:{kind}:{offset}".encode()).decode("ascii")


def offset(kind: str, next_token: str | None) -> int:
    if not next_token:
        return 0
    try:
        prefix, token_kind, number = base64.urlsafe_b64decode(next_token.encode()).decode().split(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadToken(next_token) from None
    if prefix != "dwsim" or token_kind != kind or not number.isdigit():
        raise BadToken(next_token)
    return int(number)


def page(items: Sequence[Any], kind: str, next_token: str | None, size: int) -> tuple[list[Any], str | None]:
    """One page of `items` from the token's offset, and the token of the next page (None after the last)."""
    start = offset(kind, next_token)
    end = start + max(1, size)
    return list(items[start:end]), token(kind, end) if end < len(items) else None
