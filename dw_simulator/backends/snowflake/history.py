"""Query history and earlier results: every statement of every session is recorded (in memory, the last
HISTORY_KEPT), for `TABLE(INFORMATION_SCHEMA.QUERY_HISTORY[_BY_SESSION|_BY_USER](...))`; LAST_QUERY_ID(n) reads the
session's own list; `TABLE(RESULT_SCAN('<id>'))` reads a kept result anywhere in a query (fakesnow only replays
it as the whole result). Both table functions are replaced by Arrow tables registered on the session's DuckDB
connection for the one statement.

https://docs.snowflake.com/en/sql-reference/functions/query_history
https://docs.snowflake.com/en/sql-reference/functions/result_scan
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlglot import exp

from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.backends.snowflake.query_log import QueryRecord

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor

_HISTORY_FUNCTIONS = {"QUERY_HISTORY", "QUERY_HISTORY_BY_SESSION", "QUERY_HISTORY_BY_USER"}


def record_query(cursor: SessionCursor, command: str, started: dt.datetime, error: BaseException | None) -> None:
    conn = cursor._conn
    context = conn.engine.config.context
    query_id = cursor._sfqid if error is None and cursor._sfqid else conn.new_query_id()
    message = getattr(error, "raw_msg", None) or (str(error) if error is not None else None)
    conn.engine.history.add(
        QueryRecord(
            query_id=query_id,
            query_text=command,
            session_id=conn.session_id,
            user_name=context.user,
            role_name=context.role,
            warehouse_name=context.warehouse,
            database_name=conn.database,
            schema_name=conn.schema,
            status="SUCCESS" if error is None else "FAILED_WITH_ERROR",
            error_code=getattr(error, "errno", None) if error is not None else None,
            error_message=message,
            start_time=started,
            end_time=dt.datetime.now(dt.UTC),
            rows_produced=cursor._rowcount if error is None else None,
        )
    )
    if error is None:
        conn.query_ids.append(query_id)


_COLUMNS = [
    ("QUERY_ID", pa.string()), ("QUERY_TEXT", pa.string()), ("DATABASE_NAME", pa.string()),
    ("SCHEMA_NAME", pa.string()), ("SESSION_ID", pa.int64()), ("USER_NAME", pa.string()),
    ("ROLE_NAME", pa.string()), ("WAREHOUSE_NAME", pa.string()), ("EXECUTION_STATUS", pa.string()),
    ("ERROR_CODE", pa.int64()), ("ERROR_MESSAGE", pa.string()), ("START_TIME", pa.timestamp("us", tz="UTC")),
    ("END_TIME", pa.timestamp("us", tz="UTC")), ("TOTAL_ELAPSED_TIME", pa.int64()), ("ROWS_PRODUCED", pa.int64()),
]  # fmt: skip


def _history_table(records: list[QueryRecord]) -> pa.Table:
    rows = [
        (r.query_id, r.query_text, r.database_name, r.schema_name, r.session_id, r.user_name, r.role_name,
         r.warehouse_name, r.status, r.error_code, r.error_message, r.start_time, r.end_time,
         int((r.end_time - r.start_time).total_seconds() * 1000), r.rows_produced)
        for r in records
    ]  # fmt: skip
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in _COLUMNS]
    return pa.table({name: pa.array(list(values), type=kind) for (name, kind), values in zip(_COLUMNS, columns,
                                                                                         strict=True)})  # fmt: skip


def _arguments(call: exp.Anonymous) -> dict[str, exp.Expr]:
    return {a.this.name.upper(): a.expression for a in call.expressions if isinstance(a, exp.Kwarg)}


def _int(node: exp.Expr | None, default: int) -> int:
    if isinstance(node, exp.Literal) and not node.is_string:
        return int(node.name)
    return default


def _history_for(cursor: SessionCursor, call: exp.Anonymous) -> pa.Table:
    name = call.name.upper()
    arguments = _arguments(call)
    records = cursor._conn.engine.history.snapshot()
    if name == "QUERY_HISTORY_BY_SESSION":
        wanted = _int(arguments.get("SESSION_ID"), cursor._conn.session_id)
        records = [r for r in records if r.session_id == wanted]
    elif name == "QUERY_HISTORY_BY_USER":
        user = arguments.get("USER_NAME")
        wanted_user = user.name if isinstance(user, exp.Literal) else cursor._conn.engine.config.context.user
        records = [r for r in records if r.user_name.upper() == wanted_user.upper()]
    limit = _int(arguments.get("RESULT_LIMIT"), 100)
    return _history_table(list(reversed(records))[:limit])


def last_query_id(cursor: SessionCursor, call: exp.Anonymous) -> exp.Expr:
    """LAST_QUERY_ID([n]): -1 (the default) is the latest statement of the session, 1 the first."""
    ids = cursor._conn.query_ids
    position = -1
    if call.expressions:
        value = call.expressions[0]
        negative = isinstance(value, exp.Neg)
        position = _int(value.this if negative else value, -1) * (-1 if negative else 1)
    try:
        return exp.Literal.string(ids[position - 1 if position > 0 else position])
    except IndexError:
        return exp.Null()


def resolve_table_functions(cursor: SessionCursor, expression: exp.Expr) -> exp.Expr:
    """Replace LAST_QUERY_ID(), TABLE(RESULT_SCAN(...)) and TABLE(INFORMATION_SCHEMA.QUERY_HISTORY...(...))."""
    for call in list(expression.find_all(exp.Anonymous)):
        if call.name.upper() == "LAST_QUERY_ID":
            call.replace(last_query_id(cursor, call))
    for node in list(expression.find_all(exp.TableFromRows)):
        function = node.this.expression if isinstance(node.this, exp.Dot) else node.this
        if not isinstance(function, exp.Anonymous):
            continue
        name = function.name.upper()
        if name == "RESULT_SCAN":
            table = _result(cursor, function)
        elif name in _HISTORY_FUNCTIONS:
            table = _history_for(cursor, function)
        else:
            continue
        relation = f"_dwsim_relation_{len(cursor._conn.registered)}"
        cursor._duck_conn.register(relation, table)
        cursor._conn.registered.append(relation)
        alias = node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name))
        node.replace(exp.Table(this=exp.to_identifier(relation, quoted=True), alias=alias))
    return expression


def _result(cursor: SessionCursor, call: exp.Anonymous) -> pa.Table:
    target = call.expressions[0] if call.expressions else None
    if not (isinstance(target, exp.Literal) and target.is_string):
        raise programming_error("SQL compilation error:\nRESULT_SCAN needs a query ID", 2140, "42601")
    kept: Any = cursor._conn.results_cache.get(target.name)
    if kept is None:
        raise programming_error(f"Statement {target.name} not found", 709, "02000")
    table = kept[0]
    return table if isinstance(table, pa.Table) else pa.table({})


def unregister(cursor: SessionCursor) -> None:
    """Drop the relations registered for the session's previous statement."""
    names, cursor._conn.registered = cursor._conn.registered, []
    for name in names:
        cursor._duck_conn.unregister(name)
