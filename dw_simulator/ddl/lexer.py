"""A small SQL lexer for DDL files: statement splitting and the structural pass before sqlglot.

It knows just enough SQL to find statement boundaries, parentheses and clause keywords with their exact offsets:
strings ('...' with '' and, for Redshift/Snowflake, backslash escapes; E'...'; $$...$$ and $tag$...$tag$), quoted
identifiers ("..." and `...`), comments (-- and /* */), words, numbers and punctuation. An unterminated string,
identifier or comment is reported at the place it starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    WORD = "word"
    QIDENT = "quoted identifier"
    STRING = "string"
    NUMBER = "number"
    PUNCT = "punctuation"
    COMMENT = "comment"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str  # the source text of the token, quotes included
    start: int  # offset of the first character in the file
    end: int  # offset just past the last character

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind is Kind.WORD else ""

    def is_word(self, *words: str) -> bool:
        return self.kind is Kind.WORD and self.text.upper() in words

    def is_punct(self, *chars: str) -> bool:
        return self.kind is Kind.PUNCT and self.text in chars

    @property
    def value(self) -> str:
        """The identifier or string a token stands for: quotes removed and escapes resolved."""
        if self.kind is Kind.QIDENT:
            quote = self.text[0]
            closing = "`" if quote == "`" else '"'
            return self.text[1:-1].replace(closing * 2, closing)
        if self.kind is Kind.STRING:
            return string_value(self.text)
        return self.text


class LexError(Exception):
    def __init__(self, message: str, offset: int, text: str) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.text = text


_WORD_RE = re.compile(r"[A-Za-z_#\u0080-\uffff][A-Za-z0-9_$#\u0080-\uffff]*")
_NUMBER_RE = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DOLLAR_TAG_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_MULTI_PUNCT = ("::", "<=", ">=", "<>", "!=", "||", "=>", "->")


def tokenize(text: str, *, backslash_escapes: bool = True, nested_comments: bool = False) -> list[Token]:
    """Every token of `text`, comments included. Raises LexError for unterminated strings/identifiers/comments."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            tokens.append(Token(Kind.COMMENT, text[start:i], start, i))
            continue
        if text.startswith("/*", i):
            i = _skip_block_comment(text, i, nested_comments)
            tokens.append(Token(Kind.COMMENT, text[start:i], start, i))
            continue
        if ch == "'" or (ch in "eEnN" and text.startswith("'", i + 1)):
            quote_at = i if ch == "'" else i + 1
            escapes = backslash_escapes or ch in "eE"
            i = _skip_string(text, quote_at, escapes, start)
            tokens.append(Token(Kind.STRING, text[start:i], start, i))
            continue
        if ch in '"`':
            i = _skip_quoted_ident(text, i)
            tokens.append(Token(Kind.QIDENT, text[start:i], start, i))
            continue
        if ch == "$":
            tag = _DOLLAR_TAG_RE.match(text, i)
            if tag:
                close = text.find(tag.group(0), tag.end())
                if close < 0:
                    raise LexError(f"unterminated {tag.group(0)} string", start, text[start : start + 20])
                i = close + len(tag.group(0))
                tokens.append(Token(Kind.STRING, text[start:i], start, i))
                continue
        word = _WORD_RE.match(text, i)
        if word:
            i = word.end()
            tokens.append(Token(Kind.WORD, word.group(0), start, i))
            continue
        number = _NUMBER_RE.match(text, i)
        if number and number.end() > i:
            i = number.end()
            tokens.append(Token(Kind.NUMBER, number.group(0), start, i))
            continue
        two = text[i : i + 2]
        if two in _MULTI_PUNCT:
            i += 2
            tokens.append(Token(Kind.PUNCT, two, start, i))
            continue
        i += 1
        tokens.append(Token(Kind.PUNCT, ch, start, i))
    return tokens


def _skip_block_comment(text: str, i: int, nested: bool) -> int:
    start, depth = i, 0
    n = len(text)
    while i < n:
        if text.startswith("/*", i):
            depth = depth + 1 if (nested or depth == 0) else depth
            i += 2
        elif text.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    raise LexError("unterminated /* comment", start, text[start : start + 20])


def _skip_string(text: str, quote_at: int, escapes: bool, start: int) -> int:
    i, n = quote_at + 1, len(text)
    while i < n:
        ch = text[i]
        if escapes and ch == "\\":
            i += 2
            continue
        if ch == "'":
            if text.startswith("''", i):
                i += 2
                continue
            return i + 1
        i += 1
    raise LexError("unterminated string literal", start, text[start : start + 20])


def _skip_quoted_ident(text: str, i: int) -> int:
    quote = text[i]
    start, i, n = i, i + 1, len(text)
    while i < n:
        if text[i] == quote:
            if text.startswith(quote * 2, i):
                i += 2
                continue
            return i + 1
        i += 1
    raise LexError(f"unterminated quoted identifier {quote}...{quote}", start, text[start : start + 20])


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f"}


def string_value(text: str) -> str:
    """The value of a string literal token: 'it''s' -> it's; $$x$$ -> x; E'a\\nb' -> a<newline>b."""
    if text.startswith("$"):
        tag = _DOLLAR_TAG_RE.match(text)
        if tag:
            return text[tag.end() : len(text) - len(tag.group(0))]
    body = text[1:] if text[0] in "eEnN" else text
    body = body[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if ch == "'" and body.startswith("''", i):
            out.append("'")
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def significant(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.kind is not Kind.COMMENT]


def split_statements(tokens: list[Token]) -> list[list[Token]]:
    """Tokens grouped by statement (split at top-level semicolons); empty statements dropped."""
    statements: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens:
        if token.is_punct(";"):
            if any(t.kind is not Kind.COMMENT for t in current):
                statements.append(current)
            current = []
            continue
        current.append(token)
    if any(t.kind is not Kind.COMMENT for t in current):
        statements.append(current)
    return statements
