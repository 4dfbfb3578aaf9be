"""Result encoding for the embedded DuckDB engine: Arrow record batches -> DataRow messages in text or binary
format, as PostgreSQL itself would write them (the types' OIDs: `type_oids.py`); Bind parameters -> Python values.

Values are converted column by column with Arrow compute and the DataRow messages of a whole batch are assembled
with NumPy (no Python loop per row), so a million-row result streams at memory speed. Types without a vectorised
path (intervals, nested values, binary NUMERIC) fall back to a Python conversion per value.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dw_simulator.endpoints.redshift.protocol import Field
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
from dw_simulator.endpoints.redshift.type_oids import SUPER as SUPER  # re-exported for readers of encoded rows
from dw_simulator.endpoints.redshift.type_oids import VARCHAR as VARCHAR
from dw_simulator.endpoints.redshift.type_oids import field_for as field_for

PG_EPOCH_DAYS = 10_957  # 2000-01-01 - 1970-01-01
PG_EPOCH_US = PG_EPOCH_DAYS * 86_400_000_000


# -- columns -> (lengths, contiguous bytes) --------------------------------------------------------------------------
@dataclass
class Encoded:
    """One column of a batch: per-row lengths (-1 = NULL) and the non-NULL values' bytes, contiguous in row order."""

    lengths: np.ndarray  # int64
    data: np.ndarray  # uint8


def _from_strings(arr: pa.Array) -> Encoded:
    if arr.null_count:
        valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        arr = pc.fill_null(arr, "")
    else:
        valid = None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    width = np.int32 if pa.types.is_string(arr.type) or pa.types.is_binary(arr.type) else np.int64
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=width)[arr.offset : arr.offset + len(arr) + 1].astype(np.int64)
    data_buffer = buffers[2]
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
        if data_buffer is not None and len(arr)
        else np.zeros(0, np.uint8)
    )
    lengths = np.diff(offsets)
    if valid is not None:
        lengths[~valid] = -1
    return Encoded(lengths, data)


def _fixed(values: np.ndarray, valid: np.ndarray | None, dtype: str) -> Encoded:
    big = np.ascontiguousarray(values.astype(dtype))
    width = big.dtype.itemsize
    if valid is not None and not valid.all():
        big = big[valid]
        lengths = np.where(valid, width, -1).astype(np.int64)
    else:
        lengths = np.full(len(values), width, np.int64)
    return Encoded(lengths, big.view(np.uint8).reshape(-1))


def _valid(arr: pa.Array) -> np.ndarray | None:
    if not arr.null_count:
        return None
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _numbers(arr: pa.Array, numpy_type: Any) -> np.ndarray:
    filler: Any = False if pa.types.is_boolean(arr.type) else 0
    return np.asarray(pc.fill_null(arr, filler).to_numpy(zero_copy_only=False)).astype(numpy_type)


def _python(arr: pa.Array, convert: Callable[[Any], bytes]) -> Encoded:
    values = [None if v is None else convert(v) for v in arr.to_pylist()]
    lengths = np.array([-1 if v is None else len(v) for v in values], dtype=np.int64)
    data = np.frombuffer(b"".join(v for v in values if v is not None), dtype=np.uint8)
    return Encoded(lengths, data)


_FRACTION_ZEROS = r"(\.\d*?)0+$"


def _strip_fraction(arr: pa.Array) -> pa.Array:
    """'10:00:00.500000' -> '10:00:00.5', '10:00:00.000000' -> '10:00:00' (PostgreSQL prints no trailing zeros)."""
    arr = pc.replace_substring_regex(arr, pattern=_FRACTION_ZEROS, replacement=r"\1")
    return pc.replace_substring_regex(arr, pattern=r"\.$", replacement="")


def _float_text(arr: pa.Array) -> pa.Array:
    text = pc.cast(arr, pa.string())
    text = pc.replace_substring_regex(text, pattern=r"e([+-])(\d)$", replacement=r"e\10\2")
    text = pc.replace_substring(text, pattern="inf", replacement="Infinity")
    return pc.replace_substring(text, pattern="nan", replacement="NaN")


