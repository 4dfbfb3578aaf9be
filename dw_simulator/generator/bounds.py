"""Column bounds, default ranges and typed values: the numbers the planner derives from a column's schema.

Defaults never depend on the current date: dates default to the two years before the fixed `REFERENCE_DATE`.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import dw_simulator.generator.arrow as build
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.distributions import (
    BetaDistribution,
    ExponentialDistribution,
    LognormalDistribution,
    NormalDistribution,
    UniformDistribution,
)
from dw_simulator.schema.types import INTEGER_RANGES, BaseType, TypeSpec

REFERENCE_DATE = date(2025, 1, 1)
"""Fixed reference for default date ranges (never today(), so the same seed gives the same data any day)."""
DEFAULT_DATE_START = date(2023, 1, 1)
DEFAULT_DATE_END = REFERENCE_DATE - timedelta(days=1)
DEFAULT_DATE_SPAN = (DEFAULT_DATE_END - DEFAULT_DATE_START).days
DEFAULT_NUMBER_SPAN = 1000
DEFAULT_BINARY_LENGTH = 16
CODE_MAX_WIDTH = 12
EPOCH = date(1970, 1, 1)
SECONDS_PER_DAY = 86_400
MICROS = 1_000_000


def ceil_int(value: Any) -> int:
    return int(Decimal(str(value)).to_integral_value(rounding=ROUND_CEILING))


def floor_int(value: Any) -> int:
    return int(Decimal(str(value)).to_integral_value(rounding=ROUND_FLOOR))


def float_at_least(value: int) -> float:
    """The smallest float >= value (so clipping in float never leaves the integer range)."""
    f = float(value)
    return f if f >= value else float(np.nextafter(f, np.inf))


def float_at_most(value: int) -> float:
    f = float(value)
    return f if f <= value else float(np.nextafter(f, -np.inf))


def int_range(spec: TypeSpec, column: ColumnSchema) -> tuple[int, int]:
    """The column's allowed integer range: its bounds within its type's range."""
    t_lo, t_hi = INTEGER_RANGES[spec.base]
    lo = t_lo if column.min_value is None else max(t_lo, ceil_int(column.min_value))
    hi = t_hi if column.max_value is None else min(t_hi, floor_int(column.max_value))
    return lo, hi


def decimal_units(spec: TypeSpec, column: ColumnSchema) -> tuple[int, int, int]:
    """(scale, lowest, highest) allowed value in units of 10**-scale."""
    precision, scale = spec.precision_scale
    limit = min(10**precision - 1, build.INT64_SAFE)
    factor = Decimal(10) ** scale
    lo = -limit if column.min_value is None else max(-limit, ceil_int(Decimal(str(column.min_value)) * factor))
    hi = limit if column.max_value is None else min(limit, floor_int(Decimal(str(column.max_value)) * factor))
    return scale, lo, hi


def date_range(column: ColumnSchema) -> tuple[date, date]:
    start, end = column.date_start, column.date_end
    if start is None and end is None:
        return DEFAULT_DATE_START, DEFAULT_DATE_END
    if start is None:
        assert end is not None
        return end - timedelta(days=DEFAULT_DATE_SPAN), end
    if end is None:
        return start, start + timedelta(days=DEFAULT_DATE_SPAN)
    return start, end


def seconds_window(column: ColumnSchema, spec: TypeSpec) -> tuple[int, int]:
    """(start in microseconds since the epoch, number of whole seconds) a TIMESTAMP's range (or a TIME's day) spans."""
    if spec.base is BaseType.TIME:
        return 0, SECONDS_PER_DAY
    start, end = date_range(column)
    return epoch_days(start) * SECONDS_PER_DAY * MICROS, ((end - start).days + 1) * SECONDS_PER_DAY


def epoch_days(value: date) -> int:
    return (value - EPOCH).days


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _to_datetime(value: Any, tz: bool) -> datetime:
    if isinstance(value, datetime):
        out = value
    elif isinstance(value, date):
        out = datetime(value.year, value.month, value.day)
    else:
        out = datetime.fromisoformat(str(value))
    if not tz:
        return out.replace(tzinfo=None)
    return out.replace(tzinfo=UTC) if out.tzinfo is None else out.astimezone(UTC)


def _to_time(value: Any) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def typed_values(values: list[Any], spec: TypeSpec, column: ColumnSchema) -> pa.Array:
    """Python values (categorical choices, Faker output) as an Arrow array of the column's type, clipped to bounds."""
    base = spec.base
    arrow_type = build.arrow_type_for(spec)
    if spec.is_integer:
        lo, hi = int_range(spec, column)
        return pa.array([min(hi, max(lo, round(float(v)) if not isinstance(v, int) else v)) for v in values],
                        type=arrow_type)  # fmt: skip
    if base is BaseType.DECIMAL:
        scale, lo_u, hi_u = decimal_units(spec, column)
        step = Decimal(10) ** -scale
        out = []
        for v in values:
            units = int((Decimal(str(v)) / step).to_integral_value())
            out.append(Decimal(min(hi_u, max(lo_u, units))) * step)
        return pa.array(out, type=arrow_type)
    if base is BaseType.FLOAT:
        lo_f = -math.inf if column.min_value is None else float(column.min_value)
        hi_f = math.inf if column.max_value is None else float(column.max_value)
        return pa.array([min(hi_f, max(lo_f, float(v))) for v in values], type=arrow_type)
    if base is BaseType.BOOLEAN:
        return pa.array([bool(v) for v in values], type=arrow_type)
    if base is BaseType.DATE:
        start, end = column.date_start, column.date_end
        dates = [_to_date(v) for v in values]
        dates = [max(start, d) if start else d for d in dates]
        return pa.array([min(end, d) if end else d for d in dates], type=arrow_type)
    if base in (BaseType.TIMESTAMP, BaseType.TIMESTAMPTZ):
        return pa.array([_to_datetime(v, base is BaseType.TIMESTAMPTZ) for v in values], type=arrow_type)
    if base is BaseType.TIME:
        return pa.array([_to_time(v) for v in values], type=arrow_type)
    if base is BaseType.BINARY:
        return pa.array([v if isinstance(v, bytes) else str(v).encode() for v in values], type=arrow_type)
    text = [str(v) for v in values]
    if column.varchar_length is not None:
        text = [t[: column.varchar_length] for t in text]
    return pa.array(text, type=arrow_type)


def distinct(arr: pa.Array) -> pa.Array:
    return pc.unique(arr)


def typical_scale(dist: Any, lo: float, hi: float) -> float:
    """The size of typical values' spread, to decide whether cents-rounding is harmless."""
    if isinstance(dist, NormalDistribution):
        return dist.stddev
    if isinstance(dist, ExponentialDistribution):
        return dist.mean
    if isinstance(dist, LognormalDistribution):
        return math.exp(dist.mean) * dist.sigma
    if isinstance(dist, UniformDistribution):
        low = dist.low if dist.low is not None else lo
        high = dist.high if dist.high is not None else hi
        return high - low if math.isfinite(high - low) else DEFAULT_NUMBER_SPAN
    if isinstance(dist, BetaDistribution):
        return hi - lo if math.isfinite(hi - lo) else 0.0
    return 0.0
