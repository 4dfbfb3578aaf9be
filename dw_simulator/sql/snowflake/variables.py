"""Session variables in statement text (`SET v = 1; SELECT $v`): `$name` is replaced by the variable's value
outside string literals, quoted identifiers and comments only, so `"$A_COLUMN"` or `'costs $5'` stay as written.

https://docs.snowflake.com/en/sql-reference/session-variables
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_NAME = re.compile(r"\$([A-Za-z_]\w*)")


class MissingVariable(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Session variable '${name.upper()}' does not exist")
        self.name = name


def _skip(sql: str, i: int) -> int:
    """The index after the literal, quoted identifier or comment starting at `i` (i itself if none does)."""
    if sql.startswith("$$", i):
        end = sql.find("$$", i + 2)
        return len(sql) if end < 0 else end + 2
    char = sql[i]
    if char in ("'", '"'):
        j = i + 1
        while j < len(sql):
            if char == "'" and sql[j] == "\\":
                j += 2
                continue
            if sql[j] == char:
                if j + 1 < len(sql) and sql[j + 1] == char:
                    j += 2
                    continue
                return j + 1
            j += 1
        return len(sql)
    if sql.startswith("--", i) or sql.startswith("//", i):
        end = sql.find("\n", i)
        return len(sql) if end < 0 else end
    if sql.startswith("/*", i):
        end = sql.find("*/", i + 2)
        return len(sql) if end < 0 else end + 2
    return i


def inline_variables(sql: str, values: Mapping[str, str]) -> str:
    """`sql` with each `$name` replaced by its value's SQL text; MissingVariable for an unset one. `$1`
    (positional columns of staged files) and names inside words (`a$b`) are not variables."""
    if "$" not in sql:
        return sql
    lookup = {name.upper(): value for name, value in values.items()}
    out: list[str] = []
    i = 0
    while i < len(sql):
        after = _skip(sql, i)
        if after != i:
            out.append(sql[i:after])
            i = after
            continue
        found = (
            _NAME.match(sql, i)
            if sql[i] == "$" and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] in "_$"))
            else None
        )
        if found is None:
            out.append(sql[i])
            i += 1
            continue
        name = found.group(1)
        if name.upper() not in lookup:
            raise MissingVariable(name)
        out.append(lookup[name.upper()])
        i = found.end()
    return "".join(out)
