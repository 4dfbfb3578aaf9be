"""Statements that need no translation: a `SELECT` of plain literals (`select 1`, `SELECT 1, 'ok', TRUE`).

Health checks and scripts send these constantly; translating one costs more than running it, because reading SQL
with sqlglot means importing sqlglot and building the dialects (0.3-0.5 s of a CLI call). This module recognises
them with the standard library and returns exactly the `Statement` the translator would, so the caller may skip
`translate` without changing the answer.

It accepts a deliberately small grammar, and anything else (a comment, a name, a function, an operator, an alias,
a string with quotes or backslashes in it, several statements) returns None and goes through the translator:

    SELECT item [, item ...] [;]     (keyword in any case, any whitespace between tokens)
    item := integer | decimal (digits.digits) | 'string of letters, digits, spaces and _.,:@/-' | TRUE | FALSE | NULL
            (integers and decimals may carry a leading '-' with no space after it)

Every such statement reads the same in every dialect and is written unchanged but for spacing and upper-cased
keywords; `tests/sql/test_literal_select.py` checks the result against `translate` for every read dialect.
"""

from __future__ import annotations

import re

from dw_simulator.sql.statement import Statement

# engines whose output this module has been checked against (tests/sql/test_literal_select.py)
WRITES = ("duckdb",)
READS = ("redshift", "snowflake", "postgres", "duckdb")

_ITEM = r"(?:-?(?:0|[1-9][0-9]{0,37})(?:\.[0-9]{1,37})?|'[A-Za-z0-9 _.,:@/-]*'|TRUE|FALSE|NULL)"
_WS = r"[ \t\r\n]"
_STATEMENT = re.compile(rf"SELECT{_WS}+({_ITEM}(?:{_WS}*,{_WS}*{_ITEM})*){_WS}*;?", re.IGNORECASE | re.ASCII)
_ITEMS = re.compile(_ITEM, re.IGNORECASE | re.ASCII)


def literal_select(sql: str, *, read: str, write: str) -> list[Statement] | None:
    """The translation of `sql` when it is one SELECT of plain literals (see the module docstring), else None."""
    if write not in WRITES or read not in READS:
        return None
    text = sql.strip(" \t\r\n")
    match = _STATEMENT.fullmatch(text)
    if match is None:
        return None
    items = [item if item.startswith("'") else item.upper() for item in _ITEMS.findall(match.group(1))]
    engine_sql = "SELECT " + ", ".join(items)
    # the Redshift layer keeps the statement as written (without its ';'); the others keep the normalised text
    source = text.rstrip(";").rstrip(" \t\r\n") if read == "redshift" else engine_sql
    return [Statement(source, engine_sql, True)]
