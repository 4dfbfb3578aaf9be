"""Locating problems in DDL text: offsets -> 1-based line and column, and the error raised to the user."""

from __future__ import annotations

import bisect
from typing import NoReturn

from dw_simulator.errors import Problem, SchemaValidationError
from dw_simulator.schema.validation import more_problems

MAX_EXCERPT = 60


class SourceText:
    """The original SQL text, with a line index. Rewrites keep every offset, so these positions hold for both."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self._line_starts.append(i + 1)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def offset(self, line: int, col: int) -> int:
        """The offset of a 1-based (line, column)."""
        line = max(1, min(line, len(self._line_starts)))
        return min(len(self.text), self._line_starts[line - 1] + max(col, 1) - 1)

    def excerpt(self, start: int, end: int) -> str:
        snippet = " ".join(self.text[start:end].split())
        return snippet if len(snippet) <= MAX_EXCERPT else snippet[: MAX_EXCERPT - 3] + "..."


class DdlProblems:
    """Problems found while importing; raised together at the end so a user can fix several at once."""

    def __init__(self, source: SourceText, dialect: str) -> None:
        self.source = source
        self.dialect = dialect
        self.items: list[Problem] = []

    def add(
        self,
        message: str,
        start: int | None,
        end: int | None = None,
        *,
        table: str | None = None,
        column: str | None = None,
        hint: str | None = None,
        text: str | None = None,
    ) -> Problem:
        line = col = None
        extra: dict[str, str] = {"dialect": self.dialect}
        if start is not None:
            line, col = self.source.position(start)
            offending = text if text is not None else self.source.excerpt(start, end if end is not None else start + 1)
            if offending:
                extra["text"] = offending
        elif text:
            extra["text"] = text
        if hint:
            extra["hint"] = hint
        full = f"{message}; {hint}" if hint else message
        problem = Problem(full, table=table, column=column, line=line, col=col, extra=extra)
        self.items.append(problem)
        return problem

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise_problems(self.items)


def raise_problems(problems: list[Problem]) -> NoReturn:
    raise SchemaValidationError(
        f"SQL import failed: {problems[0]}{more_problems(problems)}", details=[p.to_dict() for p in problems]
    )