def _timestamp_text(arr: pa.Array) -> pa.Array:
    if arr.type.tz is not None:
        arr = pc.cast(arr, pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us"))
    elif arr.type.unit != "us":
        arr = pc.cast(arr, pa.timestamp("us"))
    return _strip_fraction(pc.cast(arr, pa.string()))


def text_array(arr: pa.Array, oid: int) -> pa.Array:
    """PostgreSQL's text output of a column (NULLs stay NULL)."""
    t = arr.type
    if oid == BOOL and pa.types.is_boolean(t):
        return pc.if_else(arr, "t", "f")
    if pa.types.is_floating(t):
        return _float_text(arr)
    if pa.types.is_integer(t) or pa.types.is_decimal(t) or pa.types.is_date(t):
        return pc.cast(arr, pa.string())
    if pa.types.is_timestamp(t):
        text = _timestamp_text(arr)
        return pc.binary_join_element_wise(text, "+00", "") if t.tz is not None or oid == TIMESTAMPTZ else text
    if pa.types.is_time(t):
        return _strip_fraction(pc.cast(pc.cast(arr, pa.time64("us")), pa.string()))
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return arr
    if pa.types.is_boolean(t):
        return pc.if_else(arr, "true", "false")
    return pa.array([None if v is None else _python_text(v) for v in arr.to_pylist()], pa.string())


def _python_text(value: Any) -> str:
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, tuple) and len(value) == 3:  # month_day_nano interval
        return interval_text(*value)
    if hasattr(value, "months") and hasattr(value, "days") and hasattr(value, "nanoseconds"):
        return interval_text(value.months, value.days, value.nanoseconds)
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, separators=(",", ":"))
    if isinstance(value, dt.timedelta):
        return interval_text(0, value.days, (value.seconds * 1_000_000 + value.microseconds) * 1000)
    return str(value)


