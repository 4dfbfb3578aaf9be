"""The SQL API's response bodies: `ResultSet` (200), `QueryStatus` (202), `QueryFailureStatus` (408, 422), and the
errors of requests that never became a statement.

Codes and messages are Snowflake's where its documentation gives them (090001 success, 333334 still running, 000630
time limit, 000604 cancelled, 000008 statement count); the codes of failures the documentation leaves open are
listed in docs/snowflake-sql-api.md.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from fastapi.responses import Response

from dw_simulator.api.snowflake_sql import encode
from dw_simulator.statements.registry import ACTIVE, Part, Run, Status

STATEMENTS = "/api/v2/statements"
SUCCESS = ("090001", "00000", "Statement executed successfully.")
RUNNING = (
    "333334",
    "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.",
)
MULTIPLE = "Multiple statements executed successfully."
SQL_ERROR_CODE = "000603"  # when the engine gave no code
NOT_RUN = ("000709", "Statement not executed because an earlier statement of the request failed.")


def status_url(handle: str, request_id: str | None) -> str:
    return f"{STATEMENTS}/{handle}" + (f"?requestId={request_id}" if request_id else "")


def answer(
    body: dict[str, Any], status: int = 200, *, gzipped: bool = False, headers: dict[str, str] | None = None
) -> Response:
    payload = json.dumps(body, default=str).encode()
    extra = dict(headers or {})
    if gzipped:
        payload = gzip.compress(payload)
        extra["Content-Encoding"] = "gzip"
    return Response(payload, status_code=status, media_type="application/json", headers=extra)


def failure(status: int, code: str, message: str, sql_state: str = "") -> Response:
    """A request that never became a statement (bad JSON, missing statement, authentication)."""
    return answer({"code": code, "message": message, "sqlState": sql_state}, status)


def _base(run: Run, handle: str) -> dict[str, Any]:
    request_id = run.meta.get("requestId")
    return {
        "statementHandle": handle,
        "statementStatusUrl": status_url(handle, request_id),
        "requestId": request_id,
        "createdOn": int(run.created_at * 1000),
    }


def running(run: Run, handle: str) -> Response:
    code, message = RUNNING
    return answer({"code": code, "message": message, **_base(run, handle)}, 202)


def for_part(run: Run, part: Part, *, partition: int, nullable: bool, page_rows: int, gzipped: bool) -> Response:
    """What GET (or a synchronous POST) answers for one statement."""
    handle = part.id
    if part.status in ACTIVE:
        return running(run, handle)
    if part.status != Status.FINISHED or part.result is None:
        return _failed(run, part, handle)
    result = part.result
    columns = result.columns or []
    data = result.rows if result.columns is not None else []
    cache = run.meta.setdefault("encoded", {})
    if handle not in cache:  # encoded once: partitionInfo needs every partition's size
        cache[handle] = encode.encoded_partitions(data, columns, page_rows)
    parts, info = cache[handle]
    if not 0 <= partition < len(parts):
        return failure(422, "000709", f"partition {partition} does not exist (the result has {len(parts)})", "22023")
    rows: list[list[Any]] = parts[partition] if nullable else encode.without_nulls(parts[partition])
    if partition > 0:
        return answer({"data": rows}, gzipped=gzipped)
    code, sql_state, message = SUCCESS
    body: dict[str, Any] = {
        "resultSetMetaData": {
            "numRows": len(data),
            "format": "jsonv2",
            "partitionInfo": info,
            "rowType": encode.row_type(columns),
        },
        "data": rows,
        "code": code,
        "sqlState": sql_state,
        "message": message,
        **_base(run, handle),
    }
    if (stats := encode.dml_stats(columns, data)) is not None:
        body["stats"] = stats
    return answer(body)


def for_multi(run: Run) -> Response:
    """The parent of a multi-statement request: its children's handles, once every one of them has run."""
    handle = run.id
    if run.active:
        return running(run, handle)
    handles = [p.id for p in run.parts]
    failed = next((p for p in run.parts if p.status != Status.FINISHED), None)
    if failed is not None:
        response_part = failed if failed.failure is not None else run.parts[-1]
        return _failed(run, response_part, handle, extra={"statementHandles": handles})
    code, sql_state, message = SUCCESS
    column = {
        "name": "multiple statement execution",
        "database": "",
        "schema": "",
        "table": "",
        "nullable": False,
        "type": "text",
        "byteLength": 16_777_216,
        "length": 16_777_216,
        "scale": None,
        "precision": None,
        "collation": None,
    }
    body = {
        "resultSetMetaData": {
            "numRows": 1,
            "format": "jsonv2",
            "partitionInfo": [{"rowCount": 1, "uncompressedSize": len(MULTIPLE) + 6}],
            "rowType": [column],
        },
        "data": [[MULTIPLE]],
        "code": code,
        "sqlState": sql_state,
        "message": message,
        "statementHandles": handles,
        **_base(run, handle),
    }
    return answer(body)


def _failed(run: Run, part: Part, handle: str, *, extra: dict[str, Any] | None = None) -> Response:
    fail = part.failure or run.failure
    if fail is None:  # a statement after the failing one: never run
        code, message, sql_state, status = NOT_RUN[0], NOT_RUN[1], "", 422
    elif fail.timed_out:
        limit = run.timeout_s or 0
        code, sql_state, status = "000630", "57014", 408
        message = f"Statement reached its statement or warehouse timeout of {limit:g} second(s) and was canceled."
    elif fail.cancelled:
        code, message, sql_state, status = "000604", "SQL execution canceled", "57014", 422
    else:
        code, message = fail.code or SQL_ERROR_CODE, fail.message
        sql_state, status = fail.sqlstate or "42000", 422
    body = {"code": code, "sqlState": sql_state, "message": message, **_base(run, handle), **(extra or {})}
    return answer(body, status)


def cancelled(run: Run, handle: str) -> Response:
    code, message = "000604", "SQL execution canceled"
    return answer({"code": code, "sqlState": "57014", "message": message, **_base(run, handle)})
