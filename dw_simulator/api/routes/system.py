"""GET /api (an index of the API), GET /health (each configured warehouse's reachability), GET /metrics."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from dw_simulator import __version__
from dw_simulator.api.deps import StateDep
from dw_simulator.api.routes.common import errors
from dw_simulator.api.schemas import ApiIndexOut, ApiLink, BackendHealth, HealthOut
from dw_simulator.errors import DwSimError
from dw_simulator.observability import render
from dw_simulator.service import Simulator

router = APIRouter(tags=["system"])
PING_TIMEOUT_S = 5.0
STRING = {"type": "string"}


def _pinger(target: str) -> Callable[[Simulator], None]:
    def ping(sim: Simulator) -> None:
        sim.backend(target).ping()

    return ping


@router.get("/api", summary="An index of the API: links to the docs and to every resource", response_model=ApiIndexOut)
def api_index(request: Request) -> ApiIndexOut:
    paths: dict[str, dict[str, dict[str, object]]] = request.app.openapi()["paths"]  # built once, then cached
    links = [
        ApiLink(
            path=path,
            methods=sorted(m.upper() for m in operations),
            summary="; ".join(str(op["summary"]) for op in operations.values() if op.get("summary")) or None,
        )
        for path, operations in paths.items()
        if path.startswith("/api/")
    ]
    return ApiIndexOut(
        name="dw-sim",
        version=__version__,
        docs="/docs",
        openapi="/openapi.json",
        health="/health",
        metrics="/metrics",
        resources=sorted(links, key=lambda link: (link.path, link.methods)),
    )


@router.get(
    "/health",
    summary="Reachability of each configured warehouse",
    response_model=HealthOut,
    responses=errors(extra={503: {"model": HealthOut, "description": "A configured warehouse is unreachable"}}),
)
def health(state: StateDep) -> JSONResponse:
    backends: dict[str, BackendHealth] = {}
    for target in state.settings.configured_targets():
        started = time.perf_counter()
        error: str | None = None
        try:
            state.call_with_limit(
                _pinger(target),
                timeout_s=PING_TIMEOUT_S,
                what=f"reaching {target}",
                setting="no setting (fixed at 5 s)",
            )
        except DwSimError as exc:
            error = exc.message
        except Exception as exc:  # a health check reports, it does not fail
            error = f"{type(exc).__name__}: {exc}"
        backends[target] = BackendHealth(
            ok=error is None, latency_ms=round((time.perf_counter() - started) * 1000, 2), error=error
        )
    ok = all(b.ok for b in backends.values())
    body = HealthOut(
        status="ok" if ok else "degraded",
        version=__version__,
        backends=backends,
        active_runs=state.runs.active_count(),
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"description": "Prometheus text format", "content": {"text/plain": {"schema": STRING}}}},
)
def prometheus_metrics() -> Response:
    payload, content_type = render()
    return Response(payload, media_type=content_type)
