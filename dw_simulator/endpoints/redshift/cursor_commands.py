"""Statements about the session's prepared statements and cursors, which the endpoint handles itself rather than
hand to the Redshift layer: PREPARE / EXECUTE / DEALLOCATE [PREPARE] {name | ALL}, DISCARD {ALL | PLANS | TEMP |
SEQUENCES}, DECLARE ... CURSOR FOR / FETCH / MOVE / CLOSE {name | ALL}, and SET SESSION CHARACTERISTICS.
psycopg 3 sends `DEALLOCATE ALL` on its own, connection pools `DISCARD ALL`, server-side cursors DECLARE/FETCH/CLOSE.

Redshift's FETCH reads forward only (NEXT, ALL, FORWARD n, FORWARD ALL); so do these. A cursor is a portal of the
session (the same namespace as the extended protocol's portals, as in PostgreSQL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dw_simulator.endpoints.redshift.errors import FEATURE_NOT_SUPPORTED, SYNTAX_ERROR, EndpointError
from dw_simulator.sql.redshift.split import mask

_NAME = r'(?P<name>"(?:[^"]|"")+"|\x00\d+\x00|[A-Za-z_][\w$]*)'
_DEALLOCATE = re.compile(rf"\s*DEALLOCATE\s+(?:PREPARE\s+)?{_NAME}\s*;?\s*$", re.I)
_DISCARD = re.compile(r"\s*DISCARD\s+(?P<what>ALL|PLANS|TEMP|TEMPORARY|SEQUENCES)\s*;?\s*$", re.I)
_CLOSE = re.compile(rf"\s*CLOSE\s+{_NAME}\s*;?\s*$", re.I)
_DECLARE = re.compile(
    rf"\s*DECLARE\s+{_NAME}\s+(?P<opts>(?:(?:BINARY|INSENSITIVE|ASENSITIVE|NO\s+SCROLL|SCROLL)\s+)*)CURSOR\s+"
    r"(?:(?P<hold>WITH|WITHOUT)\s+HOLD\s+)?FOR\s+(?P<query>.+?)\s*;?\s*$",
    re.I | re.S,
)
_FETCH = re.compile(
    rf"\s*(?P<verb>FETCH|MOVE)\s+(?:(?P<direction>NEXT|ALL|FORWARD\s+ALL|FORWARD\s+\d+|FORWARD|\d+|"
    rf"PRIOR|FIRST|LAST|ABSOLUTE\s+-?\d+|RELATIVE\s+-?\d+|BACKWARD(?:\s+(?:ALL|\d+))?|-\d+)\s+)?"
    rf"(?:(?:FROM|IN)\s+)?{_NAME}\s*;?\s*$",
    re.I,
)
_PREPARE = re.compile(rf"\s*PREPARE\s+{_NAME}\s*(?:\((?P<types>[^)]*)\))?\s+AS\s+(?P<query>.+?)\s*;?\s*$", re.I | re.S)
_EXECUTE = re.compile(rf"\s*EXECUTE\s+{_NAME}\s*(?:\((?P<args>.*)\))?\s*;?\s*$", re.I | re.S)
_CHARACTERISTICS = re.compile(r"\s*SET\s+SESSION\s+CHARACTERISTICS\s+AS\s+TRANSACTION\b", re.I)
ALL_ROWS = -1


@dataclass
class CursorCommand:
    kind: str  # prepare | execute | deallocate | discard | declare | fetch | move | close | characteristics
    name: str = ""  # "" with ALL (deallocate, close)
    query: str = ""  # declare, prepare
    count: int = 0  # fetch/move: rows, ALL_ROWS for all
    hold: bool = False
    args: list[str] = field(default_factory=list)  # execute: the argument expressions
    what: str = ""  # discard
    prefix: str = ""  # declare, prepare: the statement up to its query (`DECLARE c CURSOR FOR `)

    @property
    def returns_rows(self) -> bool:
        return self.kind in ("fetch", "execute")


def _ident(token: str, masked_tokens: list[str]) -> str:
    if token.startswith("\x00"):
        token = masked_tokens[int(token.strip("\x00"))]
    if token.startswith('"'):
        return token[1:-1].replace('""', '"')
    return token.lower()


def classify_cursor(sql: str) -> CursorCommand | None:
    masked = mask(sql)
    text = masked.text
    word = text.lstrip()[:10].upper()
    if not word.startswith(("DEALLOCATE", "DISCARD", "CLOSE", "DECLARE", "FETCH", "MOVE", "PREPARE", "EXECUTE", "SET")):
        return None
    if _CHARACTERISTICS.match(text):
        return CursorCommand("characteristics")
    match = _DEALLOCATE.match(text)
    if match:
        name = _ident(match.group("name"), masked.tokens)
        return CursorCommand("deallocate", "" if name == "all" else name)
    match = _DISCARD.match(text)
    if match:
        return CursorCommand("discard", what=match.group("what").upper())
    match = _CLOSE.match(text)
    if match:
        name = _ident(match.group("name"), masked.tokens)
        return CursorCommand("close", "" if name == "all" else name)
    match = _DECLARE.match(text)
    if match:
        if "SCROLL" in match.group("opts").upper().replace("NO SCROLL", ""):
            raise EndpointError(FEATURE_NOT_SUPPORTED, "SCROLL cursors are not supported (Redshift's are forward-only)")
        return CursorCommand(
            "declare",
            _ident(match.group("name"), masked.tokens),
            query=masked.unmask(match.group("query")),
            hold=(match.group("hold") or "").upper() == "WITH",
            prefix=masked.unmask(text[: match.start("query")]),
        )
    match = _FETCH.match(text)
    if match:
        return CursorCommand(
            match.group("verb").lower(),
            _ident(match.group("name"), masked.tokens),
            count=_count(match.group("direction")),
        )
    match = _PREPARE.match(text)
    if match:
        name, query = _ident(match.group("name"), masked.tokens), masked.unmask(match.group("query"))
        return CursorCommand("prepare", name, query=query, prefix=masked.unmask(text[: match.start("query")]))
    match = _EXECUTE.match(text)
    if match:
        args = _split_args(masked.unmask(match.group("args"))) if match.group("args") else []
        return CursorCommand("execute", _ident(match.group("name"), masked.tokens), args=args)
    if word.startswith(("DEALLOCATE", "DISCARD", "CLOSE", "FETCH", "MOVE")):
        raise EndpointError(SYNTAX_ERROR, f"cannot read the {word.split()[0]} statement: {sql.strip()[:200]}")
    return None


def _count(direction: str | None) -> int:
    text = " ".join((direction or "NEXT").upper().split())
    if text in ("NEXT", "FORWARD"):
        return 1
    if text in ("ALL", "FORWARD ALL"):
        return ALL_ROWS
    if text.isdigit():
        return int(text)
    if text.startswith("FORWARD ") and text[8:].isdigit():
        return int(text[8:])
    raise EndpointError(
        FEATURE_NOT_SUPPORTED, f"FETCH {text} is not supported: cursors read forward only (NEXT, ALL, FORWARD n)"
    )


def _split_args(text: str) -> list[str]:
    """EXECUTE's argument list split on top-level commas (literals are masked first)."""
    masked = mask(text)
    parts, depth, start = [], 0, 0
    for i, char in enumerate(masked.text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(masked.unmask(masked.text[start:i]).strip())
            start = i + 1
    parts.append(masked.unmask(masked.text[start:]).strip())
    return [p for p in parts if p]
