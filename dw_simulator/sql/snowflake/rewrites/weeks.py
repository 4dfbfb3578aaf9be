"""Weeks and NULL ordering as the session's parameters set them: WEEK_START, WEEK_OF_YEAR_POLICY and
DEFAULT_NULL_ORDERING. With the defaults nothing changes (DuckDB's weeks are ISO weeks starting on Monday).

https://docs.snowflake.com/en/sql-reference/functions-date-time#label-calendar-weeks-weekdays
https://docs.snowflake.com/en/sql-reference/parameters#default-null-ordering
"""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.snowflake.errors import UnsupportedFeature
from dw_simulator.sql.snowflake.rewrites.context import SessionContext
from dw_simulator.sql.snowflake.rewrites.nodes import fn


def _num(value: int) -> exp.Expr:
    return exp.Literal.number(value)


def _start(ctx: SessionContext) -> int:
    """The ISO weekday (1 = Monday ... 7 = Sunday) weeks start on."""
    return ctx.week_start or 1


def _days_into_week(value: exp.Expr, start: int) -> exp.Expr:
    """0 on the week's first day, 6 on its last."""
    shifted = exp.Paren(
        this=exp.Add(this=exp.Sub(this=fn("ISODOW", value), expression=_num(start)), expression=_num(7))
    )
    return exp.Paren(this=exp.Mod(this=shifted, expression=_num(7)))


def _unit(node: exp.Expr) -> str:
    unit = node.args.get("unit")
    return unit.name.upper() if isinstance(unit, exp.Literal | exp.Var) else ""


def _as_value(value: exp.Expr) -> exp.Expr:
    if isinstance(value, exp.Literal) and value.is_string:
        return exp.Cast(this=value, to=exp.DataType.build("TIMESTAMP"))
    return value


def week_start_of(value: exp.Expr, start: int) -> exp.Expr:
    """DATE_TRUNC('WEEK', value) for weeks starting on ISO weekday `start`; keeps DATE / TIMESTAMP."""
    origin = exp.Cast(this=exp.Literal.string(f"2000-01-{2 + start:02d}"), to=exp.DataType.build("DATE"))
    bucket = exp.Cast(this=exp.Literal.string("7 days"), to=exp.DataType.build("INTERVAL"))
    return fn("time_bucket", bucket, _as_value(value), origin)


def week_parameters(node: exp.Expr, ctx: SessionContext) -> exp.Expr:
    """DAYOFWEEK, DATE_TRUNC('WEEK'), LAST_DAY(.., 'WEEK'), DATEDIFF('WEEK'), WEEK/WEEKOFYEAR and YEAROFWEEK under a
    non-default WEEK_START or WEEK_OF_YEAR_POLICY."""
    if ctx.week_start == 0 and ctx.week_of_year_policy == 0:
        return node
    start = _start(ctx)
    if isinstance(node, exp.DayOfWeek) and ctx.week_start:
        return exp.Paren(this=exp.Add(this=_days_into_week(node.this, start), expression=_num(1)))
    if isinstance(node, exp.DateTrunc | exp.TimestampTrunc) and _unit(node) == "WEEK" and start != 1:
        return week_start_of(node.this, start)
    if isinstance(node, exp.LastDay) and _unit(node) == "WEEK" and start != 1:
        first = week_start_of(node.this, start)
        end = exp.Add(this=first, expression=exp.Cast(this=exp.Literal.string("6 days"),
                                                      to=exp.DataType.build("INTERVAL")))  # fmt: skip
        return exp.Cast(this=end, to=exp.DataType.build("DATE"))
    if isinstance(node, exp.DateDiff) and _unit(node) == "WEEK" and start != 1:
        days = fn("DATE_DIFF", exp.Literal.string("day"), week_start_of(node.expression, start),
                  week_start_of(node.this, start))  # fmt: skip
        return exp.Cast(this=exp.Div(this=days, expression=_num(7)), to=exp.DataType.build("BIGINT"))
    if isinstance(node, exp.Week):
        if ctx.week_of_year_policy == 1:
            first = fn("DATE_TRUNC", exp.Literal.string("year"), node.this.copy())
            offset = _days_into_week(first, start)
            day = exp.Sub(this=fn("DAYOFYEAR", node.this), expression=_num(1))
            weeks = exp.IntDiv(this=exp.Paren(this=exp.Add(this=day, expression=offset)), expression=_num(7))
            return exp.Paren(this=exp.Add(this=weeks, expression=_num(1)))
        if start != 1:
            raise UnsupportedFeature("WEEK with WEEK_OF_YEAR_POLICY = 0 and a WEEK_START other than Monday")
    if isinstance(node, exp.YearOfWeek) and (ctx.week_of_year_policy == 1 or start != 1):
        raise UnsupportedFeature("YEAROFWEEK with a non-default WEEK_START or WEEK_OF_YEAR_POLICY")
    return node


def default_null_ordering(node: exp.Expr, ctx: SessionContext) -> exp.Expr:
    """DEFAULT_NULL_ORDERING = 'FIRST': NULLs are smaller than any value (first in ascending order) wherever the
    statement does not say NULLS FIRST/LAST. The statement is marked by the caller when it says it anywhere."""
    if not ctx.nulls_first or not isinstance(node, exp.Ordered):
        return node
    root = node.root()
    if root.meta.get("explicit_nulls"):
        raise UnsupportedFeature("DEFAULT_NULL_ORDERING = 'FIRST' with NULLS FIRST/LAST in the same statement")
    node.set("nulls_first", not node.args.get("desc"))
    return node
