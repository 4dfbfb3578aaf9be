"""CHECK constraints -> value bounds and categorical values.

Understood forms (combined with AND, on one column): `x BETWEEN a AND b`, `x >= a`, `x > a`, `x <= b`, `x < b`,
`a <= x` (either side), `x = a`, `x IN (a, b, ...)`, `x = a OR x = b ...`, `x IS NOT NULL`. Literals may be numbers,
strings, booleans and dates (`DATE '2024-01-01'`, `'2024-01-01'::date`, `CAST(... AS DATE)`, `TO_DATE('...')`).
Anything else is reported back so the importer can warn that it is not used for generation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlglot import exp


class NotUnderstood(Exception):
    """A CHECK that cannot be turned into bounds or values."""


@dataclass
class CheckFacts:
    column: str  # the column the CHECK constrains, as written
    lower: tuple[Any, bool] | None = None  # (value, inclusive)
    upper: tuple[Any, bool] | None = None
    values: list[Any] | None = None
    not_null: bool = False
    parts: list[str] = field(default_factory=list)


def analyse(expression: exp.Expression) -> CheckFacts:
    """The facts a CHECK states about one column. Raises NotUnderstood otherwise."""
    facts: CheckFacts | None = None
    for conjunct in _conjuncts(expression):
        column, apply = _fact(conjunct)
        if facts is None:
            facts = CheckFacts(column)
        elif facts.column.lower() != column.lower():
            raise NotUnderstood("it involves more than one column")
        apply(facts)
    if facts is None:
        raise NotUnderstood("it is empty")
    return facts


def _conjuncts(expression: exp.Expression) -> list[exp.Expression]:
    node = _unwrap(expression)
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    return [node]


def _unwrap(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _column_name(node: exp.Expression) -> str | None:
    node = _unwrap(node)
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier):
        return str(node.this.this)
    return None


_FLIP: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.EQ: exp.EQ,
}  # fmt: skip


def _fact(node: exp.Expression) -> tuple[str, Any]:
    if isinstance(node, exp.Between):
        column = _column_name(node.this)
        if column is None:
            raise NotUnderstood("BETWEEN does not test a column")
        low, high = literal(node.args["low"]), literal(node.args["high"])
        return column, lambda f: _set_range(f, low, high)
    if isinstance(node, exp.In):
        column = _column_name(node.this)
        if column is None or node.args.get("query") is not None:
            raise NotUnderstood("IN does not test a column against a list")
        values = [literal(v) for v in node.expressions]
        return column, lambda f: _set_values(f, values)
    if isinstance(node, exp.Or):
        return _or_values(node)
    if isinstance(node, exp.Not) and isinstance(_unwrap(node.this), exp.Is):
        inner = _unwrap(node.this)
        column = _column_name(inner.this)
        if column is not None and isinstance(inner.expression, exp.Null):
            return column, lambda f: setattr(f, "not_null", True)
        raise NotUnderstood("only IS NOT NULL is understood")
    if type(node) in _FLIP:
        kind: type[exp.Expression] = type(node)
        column = _column_name(node.this)
        other = node.expression
        if column is None:
            column = _column_name(node.expression)
            other = node.this
            kind = _FLIP[kind]
        if column is None:
            raise NotUnderstood("the comparison does not test a column")
        value = literal(other)
        return column, lambda f: _compare(f, kind, value)
    raise NotUnderstood(f"{node.key.upper()} is not a range or a list of values")


def _or_values(node: exp.Expression) -> tuple[str, Any]:
    values: list[Any] = []
    column: str | None = None
    stack = [node]
    while stack:
        current = _unwrap(stack.pop())
        if isinstance(current, exp.Or):
            stack.extend([current.expression, current.this])
            continue
        if isinstance(current, exp.EQ | exp.In):
            name, apply = _fact(current)
            probe = CheckFacts(name)
            apply(probe)
            if column is not None and name.lower() != column.lower():
                raise NotUnderstood("OR over different columns")
            column = name
            values.extend(probe.values or [])
            continue
        raise NotUnderstood("only OR of equalities is understood")
    assert column is not None
    return column, lambda f: _set_values(f, values)


def _compare(facts: CheckFacts, kind: type[exp.Expression], value: Any) -> None:
    if kind is exp.EQ:
        _set_values(facts, [value])
    elif kind in (exp.GT, exp.GTE):
        _set_lower(facts, value, kind is exp.GTE)
    else:
        _set_upper(facts, value, kind is exp.LTE)


def _set_range(facts: CheckFacts, low: Any, high: Any) -> None:
    _set_lower(facts, low, True)
    _set_upper(facts, high, True)


def _set_lower(facts: CheckFacts, value: Any, inclusive: bool) -> None:
    if facts.lower is None or _greater(value, facts.lower[0]):
        facts.lower = (value, inclusive)


def _set_upper(facts: CheckFacts, value: Any, inclusive: bool) -> None:
    if facts.upper is None or _greater(facts.upper[0], value):
        facts.upper = (value, inclusive)


def _greater(a: Any, b: Any) -> bool:
    try:
        return bool(a > b)
    except TypeError as exc:
        raise NotUnderstood("it compares values of different kinds") from exc


def _set_values(facts: CheckFacts, values: list[Any]) -> None:
    if facts.values is None:
        facts.values = list(values)
    else:
        keep = {repr(v) for v in values}
        facts.values = [v for v in facts.values if repr(v) in keep]


def literal(node: exp.Expression) -> Any:
    """The Python value of a constant expression: int, Decimal, str, bool or date. Raises NotUnderstood."""
    node = _unwrap(node)
    if isinstance(node, exp.Column):
        raise NotUnderstood(f"it compares with another column ({node.sql()})")
    if isinstance(node, exp.Neg):
        value = literal(node.this)
        if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
            return -value
        raise NotUnderstood("'-' applied to something that is not a number")
    if isinstance(node, exp.Literal):
        if node.is_string:
            return str(node.this)
        return _number(str(node.this))
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Cast | exp.TryCast):
        inner = literal(node.this)  # raises for CAST(other_column AS ...)
        target = node.to.this if isinstance(node.to, exp.DataType) else None
        if target in (
            exp.DataType.Type.DATE,
            exp.DataType.Type.TIMESTAMP,
            exp.DataType.Type.DATETIME,
            exp.DataType.Type.TIMESTAMPTZ,
            exp.DataType.Type.TIMESTAMPNTZ,
            exp.DataType.Type.TIMESTAMPLTZ,
        ):
            return as_date(inner)
        return inner
    if isinstance(node, exp.StrToDate | exp.TsOrDsToDate | exp.Date | exp.DateStrToDate | exp.StrToTime):
        return as_date(literal(node.this))
    if (
        isinstance(node, exp.Anonymous)
        and str(node.this).upper() in ("TO_DATE", "DATE", "TO_TIMESTAMP")
        and node.expressions
    ):
        return as_date(literal(node.expressions[0]))
    raise NotUnderstood(f"{node.sql()} is not a constant")


MAX_NUMBER_DIGITS = 60  # a bound beyond 10**60 (or below 10**-60) is not a bound any column type can hold


def _number(text: str) -> int | Decimal:
    try:
        if any(ch in text for ch in ".eE"):
            number = Decimal(text)
            if not number.is_finite() or (number and abs(number.adjusted()) > MAX_NUMBER_DIGITS):
                raise NotUnderstood(f"{text} is out of any column type's range")
            return number
        if len(text.lstrip("+-0")) > MAX_NUMBER_DIGITS:
            raise NotUnderstood(f"{text[:20]}... is out of any column type's range")
        return int(text)
    except (ValueError, ArithmeticError) as exc:
        raise NotUnderstood(f"{text} is not a number") from exc


def as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromisoformat(text).date() if len(text) > 10 else date.fromisoformat(text)
        except ValueError:
            pass
    raise NotUnderstood(f"{value!r} is not a date")
