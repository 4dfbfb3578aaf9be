"""A cursor over a statement's tokens, and the text rewriter that keeps every offset in place."""

from __future__ import annotations

from dw_simulator.ddl.lexer import Kind, Token


class SyntaxProblem(Exception):
    """A structural error found before sqlglot runs, located by offsets into the file."""

    def __init__(self, message: str, start: int, end: int | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end if end is not None else start + 1
        self.hint = hint


class Rewriter:
    """Edits of the SQL text that never move a character: removed text becomes spaces (newlines are kept), and a
    replacement is never longer than what it replaces. An offset in the rewritten text is the same offset in the
    original, so sqlglot's error positions map straight back to the user's file."""

    def __init__(self, text: str) -> None:
        self._chars = list(text)

    def blank(self, start: int, end: int) -> None:
        for i in range(start, min(end, len(self._chars))):
            if self._chars[i] not in "\r\n":
                self._chars[i] = " "

    def replace(self, start: int, end: int, text: str) -> None:
        if len(text) > end - start:
            raise ValueError("a replacement may not be longer than the text it replaces")
        self.blank(start, end)
        free = [i for i in range(start, min(end, len(self._chars))) if self._chars[i] not in "\r\n"]
        for i, ch in zip(free, text, strict=False):  # line breaks inside the span stay where they are
            self._chars[i] = ch

    def slice(self, start: int, end: int) -> str:
        return "".join(self._chars[start:end])


class Cursor:
    """Walks the significant tokens (no comments) of one statement or clause."""

    def __init__(self, tokens: list[Token], end_offset: int) -> None:
        self.tokens = [t for t in tokens if t.kind is not Kind.COMMENT]
        self.i = 0
        self.end_offset = end_offset
        self.matching = _match_parens(self.tokens)

    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.tokens[j] if 0 <= j < len(self.tokens) else None

    def at_end(self) -> bool:
        return self.i >= len(self.tokens)

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def is_word(self, *words: str, k: int = 0) -> bool:
        token = self.peek(k)
        return token is not None and token.is_word(*words)

    def is_punct(self, *chars: str, k: int = 0) -> bool:
        token = self.peek(k)
        return token is not None and token.is_punct(*chars)

    def accept(self, *words: str) -> Token | None:
        if self.is_word(*words):
            return self.take()
        return None

    def accept_seq(self, *words: str) -> bool:
        if all(self.is_word(w, k=n) for n, w in enumerate(words)):
            self.i += len(words)
            return True
        return False

    def offset(self) -> int:
        token = self.peek()
        return token.start if token is not None else self.end_offset

    def prev_end(self) -> int:
        return self.tokens[self.i - 1].end if self.i > 0 else self.offset()

    def group_end(self) -> int:
        """At '(' : the index just past its matching ')'. Raises SyntaxProblem when it is not closed."""
        token = self.tokens[self.i]
        close = self.matching.get(self.i)
        if close is None:
            raise SyntaxProblem("this parenthesis is never closed", token.start)
        return close + 1

    def skip_group(self) -> list[Token]:
        """Consume a parenthesised group and return the tokens inside it."""
        end = self.group_end()
        inner = self.tokens[self.i + 1 : end - 1]
        self.i = end
        return inner

    def skip_item(self) -> None:
        """Consume one token, or a whole parenthesised group."""
        if self.is_punct("("):
            self.skip_group()
        else:
            self.i += 1


def _match_parens(tokens: list[Token]) -> dict[int, int]:
    stack: list[int] = []
    matching: dict[int, int] = {}
    for i, token in enumerate(tokens):
        if token.is_punct("("):
            stack.append(i)
        elif token.is_punct(")"):
            if not stack:
                raise SyntaxProblem("unexpected ')' with no '(' before it", token.start)
            matching[stack.pop()] = i
    if stack:
        token = tokens[stack[-1]]
        raise SyntaxProblem("this parenthesis is never closed", token.start)
    return matching


def split_top_level(tokens: list[Token]) -> list[list[Token]]:
    """Split tokens at commas outside parentheses."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.is_punct("("):
            depth += 1
        elif token.is_punct(")"):
            depth -= 1
        if depth == 0 and token.is_punct(","):
            parts.append([])
            continue
        parts[-1].append(token)
    return parts


def source_of(text: str, tokens: list[Token]) -> str:
    """The original text spanned by tokens, whitespace collapsed."""
    if not tokens:
        return ""
    return " ".join(text[tokens[0].start : tokens[-1].end].split())
