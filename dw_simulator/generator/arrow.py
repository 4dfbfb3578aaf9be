"""Arrow types of generated columns and fast builders for Arrow arrays from NumPy buffers.

`arrow_schema_for` is the fixed SQL-type -> Arrow-type mapping the backends rely on. The builders assemble
arrays straight from buffers (no per-value Python objects): fixed-width strings, decimals from scaled integers,
dates/timestamps from day/microsecond counts, and validity bitmaps for NULLs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dw_simulator.generator.random import I64, U64, Bools
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.table_schema import TableSchema
from dw_simulator.schema.types import BaseType, TypeSpec

DIGITS36 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
LETTERS = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
INT64_SAFE = 10**18 - 1
"""Largest magnitude of a DECIMAL's scaled integer: generated decimals are held in int64 before Arrow."""


def arrow_type_for(spec: TypeSpec) -> pa.DataType:
    """SMALLINT->int16, INT->int32, BIGINT->int64, FLOAT->float64, DECIMAL(p,s)->decimal128(p,s),
    VARCHAR/CHAR->string, BOOLEAN->bool, DATE->date32, TIME->time64[us], TIMESTAMP->timestamp[us],
    TIMESTAMPTZ->timestamp[us, UTC], BINARY->binary, JSON/VARIANT/OBJECT/ARRAY/SUPER->string (JSON text)."""
    base = spec.base
    if base is BaseType.DECIMAL:
        precision, scale = spec.precision_scale
        return pa.decimal128(precision, scale)
    return _FIXED[base]


_FIXED: dict[BaseType, pa.DataType] = {
    BaseType.SMALLINT: pa.int16(),
    BaseType.INT: pa.int32(),
    BaseType.BIGINT: pa.int64(),
    BaseType.FLOAT: pa.float64(),
    BaseType.VARCHAR: pa.string(),
    BaseType.CHAR: pa.string(),
    BaseType.BOOLEAN: pa.bool_(),
    BaseType.DATE: pa.date32(),
    BaseType.TIME: pa.time64("us"),
    BaseType.TIMESTAMP: pa.timestamp("us"),
    BaseType.TIMESTAMPTZ: pa.timestamp("us", tz="UTC"),
    BaseType.BINARY: pa.binary(),
    BaseType.JSON: pa.string(),
    BaseType.VARIANT: pa.string(),
    BaseType.OBJECT: pa.string(),
    BaseType.ARRAY: pa.string(),
    BaseType.SUPER: pa.string(),
}


def arrow_field_for(column: ColumnSchema) -> pa.Field:
    return pa.field(column.name, arrow_type_for(column.type_spec), nullable=True)


def arrow_schema_for(table: TableSchema) -> pa.Schema:
    """The Arrow schema of a generated table's Parquet files (columns in schema order)."""
    return pa.schema([arrow_field_for(c) for c in table.columns])


# -- builders ------------------------------------------------------------------------------------------------


def numbers(values: npt.NDArray[np.generic], arrow_type: pa.DataType) -> pa.Array:
    """A numeric/bool/temporal array from NumPy values already in the storage unit of `arrow_type`."""
    if pa.types.is_decimal(arrow_type):
        return decimals(values.astype(np.int64, copy=False), arrow_type)
    if pa.types.is_date32(arrow_type):
        return pa.array(values.astype(np.int32, copy=False), type=arrow_type)
    if pa.types.is_timestamp(arrow_type) or pa.types.is_time64(arrow_type):
        return pa.array(values.astype(np.int64, copy=False), type=arrow_type)
    return pa.array(values.astype(arrow_type.to_pandas_dtype(), copy=False), type=arrow_type)


def decimals(scaled: I64, arrow_type: pa.DataType) -> pa.Array:
    """decimal128 from int64 values already multiplied by 10**scale (16-byte little-endian two's complement)."""
    words = np.empty((scaled.shape[0], 2), dtype=np.int64)
    words[:, 0] = scaled
    words[:, 1] = scaled >> np.int64(63)
    return pa.Array.from_buffers(arrow_type, scaled.shape[0], [None, pa.py_buffer(words)])


def fixed_width_strings(codes: npt.NDArray[np.uint8]) -> pa.Array:
    """A string array from an (n, width) matrix of ASCII bytes."""
    n, width = codes.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64 if n * width >= 2**31 else np.int32)
    str_type = pa.large_string() if offsets.dtype == np.int64 else pa.string()
    arr = pa.Array.from_buffers(str_type, n, [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(codes))])
    return arr if str_type == pa.string() else arr.cast(pa.string())


def fixed_width_binary(data: npt.NDArray[np.uint8]) -> pa.Array:
    """A binary array from an (n, width) byte matrix."""
    n, width = data.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data))]
    )


def radix_codes(values: U64, width: int, alphabet: npt.NDArray[np.uint8] = DIGITS36) -> npt.NDArray[np.uint8]:
    """Each value written in base len(alphabet) with exactly `width` digits (most significant first)."""
    base = np.uint64(alphabet.shape[0])
    rest = values.copy()
    out = np.empty((values.shape[0], width), dtype=np.uint8)
    for pos in range(width - 1, -1, -1):
        out[:, pos] = alphabet[rest % base]
        rest //= base
    return out


def decimal_strings(values: U64 | I64) -> pa.Array:
    """Integers written in decimal, as a string array."""
    return pc.cast(pa.array(values), pa.string())


def with_nulls(arr: pa.Array, mask: Bools | None) -> pa.Array:
    """`arr` with NULL where `mask` is True."""
    if mask is None or not mask.any():
        return arr
    if arr.offset == 0 and arr.null_count == 0 and arr.type.num_fields == 0:
        validity = np.packbits(~mask, bitorder="little")
        buffers = arr.buffers()
        return pa.Array.from_buffers(arr.type, len(arr), [pa.py_buffer(validity), *buffers[1:]], null_count=-1)
    return pc.if_else(pa.array(mask), pa.scalar(None, type=arr.type), arr)


def all_nulls(arrow_type: pa.DataType, n: int) -> pa.Array:
    return pa.nulls(n, type=arrow_type)
