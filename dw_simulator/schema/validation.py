"""How the schema model reports a problem, and the identifier rule every name follows.

The floor of `schema`: every model module raises its problems through `fail`, which carries the table, column and
field at fault to `loader.problems_from_validation_error`. It imports only pydantic.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import PydanticCustomError

IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


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
