"""Identifiers as the engine must read them."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.snowflake.rewrites.context import SessionContext


def quote_engine_keywords(node: exp.Expr, ctx: SessionContext) -> exp.Expr:
    """A name that is a keyword of the engine but not of Snowflake (a column `AUTHORIZATION`, `LEFT`, `AT`, `END`)
    is quoted, so the engine reads it as a name. Quoting keeps the name's case, and the names reaching this point
    are already resolved (unquoted ones upper-cased), so the same object is named.

    https://docs.snowflake.com/en/sql-reference/identifiers-syntax
    """
    if isinstance(node, exp.Identifier) and not node.quoted and node.name.lower() in ctx.engine_keywords:
        node.set("quoted", True)
    return node


_CURRENT_CALLS: dict[type[exp.Expr], str] = {
    exp.CurrentDate: "CURRENT_DATE",
    exp.CurrentTimestamp: "GET_CURRENT_TIMESTAMP",
    exp.CurrentTime: "GET_CURRENT_TIME",
    exp.Localtimestamp: "CURRENT_LOCALTIMESTAMP",
    exp.Localtime: "CURRENT_LOCALTIME",
}


def current_functions_as_calls(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """`SELECT CURRENT_DATE` is named CURRENT_DATE, and DuckDB reads the keyword form under that alias as the
    column being defined: write the function-call form, which names no column.

    https://docs.snowflake.com/en/sql-reference/functions/current_date
    """
    name = _CURRENT_CALLS.get(type(node))
    if name is not None and not any(node.args.values()):
        return exp.Anonymous(this=name, expressions=[])
    return node
