"""Constant folding of the literal side of a predicate: numbers, strings, dates and timestamps, intervals, and the
arithmetic queries write with them (`date '1995-03-15' + interval '1' year`, `0.06 - 0.01`, `DATEADD(day, 90, d)`,
`CURRENT_DATE - 30`).

`fold(node, today)` returns a Python value (int, Decimal, float, str, date, datetime, `Span`) or None when the node
is not a constant (it names a column, calls a function we do not evaluate, or reads a subquery). `CURRENT_DATE`
and its kin fold to `today`: the experiment's date window end, so the same inputs always fold the same way.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlglot import exp

Value = int | float | Decimal | str | date | datetime
_UNITS = {
    "year": (12, 0),
    "years": (12, 0),
    "yr": (12, 0),
    "y": (12, 0),
    "yy": (12, 0),
    "yyyy": (12, 0),
    "quarter": (3, 0),
    "quarters": (3, 0),
    "qtr": (3, 0),
    "q": (3, 0),
    "month": (1, 0),
    "months": (1, 0),
    "mon": (1, 0),
    "mons": (1, 0),
    "mm": (1, 0),
    "week": (0, 7),
    "weeks": (0, 7),
    "w": (0, 7),
    "wk": (0, 7),
    "day": (0, 1),
    "days": (0, 1),
    "d": (0, 1),
    "dd": (0, 1),
}
_SUB_DAY = {
    "hour": 1 / 24,
    "hours": 1 / 24,
    "hh": 1 / 24,
    "minute": 1 / 1440,
    "minutes": 1 / 1440,
    "second": 1 / 86400,
    "seconds": 1 / 86400,
}


@dataclass(frozen=True)
class Span:
    """An interval: whole months plus days (fractions of a day for hours, minutes, seconds)."""

    months: int = 0
    days: float = 0.0

    def times(self, n: float) -> Span:
        return Span(round(self.months * n), self.days * n)

    def add_to(self, value: date | datetime, sign: int = 1) -> date | datetime:
        months = self.months * sign
        if months:
            total = value.year * 12 + value.month - 1 + months
            year, month = divmod(total, 12)
            day = min(value.day, calendar.monthrange(year, month + 1)[1])
            value = value.replace(year=year, month=month + 1, day=day)
        delta = self.days * sign
        if isinstance(value, datetime):
            return value + timedelta(days=delta)
        return value + timedelta(days=int(delta))


def unit_span(unit: str) -> Span | None:
    key = unit.strip().lower()
    if key in _UNITS:
        months, days = _UNITS[key]
        return Span(months, float(days))
    if key in _SUB_DAY:
        return Span(0, _SUB_DAY[key])
    return None


def parse_interval_text(text: str) -> Span | None:
    """'1 year', '90 days', '3 months 2 days' -> Span."""
    total = Span()
    found = False
    for amount, unit in re.findall(r"(-?\d+(?:\.\d+)?)\s*([A-Za-z]+)", text):
        span = unit_span(unit)
        if span is None:
            return None
        part = span.times(float(amount))
        total = Span(total.months + part.months, total.days + part.days)
        found = True
    return total if found else None


def _number(text: str) -> int | Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return int(value) if value == value.to_integral_value() and "." not in text and "e" not in text.lower() else value


def as_date(value: Any) -> date | datetime | None:
    """A date/datetime from a value (ISO strings included), or None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text.replace("T", " ").rstrip("Z"))
        except ValueError:
            return None
    return None


