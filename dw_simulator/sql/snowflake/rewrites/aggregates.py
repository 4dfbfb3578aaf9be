"""Aggregates and window functions: RATIO_TO_REPORT, and SUM that keeps its argument's type (a PRE rewrite marks
the SUMs, a POST rewrite undoes fakesnow's cast to DOUBLE on them)."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.snowflake.rewrites.context import SessionContext
from dw_simulator.sql.snowflake.rewrites.nodes import anonymous_name, fn

# a marker that PRE rewrites leave on nodes for POST rewrites (sqlglot keeps `meta` through in-place transforms)
EXACT_SUM = "dwsim_exact_sum"


def ratio_to_report(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """RATIO_TO_REPORT(x) OVER (PARTITION BY p) = x / SUM(x) OVER (PARTITION BY p); NULL when the sum is 0.

    https://docs.snowflake.com/en/sql-reference/functions/ratio_to_report
    """
    if not (isinstance(node, exp.Window) and anonymous_name(node.this) == "RATIO_TO_REPORT"):
        return node
    args = node.this.expressions
    if len(args) != 1:
        return node
    value = args[0]
    total = node.copy()
    total.set("this", exp.Sum(this=value.copy()))
    total.set("order", None)
    ratio = exp.Div(
        this=exp.Cast(this=value.copy(), to=exp.DataType.build("DOUBLE")),
        expression=fn("NULLIF", total, exp.Literal.number(0)),
    )
    return exp.Paren(this=ratio)


_VARIANT_VALUES = (exp.JSONExtract, exp.JSONExtractScalar, exp.GetExtract, exp.ParseJSON, exp.Bracket, exp.ToVariant)


def mark_exact_sum(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """Remember which SUMs add plain numbers (see `exact_sum`). SUMs of VARIANT paths (`SUM(v:amount)`) and
    strings keep fakesnow's numeric cast, as Snowflake casts those implicitly."""
    if (
        isinstance(node, exp.Sum)
        and not isinstance(node.this, exp.Cast | exp.TryCast)
        and node.this.find(*_VARIANT_VALUES) is None
        and not (isinstance(node.this, exp.Literal) and node.this.is_string)
    ):
        node.meta[EXACT_SUM] = True
    return node


def exact_sum(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """SUM keeps its argument's type (NUMBER sums stay exact); fakesnow casts every SUM argument to DOUBLE.

    https://docs.snowflake.com/en/sql-reference/functions/sum
    """
    if (
        isinstance(node, exp.Sum)
        and node.meta.get(EXACT_SUM)
        and isinstance(node.this, exp.TryCast)
        and node.this.to.this == exp.DataType.Type.DOUBLE
    ):
        node.set("this", node.this.this)
    return node


def _skip_nulls(node: exp.ArrayAgg) -> exp.Expr:
    # sqlglot's own filter for `nulls_excluded` is lost by fakesnow's WITHIN GROUP rewrite and is wrong with
    # DISTINCT (`NOT DISTINCT x IS NULL`): write one filter here instead
    node.set("nulls_excluded", None)
    if isinstance(node.parent, exp.Filter):
        return node
    value = node.this
    if isinstance(value, exp.Order):
        value = value.this
    if isinstance(value, exp.Distinct) and value.expressions:
        value = value.expressions[0]
    if value is None:
        return node
    condition = exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
    return exp.Filter(this=node.copy(), expression=exp.Where(this=condition))


def array_agg_skips_nulls(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """(POST) ARRAY_AGG leaves NULLs out, also with WITHIN GROUP (ORDER BY ...) (fakesnow filters only the plain
    form), and is an empty array, not NULL, when no value is left.

    https://docs.snowflake.com/en/sql-reference/functions/array_agg
    """
    if isinstance(node, exp.ArrayAgg):
        return _skip_nulls(node)
    if not (isinstance(node, exp.Anonymous) and node.name.upper() == "TO_JSON" and len(node.expressions) == 1):
        return node
    inner = node.expressions[0]
    target = inner.this if isinstance(inner, exp.Window) else inner
    if isinstance(target, exp.ArrayAgg):
        target.replace(_skip_nulls(target))
    elif not (isinstance(target, exp.Filter) and isinstance(target.this, exp.ArrayAgg)):
        return node
    empty = exp.Cast(this=exp.Literal.string("[]"), to=exp.DataType.build("JSON"))
    return exp.Coalesce(this=node, expressions=[empty])
