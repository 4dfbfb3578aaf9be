"""The rewrites that need the types of a statement's expressions: typed once (sqlglot's annotation over the
catalog of the tables the statement reads), then implicit casts, format models and division applied in turn."""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from dw_simulator.sql.snowflake.arithmetic import snowflake_division
from dw_simulator.sql.snowflake.coercion import STRING_ARGUMENTS, annotate, implicit_casts
from dw_simulator.sql.snowflake.conversions import format_conversions
from dw_simulator.sql.snowflake.variants import variant_semantics

Catalog = Mapping[str, Mapping[str, Mapping[str, Mapping[str, str]]]]
_TYPED_NODES: tuple[type[exp.Expr], ...] = (
    exp.Div,
    exp.ToChar,
    exp.TimeToStr,
    exp.ToNumber,
    exp.Cast,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Mod,
    exp.EQ,
    exp.NEQ,
    exp.Nullif,
    exp.In,
    exp.Case,
    exp.Bracket,
    *STRING_ARGUMENTS,
)


def tables_read(expression: exp.Expr) -> list[exp.Table]:
    """The tables and views a statement names (CTE names excluded)."""
    ctes = {cte.alias_or_name.upper() for cte in expression.find_all(exp.CTE)}
    return [
        table
        for table in expression.find_all(exp.Table)
        if table.name and not (not table.db and table.name.upper() in ctes)
    ]


def needs_types(expression: exp.Expr) -> bool:
    return expression.find(*_TYPED_NODES) is not None


def typed_rewrites(expression: exp.Expr, catalog: Catalog, database: str | None, schema: str | None) -> exp.Expr:
    """Snowflake's implicit casts, format models and division, on types inferred over `catalog` (database ->
    schema -> table -> column -> DuckDB type)."""
    if not needs_types(expression):
        return expression
    types = annotate(expression, catalog, database, schema)
    expression = variant_semantics(expression, types)
    expression = implicit_casts(expression, types)
    expression = format_conversions(expression, types)
    return snowflake_division(expression, types)
