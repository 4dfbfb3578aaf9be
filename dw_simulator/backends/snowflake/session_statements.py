"""Statements about the session itself: ALTER SESSION SET/UNSET and SHOW PARAMETERS (the parameters dw-sim keeps,
`dw_simulator.sql.snowflake.parameters`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlglot import exp

from dw_simulator.sql.snowflake.parameters import PARAMETERS, parameters_rows, session_changes, validated

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor

_SHOW_PARAMETERS = re.compile(
    r"^\s*SHOW\s+PARAMETERS(?:\s+LIKE\s+'((?:[^']|'')*)')?(?:\s+(?:IN|FOR)\s+SESSION)?\s*;?\s*$", re.I | re.S
)
_SHOW_COLUMNS = [("key", "VARCHAR"), ("value", "VARCHAR"), ("default", "VARCHAR"), ("level", "VARCHAR"),
                 ("description", "VARCHAR"), ("type", "VARCHAR")]  # fmt: skip


def alter_session(cursor: SessionCursor, statement: exp.Expr) -> bool:
    """Keep the parameters of `ALTER SESSION SET/UNSET`; False when the statement is not one (or sets AUTOCOMMIT,
    which fakesnow applies to its connection)."""
    changes = session_changes(statement)
    if changes is None or any(name == "AUTOCOMMIT" for name, _ in changes):
        return False
    values = cursor._conn.parameters
    kept = {name: validated(name, value) for name, value in changes if value is not None}
    for name, value in changes:
        if value is None:
            values.pop(name, None)
    values.update(kept)
    cursor._status("Statement executed successfully.")
    return True


def show_parameters(cursor: SessionCursor, sql: str) -> bool:
    """`SHOW PARAMETERS [LIKE '...'] [IN SESSION]`; False for SHOW PARAMETERS of other scopes (left to fakesnow)."""
    found = _SHOW_PARAMETERS.match(sql)
    if found is None:
        return False
    like = found.group(1).replace("''", "'") if found.group(1) is not None else None
    values = {**cursor._conn.parameters}
    values.setdefault("AUTOCOMMIT", "true" if cursor._conn._autocommit else "false")
    cursor._rows(_SHOW_COLUMNS, parameters_rows(values, like))
    return True


def parameter(cursor: SessionCursor, name: str) -> str:
    return cursor._conn.parameters.get(name, PARAMETERS[name].default)
