"""Parsing users' SQL with sqlglot, with errors that name the line and column."""

from __future__ import annotations

from typing import Any, cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from dw_simulator.errors import QueryError


def parse_statements(sql: str, *, read: Any, label: str) -> list[exp.Expression]:
    """Every statement of `sql` in dialect `read`; `label` names the dialect in messages ("redshift")."""
    try:
        expressions = sqlglot.parse(sql, read=read)
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        line, col = first.get("line"), first.get("col")
        where = f" at line {line}, column {col}" if line else ""
        detail = first.get("description") or str(exc).splitlines()[0]
        raise QueryError(
            f"cannot parse the {label} SQL{where}: {detail}",
            details=[{"line": line, "col": col, "message": detail}],
        ) from None
    except TokenError as exc:
        raise QueryError(f"cannot read the {label} SQL: {exc}") from None
    return cast(list[exp.Expression], [e for e in expressions if e is not None])