def interval_text(months: int, days: int, nanoseconds: int) -> str:
    parts = []
    years, months = divmod(months, 12) if months >= 0 else (-((-months) // 12), -((-months) % 12))
    if years:
        parts.append(f"{years} year{'s' if abs(years) != 1 else ''}")
    if months:
        parts.append(f"{months} mon{'s' if abs(months) != 1 else ''}")
    if days:
        parts.append(f"{days} day{'s' if abs(days) != 1 else ''}")
    micros = nanoseconds // 1000
    if micros or not parts:
        sign = "-" if micros < 0 else ""
        micros = abs(micros)
        seconds, frac = divmod(micros, 1_000_000)
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        clock = f"{sign}{hours:02d}:{minutes:02d}:{secs:02d}"
        if frac:
            clock += f".{frac:06d}".rstrip("0")
        parts.append(clock)
    return " ".join(parts)


def _encode_text(arr: pa.Array, oid: int) -> Encoded:
    text = text_array(arr, oid)
    if pa.types.is_large_string(text.type) or pa.types.is_string(text.type):
        return _from_strings(text)
    return _from_strings(pc.cast(text, pa.string()))


def _numeric_binary(value: Any) -> bytes:
    """NUMERIC's binary form: ndigits, weight, sign, dscale, then base-10000 digits."""
    d = Decimal(value)
    if d.is_nan():
        return np.array([0, 0, 0xC000, 0], dtype=">u2").tobytes()
    sign, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    dscale = max(0, -exponent)
    text = "".join(map(str, digits))
    int_len = len(text) + exponent  # digits before the decimal point
    int_part = text[: max(int_len, 0)] if int_len > 0 else ""
    frac_part = ("0" * max(-int_len, 0) + text[max(int_len, 0) :]) if exponent < 0 else ""
    int_part = int_part + "0" * max(exponent, 0)
    int_part = int_part.lstrip("0")
    pad_int = (-len(int_part)) % 4
    int_part = "0" * pad_int + int_part
    frac_part = frac_part + "0" * ((-len(frac_part)) % 4)
    groups = [int(int_part[i : i + 4]) for i in range(0, len(int_part), 4)]
    weight = len(groups) - 1
    groups += [int(frac_part[i : i + 4]) for i in range(0, len(frac_part), 4)]
    while groups and groups[-1] == 0:
        groups.pop()
    while groups and groups[0] == 0:
        groups.pop(0)
        weight -= 1
    if not groups:
        weight = 0
    header = np.array([len(groups), weight & 0xFFFF, 0x4000 if sign else 0, dscale], dtype=">u2").tobytes()
    return header + np.array(groups, dtype=">u2").tobytes()


def _interval_binary(value: Any) -> bytes:
    months, days, nanos = (value.months, value.days, value.nanoseconds) if hasattr(value, "months") else value
    return np.array([nanos // 1000], ">i8").tobytes() + np.array([days, months], ">i4").tobytes()


def _encode_binary(arr: pa.Array, oid: int) -> Encoded:
    t = arr.type
    valid = _valid(arr)
    if oid == BOOL and pa.types.is_boolean(t):
        return _fixed(_numbers(arr, np.uint8), valid, "u1")
    if oid in (INT2, INT4, INT8) and (pa.types.is_integer(t) or pa.types.is_boolean(t)):
        return _fixed(_numbers(arr, np.int64), valid, {INT2: ">i2", INT4: ">i4", INT8: ">i8"}[oid])
    if oid in (FLOAT4, FLOAT8) and (pa.types.is_floating(t) or pa.types.is_integer(t)):
        return _fixed(_numbers(arr, np.float64), valid, ">f4" if oid == FLOAT4 else ">f8")
    if oid == DATE and pa.types.is_date(t):
        days = np.asarray(pc.fill_null(pc.cast(arr, pa.date32()), 0).cast(pa.int32()).to_numpy(zero_copy_only=False))
        return _fixed(days.astype(np.int64) - PG_EPOCH_DAYS, valid, ">i4")
    if oid in (TIMESTAMP, TIMESTAMPTZ) and pa.types.is_timestamp(t):
        target = pa.timestamp("us", tz="UTC") if t.tz is not None else pa.timestamp("us")
        micros = pc.fill_null(pc.cast(arr, target), 0).cast(pa.int64()).to_numpy(zero_copy_only=False)
        return _fixed(np.asarray(micros) - PG_EPOCH_US, valid, ">i8")
    if oid == TIME and pa.types.is_time(t):
        micros = pc.fill_null(pc.cast(arr, pa.time64("us")), 0).cast(pa.int64()).to_numpy(zero_copy_only=False)
        return _fixed(np.asarray(micros), valid, ">i8")
    if oid == BYTEA and (pa.types.is_binary(t) or pa.types.is_large_binary(t)):
        return _from_strings(arr)
    if oid == NUMERIC:
        return _python(arr, _numeric_binary)
    if oid == INTERVAL and pa.types.is_interval(t):
        return _python(arr, _interval_binary)
    # text-like types: the binary form is the text itself
    return _encode_text(arr, oid)


def encode_column(arr: pa.Array, oid: int, binary: bool) -> Encoded:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = pc.cast(arr, arr.type.value_type)
    if binary:
        return _encode_binary(arr, oid)
    if oid == BYTEA and (pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type)):
        return _python(arr, lambda v: b"\\x" + v.hex().encode())
    return _encode_text(arr, oid)


# -- assembling DataRow messages -------------------------------------------------------------------------------------
def _put(out: np.ndarray, positions: np.ndarray, values: np.ndarray, dtype: str) -> None:
    raw = np.ascontiguousarray(values.astype(dtype)).view(np.uint8).reshape(len(values), -1)
    out[positions[:, None] + np.arange(raw.shape[1])] = raw


def data_rows(columns: list[Encoded], nrows: int) -> bytes:
    """DataRow messages ('D', length, column count, then length + bytes per value) for `nrows` rows."""
    if nrows == 0:
        return b""
    ncols = len(columns)
    body = np.full(nrows, 4 + 2 + 4 * ncols, dtype=np.int64)
    for col in columns:
        body += np.maximum(col.lengths, 0)
    sizes = body + 1
    starts = np.zeros(nrows, dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    out = np.empty(int(starts[-1] + sizes[-1]), dtype=np.uint8)
    out[starts] = ord("D")
    _put(out, starts + 1, body, ">i4")
    _put(out, starts + 5, np.full(nrows, ncols), ">i2")
    pos = starts + 7
    for col in columns:
        _put(out, pos, col.lengths, ">i4")
        pos = pos + 4
        spans = np.maximum(col.lengths, 0)
        total = int(spans.sum())
        if total:
            before = np.zeros(nrows, dtype=np.int64)
            np.cumsum(spans[:-1], out=before[1:])
            out[np.repeat(pos - before, spans) + np.arange(total)] = col.data[:total]
        pos = pos + spans
    return out.tobytes()


def encode_batch(batch: pa.RecordBatch, fields: list[Field], formats: list[int]) -> bytes:
    columns = []
    for i, field in enumerate(fields):
        fmt = formats[i] if i < len(formats) else (formats[0] if len(formats) == 1 else 0)
        columns.append(encode_column(batch.column(i), field.type_oid, fmt == 1))
    return data_rows(columns, batch.num_rows)


# -- parameters -----------------------------------------------------------------------------------------------------
def decode_parameter(value: bytes | None, oid: int, binary: bool) -> Any:
    """A Bind parameter as a Python value for DuckDB."""
    if value is None:
        return None
    if binary:
        if oid in (INT2, INT4, INT8, OID):
            return int.from_bytes(value, "big", signed=True)
        if oid == FLOAT4:
            return float(np.frombuffer(value, ">f4")[0])
        if oid == FLOAT8:
            return float(np.frombuffer(value, ">f8")[0])
        if oid == BOOL:
            return value != b"\x00"
        if oid == BYTEA:
            return value
        if oid == DATE:
            return dt.date(2000, 1, 1) + dt.timedelta(days=int.from_bytes(value, "big", signed=True))
        if oid in (TIMESTAMP, TIMESTAMPTZ):
            stamp = dt.datetime(2000, 1, 1) + dt.timedelta(microseconds=int.from_bytes(value, "big", signed=True))
            return stamp.replace(tzinfo=dt.UTC) if oid == TIMESTAMPTZ else stamp
        return value.decode()
    text = value.decode()
    if oid in (INT2, INT4, INT8, OID):
        return int(text)
    if oid in (FLOAT4, FLOAT8):
        return float(text)
    if oid == NUMERIC:
        return Decimal(text)
    if oid == BOOL:
        return text.lower() in ("t", "true", "1", "y", "yes", "on")
    if oid == DATE:
        return dt.date.fromisoformat(text)
    if oid == TIMESTAMP:
        return dt.datetime.fromisoformat(text)
    return text
