"""Result column names as PostgreSQL (and Redshift) give them, for the embedded DuckDB engine.

An unaliased expression is named by PostgreSQL after what it is (`count(*)` -> `count`, `x::int` -> `x`,
`'a'::int` -> `int4`, `CASE ...` -> `case`, a literal -> `?column?`); DuckDB names it after its text
(`count_star()`). The DuckDB statement gets PostgreSQL's names as aliases, so both engines return the same columns
and tables made with CREATE TABLE AS (dbt models) get the same column names.
"""

from __future__ import annotations

import re

from sqlglot import exp

from dw_simulator.sql.redshift.library_schema import LIBRARY_SCHEMA

UNNAMED = "?column?"
_TYPE_NAMES = {
    exp.DataType.Type.INT: "int4",
    exp.DataType.Type.BIGINT: "int8",
    exp.DataType.Type.SMALLINT: "int2",
    exp.DataType.Type.VARCHAR: "varchar",
    exp.DataType.Type.TEXT: "text",
    exp.DataType.Type.CHAR: "bpchar",
    exp.DataType.Type.DATE: "date",
    exp.DataType.Type.TIMESTAMP: "timestamp",
    exp.DataType.Type.TIMESTAMPTZ: "timestamptz",
    exp.DataType.Type.DECIMAL: "numeric",
    exp.DataType.Type.DOUBLE: "float8",
    exp.DataType.Type.FLOAT: "float4",
    exp.DataType.Type.BOOLEAN: "bool",
    exp.DataType.Type.JSON: "json",
}
_HINT = re.compile(r"\bselect\b", re.I)


def figure_name(node: exp.Expression) -> str:
    """PostgreSQL's FigureColname for an expression."""
    if isinstance(node, exp.Alias):
        return node.alias
    if isinstance(node, exp.Column):
        return node.name
    if isinstance(node, exp.Paren):
        return figure_name(node.this)
    if isinstance(node, exp.Cast):
        inner = figure_name(node.this)
        if inner != UNNAMED:
            return inner
        return _TYPE_NAMES.get(node.to.this, node.to.sql().lower())
    if isinstance(node, exp.Dot):
        if isinstance(node.this, exp.Identifier) and node.this.name == LIBRARY_SCHEMA and node.expression:
            return figure_name(node.expression)
        return node.name
    if isinstance(node, exp.Case):
        return "case"
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return UNNAMED


def with_postgres_names(select: exp.Select) -> bool:
    """Alias the unaliased projections of a SELECT with PostgreSQL's names; True when anything changed."""
    changed = False
    projections = []
    for projection in select.expressions:
        if isinstance(projection, exp.Alias | exp.Column | exp.Star) or projection.is_star:
            projections.append(projection)
            continue
        projections.append(exp.alias_(projection, figure_name(projection), quoted=True))
        changed = True
    if changed:
        select.set("expressions", projections)
    return changed


def postgres_column_names(duckdb_sql: str) -> str:
    """The DuckDB statement with PostgreSQL's column names on its outermost SELECT (also under CREATE TABLE AS)."""
    if not _HINT.search(duckdb_sql) or ";" in duckdb_sql:
        return duckdb_sql
    import sqlglot

    try:
        tree = sqlglot.parse_one(duckdb_sql, read="duckdb")
    except Exception:
        return duckdb_sql
    target = tree.expression if isinstance(tree, exp.Create) else tree
    selects = [target] if isinstance(target, exp.Select) else []
    if isinstance(target, exp.Union):  # a set operation takes its names from the first branch
        first = target
        while isinstance(first, exp.Union):
            first = first.this
        selects = [first] if isinstance(first, exp.Select) else []
    changed = any([with_postgres_names(s) for s in selects])
    return tree.sql(dialect="duckdb") if changed else duckdb_sql
