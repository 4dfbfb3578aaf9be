"""Parsing users' SQL with sqlglot, with errors a person can read: what failed, where (line and column, and the
text near it), in SQL words rather than sqlglot's class names."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from dw_simulator.errors import QueryError

NEAR_CHARS = 40
_MISSING_ARG = re.compile(r"Required keyword: '(\w+)' missing for <class '(?:\w+\.)*(\w+)'>")
_CLASS = re.compile(r"<class '(?:\w+\.)*(\w+)'>")
_TOKEN = re.compile(
    r"<Token token_type: TokenType\.(\w+), text: (.*?), line: \d+, col: \d+, start: \d+, end: \d+, comments: \[.*?\]>"
)
_UNEXPECTED = "Invalid expression / Unexpected token"
# sqlglot node classes whose SQL reads differently from the class name
_SQL_WORDS = {
    "Order": "ORDER BY",
    "Group": "GROUP BY",
    "Paren": "parenthesis",
    "Tuple": "list",
    "Schema": "column list",
}
_TOKEN_AT = re.compile(r"^(.*?) from \d+:(\d+)$")  # sqlglot: "Missing ' from <line>:<offset>"
_UNCLOSED = {"'": "a string literal", '"': "a quoted name", "*/": "a comment", "$$": "a dollar-quoted string"}
_COMMAND_FALLBACK = "Falling back to parsing as a 'Command'"


class _CommandFallbackAtDebug(logging.Filter):
    """sqlglot warns on stderr (with the statement quoted) when it passes a statement it cannot parse to the engine
    as written. That is dw-sim's business, not the user's: the engine's answer or error follows. Debug level."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _COMMAND_FALLBACK in record.getMessage():
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return record.levelno >= _SQLGLOT_LOG.getEffectiveLevel()


_SQLGLOT_LOG = logging.getLogger("sqlglot")
if not any(isinstance(f, _CommandFallbackAtDebug) for f in _SQLGLOT_LOG.filters):
    _SQLGLOT_LOG.addFilter(_CommandFallbackAtDebug())


@dataclass(frozen=True)
class Origin:
    """Where a statement's text sits in the user's script, so that positions are reported in the script's terms.

    `exact` is False when the text was rewritten before parsing (positions would mislead; the near-text does not).
    """

    line: int = 1  # 1-based line of the statement's first character in the script
    column: int = 1  # 1-based column of it
    exact: bool = True
    number: int | None = None  # the statement's number, when the script has several

    def place(self, line: int, column: int) -> tuple[int, int]:
        return self.line + line - 1, (self.column + column - 1 if line == 1 else column)

    def where(self, line: int | None, column: int | None) -> str:
        """' at line L, column C' in the script's terms for a position in the statement, or ' in statement N'
        when the position would mislead."""
        if line is None or column is None or not self.exact:
            return f" in statement {self.number}" if self.number is not None else ""
        at_line, at_column = self.place(line, column)
        return f" at line {at_line}, column {at_column}"


SCRIPT = Origin()


def parse_statements(sql: str, *, read: Any, label: str, origin: Origin = SCRIPT) -> list[exp.Expression]:
    """Every statement of `sql` in dialect `read`; `label` names the dialect in messages ("redshift")."""
    try:
        expressions = sqlglot.parse(sql, read=read)
    except ParseError as exc:
        raise parse_error(exc, label=label, origin=origin) from None
    except TokenError as exc:
        raise token_error(exc, sql, label=label, origin=origin) from None
    return cast(list[exp.Expression], [e for e in expressions if e is not None])


def parse_error(exc: ParseError, *, label: str, origin: Origin = SCRIPT) -> QueryError:
    """sqlglot's ParseError as the user's error: `cannot parse the redshift SQL at line 1, column 10 near
    "SELECT 1 +": '+' is missing its right-hand operand`."""
    details: list[dict[str, Any]] = []
    for error in exc.errors or [{}]:
        highlight = str(error.get("highlight") or "")
        line, col = error.get("line"), error.get("col")
        if line is not None and col is not None and origin.exact:
            line, col = origin.place(line, col)
        elif not origin.exact:
            line = col = None
        details.append(
            {
                "line": line,
                "col": col,
                "near": near_text(str(error.get("start_context") or "") + highlight),
                "message": describe(error.get("description"), highlight) if error else first_line(str(exc)),
            }
        )
    first = exc.errors[0] if exc.errors else {}
    where = origin.where(first.get("line"), first.get("col"))
    near = f' near "{details[0]["near"]}"' if details[0]["near"] else ""
    return QueryError(f"cannot parse the {label} SQL{where}{near}: {details[0]['message']}", details=details)


