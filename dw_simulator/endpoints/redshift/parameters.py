"""Bind parameters of the extended query protocol (`$1`, `$2`, ...) as the endpoint hands a statement to dw-sim's
Redshift layer.

Drivers turn their own placeholders into `$n` before a Parse message (psycopg 3 and redshift_connector `%s`, pgjdbc
`?`), with no space around them: `VALUES ($1,$2)`, `$1+$2`. The parameters are found here on the masked text
(never inside a string literal, a quoted identifier, a dollar-quoted body or a comment, nor inside a name such as
`price$1`), and each is given as a token of its own, so the translator reads it as a parameter and passes it through
to the engine unchanged; the values are bound by the engine itself (DuckDB's prepared statements, PostgreSQL's Bind).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import uuid
from decimal import Decimal, localcontext
from typing import Any

from dw_simulator.endpoints.redshift.type_oids import (
    BOOL,
    BYTEA,
    DATE,
    FLOAT4,
    FLOAT8,
    INT2,
    INT4,
    INT8,
    INTERVAL,
    NUMERIC,
    OID,
    TIME,
    TIMESTAMP,
    TIMESTAMPTZ,
)
from dw_simulator.sql.redshift.split import mask

UUID = 2950
_EPOCH = dt.datetime(2000, 1, 1)
_EPOCH_DATE = dt.date(2000, 1, 1)
# pgjdbc sends setDate/setTime/setTimestamp values untyped (oid 0), as text with the JVM's zone offset
_UNTYPED_TEMPORAL = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})?(?:\s*(?P<time>\d{2}:\d{2}:\d{2}(?:\.\d+)?))?\s*(?P<zone>[+-]\d{2}(?::?\d{2}){0,2})"
)

_PARAMETER = re.compile(r"(?<![\w$\x00])\$(\d+)(?![\w$])")


def isolate_parameters(sql: str) -> str:
    """`sql` with every `$n` parameter standing apart from its neighbours (a space on each side where it touches
    one); the text is unchanged when it has none."""
    if "$" not in sql:
        return sql
    masked = mask(sql, drop_comments=False)
    if not _PARAMETER.search(masked.text):
        return sql
    text = masked.text
    out: list[str] = []
    last = 0
    for match in _PARAMETER.finditer(text):
        start, end = match.span()
        out.append(text[last:start])
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        out.append(("" if before.isspace() else " ") + match.group(0))
        out.append("" if after.isspace() else " ")
        last = end
    out.append(text[last:])
    return masked.unmask("".join(out))


def parameter_numbers(sql: str) -> list[int]:
    """The parameter numbers a statement uses, in order of appearance (literals and comments excluded)."""
    if "$" not in sql:
        return []
    return [int(m.group(1)) for m in _PARAMETER.finditer(mask(sql).text)]


def typed_parameters(sql: str, types: dict[int, str]) -> str:
    """`sql` (engine SQL) with each parameter whose type the client declared in Parse cast to it: `$1` ->
    `CAST($1 AS INTEGER)`, so the engine types the statement (and its description) as PostgreSQL would.
    `types` maps parameter numbers to the engine's type names; parameters not in it are left to the engine."""
    if not types or "$" not in sql:
        return sql
    masked = mask(sql, drop_comments=False)

    def repl(match: re.Match[str]) -> str:
        name = types.get(int(match.group(1)))
        return f"CAST({match.group(0)} AS {name})" if name else match.group(0)

    return masked.unmask(_PARAMETER.sub(repl, masked.text))


# -- values -------------------------------------------------------------------------------------------------------
def decode_parameter(value: bytes | None, oid: int, binary: bool) -> Any:
    """A Bind parameter as a Python value for DuckDB (in the text or binary format the client chose)."""
    if value is None:
        return None
    if binary:
        return _binary(value, oid)
    text = value.decode()
    if oid in (INT2, INT4, INT8, OID):
        return int(text)
    if oid in (FLOAT4, FLOAT8):
        return float(text)
    if oid == NUMERIC:
        return Decimal(text)
    if oid == BOOL:
        return text.strip().lower() in ("t", "true", "1", "y", "yes", "on")
    if oid == DATE:
        return dt.date.fromisoformat(text.strip())
    if oid in (TIMESTAMP, TIMESTAMPTZ):
        stamp = dt.datetime.fromisoformat(text.strip())
        return stamp.replace(tzinfo=None) if oid == TIMESTAMP else stamp
    if oid == 0:
        return _untyped(text)
    return text


def _untyped(text: str) -> Any:
    """An untyped text parameter: a date/time with a zone offset (pgjdbc's form) becomes the date/time PostgreSQL
    would read for a date or timestamp column (the offset dropped); anything else stays text for DuckDB to cast."""
    match = _UNTYPED_TEMPORAL.fullmatch(text.strip())
    if match is None or not (match.group("date") or match.group("time")):
        return text
    day, clock = match.group("date"), match.group("time")
    if day and clock:
        return dt.datetime.fromisoformat(f"{day} {clock}")
    if day:
        return dt.date.fromisoformat(day)
    return dt.time.fromisoformat(clock)


def _binary(value: bytes, oid: int) -> Any:
    if oid in (INT2, INT4, INT8, OID):
        return int.from_bytes(value, "big", signed=True)
    if oid == FLOAT4:
        return float(struct.unpack("!f", value)[0])
    if oid == FLOAT8:
        return float(struct.unpack("!d", value)[0])
    if oid == BOOL:
        return value != b"\x00"
    if oid == BYTEA:
        return value
    if oid == DATE:
        return _EPOCH_DATE + dt.timedelta(days=int.from_bytes(value, "big", signed=True))
    if oid in (TIMESTAMP, TIMESTAMPTZ):
        stamp = _EPOCH + dt.timedelta(microseconds=int.from_bytes(value, "big", signed=True))
        return stamp.replace(tzinfo=dt.UTC) if oid == TIMESTAMPTZ else stamp
    if oid == TIME:
        return (dt.datetime.min + dt.timedelta(microseconds=int.from_bytes(value, "big", signed=True))).time()
    if oid == NUMERIC:
        return _binary_numeric(value)
    if oid == INTERVAL:
        micros, days, months = struct.unpack("!qii", value)
        return f"{months} months {days} days {micros} microseconds"
    if oid == UUID:
        return str(uuid.UUID(bytes=value))
    return value.decode()


def _binary_numeric(value: bytes) -> Decimal:
    """NUMERIC's binary form: ndigits, weight, sign, dscale, then base-10000 digits."""
    ndigits, weight, sign, dscale = struct.unpack_from("!hhHh", value)
    if sign == 0xC000:
        return Decimal("NaN")
    intval = 0
    for digit in struct.unpack_from(f"!{ndigits}h", value, 8):
        intval = intval * 10_000 + digit
    with localcontext() as context:
        context.prec = 1000
        number = Decimal(f"{intval}e{4 * (weight - ndigits + 1)}").quantize(Decimal(1).scaleb(-dscale))
    return -number if sign == 0x4000 else number
