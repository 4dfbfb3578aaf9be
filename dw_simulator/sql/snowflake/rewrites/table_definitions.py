"""Column types in table definitions as Snowflake stores them."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.snowflake.rewrites.context import SessionContext


def char_is_varchar(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """In table definitions CHAR(n) is VARCHAR(n), and CHAR alone is VARCHAR(1) (DESCRIBE shows VARCHAR(1)).

    https://docs.snowflake.com/en/sql-reference/data-types-text#char-character-nchar
    """
    if (
        isinstance(node, exp.DataType)
        and node.this in (exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR)
        and isinstance(node.parent, exp.ColumnDef)
    ):
        length = node.expressions[0].copy() if node.expressions else exp.DataTypeParam(this=exp.Literal.number(1))
        return exp.DataType(this=exp.DataType.Type.VARCHAR, expressions=[length], nested=False)
    return node