def fold(node: exp.Expression | None, today: date) -> Value | Span | None:
    """The constant value of `node`, or None when it is not a constant we can evaluate."""
    if node is None:
        return None
    if isinstance(node, exp.Paren):
        return fold(node.this, today)
    if isinstance(node, exp.Literal):
        return str(node.this) if node.is_string else _number(str(node.this))
    if isinstance(node, exp.Boolean):
        return None
    if isinstance(node, exp.Neg):
        inner = fold(node.this, today)
        if isinstance(inner, Span):
            return inner.times(-1)
        return -inner if isinstance(inner, int | float | Decimal) else None
    if isinstance(node, exp.CurrentDate | exp.CurrentTimestamp | exp.CurrentDatetime):
        return today if isinstance(node, exp.CurrentDate) else datetime(today.year, today.month, today.day)
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("getdate", "sysdate", "now"):
        return datetime(today.year, today.month, today.day)
    if isinstance(node, exp.Cast | exp.TryCast):
        return _cast(node, today)
    if isinstance(node, exp.Interval):
        return _interval(node, today)
    if isinstance(node, exp.Add | exp.Sub):
        return _add(fold(node.this, today), fold(node.expression, today), 1 if isinstance(node, exp.Add) else -1)
    if isinstance(node, exp.Mul | exp.Div):
        left, right = fold(node.this, today), fold(node.expression, today)
        if isinstance(left, int | Decimal) and isinstance(right, int | Decimal):
            if isinstance(node, exp.Mul):
                return left * right
            return Decimal(left) / Decimal(right) if right != 0 else None
        return None
    if isinstance(node, exp.DateAdd | exp.DateSub | exp.TsOrDsAdd | exp.TimestampAdd | exp.DatetimeAdd):
        return _date_add(node, today)
    if isinstance(node, exp.TsOrDsToDate | exp.StrToDate | exp.Date):
        inner = fold(node.this, today)
        found = as_date(inner)
        return found.date() if isinstance(found, datetime) else found
    return None


def _cast(node: exp.Cast, today: date) -> Value | None:
    inner = fold(node.this, today)
    if inner is None or isinstance(inner, Span):
        return None
    target = node.to
    if target.is_type(exp.DataType.Type.DATE):
        found = as_date(inner)
        return found.date() if isinstance(found, datetime) else found
    if target.is_type(*exp.DataType.TEMPORAL_TYPES):
        found = as_date(inner)
        return (
            datetime(found.year, found.month, found.day)
            if isinstance(found, date) and not isinstance(found, datetime)
            else found
        )
    if target.is_type(*exp.DataType.NUMERIC_TYPES):
        return _number(str(inner)) if not isinstance(inner, date) else None
    if target.is_type(*exp.DataType.TEXT_TYPES):
        return str(inner)
    return inner


def _interval(node: exp.Interval, today: date) -> Span | None:
    amount = fold(node.this, today)
    unit = node.args.get("unit")
    unit_name = unit.name if unit is not None else ""
    if unit_name:
        span = unit_span(unit_name)
        if span is None or amount is None:
            return None
        try:
            return span.times(float(amount))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
    return parse_interval_text(str(amount)) if amount is not None else None


def _add(left: Any, right: Any, sign: int) -> Value | Span | None:
    if left is None or right is None:
        return None
    left_d = as_date(left) if isinstance(left, str) else left
    right_d = as_date(right) if isinstance(right, str) else right
    if isinstance(left_d, date) and isinstance(right, Span):
        return right.add_to(left_d, sign)
    if isinstance(left_d, date) and isinstance(right, int) and not isinstance(right, bool):
        return left_d + timedelta(days=right * sign)  # Redshift/PostgreSQL: date + integer days
    if isinstance(left, Span) and isinstance(right_d, date) and sign == 1:
        return left.add_to(right_d)
    if isinstance(left, Span) and isinstance(right, Span):
        return Span(left.months + sign * right.months, left.days + sign * right.days)
    if isinstance(left, int | Decimal) and isinstance(right, int | Decimal):
        return left + right if sign == 1 else left - right
    if isinstance(left_d, date) and isinstance(right_d, date) and sign == -1:
        return None
    return None


def _date_add(node: exp.Expression, today: date) -> Value | None:
    base = fold(node.this, today)
    amount = fold(node.expression, today)
    unit = node.args.get("unit")
    span = unit_span(unit.name if unit is not None else "day")
    base_d = as_date(base) if isinstance(base, str | date) else None
    if base_d is None or span is None or not isinstance(amount, int | Decimal):
        return None
    sign = -1 if isinstance(node, exp.DateSub) else 1
    return span.times(float(amount)).add_to(base_d, sign)
