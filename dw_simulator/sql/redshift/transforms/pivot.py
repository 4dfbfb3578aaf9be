"""PIVOT and UNPIVOT for PostgreSQL, which lacks them: conditional aggregation and a lateral VALUES list."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.transforms.context import Context


def pivot_unpivot(node: exp.Expression, ctx: Context) -> exp.Expression:
    """PIVOT as conditional aggregation and UNPIVOT as a lateral VALUES list, for PostgreSQL.
    https://docs.aws.amazon.com/redshift/latest/dg/r_FROM_clause-pivot-unpivot-examples.html"""
    if ctx.engine != "postgres" or not isinstance(node, exp.Select):
        return node
    from_ = node.args.get("from_")
    source = from_.this if from_ is not None else None
    if source is None or not source.args.get("pivots"):
        return node
    pivot = source.args["pivots"][0]
    source = source.copy()
    source.set("pivots", None)
    if isinstance(source, exp.Subquery) and not source.alias:
        source.set("alias", exp.TableAlias(this=exp.to_identifier("_src")))
    columns = _source_columns(source, ctx)
    if pivot.args.get("unpivot"):
        return _unpivot(node, source, pivot, columns)
    return _pivot(node, source, pivot, columns)


def _source_columns(source: exp.Expression, ctx: Context) -> list[str]:
    if isinstance(source, exp.Table):
        columns = ctx.catalog.columns(source.name)
        if columns is None:
            raise QueryError(f"PIVOT/UNPIVOT: unknown table '{source.name}'")
        return columns
    if isinstance(source, exp.Subquery) and isinstance(source.this, exp.Select):
        names = [p.alias_or_name for p in source.this.expressions]
        if all(names) and "*" not in names:
            return names
    raise QueryError("PIVOT/UNPIVOT needs a table or a subquery whose columns are named")


def _pivot(node: exp.Select, source: exp.Expression, pivot: exp.Pivot, columns: list[str]) -> exp.Expression:
    field_in = pivot.args["fields"][0]
    pivot_col = field_in.this
    aggregates = pivot.expressions
    used = {pivot_col.name.lower()}
    for agg in aggregates:
        used.update(c.name.lower() for c in agg.find_all(exp.Column))
    group = [c for c in columns if c.lower() not in used]
    alias = source.alias_or_name or "_p"
    if isinstance(source, exp.Table):
        source.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    projections: list[Any] = [exp.column(c) for c in group]
    for value in field_in.expressions:
        literal = value.this if isinstance(value, exp.PivotAlias) else value
        value_name = value.alias if isinstance(value, exp.PivotAlias) else literal.name
        for agg in aggregates:
            func = agg.unalias() if isinstance(agg, exp.Alias) else agg
            func = func.copy()

            def gate(n: exp.Expression, literal: exp.Expression = literal) -> exp.Expression:
                if isinstance(n, exp.Column):
                    return exp.Case(
                        ifs=[exp.If(this=exp.EQ(this=pivot_col.copy(), expression=literal.copy()), true=n.copy())]
                    )
                return n

            arg = func.this.transform(gate) if func.this is not None else None
            func.set("this", arg)
            name = value_name if len(aggregates) == 1 or not isinstance(agg, exp.Alias) else f"{value_name}_{agg.alias}"
            projections.append(exp.alias_(func, name, quoted=True))
    inner = exp.select(*projections).from_(source)
    if group:
        inner = inner.group_by(*[exp.column(c) for c in group])
    outer = node.copy()
    outer.set("from_", exp.From(this=inner.subquery(pivot.alias or "_pivot")))
    return outer


def _unpivot(node: exp.Select, source: exp.Expression, pivot: exp.Pivot, columns: list[str]) -> exp.Expression:
    value_col = pivot.expressions[0]
    field_in = pivot.args["fields"][0]
    name_col = field_in.this
    pairs: list[tuple[str, exp.Expression]] = []
    for item in field_in.expressions:
        if isinstance(item, exp.PivotAlias | exp.Alias):
            pairs.append((item.alias, item.this))
        else:
            pairs.append((item.name.lower(), item))
    unpivoted = {e.name.lower() for _, e in pairs}
    keep = [c for c in columns if c.lower() not in unpivoted]
    alias = source.alias_or_name or "_s"
    if isinstance(source, exp.Table):
        source.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    values = ", ".join(f"({exp.Literal.string(n).sql('postgres')}, {e.sql('postgres')})" for n, e in pairs)
    lateral = exp.maybe_parse(
        f"LATERAL (VALUES {values}) AS _u({name_col.sql('postgres')}, {value_col.sql('postgres')})",
        into=exp.Lateral,
        dialect="postgres",
    )
    inner = exp.select(
        *[exp.column(c, table=alias) for c in keep],
        exp.column(name_col.name, table="_u"),
        exp.column(value_col.name, table="_u"),
    ).from_(source)
    inner.append("joins", exp.Join(this=lateral, kind="CROSS"))
    if not pivot.args.get("include_nulls"):
        inner = inner.where(exp.column(value_col.name, table="_u").is_(exp.null()).not_())
    outer = node.copy()
    outer.set("from_", exp.From(this=inner.subquery(pivot.alias or "_unpivot")))
    return outer
