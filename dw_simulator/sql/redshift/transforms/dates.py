"""Rewrites of date and time functions: SYSDATE/GETDATE, DATE_PART/EXTRACT, TRUNC of a timestamp."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.dialect import DATE_PARTS, lib, lib_args, lib_name
from dw_simulator.sql.redshift.transforms.context import Context

TEMPORAL_TYPES = {
    exp.DataType.Type.DATE,
    exp.DataType.Type.TIMESTAMP,
    exp.DataType.Type.TIMESTAMPTZ,
    exp.DataType.Type.DATETIME,
}
TEMPORAL_LIBRARY = {"dateadd", "add_months", "convert_timezone", "getdate", "sysdate", "last_day", "next_day"}


def sysdate_getdate(node: exp.Expression, ctx: Context) -> exp.Expression:
    """SYSDATE: transaction start; GETDATE(): current statement, whole seconds; both TIMESTAMP in UTC.
    https://docs.aws.amazon.com/redshift/latest/dg/r_SYSDATE.html https://docs.aws.amazon.com/redshift/latest/dg/r_GETDATE.html"""
    if isinstance(node, exp.CurrentTimestamp) and node.args.get("sysdate"):
        return lib("sysdate")
    return node


def date_part_extract(node: exp.Expression, ctx: Context) -> exp.Expression:
    """DATE_PART/EXTRACT with Redshift's part names and abbreviations.
    https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_PART_function.html"""
    if isinstance(node, exp.Extract):
        text = node.this.name.lower()
        canonical = next((c for c, aliases in DATE_PARTS.items() if text in aliases), None)
        if canonical is None:
            raise QueryError(f"DATE_PART: '{node.this.name}' is not a Redshift date part")
        target = node.expression
        if isinstance(target, exp.Literal) and target.is_string:
            target = exp.cast(target, exp.DataType.build("TIMESTAMP"))
        return lib("date_part", exp.Literal.string(canonical), target)
    return node


def trunc_timestamp(node: exp.Expression, ctx: Context) -> exp.Expression:
    """TRUNC(timestamp) returns the DATE; TRUNC(number) truncates. PostgreSQL overloads the library function by
    type; DuckDB macros cannot, so there the argument's type is inferred from its expression.
    https://docs.aws.amazon.com/redshift/latest/dg/r_TRUNC_date.html"""
    if ctx.engine == "duckdb" and lib_name(node) == "trunc":
        (arg,) = lib_args(node)
        if _is_temporal(arg, ctx):
            return exp.cast(arg, exp.DataType.build("DATE"))
        return exp.Anonymous(this="TRUNC", expressions=[arg])
    return node


def _is_temporal(arg: exp.Expression, ctx: Context) -> bool:
    if isinstance(arg, exp.Cast):
        return arg.to.this in TEMPORAL_TYPES
    if lib_name(arg) in TEMPORAL_LIBRARY:
        return True
    if isinstance(arg, exp.CurrentTimestamp | exp.CurrentDate):
        return True
    if isinstance(arg, exp.Column):
        for cols in ctx.catalog.tables.values():
            ty = cols.get(arg.name.lower())
            if ty is not None:
                return ty.startswith(("timestamp", "date"))
    return False
