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
