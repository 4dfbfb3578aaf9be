"""The ASGI layer around every request: request id, log context, access log, metrics, tracing, the Host and Origin
checks (`browser_guard.py`), the bearer token, body size limits, and a JSON 500 for anything unexpected.

Written as plain ASGI (not `BaseHTTPMiddleware`) so the log context it sets reaches the endpoint and its threads,
and so streamed responses stay streamed.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dw_simulator.api.browser_guard import cross_site, host_allowed
from dw_simulator.api.errors import error_body
from dw_simulator.logs import log_context
from dw_simulator.observability import metrics, record_error, span

log = logging.getLogger("dw_simulator.api")
access_log = logging.getLogger("dw_simulator.api.access")

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_BODY_METHODS = {"POST", "PUT", "PATCH"}
QUIET_PATHS = {"/health", "/metrics"}  # probes and scrapes: access lines at DEBUG unless they fail


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        max_body_bytes: int,
        allowed_hosts: list[str] | None = None,
        allowed_origins: list[str] | None = None,
    ) -> None:
        self.app = app
        self.token = token
        self.max_body_bytes = max_body_bytes
        self.allowed_hosts = list(allowed_hosts or [])
        self.allowed_origins = list(allowed_origins or [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        incoming = headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = log_context.set({**(log_context.get() or {}), "request_id": rid})
        method: str = scope["method"]
        path: str = scope["path"]
        started = time.perf_counter()
        response = {"status": 500, "started": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["started"] = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode("ascii"))]
            await send(message)

        try:
            with span("http", {"http.method": method, "http.target": path, "request_id": rid}) as handle:
                await self._dispatch(scope, receive, send_wrapper, headers, method, path)
                route = _route(scope)
                if handle is not None:
                    handle.update_name(f"{method} {route}")
                    handle.set_attribute("http.route", route)
                    handle.set_attribute("http.status_code", int(response["status"]))
        except Exception:
            log.exception("unhandled error", extra={"method": method, "path": path})
            if response["started"]:
                raise  # too late for an error body: let the server drop the connection
            record_error("internal_error", "api")
            await _send_json(
                send_wrapper,
                500,
                error_body(
                    "internal_error",
                    f"internal error; the server log has the details under request id {rid}",
                ),
            )
        finally:
            elapsed = time.perf_counter() - started
            route = _route(scope)
            live = metrics()
            live.http_requests.labels(method=method, route=route, status=str(response["status"])).inc()
            live.http_seconds.labels(method=method, route=route).observe(elapsed)
            access_log.log(
                logging.DEBUG if path in QUIET_PATHS and response["status"] < 400 else logging.INFO,
                "request",
                extra={
                    "method": method,
                    "path": path,
                    "route": route,
                    "status": response["status"],
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            log_context.reset(token)

    async def _dispatch(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str], method: str, path: str
    ) -> None:
        if self.token is None and not host_allowed(headers.get("host"), self.allowed_hosts):
            record_error("bad_host", "api")
            await _send_json(
                send,
                421,
                error_body(
                    "bad_host",
                    f"this server answers only requests to a loopback address, not to Host {headers.get('host')!r} "
                    "(list other names in DW_SIM_API_ALLOWED_HOSTS)",
                ),
            )
            return
        refused = cross_site(method, headers, self.allowed_origins)
        if refused is not None:
            record_error("cross_origin", "api")
            await _send_json(send, 403, error_body("cross_origin", refused))
            return
        if self.token is not None and _is_api(path) and method != "OPTIONS" and not self._authorized(headers):
            await _send_json(
                send,
                401,
                error_body("unauthorized", "this server needs `Authorization: Bearer <token>` (DW_SIM_API_TOKEN)"),
                extra_headers=[(b"www-authenticate", b"Bearer")],
            )
            record_error("unauthorized", "api")
            return
        if method in _BODY_METHODS:
            length = headers.get("content-length")
            if length is not None:
                if not length.isdigit():
                    await _send_json(send, 400, error_body("bad_request", "invalid Content-Length header"))
                    return
                if int(length) > self.max_body_bytes:
                    await self._too_large(send)
                    return
            else:  # chunked: read it here, up to the limit, then hand the app a replay
                chunks: list[bytes] = []
                size = 0
                more = True
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    body = message.get("body", b"")
                    size += len(body)
                    if size > self.max_body_bytes:
                        await self._too_large(send)
                        return
                    chunks.append(body)
                    more = message.get("more_body", False)
                receive = _replay(b"".join(chunks), receive)
        await self.app(scope, receive, send)

    def _authorized(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return secrets.compare_digest(credentials.strip().encode(), self.token.encode())

    async def _too_large(self, send: Send) -> None:
        record_error("payload_too_large", "api")
        size = self.max_body_bytes
        limit = f"{size / (1024 * 1024):g} MiB" if size >= 1024 * 1024 else f"{size / 1024:g} KiB"
        await _send_json(
            send,
            413,
            error_body(
                "payload_too_large",
                f"request body is larger than the limit of {limit} (DW_SIM_API_MAX_BODY_BYTES)",
            ),
        )


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _route(scope: Scope) -> str:
    """The route template (`/api/runs/{run_id}`), so metrics do not get one label per id; `unmatched` otherwise."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send_json(
    send: Send, status: int, body: dict[str, Any], extra_headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *(extra_headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
