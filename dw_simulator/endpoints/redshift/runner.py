"""Running the endpoint: in the foreground (`dw-sim redshift-endpoint`) or on a background thread (tests, tools)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from dw_simulator.endpoints.redshift.server import EndpointConfig, RedshiftEndpoint

if TYPE_CHECKING:
    from dw_simulator.service import Simulator


def serve_standalone(
    simulator: Simulator,
    config: EndpointConfig,
    *,
    on_ready: Callable[[RedshiftEndpoint], None] | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C)."""

    async def main() -> None:
        endpoint = RedshiftEndpoint(simulator, config)
        await endpoint.start()
        if on_ready is not None:
            on_ready(endpoint)
        try:
            await endpoint.serve_forever()
        finally:
            await endpoint.stop()

    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(main())


class EndpointThread:
    """The endpoint on an event loop of its own in a daemon thread: `with EndpointThread(sim, config) as ep:`."""

    def __init__(self, simulator: Simulator, config: EndpointConfig) -> None:
        self.simulator = simulator
        self.config = config
        self.endpoint: RedshiftEndpoint | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="dwsim-redshift-endpoint", daemon=True)

    def start(self) -> EndpointThread:
        self._thread.start()
        endpoint = RedshiftEndpoint(self.simulator, self.config)
        asyncio.run_coroutine_threadsafe(endpoint.start(), self._loop).result(timeout=60)
        self.endpoint = endpoint
        return self

    @property
    def port(self) -> int:
        assert self.endpoint is not None
        return self.endpoint.address[1]

    @property
    def host(self) -> str:
        assert self.endpoint is not None
        return self.endpoint.address[0]

    def stop(self) -> None:
        if self.endpoint is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self.endpoint.stop(), self._loop).result(timeout=15)
            self.endpoint = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> EndpointThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
