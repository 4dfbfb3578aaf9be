"""Pieces the routers share: documented error responses and request-body reading."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from dw_simulator.api.errors import UnsupportedMediaTypeError
from dw_simulator.api.schemas import ErrorOut
from dw_simulator.errors import SchemaValidationError


def errors(*statuses: int, extra: dict[int | str, dict[str, Any]] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer (every one has the `ErrorOut` shape), plus `extra`
    entries (e.g. other success content types)."""
    text = {
        400: "Bad request (e.g. the warehouse refused the SQL)",
        401: "Missing or wrong bearer token",
        403: "A browser page of another site may not change anything here (Origin / Sec-Fetch-Site)",
        404: "Unknown experiment or run",
        409: "Conflict: the name exists, or a run is (not) in progress",
        413: "Request body too large",
        415: "Unsupported content type",
        421: "The Host header names no address this server answers (DNS rebinding guard)",
        422: "Invalid input; `details` locate each problem (field path, or line and column)",
        429: "Too many generation runs in progress (DW_SIM_MAX_CONCURRENT_RUNS)",
        500: "Internal error; quote the request id",
        503: "A warehouse is unavailable",
        504: "Time limit reached",
    }
    out: dict[int | str, dict[str, Any]] = dict(extra or {})
    out.update({status: {"model": ErrorOut, "description": text[status]} for status in (*statuses, 401, 403, 421, 500)})
    return out


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def body_text(request: Request, *, what: str) -> str:
    raw = await request.body()
    if not raw.strip():
        raise SchemaValidationError(f"empty request body: send {what}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchemaValidationError(
            f"the request body is not UTF-8 text (byte {exc.start}): send {what}",
            details=[{"message": "not UTF-8", "field": "body", "offset": exc.start}],
        ) from None


def unsupported(request: Request, accepted: tuple[str, ...]) -> UnsupportedMediaTypeError:
    got = media_type(request) or "none"
    return UnsupportedMediaTypeError(f"content type {got!r} is not accepted here; use one of {', '.join(accepted)}")
