"""Snowflake's error codes and messages for the common failures, so clients' error handling behaves as in
production (the engine underneath reports them in DuckDB's or sqlglot's words).

| failure | Snowflake | example message |
| --- | --- | --- |
| unknown table, view or schema | 002003 (42S02) | SQL compilation error: Object 'T' does not exist or not authorized. |
| unknown column | 000904 (42000) | SQL compilation error: error line 1 at position 7 invalid identifier 'C' |
| syntax error | 001003 (42000) | SQL compilation error: syntax error line 1 at position 0 unexpected 'selec'. |
| text that is not a number | 100038 (22018) | Numeric value 'abc' is not recognized |
| division by zero | 100051 (22012) | Division by zero |
"""

from __future__ import annotations

import re

_TABLE = re.compile(r"Catalog Error: (?:Table|View|Table Function) with name (?P<name>[^\s!]+) does not exist", re.S)
_SCHEMA = re.compile(r"Catalog Error: Schema with name (?P<name>[^\s!]+) does not exist", re.S)
_COLUMN = re.compile(r'Binder Error: Referenced column "?(?P<name>[^"\s]+)"? not found', re.S)
_DUCK_SYNTAX = re.compile(r'Parser Error: syntax error at or near "(?P<token>[^"]*)"', re.S)
_GLOT_SYNTAX = re.compile(
    r"(?:Invalid expression / Unexpected token|Required keyword|Expecting).*?Line (?P<line>\d+), Col: (?P<col>\d+)",
    re.S,
)
_NUMBER = re.compile(
    r"Conversion Error: Could not convert string '(?P<value>[^']*)' to (?:INT|BIGINT|DECIMAL|DOUBLE|HUGEINT)", re.S
)
_DIVISION = re.compile(r"division by zero", re.I)


def _position(sql: str, word: str) -> tuple[int, int]:
    """Line (from 1) and position (from 0) of `word` in `sql`, as Snowflake reports them."""
    match = re.search(rf"(?<![\w$]){re.escape(word)}(?![\w$])", sql, re.I)
    if match is None:
        return 1, 0
    before = sql[: match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1)


def snowflake_error(code: str, message: str, sqlstate: str | None, sql: str) -> tuple[str, str, str | None]:
    """(error code, message, SQLSTATE) as Snowflake would report the failure of `sql`."""
    if match := _TABLE.search(message):
        return "002003", f"SQL compilation error:\nObject '{match['name']}' does not exist or not authorized.", "42S02"
    if match := _SCHEMA.search(message):
        return "002003", f"SQL compilation error:\nSchema '{match['name']}' does not exist or not authorized.", "02000"
    if match := _COLUMN.search(message):
        name = match["name"].split(".")[-1]
        line, position = _position(sql, name)
        return (
            "000904",
            f"SQL compilation error: error line {line} at position {position}\ninvalid identifier '{name.upper()}'",
            "42000",
        )
    if match := _DUCK_SYNTAX.search(message):
        token = match["token"]
        line, position = _position(sql, token) if token else (1, len(sql))
        shown = token or "<EOF>"
        return (
            "001003",
            f"SQL compilation error:\nsyntax error line {line} at position {position} unexpected '{shown}'.",
            "42000",
        )
    if match := _GLOT_SYNTAX.search(message):
        line, col = int(match["line"]), max(int(match["col"]) - 1, 0)
        text = sql.splitlines()[line - 1] if sql.splitlines() else ""
        start = len(text[:col].rsplit(None, 1)[0]) + 1 if " " in text[:col].rstrip() else 0
        token = (text[start:].split() or ["<EOF>"])[0]
        return (
            "001003",
            f"SQL compilation error:\nsyntax error line {line} at position {start} unexpected '{token}'.",
            "42000",
        )
    if match := _NUMBER.search(message):
        return "100038", f"Numeric value '{match['value']}' is not recognized", "22018"
    if _DIVISION.search(message):
        return "100051", "Division by zero", "22012"
    return code, message, sqlstate
