"""A statement's answer as the warehouse gives it: typed columns (the warehouse's own type names, precision, scale)
and rows of Python values; or, for a statement without a result set, the rows it changed.

What every path that runs users' statements hands to a protocol front end (the Redshift Data API, the Snowflake SQL
API), whatever engine ran it. Plain data: no driver, no sqlglot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from dw_simulator.errors import QueryError

StatementKind = Literal["query", "dml", "transaction", "other"]


@dataclass(frozen=True)
class ResultColumn:
    name: str
    type_name: str  # the warehouse's name: Redshift `int4`, `numeric`, `varchar`...; Snowflake `fixed`, `text`...
    precision: int | None = None
    scale: int | None = None
    length: int | None = None  # characters (text types)
    nullable: bool = True
    table: str = ""
    schema: str = ""
    database: str = ""


@dataclass
class ShapedResult:
    """`columns` is None for a statement without a result set; `rows_affected` then says what it changed."""

    columns: list[ResultColumn] | None
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    rows_affected: int | None = None
    kind: StatementKind = "query"
    statement_type: str = ""  # the statement's first keywords, upper-cased: SELECT, INSERT, CREATE TABLE...

    @property
    def has_result_set(self) -> bool:
        return self.columns is not None


class StatementError(QueryError):
    """A statement the warehouse refused, with the SQLSTATE and vendor code when the engine gave them."""

    def __init__(self, message: str, *, sqlstate: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.code = code


class StatementCancelled(QueryError):
    """The statement was stopped by a cancel request (or its time limit) before it finished."""


_LEADING = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*", re.DOTALL)
_WORD = re.compile(r"[A-Za-z_]+")
_DML = {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "UNLOAD", "PUT", "GET", "REMOVE"}
_QUERY = {"SELECT", "VALUES", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "TABLE", "LIST", "LS", "CALL", "FETCH"}
_TRANSACTION = {
    "begin": re.compile(
        r"^(?:BEGIN|START\s+TRANSACTION)(?:\s+(?:TRANSACTION|WORK))?(?:\s+NAME\s+\w+)?"
        r"(?:\s+ISOLATION\s+LEVEL\s+[A-Z ]+|\s+READ\s+(?:WRITE|ONLY))*$",
        re.IGNORECASE,
    ),
    "commit": re.compile(r"^(?:COMMIT|END)(?:\s+(?:TRANSACTION|WORK))?$", re.IGNORECASE),
    "rollback": re.compile(r"^(?:ROLLBACK|ABORT)(?:\s+(?:TRANSACTION|WORK))?$", re.IGNORECASE),
}
_WITH_DML = re.compile(r"\)\s*(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_MODIFIERS = {"OR", "REPLACE", "TEMP", "TEMPORARY", "TRANSIENT", "LOCAL", "GLOBAL", "SECURE", "EXTERNAL", "VOLATILE"}
_TWO_WORDS = {"CREATE", "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE", "USE", "SET", "UNSET"}


def statement_type(sql: str) -> str:
    """The statement's verb (`SELECT`, `INSERT`; two words for DDL: `CREATE TABLE`), for status and counts."""
    text = _LEADING.sub("", sql, count=1)
    words = _WORD.findall(text[:200])
    if not words:
        return ""
    first = str(words[0]).upper()
    if first in _TWO_WORDS and len(words) > 1:
        second = words[1].upper()
        if second in _MODIFIERS and len(words) > 2:
            nouns = [w.upper() for w in words[1:6] if w.upper() not in _MODIFIERS]
            return f"{first} {nouns[0]}" if nouns else first
        return f"{first} {second}"
    return first


def statement_kind(sql: str) -> StatementKind:
    """Whether the statement returns rows (`query`), changes rows (`dml`), controls a transaction, or neither."""
    verb = statement_type(sql).split(" ")[0]
    if verb == "WITH":
        return "dml" if _WITH_DML.search(sql) else "query"
    if verb in _QUERY:
        return "query"
    if verb in _DML:
        return "dml"
    if transaction_verb(sql) is not None:
        return "transaction"
    return "other"


def transaction_verb(sql: str) -> Literal["begin", "commit", "rollback"] | None:
    """`begin`, `commit` or `rollback` for a statement that only controls the transaction (a Snowflake Scripting
    block that starts with BEGIN is not one)."""
    text = " ".join(_LEADING.sub("", sql, count=1).strip().rstrip(";").split())
    for verb in ("begin", "commit", "rollback"):
        if _TRANSACTION[verb].match(text):
            return verb  # type: ignore[return-value]
    return None
