"""AST rewrites from Redshift SQL to what PostgreSQL or DuckDB run with the same meaning.

Each rewrite is a small function named after the construct it handles, with the Redshift documentation page it
follows. `rewrite(expression, engine, catalog)` applies them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.dialect import DATE_PARTS, lib, lib_args, lib_name

Engine = str  # "postgres" | "duckdb"
SYSTEM_VIEWS = ("pg_table_def", "svv_table_info", "svv_columns", "stl_load_errors", "svv_tables")
TEMPORAL_TYPES = {
    exp.DataType.Type.DATE,
    exp.DataType.Type.TIMESTAMP,
    exp.DataType.Type.TIMESTAMPTZ,
    exp.DataType.Type.DATETIME,
}
TEMPORAL_LIBRARY = {"dateadd", "add_months", "convert_timezone", "getdate", "sysdate", "last_day", "next_day"}


@dataclass
class Catalog:
    """What the rewrites need to know about the experiment's tables: column names and engine types, lower case."""

    tables: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, tables: Mapping[str, Mapping[str, str]] | None) -> Catalog:
        if not tables:
            return cls()
        return cls({t.lower(): {c.lower(): ty.lower() for c, ty in cols.items()} for t, cols in tables.items()})

    @property
    def super_columns(self) -> set[str]:
        return {c for cols in self.tables.values() for c, ty in cols.items() if ty in ("jsonb", "json", "super")}

    def columns(self, table: str) -> list[str] | None:
        cols = self.tables.get(table.lower())
        return list(cols) if cols is not None else None


@dataclass
class Context:
    engine: Engine
    catalog: Catalog
    super_columns: set[str] = field(default_factory=set)
    table_refs: set[str] = field(default_factory=set)
    pre_statements: list[str] = field(default_factory=list)  # engine SQL to run before the statement


# -- identifiers and DDL ---------------------------------------------------------------------------------------------
def lowercase_identifiers(node: exp.Expression, ctx: Context) -> exp.Expression:
    """Redshift folds every identifier, quoted or not, to lower case (enable_case_sensitive_identifier off).
    https://docs.aws.amazon.com/redshift/latest/dg/r_names.html"""
    if isinstance(node, exp.Identifier):
        name = node.name
        if name.startswith("#"):
            return exp.Identifier(this=name.lower(), quoted=True)
        if node.quoted and name != name.lower():
            return exp.Identifier(this=name.lower(), quoted=True)
        if not node.quoted and ctx.engine == "duckdb" and name != name.lower():
            return exp.Identifier(this=name.lower(), quoted=False)
    return node


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


def super_casts(node: exp.Expression, ctx: Context) -> exp.Expression:
    """`expr::SUPER` makes a SUPER scalar of the value (it does not parse text; JSON_PARSE does).
    https://docs.aws.amazon.com/redshift/latest/dg/r_SUPER_type.html"""
    if isinstance(node, exp.Cast) and node.to.this is exp.DataType.Type.SUPER:
        return exp.Anonymous(this="to_jsonb" if ctx.engine == "postgres" else "to_json", expressions=[node.this])
    return node


# -- date and time ---------------------------------------------------------------------------------------------------
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


# -- aggregates and windows ------------------------------------------------------------------------------------------
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


# -- SUPER -----------------------------------------------------------------------------------------------------------
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


# -- catalog ---------------------------------------------------------------------------------------------------------
def system_views(node: exp.Expression, ctx: Context) -> exp.Expression:
    """Redshift's catalog views (PG_TABLE_DEF, SVV_TABLE_INFO, SVV_COLUMNS, STL_LOAD_ERRORS) live in the library
    schema. https://docs.aws.amazon.com/redshift/latest/dg/r_PG_TABLE_DEF.html"""
    if isinstance(node, exp.Table) and not node.args.get("db") and node.name.lower() in SYSTEM_VIEWS:
        new = node.copy()
        new.set("db", exp.to_identifier("dwsim_redshift"))
        if not new.args.get("alias"):
            new.set("alias", exp.TableAlias(this=exp.to_identifier(node.name.lower())))
        return new
    return node


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
