"""Running the endpoint inside another application: `redshift_companion` beside `dw-sim serve`'s HTTP API (a
`serve.COMPANIONS` entry, on a thread of its own), or `attach_to_app` / `redshift_endpoint_running` on an ASGI
app's own event loop."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from dw_simulator.config import Settings
from dw_simulator.endpoints.redshift.server import RedshiftEndpoint, start_redshift_endpoint
from dw_simulator.service import Simulator

log = logging.getLogger("dw_simulator.endpoints.redshift")
_HINT = (
    "choose another port with --redshift-port or DW_SIM_REDSHIFT_ENDPOINT_PORT, or turn the endpoint off with "
    "--no-redshift-endpoint / DW_SIM_REDSHIFT_ENDPOINT_ENABLED=false"
)


@asynccontextmanager
async def redshift_endpoint_running(
    simulator: Simulator, *, host: str | None = None, port: int | None = None, tls: bool | None = None
) -> AsyncIterator[RedshiftEndpoint | None]:
    """The endpoint while the block runs. When it cannot listen (the port is taken), the error is logged and the
    block runs without it (None), so the rest of the application still starts."""
    try:
        endpoint: RedshiftEndpoint | None = await start_redshift_endpoint(simulator, host, port, tls=tls)
    except OSError as exc:
        log.error(
            "the Redshift endpoint could not start; the rest of dw-sim runs without it",
            extra={
                "error": str(exc),
                "hint": "choose another port with --redshift-port or "
                "DW_SIM_REDSHIFT_ENDPOINT_PORT, or turn it off with DW_SIM_REDSHIFT_ENDPOINT_ENABLED=false",
            },
        )
        endpoint = None
    try:
        yield endpoint
    finally:
        if endpoint is not None:
            await endpoint.stop()


def attach_to_app(
    app: Any, simulator: Simulator, *, host: str | None = None, port: int | None = None, tls: bool | None = None
) -> None:
    """Run the endpoint for as long as an ASGI app (FastAPI/Starlette) runs: its lifespan is wrapped."""
    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(asgi_app: Any) -> AsyncIterator[Any]:
        async with redshift_endpoint_running(simulator, host=host, port=port, tls=tls) as endpoint:
            app.state.redshift_endpoint = endpoint
            async with original(asgi_app) as state:
                yield state

    app.router.lifespan_context = lifespan


@contextmanager
def redshift_companion(settings: Settings) -> Iterator[RedshiftEndpoint | None]:
    """The endpoint beside `dw-sim serve`'s HTTP API (a `serve.COMPANIONS` entry): on an event loop thread of its
    own in the same process, from `settings` (`redshift_endpoint_*`). Disabled by `redshift_endpoint_enabled=false`;
    a port already in use is logged and the API starts without the endpoint."""
    if not settings.redshift_endpoint_enabled:
        yield None
        return
    from dw_simulator.endpoints.redshift.runner import EndpointThread
    from dw_simulator.endpoints.redshift.server import EndpointConfig

    simulator = Simulator(settings)
    thread = EndpointThread(simulator, EndpointConfig.from_settings(settings))
    try:
        thread.start()
    except OSError as exc:
        log.error(
            "the Redshift endpoint could not start; the API runs without it",
            extra={"error": str(exc), "hint": _HINT},
        )
        thread.stop()
        simulator.close()
        yield None
        return
    except BaseException:  # e.g. the bind policy refused the address: serve does not start
        thread.stop()
        simulator.close()
        raise
    host, port = thread.endpoint.address if thread.endpoint is not None else ("", 0)
    log.info("Redshift endpoint listening", extra={"host": host, "port": port, "tls": thread.config.tls})
    try:
        yield thread.endpoint
    finally:
        thread.stop()
        simulator.close()
