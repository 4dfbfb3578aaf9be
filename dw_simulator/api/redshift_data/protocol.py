"""The wire side of the Data API: `POST /redshift-data/` with `X-Amz-Target: RedshiftData.<Action>` and a JSON 1.1
body, answered in JSON 1.1 (`{"__type", "message"}` with HTTP 400 for errors), signature checked in token mode."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dw_simulator.api.redshift_data import catalog, sigv4, statements
from dw_simulator.api.redshift_data.errors import DataApiError
from dw_simulator.api.state import AppState
from dw_simulator.errors import DwSimError

log = logging.getLogger("dw_simulator.api.redshift_data")
PATH = "/redshift-data"
TARGET_PREFIX = "RedshiftData."
CONTENT_TYPE = "application/x-amz-json-1.1"
Action = Callable[[AppState, dict[str, Any]], dict[str, Any]]
ACTIONS: dict[str, Action] = {
    "ExecuteStatement": statements.execute_statement,
    "BatchExecuteStatement": statements.batch_execute_statement,
    "DescribeStatement": statements.describe_statement,
    "GetStatementResult": statements.get_statement_result,
    "GetStatementResultV2": statements.get_statement_result_v2,
    "CancelStatement": statements.cancel_statement,
    "ListStatements": statements.list_statements,
    "ListSessions": statements.list_sessions,
    "ListDatabases": catalog.list_databases,
    "ListSchemas": catalog.list_schemas,
    "ListTables": catalog.list_tables,
    "DescribeTable": catalog.describe_table,
}

router = APIRouter()


def _answer(body: dict[str, Any], status: int = 200) -> Response:
    return Response(
        json.dumps(body, default=str),
        status_code=status,
        media_type=CONTENT_TYPE,
        headers={"x-amzn-RequestId": str(uuid.uuid4())},
    )


def _error(exc: DataApiError) -> Response:
    response = _answer(exc.body(), exc.status)
    response.headers["x-amzn-ErrorType"] = exc.shape
    return response


@router.post(PATH, include_in_schema=False)
@router.post(PATH + "/", include_in_schema=False)
async def redshift_data(request: Request) -> Response:
    state: AppState = request.app.state.dwsim
    raw = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    token = state.api.token
    if token is not None:
        problem = sigv4.check(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers=headers,
            body=raw,
            secret=token,
        )
        if problem is not None:
            return _error(DataApiError("UnrecognizedClientException", problem))
    target = headers.get("x-amz-target", "")
    if not target.startswith(TARGET_PREFIX):
        return _error(DataApiError("UnknownOperationException", f"expected X-Amz-Target: {TARGET_PREFIX}<Action>"))
    action = ACTIONS.get(target[len(TARGET_PREFIX) :])
    if action is None:
        return _error(DataApiError("UnknownOperationException", f"unknown operation {target}"))
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return _error(DataApiError("SerializationException", "the request body is not JSON"))
    if not isinstance(body, dict):
        return _error(DataApiError("SerializationException", "the request body must be a JSON object"))
    try:
        return _answer(await run_in_threadpool(action, state, body))
    except DataApiError as exc:
        return _error(exc)
    except DwSimError as exc:
        return _error(DataApiError("ValidationException", exc.message))
    except Exception:
        log.exception("Data API action failed", extra={"action": target})
        return _error(DataApiError("InternalServerException", "internal error; see the dw-sim serve log", status=500))
