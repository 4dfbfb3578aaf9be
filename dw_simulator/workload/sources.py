"""Where the queries come from: SQL files, folders of them (`**/*.sql`, sorted), or text (stdin, the API), split
into statements that are named and located.

A statement is named after its file (`q03.sql`), with `#n` when the file holds several, or by a `-- name: x`
comment line right above it. Parse errors name the file, line and column (`ParseProblem`); DDL/DML statements are
skipped (only queries teach anything about the data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError

NAME_RE = re.compile(r"^\s*--\s*name:\s*(\S+)", re.IGNORECASE)
SQL_SUFFIXES = (".sql",)


class ParseProblem(Exception):
    def __init__(self, source: str, message: str, line: int | None = None, col: int | None = None) -> None:
        where = source + (f", line {line}" if line else "") + (f", column {col}" if col else "")
        super().__init__(f"{where}: {message}")
        self.source, self.reason, self.line, self.col = source, message, line, col


@dataclass(frozen=True)
class QueryText:
    name: str
    sql: str
    source: str  # the file (or "stdin")
    line: int  # the statement's first line in that file


@dataclass
class Statement:
    query: QueryText
    tree: exp.Query


def collect(paths: list[Path]) -> list[tuple[str, str]]:
    """(source, text) of every file under `paths` (folders: their `*.sql` files, recursively, sorted)."""
    out: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SQL_SUFFIXES)
            if not files:
                raise ParseProblem(str(path), "the folder holds no .sql files")
        elif path.is_file():
            files = [path]
        else:
            raise ParseProblem(str(path), "no such file or folder")
        for file in files:
            try:
                out.append((str(file), file.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise ParseProblem(str(file), f"cannot be read ({exc})") from None
    return out


def split(source: str, text: str, dialect: str) -> list[QueryText]:
    """The statements of one file's text, each with its name and first line."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(dialect).tokenize(text)
    except TokenError as exc:
        raise ParseProblem(source, str(exc)) from None
    pieces: list[tuple[int, int]] = []
    start = 0
    for token in tokens:
        if token.token_type.name == "SEMICOLON":
            pieces.append((start, token.start))
            start = token.end + 1
    pieces.append((start, len(text)))
    stem = (Path(source).stem if source != "stdin" else "stdin") or "query"
    chunks = [(a, b) for a, b in pieces if text[a:b].strip() and _has_code(text[a:b])]
    out = []
    for index, (a, b) in enumerate(chunks, start=1):
        body = text[a:b]
        named = [m.group(1) for line in body.splitlines() if (m := NAME_RE.match(line))]
        lead = len(body) - len(body.lstrip())
        line = text.count("\n", 0, a + lead) + 1
        name = named[-1] if named else (stem if len(chunks) == 1 else f"{stem}#{index}")
        out.append(QueryText(name, body.strip(), source, line))
    return out


def _has_code(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in text.splitlines())


def parse(query: QueryText, dialect: str) -> Statement | None:
    """The statement's tree; None for statements that are not queries (DDL, DML, SET...)."""
    try:
        trees = sqlglot.parse(query.sql, read=dialect)
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        line = first.get("line")
        col = first.get("col")
        message = first.get("description") or str(exc).splitlines()[0]
        raise ParseProblem(
            f"{query.source} ({query.name})",
            f"cannot parse the query: {message}",
            query.line + line - 1 if line else None,
            col,
        ) from None
    except (TokenError, SqlglotError, RecursionError) as exc:
        raise ParseProblem(f"{query.source} ({query.name})", f"cannot read the query: {exc}", query.line) from None
    tree = trees[0] if trees else None
    if tree is None or not isinstance(tree, exp.Query):
        return None
    return Statement(query, tree)
