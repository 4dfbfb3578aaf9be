"""Wire-protocol endpoints that `dw-sim serve` runs beside the HTTP API, for users' own clients."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from dw_simulator.cli.common import err_console
from dw_simulator.errors import MissingDependencyError

if TYPE_CHECKING:
    from dw_simulator.config import Settings

log = logging.getLogger(__name__)


@contextmanager
def snowflake_endpoint(settings: Settings) -> Iterator[object]:
    """The embedded Snowflake endpoint (fakesnow-based), when enabled and the `snowflake` extra is installed."""
    if not settings.snowflake_endpoint_enabled or (settings.snowflake_url or "embedded") != "embedded":
        yield None
        return
    try:
        from dw_simulator.backends.snowflake.endpoint import shared_endpoint, snowflake_dir, stop_shared_endpoints

        address = shared_endpoint(settings)
    except MissingDependencyError as exc:
        log.warning("Snowflake endpoint not started", extra={"reason": exc.message})
        yield None
        return
    err_console.print(
        f"Snowflake endpoint: {address.url} (see `dw-sim snowflake-endpoint --help` for connection parameters)",
        highlight=False,
    )
    try:
        yield address
    finally:
        stop_shared_endpoints({snowflake_dir(settings)})


@contextmanager
def redshift_endpoint(settings: Settings) -> Iterator[object]:
    """The Redshift endpoint (PostgreSQL wire protocol), when enabled; its modules load only for `serve`."""
    from dw_simulator.endpoints.redshift.embed import redshift_companion

    with redshift_companion(settings) as endpoint:
        yield endpoint
