"""Results in the Arrow layout the Snowflake connectors read (fakesnow's `to_sf`, with NULL timestamps kept NULL:
fakesnow builds the timestamp structs without a validity mask, so a NULL TIMESTAMP reached clients as 1970-01-01)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from fakesnow.arrow import to_sf_schema


def timestamp_struct(ts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A timestamp column as Snowflake's {epoch, fraction[, timezone]} structs, NULL where the value is NULL."""
    if isinstance(ts, pa.ChunkedArray):
        ts = ts.combine_chunks()
    seconds = pc.floor_temporal(ts, unit="second")
    epoch = pc.divide(seconds.cast(pa.int64()), 1_000_000 if ts.type.unit == "us" else _per_second(ts.type.unit))
    fraction = pc.round(pc.multiply(pc.subsecond(ts), 1_000_000_000)).cast(pa.int32())  # type: ignore[attr-defined]
    arrays = [pc.fill_null(epoch, 0), pc.fill_null(fraction, 0)]
    fields = [pa.field("epoch", pa.int64(), nullable=False), pa.field("fraction", pa.int32(), nullable=False)]
    if ts.type.tz:
        arrays.append(pa.array([1440] * len(ts), type=pa.int32()))  # offset 0 (UTC), in minutes + 1440
        fields.append(pa.field("timezone", pa.int32(), nullable=False))
    return pa.StructArray.from_arrays(arrays=arrays, fields=fields, mask=ts.is_null())


def _per_second(unit: str) -> int:
    return {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]


def to_sf(table: pa.Table, rowtype: list[Any]) -> pa.Table:
    def column(col: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
        if pa.types.is_timestamp(col.type):
            return timestamp_struct(col)
        if pa.types.is_time(col.type):
            return pc.multiply(col.cast(pa.int64()), 1000)  # as nanoseconds
        if pa.types.is_null(col.type):
            return col.cast(pa.string())  # Snowflake returns untyped NULL results as TEXT
        return col

    arrays = [column(c) for c in table.columns]
    schema = pa.schema([field.with_type(array.type) for field, array in zip(table.schema, arrays, strict=True)])
    return pa.Table.from_arrays(arrays, schema=to_sf_schema(schema, rowtype))
