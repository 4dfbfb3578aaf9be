"""SHOW commands dw-sim answers itself (fakesnow answers the others from the views of `metadata_views`):
SHOW [TERSE] SCHEMAS [LIKE ...] [IN DATABASE d | IN ACCOUNT] [STARTS WITH ...] [LIMIT n].

https://docs.snowflake.com/en/sql-reference/sql/show-schemas
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from dw_simulator.backends.snowflake.names import normalise
from dw_simulator.sql.snowflake.errors import UnsupportedFeature
from dw_simulator.sql.snowflake.rewrites.nodes import LIBRARY_SCHEMA

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor


def _text(node: Any) -> str | None:
    return node.name if isinstance(node, exp.Literal) else None


def show_schemas(cursor: SessionCursor, statement: exp.Expr) -> bool:
    if not (isinstance(statement, exp.Show) and statement.name.upper() == "SCHEMAS"):
        return False
    if statement.args.get("history"):
        raise UnsupportedFeature("SHOW SCHEMAS HISTORY")
    where = ["1 = 1"]
    params: list[Any] = []
    scope_kind = str(statement.args.get("scope_kind") or "").upper()
    if scope_kind != "ACCOUNT":
        scope = statement.args.get("scope")
        database = normalise(scope.this if isinstance(scope, exp.Table) else scope) if scope else None
        where.append("database_name = ?")
        params.append(database or cursor._conn.database or "")
    if (like := _text(statement.args.get("like"))) is not None:
        where.append("name ILIKE ?")
        params.append(like)
    if (starts := _text(statement.args.get("starts_with"))) is not None:
        where.append("starts_with(name, ?)")
        params.append(starts)
    columns = (
        "created_on, name, 'SCHEMA' AS kind, database_name, NULL AS schema_name" if statement.args.get("terse") else "*"
    )
    sql = f"SELECT {columns} FROM {LIBRARY_SCHEMA}.show_schemas WHERE {' AND '.join(where)} ORDER BY name"
    limit = statement.args.get("limit")
    if isinstance(limit, exp.Limit) and isinstance(limit.expression, exp.Literal):
        sql += f" LIMIT {int(limit.expression.name)}"
    cursor._execute(sqlglot.parse_one(sql, read="duckdb"), params or None)
    return True
