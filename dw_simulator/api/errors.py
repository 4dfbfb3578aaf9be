"""One JSON error shape for every failure: `{"error", "message", "details", "request_id"}`.

`error` is a stable machine-readable kind (`not_found`, `already_exists`, `run_in_progress`, `validation_error`,
`query_error`, ...); `details` locates problems (a field path, or a line and column in imported SQL). Unexpected
failures answer 500 `internal_error` with the request id to find the traceback in the server log, never the
traceback itself.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dw_simulator.errors import DwSimError
from dw_simulator.logs import log_context
from dw_simulator.observability import record_error

log = logging.getLogger("dw_simulator.api")


class UnauthorizedError(DwSimError):
    http_status = 401
    kind = "unauthorized"


class PayloadTooLargeError(DwSimError):
    http_status = 413
    kind = "payload_too_large"


class UnsupportedMediaTypeError(DwSimError):
    http_status = 415
    kind = "unsupported_media_type"


class TimeLimitError(DwSimError):
    """Work ran past its time limit and was stopped (or abandoned)."""

    http_status = 504
    kind = "time_limit"


class RunNotActiveError(DwSimError):
    """Cancel asked for a run that has already ended (or that another process owns)."""

    http_status = 409
    kind = "run_not_active"


HTTP_KINDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def request_id() -> str | None:
    ctx = log_context.get() or {}
    value = ctx.get("request_id")
    return str(value) if value is not None else None


def error_body(kind: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": kind, "message": message, "details": details or [], "request_id": request_id()}


def error_response(
    status: int,
    kind: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    record_error(kind, "api")
    return JSONResponse(error_body(kind, message, details), status_code=status, headers=headers)


def dwsim_error_response(exc: DwSimError) -> JSONResponse:
    body = exc.to_dict()
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    if exc.http_status >= 500:
        log.error("request failed", extra={"error": body["error"], "detail": exc.message})
    return error_response(exc.http_status, body["error"], body["message"], body["details"], headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def validation_details(errors: Any) -> list[dict[str, Any]]:
    details = []
    for err in errors:
        detail: dict[str, Any] = {"message": err.get("msg", "invalid value"), "field": _field_path(err.get("loc", ()))}
        if err.get("type"):
            detail["type"] = err["type"]
        details.append(detail)
    return details


def install_error_handlers(app: FastAPI) -> None:
    async def on_dwsim_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DwSimError)
        return dwsim_error_response(exc)

    async def on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = validation_details(exc.errors())
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
        return error_response(422, "validation_error", f"invalid request: {summary}", details)

    async def on_http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        kind = HTTP_KINDS.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else kind.replace("_", " ")
        return error_response(exc.status_code, kind, message, headers=getattr(exc, "headers", None))

    app.add_exception_handler(DwSimError, on_dwsim_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
