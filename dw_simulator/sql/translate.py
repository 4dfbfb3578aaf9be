"""Translate users' SQL from the experiment's dialect (Redshift or Snowflake) to the engine's, with sqlglot."""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from dw_simulator.errors import QueryError
from dw_simulator.sql.parsing import parse_statements
from dw_simulator.sql.redshift.translation import translate_redshift
from dw_simulator.sql.statement import Statement
from dw_simulator.sql.writing import write_sql

__all__ = ["ENGINES_WITH_REDSHIFT_LAYER", "Statement", "translate"]

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
        return translate_redshift(sql, engine=write, catalog=catalog)
    expressions = parse_statements(sql, read=read, label=read)
    statements: list[Statement] = []
    for expression in expressions:
        if expression is None:
            continue
        engine_sql = write_sql(expression, dialect=write, label=read)
        returns_rows = not isinstance(expression, _NO_ROWS)
        statements.append(Statement(write_sql(expression, dialect=read, label=read), engine_sql, returns_rows))
    if not statements:
        raise QueryError("no SQL statement found")
    return statements
