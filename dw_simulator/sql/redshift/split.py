"""Lexical helpers for the text rewrites: split a script into statements and hide literals from regexes.

Regex rewrites must never touch the inside of a string literal, a quoted identifier or a comment, so a statement
is first *masked*: every such token is replaced by a placeholder (`\\x00<n>\\x00`), the rewrites run on the masked
text, and `unmask` puts the tokens back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN_RE = re.compile(
    r"""
    (?P<string>'(?:[^']|'')*')            # 'it''s'
  | (?P<ident>"(?:[^"]|"")*")             # "Quoted Identifier"
  | (?P<dollar>\$(?P<tag>\w*)\$.*?\$(?P=tag)\$)  # $$ body $$
  | (?P<line>--[^\n]*)                    # -- comment
  | (?P<block>/\*.*?\*/)                  # /* comment */
    """,
    re.VERBOSE | re.DOTALL,
)
PLACEHOLDER_RE = re.compile("\x00(\\d+)\x00")


@dataclass
class Masked:
    """A statement with its literals and comments replaced by numbered placeholders."""

    text: str
    tokens: list[str] = field(default_factory=list)

    def unmask(self, text: str | None = None) -> str:
        return PLACEHOLDER_RE.sub(lambda m: self.tokens[int(m.group(1))], self.text if text is None else text)

    def token(self, placeholder: str) -> str:
        match = PLACEHOLDER_RE.fullmatch(placeholder.strip())
        return self.tokens[int(match.group(1))] if match else placeholder


def mask(sql: str, *, drop_comments: bool = True) -> Masked:
    tokens: list[str] = []

    def repl(match: re.Match[str]) -> str:
        is_comment = match.group("line") is not None or match.group("block") is not None
        if is_comment and drop_comments:
            return " "
        tokens.append(match.group(0))
        return f"\x00{len(tokens) - 1}\x00"

    return Masked(_TOKEN_RE.sub(repl, sql), tokens)


def split_statements(sql: str) -> list[str]:
    """Split a script on semicolons that are outside literals and comments; empty statements are dropped."""
    masked = mask(sql)
    parts = [masked.unmask(part).strip() for part in masked.text.split(";")]
    return [p for p in parts if p]


def unquote_string(literal: str) -> str:
    """`'it''s'` -> `it's`."""
    if len(literal) >= 2 and literal[0] == literal[-1] == "'":
        return literal[1:-1].replace("''", "'")
    return literal
