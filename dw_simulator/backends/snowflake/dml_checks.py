"""Checks Snowflake makes before DML that the engine would run silently: a MERGE whose UPDATE or DELETE would apply
to a target row that several source rows match is an error (ERROR_ON_NONDETERMINISTIC_MERGE, default TRUE), as the
outcome would depend on the order of the source rows.

https://docs.snowflake.com/en/sql-reference/sql/merge#nondeterministic-results-for-update-and-delete
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.backends.snowflake.session_statements import parameter

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor

DUPLICATE_ROW = "Duplicate row detected during DML action"


def check_merge(cursor: SessionCursor, statement: exp.Merge) -> None:
    if parameter(cursor, "ERROR_ON_NONDETERMINISTIC_MERGE").upper() != "TRUE":
        return
    whens = statement.args.get("whens")
    clauses = whens.expressions if isinstance(whens, exp.Whens) else []
    if not any(w.args.get("matched") and isinstance(w.args.get("then"), exp.Update | exp.Delete) for w in clauses):
        return
    target, source, on = statement.this, statement.args.get("using"), statement.args.get("on")
    if not isinstance(target, exp.Table) or source is None or on is None:
        return
    alias = target.alias_or_name
    check = (
        exp.select("1")
        .from_(target.copy())
        .join(source.copy(), on=on.copy())
        .group_by(exp.column("rowid", table=alias))
        .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1)))
        .limit(1)
    )
    inner = cursor._conn.internal_cursor()
    inner.execute(check.sql(dialect="snowflake"))
    if inner.fetchone() is not None:
        raise programming_error(f"{DUPLICATE_ROW}\nRow Values: (duplicate source rows match one target row)",
                                100090, "42P18")  # fmt: skip
