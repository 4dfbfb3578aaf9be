"""Translate users' SQL from the experiment's dialect (Redshift or Snowflake) to the engine's, with sqlglot."""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from dw_simulator.errors import QueryError


@dataclass
class Statement:
    source: str  # the statement as the user wrote it (regenerated in the source dialect)
    engine_sql: str  # the statement for the engine
    returns_rows: bool


_NO_ROWS = (exp.Create, exp.Drop, exp.Insert, exp.Update, exp.Delete, exp.Alter, exp.Set, exp.Use, exp.Command)


def translate(sql: str, *, read: str, write: str) -> list[Statement]:
    """Split `sql` into statements and write each for the engine. Raises QueryError naming line and column."""
    if not sql or not sql.strip():
        raise QueryError("no SQL given")
    try:
        expressions = sqlglot.parse(sql, read=read)
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        line, col = first.get("line"), first.get("col")
        where = f" at line {line}, column {col}" if line else ""
        detail = first.get("description") or str(exc).splitlines()[0]
        raise QueryError(
            f"cannot parse the {read} SQL{where}: {detail}",
            details=[{"line": line, "col": col, "message": detail}],
        ) from None
    except TokenError as exc:
        raise QueryError(f"cannot read the {read} SQL: {exc}") from None
    statements: list[Statement] = []
    for expression in expressions:
        if expression is None:
            continue
        engine_sql = expression.sql(dialect=write)
        returns_rows = not isinstance(expression, _NO_ROWS)
        statements.append(Statement(expression.sql(dialect=read), engine_sql, returns_rows))
    if not statements:
        raise QueryError("no SQL statement found")
    return statements
