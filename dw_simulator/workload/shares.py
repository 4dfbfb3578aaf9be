"""How many rows a filter selects: a filter evaluated on Python values (a generator sample), with SQL semantics
(NULL selects nothing, negated or not), LIKE/ILIKE patterns as regular expressions, dates compared as dates."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from dw_simulator.workload.literals import as_date
from dw_simulator.workload.predicates import Filter


@lru_cache(maxsize=512)
def like_regex(pattern: str, insensitive: bool) -> re.Pattern[str]:
    out = [".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern]
    return re.compile("^" + "".join(out) + "$", re.DOTALL | (re.IGNORECASE if insensitive else 0))


def _part(value: Any, part: str | None, literal: Any = None) -> Any:
    if part is None or value is None:
        return value
    if part == "prefix":
        return str(value)[: len(str(literal))] if literal is not None else str(value)
    if isinstance(value, date):
        if part == "year":
            return value.year
        if part == "month":
            return value.month
        if part == "day":
            return value.day
        if part == "quarter":
            return (value.month - 1) // 3 + 1
        if part in ("dow", "dayofweek"):
            return (value.weekday() + 1) % 7
    return None


def _key(value: Any, literal: Any) -> tuple[Any, Any] | None:
    """(value, literal) made comparable, or None."""
    if value is None or literal is None:
        return None
    if isinstance(value, date):
        lit = as_date(literal)
        if lit is None:
            return None
        if isinstance(value, datetime) != isinstance(lit, datetime):
            value = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
            lit = lit if isinstance(lit, datetime) else datetime(lit.year, lit.month, lit.day)
        return value, lit
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            return float(value), float(literal)
        except (TypeError, ValueError):
            return None
    return str(value), str(literal)


def _compare(op: str, value: Any, literal: Any) -> bool | None:
    pair = _key(value, literal)
    if pair is None:
        return None
    a, b = pair
    if op == "=":
        return bool(a == b)
    if op == "<>":
        return bool(a != b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    if op == ">=":
        return bool(a >= b)
    return None


def selects(flt: Filter, value: Any) -> bool:
    """Whether a row holding `value` passes the filter (NULL never does)."""
    if value is None:
        return False
    result: bool | None
    if flt.op in ("like", "ilike"):
        if flt.part == "prefix":
            return False
        result = like_regex(str(flt.values[0]), flt.op == "ilike").match(str(value)) is not None
    elif flt.op == "in":
        hits = [_compare("=", _part(value, flt.part, v), v) for v in flt.values]
        result = None if all(h is None for h in hits) else any(bool(h) for h in hits)
    elif flt.op == "between":
        low = _compare(">=", _part(value, flt.part, flt.values[0]), flt.values[0])
        high = _compare("<=", _part(value, flt.part, flt.values[1]), flt.values[1])
        result = None if low is None or high is None else low and high
    else:
        result = _compare(flt.op, _part(value, flt.part, flt.values[0]), flt.values[0])
    if result is None:
        return False
    return not result if flt.negated else result


def share(flt: Filter, values: list[Any]) -> float:
    if not values:
        return 0.0
    return sum(1 for v in values if selects(flt, v)) / len(values)
