"""Scalar functions fakesnow gets wrong: HASH's signed range, TRIM with characters, WIDTH_BUCKET, DATE_TRUNC of a
DATE."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.snowflake.rewrites.context import SessionContext
from dw_simulator.sql.snowflake.rewrites.nodes import anonymous_name, fn, lit

UINT64_SPAN = 2**64
INT64_MAX = 2**63 - 1


def hash_signed(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """HASH returns a signed 64-bit integer; DuckDB's hash() is unsigned and overflows the result transfer.

    The values differ from Snowflake's (its algorithm is not published) but are deterministic and in range.
    https://docs.snowflake.com/en/sql-reference/functions/hash
    """
    if anonymous_name(node) != "HASH" or node.meta.get("dwsim_done"):
        return node
    raw = fn("hash", *[a.copy() for a in node.expressions])
    raw.meta["dwsim_done"] = True
    wrapped = exp.Case(
        ifs=[
            exp.If(
                this=exp.GT(this=raw.copy(), expression=exp.Literal.number(INT64_MAX)),
                true=exp.Sub(this=raw.copy(), expression=exp.Literal.number(UINT64_SPAN)),
            )
        ],
        default=raw,
    )
    return exp.Cast(this=exp.Paren(this=wrapped), to=exp.DataType.build("BIGINT"))


def trim_characters(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """LTRIM/RTRIM/TRIM(s, chars) remove the given characters (fakesnow drops the second argument).

    https://docs.snowflake.com/en/sql-reference/functions/ltrim
    """
    if not isinstance(node, exp.Trim) or node.expression is None:
        return node
    position = str(node.args.get("position") or "").upper()
    name = {"LEADING": "ltrim", "TRAILING": "rtrim"}.get(position, "trim")
    return fn(name, exp.Cast(this=node.this, to=exp.DataType.build("VARCHAR")), node.expression)


def width_bucket(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """WIDTH_BUCKET(x, min, max, n): the 1-based bucket of x in n equal-width buckets, 0 below and n + 1 above.

    https://docs.snowflake.com/en/sql-reference/functions/width_bucket
    """
    if not isinstance(node, exp.WidthBucket) or node.args.get("num_buckets") is None:
        return node
    value, low, high, buckets = (node.this, node.args["min_value"], node.args["max_value"], node.args["num_buckets"])
    width = exp.Paren(
        this=exp.Div(
            this=exp.Paren(this=exp.Sub(this=high.copy(), expression=low.copy())),
            expression=exp.Cast(this=buckets.copy(), to=exp.DataType.build("DOUBLE")),
        )
    )
    inside = exp.Add(
        this=fn(
            "floor", exp.Div(this=exp.Paren(this=exp.Sub(this=value.copy(), expression=low.copy())), expression=width)
        ),
        expression=exp.Literal.number(1),
    )
    case = exp.Case(
        ifs=[
            exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()), true=exp.Null()),
            exp.If(this=exp.LT(this=value.copy(), expression=low.copy()), true=exp.Literal.number(0)),
            exp.If(
                this=exp.GTE(this=value.copy(), expression=high.copy()),
                true=exp.Add(this=buckets.copy(), expression=exp.Literal.number(1)),
            ),
        ],
        default=inside,
    )
    return exp.Cast(this=case, to=exp.DataType.build("BIGINT"))


_DATE_UNITS = {"YEAR": "1 year", "QUARTER": "3 months", "MONTH": "1 month", "WEEK": "1 week", "DAY": "1 day"}
_DATE_UNIT_ALIASES = {
    "Y": "YEAR", "YY": "YEAR", "YYY": "YEAR", "YYYY": "YEAR", "YR": "YEAR", "YEARS": "YEAR", "YRS": "YEAR",
    "Q": "QUARTER", "QTR": "QUARTER", "QTRS": "QUARTER", "QUARTERS": "QUARTER",
    "MM": "MONTH", "MON": "MONTH", "MONS": "MONTH", "MONTHS": "MONTH",
    "W": "WEEK", "WK": "WEEK", "WEEKOFYEAR": "WEEK", "WOY": "WEEK", "WY": "WEEK", "WEEKS": "WEEK",
    "D": "DAY", "DD": "DAY", "DAYS": "DAY", "DAYOFMONTH": "DAY",
}  # fmt: skip


def date_trunc_keeps_type(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """DATE_TRUNC of a DATE is a DATE (DuckDB returns a TIMESTAMP); a TIMESTAMP stays a TIMESTAMP.

    https://docs.snowflake.com/en/sql-reference/functions/date_trunc
    """
    if not isinstance(node, exp.DateTrunc) or node.args.get("zone") is not None:
        return node
    unit = node.args.get("unit")
    name = unit.name.upper() if isinstance(unit, exp.Literal | exp.Var) else ""
    name = _DATE_UNIT_ALIASES.get(name, name)
    if name not in _DATE_UNITS:
        return node
    interval = exp.Cast(this=lit(_DATE_UNITS[name]), to=exp.DataType.build("INTERVAL"))
    value = node.this
    if isinstance(value, exp.Literal) and value.is_string:
        value = exp.Cast(this=value, to=exp.DataType.build("TIMESTAMP"))
    return fn("time_bucket", interval, value)
