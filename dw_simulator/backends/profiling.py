"""Column profiles computed by the warehouse itself with portable SQL (DuckDB, SQLite, PostgreSQL)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dw_simulator.backends.base import ColumnProfile
from dw_simulator.schema import ColumnSchema
from dw_simulator.schema.types import BaseType

Runner = Callable[[str], Sequence[Sequence[Any]]]
HISTOGRAM_BUCKETS = 20
TOP_VALUES = 10


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def profile_sql_plan(column: ColumnSchema, relation: str, run: Runner, *, dialect: str = "generic") -> ColumnProfile:
    """Profile one column. `dialect="postgres"` avoids min/max over BOOLEAN and BYTEA, which PostgreSQL lacks."""
    spec = column.type_spec
    col = _q(column.name)
    if dialect == "postgres" and spec.base in (BaseType.BOOLEAN, BaseType.BINARY):
        low, high = (f"bool_and({col})", f"bool_or({col})") if spec.base is BaseType.BOOLEAN else ("NULL", "NULL")
        row = run(f"SELECT count(*), count({col}), count(DISTINCT {col}), {low}, {high} FROM {relation}")[0]
        rows, non_null = int(row[0]), int(row[1])
        profile = ColumnProfile(column.name, column.data_type, rows, rows - non_null, int(row[2]), row[3], row[4])
        if non_null and spec.base is BaseType.BOOLEAN:
            top = run(
                f"SELECT {col}, count(*) AS n FROM {relation} WHERE {col} IS NOT NULL GROUP BY {col} ORDER BY n DESC"
            )
            profile.histogram = [{"value": v, "count": int(n)} for v, n in top]
        return profile
    if spec.is_json:
        row = run(f"SELECT count(*), count({col}) FROM {relation}")[0]
        rows, non_null = int(row[0]), int(row[1])
        return ColumnProfile(column.name, column.data_type, rows, rows - non_null, 0)
    numeric = spec.is_numeric
    value = f"CAST({col} AS DOUBLE PRECISION)" if numeric else col
    aggregates = f"count(*), count({col}), count(DISTINCT {col}), min({col}), max({col})"
    if numeric:
        aggregates += f", avg({value}), avg({value} * {value})"
    row = run(f"SELECT {aggregates} FROM {relation}")[0]
    rows, non_null, distinct = int(row[0]), int(row[1]), int(row[2])
    profile = ColumnProfile(
        column.name, column.data_type, rows, rows - non_null, distinct, _plain(row[3]), _plain(row[4])
    )
    if numeric and non_null:
        mean = float(row[5])
        variance = max(0.0, float(row[6]) - mean * mean)
        profile.mean = mean
        profile.stddev = math.sqrt(variance)
        profile.histogram = _numeric_histogram(col, relation, float(row[3]), float(row[4]), run)
    elif non_null:
        top = run(
            f"SELECT {col}, count(*) AS n FROM {relation} WHERE {col} IS NOT NULL "
            f"GROUP BY {col} ORDER BY n DESC, {col} LIMIT {TOP_VALUES}"
        )
        profile.histogram = [{"value": _plain(v), "count": int(n)} for v, n in top]
    return profile


def _numeric_histogram(col: str, relation: str, low: float, high: float, run: Runner) -> list[dict[str, Any]]:
    if high == low:
        count = run(f"SELECT count({col}) FROM {relation}")[0][0]
        return [{"low": low, "high": high, "count": int(count)}]
    width = (high - low) / HISTOGRAM_BUCKETS
    bucket = (
        f"CASE WHEN CAST({col} AS DOUBLE PRECISION) >= {high!r} THEN {HISTOGRAM_BUCKETS - 1} "
        f"ELSE CAST(floor((CAST({col} AS DOUBLE PRECISION) - {low!r}) / {width!r}) AS INTEGER) END"
    )
    rows = run(f"SELECT {bucket} AS b, count(*) FROM {relation} WHERE {col} IS NOT NULL GROUP BY b ORDER BY b")
    counts = {int(b): int(n) for b, n in rows}
    return [
        {"low": low + i * width, "high": low + (i + 1) * width, "count": counts.get(i, 0)}
        for i in range(HISTOGRAM_BUCKETS)
    ]
