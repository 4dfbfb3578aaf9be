"""QUALIFY for PostgreSQL, which lacks it: a subquery with the window values as columns."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.transforms.context import Context


def qualify(node: exp.Expression, ctx: Context) -> exp.Expression:
    """QUALIFY filters on window functions; PostgreSQL gets a subquery with the window values as columns.
    https://docs.aws.amazon.com/redshift/latest/dg/r_QUALIFY_clause.html"""
    if ctx.engine != "postgres" or not isinstance(node, exp.Select) or node.args.get("qualify") is None:
        return node
    select = node.copy()
    condition = select.args["qualify"].this
    select.set("qualify", None)
    projections: list[Any] = []
    for projection in select.expressions:
        if isinstance(projection, exp.Star) or (isinstance(projection, exp.Column) and projection.is_star):
            expanded = _expand_star(select, projection, ctx)
            if expanded is None:
                raise QueryError("QUALIFY with SELECT * needs the table's columns; name the columns you select")
            projections.extend(expanded)
        else:
            projections.append(projection)
    outer_names: list[str] = []
    inner: list[Any] = []
    aliases: dict[str, str] = {}
    for i, projection in enumerate(projections):
        name = projection.alias_or_name or f"_c{i}"
        if name in outer_names:
            name = f"{name}_{i}"
        outer_names.append(name)
        inner.append(exp.alias_(projection.unalias() if isinstance(projection, exp.Alias) else projection, name))
        aliases[name.lower()] = name
    windows: list[Any] = []

    def lift(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Window):
            windows.append(n.copy())
            return exp.column(f"_qualify_{len(windows) - 1}")
        return n

    outer_condition = condition.copy().transform(lift)
    for i, window in enumerate(windows):
        inner.append(exp.alias_(window, f"_qualify_{i}"))
    select.set("expressions", inner)
    outer = exp.select(*[exp.column(n, quoted=True) for n in outer_names]).from_(select.subquery("_q"))
    return outer.where(outer_condition)


def _expand_star(select: exp.Select, star: exp.Expression, ctx: Context) -> list[exp.Expression] | None:
    sources = []
    from_ = select.args.get("from_")
    if from_ is not None:
        sources.append(from_.this)
    sources.extend(j.this for j in select.args.get("joins") or [])
    table_filter = star.table if isinstance(star, exp.Column) else ""
    out: list[Any] = []
    for source in sources:
        if not isinstance(source, exp.Table):
            return None
        alias = source.alias_or_name
        if table_filter and table_filter.lower() != alias.lower():
            continue
        columns = ctx.catalog.columns(source.name)
        if columns is None:
            return None
        out.extend(exp.column(c, table=alias) for c in columns)
    return out or None
