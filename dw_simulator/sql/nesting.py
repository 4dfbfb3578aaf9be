"""How deeply users' SQL may nest, and translation that stays inside Python's recursion limit.

sqlglot parses, rewrites and writes SQL recursively (about 21 Python frames per level of parentheses), so a query
nested 50 levels deep ran out of Python's default limit of 1000 frames. `deep_enough` measures the nesting of the
text first (parentheses outside strings and comments): beyond `MAX_NESTING` the query is refused with a clear
error; below it the recursion limit is raised to what that depth needs. A RecursionError that still happens (a
chain of thousands of NOTs, say) becomes a QueryError as well, never an internal error.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from dw_simulator.errors import QueryError

MAX_NESTING = 200  # Redshift's own parser stops far below what anyone writes by hand; generated SQL stays below it
FRAMES_PER_LEVEL = 30
BASE_FRAMES = 3000
_limit_lock = threading.Lock()


def nesting_depth(sql: str) -> int:
    """The deepest parenthesis nesting of `sql`, not counting parentheses inside strings, quoted names or
    comments."""
    depth = deepest = 0
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch in ("'", '"'):
            end = sql.find(ch, i + 1)
            while end != -1 and end + 1 < n and sql[end + 1] == ch:  # doubled quote inside the literal
                end = sql.find(ch, end + 2)
            i = n if end == -1 else end
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end == -1 else end
        elif ch == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end == -1 else end + 1
        elif ch == "$" and sql.startswith("$$", i):
            end = sql.find("$$", i + 2)
            i = n if end == -1 else end + 1
        i += 1
    return deepest


@contextmanager
def deep_enough(sql: str, *, label: str) -> Iterator[None]:
    """Refuse SQL nested deeper than MAX_NESTING; translate the rest with enough recursion room."""
    depth = nesting_depth(sql)
    if depth > MAX_NESTING:
        raise QueryError(
            f"the {label} SQL nests parentheses {depth} levels deep; dw-sim translates at most {MAX_NESTING} "
            "(flatten the expression, or use a CTE for nested subqueries)",
            details=[{"message": "nested too deeply", "depth": depth, "limit": MAX_NESTING}],
        )
    needed = BASE_FRAMES + FRAMES_PER_LEVEL * depth
    with _limit_lock:
        if sys.getrecursionlimit() < needed:
            sys.setrecursionlimit(needed)  # process-wide and never lowered again: other threads may be deep too
    try:
        yield
    except RecursionError:
        raise QueryError(
            f"the {label} SQL is nested too deeply for dw-sim to translate (a long chain of operators or NOTs?); "
            "split it into smaller expressions or CTEs"
        ) from None
