"""The chain of Redshift rewrites, in the order they apply, and `rewrite` that runs it over a statement."""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from dw_simulator.sql.redshift.transforms.aggregates import (
    approximate_count_distinct,
    avg_integer,
    ignore_nulls,
    listagg,
    median_percentile_windows,
    ratio_to_report,
)
from dw_simulator.sql.redshift.transforms.context import Catalog, Context, Engine
from dw_simulator.sql.redshift.transforms.dates import date_part_extract, sysdate_getdate, trunc_timestamp
from dw_simulator.sql.redshift.transforms.identifiers import lowercase_identifiers
from dw_simulator.sql.redshift.transforms.pivot import pivot_unpivot
from dw_simulator.sql.redshift.transforms.qualify import qualify
from dw_simulator.sql.redshift.transforms.super_values import super_casts, super_navigation, super_unnest
from dw_simulator.sql.redshift.transforms.system_views import system_views
from dw_simulator.sql.redshift.transforms.table_definitions import redshift_column_types, select_into, temp_table_names

REWRITES: tuple[Callable[[exp.Expression, Context], exp.Expression], ...] = (
    select_into,
    temp_table_names,
    lowercase_identifiers,
    redshift_column_types,
    super_casts,
    sysdate_getdate,
    date_part_extract,
    trunc_timestamp,
    listagg,
    median_percentile_windows,
    ignore_nulls,
    ratio_to_report,
    avg_integer,
    approximate_count_distinct,
    super_unnest,
    super_navigation,
    system_views,
)


def _table_refs(expression: exp.Expression) -> set[str]:
    refs: set[str] = set()
    for table in expression.find_all(exp.Table):
        refs.add(table.name.lower())
        if table.alias:
            refs.add(table.alias.lower())
    for sub in expression.find_all(exp.Subquery):
        if sub.alias:
            refs.add(sub.alias.lower())
    return refs


def _unnest_aliases(expression: exp.Expression, ctx: Context) -> set[str]:
    names: set[str] = set()
    for unnest in expression.find_all(exp.Unnest):
        alias = unnest.args.get("alias")
        if alias is not None and alias.columns:
            names.add(alias.columns[0].name.lower())
    return names


def rewrite(expression: exp.Expression, engine: Engine, catalog: Catalog) -> tuple[exp.Expression, list[str]]:
    """The rewritten statement, and engine statements that must run before it."""
    ctx = Context(engine, catalog, set(catalog.super_columns), _table_refs(expression))
    ctx.super_columns |= _unnest_aliases(expression, ctx)
    for step in REWRITES:
        expression = expression.transform(lambda n, step=step: step(n, ctx), copy=False)
    if engine == "postgres":
        expression = expression.transform(lambda n: pivot_unpivot(n, ctx), copy=False)
        expression = expression.transform(lambda n: qualify(n, ctx), copy=False)
    return expression, ctx.pre_statements
