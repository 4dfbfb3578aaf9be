"""Rewrites of aggregates and window functions: LISTAGG, MEDIAN/PERCENTILE_CONT windows, IGNORE NULLS,
RATIO_TO_REPORT, AVG of integers, APPROXIMATE COUNT(DISTINCT)."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.dialect import lib
from dw_simulator.sql.redshift.transforms.context import Context


def listagg(node: exp.Expression, ctx: Context) -> exp.Expression:
    """LISTAGG([DISTINCT] expr[, delimiter]) [WITHIN GROUP (ORDER BY ...)] [OVER (PARTITION BY ...)].
    https://docs.aws.amazon.com/redshift/latest/dg/r_LISTAGG.html https://docs.aws.amazon.com/redshift/latest/dg/r_WF_LISTAGG.html"""
    window = node if isinstance(node, exp.Window) else None
    inner = node.this if window is not None else node
    order = None
    if isinstance(inner, exp.WithinGroup) and isinstance(inner.this, exp.GroupConcat):
        order = inner.expression
        inner = inner.this
    if not isinstance(inner, exp.GroupConcat) or (
        window is None and isinstance(node.parent, exp.WithinGroup | exp.Window)
    ):
        return node
    value = inner.this
    separator = inner.args.get("separator")
    distinct = False
    if isinstance(value, exp.Distinct):
        distinct = True
        values = list(value.expressions)
        value = values[0]
        if separator is None and len(values) > 1:
            separator = values[1]
    separator = separator or exp.Literal.string("")
    text = exp.cast(value, exp.DataType.build("VARCHAR"))
    arg: exp.Expression = exp.Distinct(expressions=[text]) if distinct else text
    if window is not None:
        aggregate = exp.Anonymous(this="STRING_AGG", expressions=[arg, separator])
        new_window = window.copy()
        new_window.set("this", aggregate)
        if order is not None:
            new_window.set("order", order.copy())
            new_window.set(
                "spec",
                exp.WindowSpec(
                    kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="UNBOUNDED", end_side="FOLLOWING"
                ),
            )
        return new_window
    if order is not None:
        ordered = [o.copy() for o in order.expressions]
        if distinct:  # with DISTINCT the ORDER BY must use the aggregated expression itself
            for o in ordered:
                o.set("this", exp.cast(o.this, exp.DataType.build("VARCHAR")))
        return exp.Anonymous(this="STRING_AGG", expressions=[arg, exp.Order(this=separator, expressions=ordered)])
    return exp.Anonymous(this="STRING_AGG", expressions=[arg, separator])


def median_percentile_windows(node: exp.Expression, ctx: Context) -> exp.Expression:
    """MEDIAN and PERCENTILE_CONT as window functions: PostgreSQL's ordered-set aggregates cannot take OVER, so a
    plain aggregate from the library stands in. https://docs.aws.amazon.com/redshift/latest/dg/r_WF_MEDIAN.html
    https://docs.aws.amazon.com/redshift/latest/dg/r_WF_PERCENTILE_CONT.html"""
    if ctx.engine != "postgres" or not isinstance(node, exp.Window):
        return node
    inner = node.this
    replacement: exp.Expression | None = None
    if isinstance(inner, exp.Median):
        replacement = lib("median_agg", exp.cast(inner.this, exp.DataType.build("DOUBLE")))
    elif isinstance(inner, exp.WithinGroup) and isinstance(inner.this, exp.PercentileCont | exp.PercentileDisc):
        ordered = inner.expression.expressions[0]
        name = "percentile_cont_agg" if isinstance(inner.this, exp.PercentileCont) else "percentile_disc_agg"
        replacement = lib(name, inner.this.this, exp.cast(ordered.this, exp.DataType.build("DOUBLE")))
    if replacement is None:
        return node
    new = node.copy()
    new.set("this", replacement)
    new.set("order", None)
    return new


