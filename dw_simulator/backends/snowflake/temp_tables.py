"""Temporary tables named with their database and schema (`CREATE TEMPORARY TABLE "DB"."SCH"."T__dbt_tmp"`, as
dbt-snowflake's incremental models and snapshots and write_pandas' `table_type="temp"` write them).

DuckDB keeps a session's temporary tables in its own `temp` catalog and refuses any other qualification, so the
session remembers the Snowflake name each was created under and every later statement of the session refers to it
unqualified (DuckDB then finds the temporary table first, as Snowflake does within the session).
"""

from __future__ import annotations

from sqlglot import exp


def _part(node: exp.Expr | None, default: str | None) -> str:
    if not isinstance(node, exp.Identifier):
        return default or ""
    return node.name if node.quoted else node.name.upper()


def _key(table: exp.Table, database: str | None, schema: str | None) -> tuple[str, str, str]:
    return (_part(table.args.get("catalog"), database), _part(table.args.get("db"), schema), _part(table.this, ""))


def session_temp_tables(
    expression: exp.Expr, temporary: set[tuple[str, str, str]], database: str | None, schema: str | None
) -> exp.Expr:
    """`expression` with the session's temporary tables unqualified; a CREATE TEMPORARY TABLE is remembered."""
    if isinstance(expression, exp.Create) and expression.find(exp.TemporaryProperty):
        target = expression.this.this if isinstance(expression.this, exp.Schema) else expression.this
        if isinstance(target, exp.Table) and (target.catalog or target.db):
            temporary.add(_key(target, database, schema))
    if not temporary:
        return expression
    for table in list(expression.find_all(exp.Table)):
        if (table.catalog or table.db) and table.name and _key(table, database, schema) in temporary:
            table.set("catalog", None)
            table.set("db", None)
    if isinstance(expression, exp.Drop) and str(expression.args.get("kind")).upper() == "TABLE":
        dropped = expression.this
        if isinstance(dropped, exp.Table):
            temporary.discard(_key(dropped, database, schema))
    return expression
