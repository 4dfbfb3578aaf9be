"""Rewrites for SUPER values: casts to SUPER, PartiQL navigation (`col.key`, `col[0]`) and unnesting arrays.

https://docs.aws.amazon.com/redshift/latest/dg/r_SUPER_type.html https://docs.aws.amazon.com/redshift/latest/dg/query-super.html
"""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.redshift.transforms.context import Context


def super_casts(node: exp.Expression, ctx: Context) -> exp.Expression:
    """`expr::SUPER` makes a SUPER scalar of the value (it does not parse text; JSON_PARSE does).
    https://docs.aws.amazon.com/redshift/latest/dg/r_SUPER_type.html"""
    if isinstance(node, exp.Cast) and node.to.this is exp.DataType.Type.SUPER:
        return exp.Anonymous(this="to_jsonb" if ctx.engine == "postgres" else "to_json", expressions=[node.this])
    return node


def _super_path(node: exp.Expression, ctx: Context) -> tuple[exp.Expression, list[str | int]] | None:
    """(super column, path) when `node` navigates into a SUPER value (`c.col.key`, `col[0]`, `col.a[1].b`)."""
    if isinstance(node, exp.Column):
        parts = [p.name for p in node.parts]
        lowered = [p.lower() for p in parts]
        if len(parts) >= 2 and lowered[0] in ctx.super_columns and lowered[0] not in ctx.table_refs:
            return exp.column(parts[0]), list(parts[1:])
        if len(parts) >= 3 and lowered[1] in ctx.super_columns:
            return exp.column(parts[1], table=parts[0]), list(parts[2:])
        return None
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        index = node.expressions[0]
        base = node.this
        inner = _super_path(base, ctx)
        if inner is None and isinstance(base, exp.Column) and base.name.lower() in ctx.super_columns:
            inner = (base.copy(), [])
        if inner is None:
            return None
        step: str | int = int(index.name) if index.is_int else index.name
        if node.args.get("offset"):  # sqlglot shifted a 0-based index to 1-based for the target
            step = int(step) - 1 if isinstance(step, int) else step
        return inner[0], [*inner[1], step]
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Identifier):
        inner = _super_path(node.this, ctx)
        if inner is not None:
            return inner[0], [*inner[1], node.expression.name]
    return None


def _navigate(column: exp.Expression, path: list[str | int], ctx: Context, *, text: bool) -> exp.Expression:
    if ctx.engine == "postgres":
        name = "jsonb_extract_path_text" if text else "jsonb_extract_path"
        return exp.Anonymous(this=name, expressions=[column, *[exp.Literal.string(str(p)) for p in path]])
    json_path = "$" + "".join(f"[{p}]" if isinstance(p, int) else '."' + p.replace('"', '\\"') + '"' for p in path)
    name = "json_extract_string" if text else "json_extract"
    return exp.Anonymous(this=name, expressions=[column, exp.Literal.string(json_path)])


def super_navigation(node: exp.Expression, ctx: Context) -> exp.Expression:
    """PartiQL dot and bracket navigation into SUPER values; casts and comparisons with literals read the scalar.
    https://docs.aws.amazon.com/redshift/latest/dg/query-super.html"""
    if not ctx.super_columns:
        return node
    if isinstance(node, exp.Cast):
        found = _super_path(node.this, ctx)
        if found is not None:
            return exp.Cast(this=_navigate(*found, ctx, text=True), to=node.to)
        return node
    if isinstance(node, exp.EQ | exp.NEQ | exp.GT | exp.GTE | exp.LT | exp.LTE):
        for side, other in (("this", "expression"), ("expression", "this")):
            found = _super_path(node.args[side], ctx)
            literal = node.args[other]
            if found is not None and isinstance(literal, exp.Literal):
                value = _navigate(*found, ctx, text=True)
                if not literal.is_string:
                    value = exp.cast(value, exp.DataType.build("DOUBLE"))
                new = node.copy()
                new.set(side, value)
                return new
        return node
    found = _super_path(node, ctx)
    if found is not None:
        return _navigate(*found, ctx, text=False)
    return node


def super_unnest(node: exp.Expression, ctx: Context) -> exp.Expression:
    """`FROM t AS c, c.array_column AS x` iterates over a SUPER array.
    https://docs.aws.amazon.com/redshift/latest/dg/query-super.html#unnest"""
    if not isinstance(node, exp.Unnest) or len(node.expressions) != 1:
        return node
    target = node.expressions[0]
    found = _super_path(target, ctx)
    if found is None and isinstance(target, exp.Column) and target.name.lower() in ctx.super_columns:
        found = (target.copy(), [])
    if found is None:
        return node
    value = _navigate(*found, ctx, text=False) if found[1] else found[0]
    alias = node.args.get("alias")
    columns = alias.columns if alias is not None else []
    name = columns[0].name if columns else "value"
    if ctx.engine == "postgres":
        func = exp.Anonymous(this="jsonb_array_elements", expressions=[value])
    else:
        func = exp.Anonymous(
            this="unnest", expressions=[exp.cast(value, exp.DataType.build("JSON[]", dialect="duckdb"))]
        )
    return exp.Table(
        this=func, alias=exp.TableAlias(this=exp.to_identifier("_u_" + name), columns=[exp.to_identifier(name)])
    )
