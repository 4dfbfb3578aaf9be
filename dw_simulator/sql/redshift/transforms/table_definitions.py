"""Rewrites of table definitions: temporary tables (`#t`), SELECT INTO, Redshift's column type defaults."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.redshift.transforms.context import Context


def temp_table_names(node: exp.Expression, ctx: Context) -> exp.Expression:
    """`CREATE TABLE #t` creates a session temporary table.
    https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html"""
    if isinstance(node, exp.Create) and str(node.args.get("kind", "")).upper() == "TABLE":
        table = node.this.this if isinstance(node.this, exp.Schema) else node.this
        if isinstance(table, exp.Table) and table.name.startswith("#"):
            props = node.args.get("properties") or exp.Properties(expressions=[])
            if not any(isinstance(p, exp.TemporaryProperty) for p in props.expressions):
                props.append("expressions", exp.TemporaryProperty())
            node.set("properties", props)
    return node


def select_into(node: exp.Expression, ctx: Context) -> exp.Expression:
    """`SELECT ... INTO [TEMP] t FROM ...` is CREATE TABLE AS. https://docs.aws.amazon.com/redshift/latest/dg/r_SELECT_INTO.html"""
    if isinstance(node, exp.Select) and node.args.get("into") is not None:
        into = node.args["into"]
        select = node.copy()
        select.set("into", None)
        table = into.this
        props = []
        if into.args.get("temporary") or table.name.startswith("#"):
            props.append(exp.TemporaryProperty())
        return exp.Create(
            this=table,
            kind="TABLE",
            expression=select,
            properties=exp.Properties(expressions=props) if props else None,
        )
    return node


def redshift_column_types(node: exp.Expression, ctx: Context) -> exp.Expression:
    """Redshift's type defaults: VARCHAR/TEXT without a length is VARCHAR(256), SUPER is JSON, VARBYTE is binary.
    https://docs.aws.amazon.com/redshift/latest/dg/r_Character_types.html"""
    if isinstance(node, exp.ColumnDef):
        kind = node.args.get("kind")
        if isinstance(kind, exp.DataType):
            node.set("kind", _ddl_type(kind, ctx))
        constraints = node.args.get("constraints") or []
        identity = [c for c in constraints if isinstance(c.args.get("kind"), exp.GeneratedAsIdentityColumnConstraint)]
        if ctx.engine == "duckdb" and identity:
            # DuckDB has no IDENTITY columns: a sequence of the same start and step feeds the column's default
            create = node.find_ancestor(exp.Create)
            table = create.this.this if create is not None and isinstance(create.this, exp.Schema) else None
            kind = identity[0].args["kind"]
            start = kind.args.get("start").name if kind.args.get("start") else "1"
            step = kind.args.get("increment").name if kind.args.get("increment") else "1"
            sequence = f"dwsim_seq_{table.name if table is not None else 't'}_{node.name}".lower()
            ctx.pre_statements.append(f'CREATE OR REPLACE SEQUENCE "{sequence}" START {start} INCREMENT {step}')
            rest = [c for c in constraints if c not in identity]
            default = exp.ColumnConstraint(
                kind=exp.DefaultColumnConstraint(
                    this=exp.Anonymous(this="nextval", expressions=[exp.Literal.string(sequence)])
                )
            )
            node.set("constraints", [*rest, default])
    return node


def _ddl_type(kind: exp.DataType, ctx: Context) -> exp.DataType:
    t = kind.this
    if t in (exp.DataType.Type.VARCHAR, exp.DataType.Type.NVARCHAR, exp.DataType.Type.TEXT) and not kind.expressions:
        return exp.DataType.build("VARCHAR(256)")
    if t in (exp.DataType.Type.SUPER, exp.DataType.Type.JSON):
        return exp.DataType.build("JSONB" if ctx.engine == "postgres" else "JSON")
    if t is exp.DataType.Type.VARBINARY:
        return exp.DataType.build("BLOB" if ctx.engine == "duckdb" else "BYTEA")
    return kind
