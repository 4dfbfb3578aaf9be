"""Translate users' SQL from the experiment's dialect (Redshift or Snowflake) to the engine's, with sqlglot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from dw_simulator.errors import QueryError


@dataclass
class Statement:
    source: str  # the statement as the user wrote it (regenerated in the source dialect)
    engine_sql: str  # the statement for the engine
    returns_rows: bool
    # COPY/UNLOAD and other statements the engine cannot run as SQL: executed by `sql.redshift.copy_unload`
    action: Any = None


_NO_ROWS = (exp.Create, exp.Drop, exp.Insert, exp.Update, exp.Delete, exp.Alter, exp.Set, exp.Use, exp.Command)


ENGINES_WITH_REDSHIFT_LAYER = ("postgres", "duckdb")


def translate(
    sql: str, *, read: str, write: str, catalog: Mapping[str, Mapping[str, str]] | None = None
) -> list[Statement]:
    """Split `sql` into statements and write each for the engine. Raises QueryError naming line and column.

    Redshift SQL bound for PostgreSQL or DuckDB goes through the Redshift layer (`dw_simulator.sql.redshift`), so
    both engines give Redshift's answers; `catalog` (table -> column -> engine type) lets it expand `*` and find
    SUPER columns.
    """
    if not sql or not sql.strip():
        raise QueryError("no SQL given")
    if read == "redshift" and write in ENGINES_WITH_REDSHIFT_LAYER:
        from dw_simulator.sql.redshift import translate_redshift

        return translate_redshift(sql, engine=write, catalog=catalog)
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
