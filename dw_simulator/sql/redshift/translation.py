"""Redshift SQL -> statements for PostgreSQL or DuckDB: the Redshift layer's entry point.

Each statement of the script is masked (`split.py`), recognised when it never reaches the engine as written
(`text_rewrites.classify`: no-ops, `SET query_group`, COPY/UNLOAD, which come back as an `action`), text-rewritten
where sqlglot cannot parse Redshift (`text_rewrites.REWRITES`), parsed with `DwsimRedshift` and rewritten as an AST
(`transforms`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlglot import exp

from dw_simulator.errors import QueryError
from dw_simulator.sql.parsing import Origin, parse_statements
from dw_simulator.sql.redshift.copy_unload.actions import parse_action
from dw_simulator.sql.redshift.dialect import DwsimRedshift
from dw_simulator.sql.redshift.split import mask, split_statements
from dw_simulator.sql.redshift.text_rewrites import REWRITES, classify
from dw_simulator.sql.redshift.transforms import Catalog, rewrite
from dw_simulator.sql.statement import Statement
from dw_simulator.sql.writing import write_sql

ENGINES = ("postgres", "duckdb")


def translate_redshift(
    sql: str, *, engine: str, catalog: Mapping[str, Mapping[str, str]] | None = None
) -> list[Statement]:
    """Redshift SQL -> statements for `engine` ("postgres" or "duckdb"). COPY and UNLOAD come back with an
    `action` (see `copy_unload.parse_action`) instead of engine SQL."""
    if engine not in ENGINES:
        raise QueryError(f"the Redshift layer writes for {', '.join(ENGINES)}, not '{engine}'")
    cat = Catalog.of(catalog)
    texts = split_statements(sql)
    statements = [
        _translate_one(text, engine, cat, origin) for text, origin in zip(texts, _origins(sql, texts), strict=True)
    ]
    if not statements:
        raise QueryError("no SQL statement found")
    return statements


def _origins(sql: str, texts: list[str]) -> list[Origin]:
    """Where each statement starts in the script (exact when its text is found there as it was split)."""
    origins: list[Origin] = []
    cursor = 0
    for number, text in enumerate(texts, start=1):
        label = number if len(texts) > 1 else None
        found = sql.find(text, cursor)
        if found < 0:  # a comment inside the statement was dropped: positions would not match the script
            origins.append(Origin(exact=False, number=label))
            continue
        cursor = found + len(text)
        line = sql.count("\n", 0, found) + 1
        origins.append(Origin(line, found - (sql.rfind("\n", 0, found) + 1) + 1, number=label))
    return origins


def _translate_one(text: str, engine: str, catalog: Catalog, origin: Origin) -> Statement:
    masked = mask(text)
    special = classify(masked.text)
    if special is not None:
        if special.kind == "noop":
            sql = (
                f"SET dwsim.last_noop = '{special.value}'"
                if engine == "postgres"
                else f"SET VARIABLE dwsim_last_noop = '{special.value}'"
            )
            return Statement(text, sql, False)
        if special.kind == "set_query_group":
            value = masked.unmask(special.value or "''")
            sql = (
                f"SET dwsim.query_group = {value}"
                if engine == "postgres"
                else f"SET VARIABLE dwsim_query_group = {value}"
            )
            return Statement(text, sql, False)
        action = parse_action(text, special.kind)
        return Statement(text, "", False, action=action)
    rewritten = masked.text
    for step in REWRITES:
        rewritten = step(rewritten)
    source = masked.unmask(rewritten)
    if source != text:  # text rewrites moved the positions: only the near-text can be trusted
        origin = replace(origin, exact=False)
    expressions = parse_statements(source, read=DwsimRedshift, label="redshift", origin=origin)
    if len(expressions) != 1:
        raise QueryError(f"expected one statement, found {len(expressions)}: {text[:80]}")
    expression, before = rewrite(expressions[0], engine, catalog)
    returns_rows = isinstance(expression, exp.Query) or not isinstance(
        expression, exp.Create | exp.Drop | exp.Insert | exp.Update | exp.Delete | exp.Alter | exp.Set | exp.Command
    )
    engine_sql = write_sql(expression, dialect=engine, label="redshift")
    if before:  # DuckDB runs a multi-statement string and returns the last result
        engine_sql = "; ".join([*before, engine_sql])
    return Statement(text, engine_sql, returns_rows)