def token_error(exc: TokenError, sql: str, *, label: str, origin: Origin = SCRIPT) -> QueryError:
    """sqlglot's TokenError (an unclosed quote or comment, a bad literal) as the user's error."""
    cause = exc.__cause__
    match = _TOKEN_AT.match(str(cause)) if isinstance(cause, TokenError) else None
    if match:
        what, offset = match.group(1), int(match.group(2))
        line = sql.count("\n", 0, offset) + 1
        col = offset - (sql.rfind("\n", 0, offset) + 1) + 1
        delimiter = what.removeprefix("Missing ").strip()
        if what.startswith("Missing ") and delimiter in _UNCLOSED:
            message = f"{_UNCLOSED[delimiter]} is not closed (no {delimiter} after it)"
        else:
            message = what[:1].lower() + what[1:]
        near = near_text(sql[offset:], keep="start")
        at_line, at_col = origin.place(line, col) if origin.exact else (None, None)
        return QueryError(
            f'cannot read the {label} SQL{origin.where(line, col)} near "{near}": {message}',
            details=[{"line": at_line, "col": at_col, "near": near, "message": message}],
        )
    start = exc.start or 0
    context = near_text(sql[start : exc.end] if exc.end is not None else sql[start:])
    ends_inside = exc.end is None or exc.end >= len(sql) - 1
    message = (
        "the SQL ends inside a comment, string or quoted name that is not closed"
        if ends_inside
        else "a character or literal cannot be read"
    )
    return QueryError(
        f'cannot read the {label} SQL{origin.where(None, None)} near "{context}": {message}',
        details=[{"near": context, "message": message}],
    )


def describe(description: str | None, highlight: str = "") -> str:
    """One sqlglot error description in SQL words (no Python class names)."""
    if not description:
        return "syntax error"
    missing = _MISSING_ARG.fullmatch(description)
    if missing:
        return _incomplete(missing.group(2), missing.group(1), highlight)
    if description.startswith(_UNEXPECTED):
        return f"unexpected '{highlight}'" if highlight else "unexpected token"
    return _readable(description)


def _readable(text: str) -> str:
    """sqlglot's class and token reprs in a message replaced by SQL words."""
    text = _TOKEN.sub(lambda m: "the end of the SQL" if m.group(1) == "SENTINEL" else f"'{m.group(2)}'", text)
    return _CLASS.sub(lambda m: construct_name(m.group(1)), text)


def _incomplete(class_name: str, argument: str, highlight: str) -> str:
    node = getattr(exp, class_name, None)
    if isinstance(node, type) and issubclass(node, exp.Binary):
        side = "right-hand" if argument == "expression" else "left-hand"
        operator = f"'{highlight}'" if highlight else "an operator"
        return f"{operator} is missing its {side} operand"
    return f"{construct_name(class_name)} is incomplete"


def construct_name(class_name: str) -> str:
    """The SQL name of a sqlglot node class: `ArrayAgg` -> ARRAY_AGG, `MatchRecognize` -> MATCH_RECOGNIZE."""
    if class_name in _SQL_WORDS:
        return _SQL_WORDS[class_name]
    node = getattr(exp, class_name, None)
    if isinstance(node, type) and issubclass(node, exp.Func):
        return node.sql_names()[0]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", class_name).upper()


def near_text(text: str, *, keep: str = "end") -> str:
    """`text` on one line, at most NEAR_CHARS characters (the end of it, where the error is, by default)."""
    flat = " ".join(text.split())
    if len(flat) <= NEAR_CHARS:
        return flat
    return "..." + flat[-NEAR_CHARS:] if keep == "end" else flat[:NEAR_CHARS] + "..."


def first_line(text: str) -> str:
    return _readable(text.strip().splitlines()[0] if text.strip() else text)