def ignore_nulls(node: exp.Expression, ctx: Context) -> exp.Expression:
    """FIRST_VALUE/LAST_VALUE/LAG/LEAD ... IGNORE NULLS on PostgreSQL, which lacks it, through library aggregates
    over an equivalent frame. https://docs.aws.amazon.com/redshift/latest/dg/r_WF_first_value.html
    https://docs.aws.amazon.com/redshift/latest/dg/r_WF_LAG.html"""
    if ctx.engine != "postgres" or not isinstance(node, exp.Window):
        return node
    inner = node.this
    if isinstance(inner, exp.IgnoreNulls):
        inner = inner.this
    elif isinstance(inner, exp.FirstValue | exp.LastValue) and isinstance(inner.this, exp.IgnoreNulls):
        inner = inner.__class__(this=inner.this.this)
    else:
        return node
    new = node.copy()
    if isinstance(inner, exp.FirstValue):
        new.set("this", lib("first_value_ignore_nulls", inner.this))
    elif isinstance(inner, exp.LastValue):
        new.set("this", lib("last_value_ignore_nulls", inner.this))
    elif isinstance(inner, exp.Lag | exp.Lead):
        offset = inner.args.get("offset")
        if offset is not None and offset.name not in ("1", ""):
            raise QueryError("LAG/LEAD ... IGNORE NULLS with an offset other than 1 is not supported by dw-sim")
        if isinstance(inner, exp.Lag):
            new.set("this", lib("last_value_ignore_nulls", inner.this))
            spec = exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="1", end_side="PRECEDING")
        else:
            new.set("this", lib("first_value_ignore_nulls", inner.this))
            spec = exp.WindowSpec(kind="ROWS", start="1", start_side="FOLLOWING", end="UNBOUNDED", end_side="FOLLOWING")
        new.set("spec", spec)
    else:
        raise QueryError(f"IGNORE NULLS is not supported for {inner.sql()} by dw-sim on PostgreSQL")
    return new


def ratio_to_report(node: exp.Expression, ctx: Context) -> exp.Expression:
    """RATIO_TO_REPORT(x) OVER (PARTITION BY ...) = x / SUM(x) OVER (PARTITION BY ...).
    https://docs.aws.amazon.com/redshift/latest/dg/r_WF_RATIO_TO_REPORT.html"""
    if (
        isinstance(node, exp.Window)
        and isinstance(node.this, exp.Anonymous)
        and node.this.name.upper() == "RATIO_TO_REPORT"
    ):
        value = node.this.expressions[0]
        total = exp.Window(this=exp.Sum(this=value.copy()), partition_by=node.args.get("partition_by"), over="OVER")
        numerator = exp.cast(value.copy(), exp.DataType.build("DOUBLE"))
        return exp.Div(this=numerator, expression=exp.Nullif(this=total, expression=exp.Literal.number(0)))
    return node


def avg_integer(node: exp.Expression, ctx: Context) -> exp.Expression:
    """AVG of an integer column returns an integer (the fraction truncated).
    https://docs.aws.amazon.com/redshift/latest/dg/r_AVG.html"""
    if isinstance(node, exp.Avg) and isinstance(node.this, exp.Column) and not isinstance(node.parent, exp.Window):
        name = node.this.name.lower()
        types = {cols[name] for cols in ctx.catalog.tables.values() if name in cols}
        if types and all(t in ("integer", "bigint", "smallint") for t in types):
            return exp.cast(exp.Anonymous(this="TRUNC", expressions=[node.copy()]), exp.DataType.build("BIGINT"))
    return node


def approximate_count_distinct(node: exp.Expression, ctx: Context) -> exp.Expression:
    """APPROXIMATE COUNT(DISTINCT x): dw-sim counts exactly (HyperLogLog's answer on small data is exact).
    https://docs.aws.amazon.com/redshift/latest/dg/r_COUNT.html"""
    if isinstance(node, exp.ApproxDistinct):
        return exp.Count(this=exp.Distinct(expressions=[node.this]))
    return node
