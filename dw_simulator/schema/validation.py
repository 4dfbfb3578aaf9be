"""How the schema model reports a problem, and the identifier rule every name follows.

The floor of `schema`: every model module raises its problems through `fail`, which carries the table, column and
field at fault to `loader.problems_from_validation_error`. It imports only pydantic.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import PydanticCustomError

IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
MAX_NESTING = 64  # schema documents nest a handful of levels; JSON shapes of SUPER/VARIANT columns a few more


def lone_surrogate(text: str) -> int | None:
    """Where `text` holds a lone UTF-16 surrogate (`\\ud800`: not a character, cannot be written as UTF-8)."""
    found = _SURROGATE_RE.search(text)
    return found.start() if found else None


def data_problem(data: Any) -> str | None:
    """What makes parsed schema data unusable before validation looks at it: nesting deeper than MAX_NESTING, or
    a string (or key) with a lone surrogate. Walks iteratively, so any depth is safe."""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        value, depth, where = stack.pop()
        if depth > MAX_NESTING:
            return f"the schema nests more than {MAX_NESTING} levels deep (at {where or 'the top'})"
        if isinstance(value, str):
            at = lone_surrogate(value)
            if at is not None:
                return f"{where or 'a value'} holds a lone surrogate ({value[at]!r}), which is not a character"
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and lone_surrogate(key) is not None:
                    return f"a key under {where or 'the top'} holds a lone surrogate, which is not a character"
                stack.append((item, depth + 1, f"{where}.{key}" if where else str(key)))
        elif isinstance(value, list | tuple):
            stack.extend((item, depth + 1, f"{where}[{i}]") for i, item in enumerate(value))
    return None


def fail(message: str, *, field: str | None = None, table: str | None = None, column: str | None = None) -> None:
    """Raise a validation error that carries the location of the fault (read back by `schema.loader`)."""
    ctx: dict[str, Any] = {"dw_message": message}
    if field is not None:
        ctx["dw_field"] = field
    if table is not None:
        ctx["dw_table"] = table
    if column is not None:
        ctx["dw_column"] = column
    raise PydanticCustomError("dw_sim", "{dw_message}", ctx)


def more_problems(problems: list[Any]) -> str:
    """` (and N more problems)` after the first problem in an error message, whose details list every problem once
    (front ends print the message, then the other details)."""
    n = len(problems) - 1
    return f" (and {n} more problem{'s' if n > 1 else ''})" if n > 0 else ""


def check_identifier(value: str, what: str) -> str:
    if not isinstance(value, str) or not IDENTIFIER_RE.match(value):
        fail(
            f"{what} {value!r} is not a safe SQL identifier: use 1-63 letters, digits or underscores, "
            "starting with a letter or underscore",
            field="name",
        )
    return value
