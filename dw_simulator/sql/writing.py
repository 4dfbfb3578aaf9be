"""Writing a parsed statement for the engine, with an error naming the construct when sqlglot cannot write it."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.errors import QueryError
from dw_simulator.sql.parsing import construct_name

_MAX_NODES = 5000  # bounds the search for the construct on very large statements


def write_sql(expression: exp.Expression, *, dialect: str, label: str) -> str:
    """`expression` as `dialect` SQL; `label` names the user's dialect in messages ("snowflake")."""
    try:
        return expression.sql(dialect=dialect)
    except Exception as exc:  # sqlglot's generator fails on a construct it read but cannot write
        construct = failing_construct(expression, dialect) or expression.key.upper()
        message = f"{construct} is not supported by dw-sim when translating {label} SQL for {dialect}"
        raise QueryError(message, details=[{"construct": construct, "message": message}]) from exc


def failing_construct(expression: exp.Expr, dialect: str) -> str | None:
    """The SQL name of the innermost node that cannot be written for `dialect` (MATCH_RECOGNIZE, ...)."""
    innermost: exp.Expr | None = None
    for count, node in enumerate(expression.walk(bfs=True)):
        if count >= _MAX_NODES:
            break
        try:
            node.sql(dialect=dialect)
        except Exception:  # this node, or one inside it, cannot be written: go on looking deeper
            innermost = node
    return construct_name(type(innermost).__name__) if innermost is not None else None
