"""sqlglot's part of the import: each column definition or table constraint is parsed on its own.

`preprocess` has already blanked what sqlglot should not see (keeping every offset), so a definition is wrapped in
`CREATE TABLE t (...)` and parsed; a failure is reported at its line and column in the user's file, and one bad
column never hides the problems of the others. Most columns (`c INT [NOT NULL | PRIMARY KEY | UNIQUE]` once
rewritten) skip sqlglot altogether.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from dw_simulator.ddl.cursor import SyntaxProblem
from dw_simulator.ddl.preprocess import ColumnItem, Item
from dw_simulator.ddl.problems import SourceText
from dw_simulator.ddl.typemap import DIALECT_TITLES

_WRAP = "CREATE TABLE t ("


def parse_item(item: Item, dialect: str, source: SourceText) -> exp.Expression:
    """One column definition or table constraint, parsed by sqlglot on its own (wrapped in a CREATE TABLE)."""
    if isinstance(item, ColumnItem):
        simple = _simple_column(item.sql)
        if simple is not None:
            return simple
    wrapped = _WRAP + item.sql + ")"
    try:
        with _quiet_sqlglot():
            tree = sqlglot.parse_one(wrapped, read=dialect)
    except ParseError as exc:
        raise _parse_problem(exc, item, wrapped, dialect, source) from None
    except Exception as exc:  # sqlglot may fail in other ways on garbage; report it at the item
        raise SyntaxProblem(f"cannot parse this definition ({type(exc).__name__})", item.start, item.end) from None
    schema = tree.this if isinstance(tree, exp.Create) else None
    if not isinstance(schema, exp.Schema) or len(schema.expressions) != 1:
        raise SyntaxProblem("cannot parse this definition", item.start, item.end)
    node: exp.Expression = schema.expressions[0]
    return node


def _parse_problem(exc: ParseError, item: Item, wrapped: str, dialect: str, source: SourceText) -> SyntaxProblem:
    error = exc.errors[0] if exc.errors else {}
    line, col = int(error.get("line") or 1), int(error.get("col") or 1)
    highlight = str(error.get("highlight") or "")
    wrapped_source = SourceText(wrapped)
    last = wrapped_source.offset(line, col)  # sqlglot points at the last character of the token
    first = max(0, last - max(len(highlight), 1) + 1)
    offset = min(max(item.start + first - len(_WRAP), item.start), item.end)
    description = str(error.get("description") or "syntax error")
    shown = highlight.strip() or source.excerpt(offset, offset + 10)
    title = DIALECT_TITLES[dialect]
    hint = (
        f"this is not a column attribute or constraint dw-sim knows for {title}: it reads types, NOT NULL, "
        "DEFAULT, PRIMARY KEY, UNIQUE, REFERENCES, CHECK, COMMENT, COLLATE, IDENTITY/AUTOINCREMENT and "
        "the layout clauses (ENCODE, DISTKEY, SORTKEY)"
    )
    return SyntaxProblem(
        f"cannot parse '{shown}' here (sqlglot: {description})", offset, offset + max(len(highlight), 1), hint=hint
    )


_SIMPLE_CONSTRAINTS: dict[tuple[str, ...], type[exp.Expression]] = {
    ("NOT", "NULL"): exp.NotNullColumnConstraint,
    ("PRIMARY", "KEY"): exp.PrimaryKeyColumnConstraint,
    ("UNIQUE",): exp.UniqueColumnConstraint,
}


def _simple_column(sql: str) -> exp.ColumnDef | None:
    """`c INT [NOT NULL | NULL | PRIMARY KEY | UNIQUE]...` (most columns, once rewritten) without calling sqlglot."""
    words = sql.split()
    if len(words) < 2 or words[1] != "INT":
        return None
    constraints: list[exp.Expression] = []
    rest = [w.upper() for w in words[2:]]
    while rest:
        if rest[0] == "NULL":
            constraints.append(exp.ColumnConstraint(kind=exp.NotNullColumnConstraint(allow_null=True)))
            rest = rest[1:]
            continue
        for pattern, kind in _SIMPLE_CONSTRAINTS.items():
            if tuple(rest[: len(pattern)]) == pattern:
                constraints.append(exp.ColumnConstraint(kind=kind()))
                rest = rest[len(pattern) :]
                break
        else:
            return None
    return exp.ColumnDef(this=exp.to_identifier(words[0]), kind=exp.DataType.build("INT"), constraints=constraints)


def offset_of(node: exp.Expression, item: Item) -> int:
    """The file offset of a node parsed from an item (sqlglot's meta offsets are into the wrapped text)."""
    for candidate in node.walk():
        meta = candidate.meta if isinstance(candidate, exp.Expression) else None
        if meta and "start" in meta:
            return int(item.start + int(meta["start"]) - len(_WRAP))
    return item.start


@contextlib.contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning when it falls back to a generic command; the importer reports problems itself."""
    logger = logging.getLogger("sqlglot")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)
