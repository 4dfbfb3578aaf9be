"""`dw-sim serve`: run the HTTP API (FastAPI under uvicorn), loopback-only unless a token is set."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from dw_simulator.cli import companions
from dw_simulator.cli.common import cli_settings, err_console, handle_errors, state
from dw_simulator.errors import DwSimError, MissingDependencyError

if TYPE_CHECKING:
    from dw_simulator.config import Settings

log = logging.getLogger("dw_simulator.api")


# Services that run beside the HTTP API for the life of `dw-sim serve` (such as a wire-protocol endpoint): each is
# a callable that takes the settings and returns a context manager, entered before the API starts listening and
# exited after it stops.
COMPANIONS: list[Callable[[Settings], AbstractContextManager[object]]] = [
    companions.snowflake_endpoint,
    companions.redshift_endpoint,
]


class UnsafeBindError(DwSimError):
    kind = "unsafe_bind"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@handle_errors
def serve(
    host: Annotated[
        str,
        typer.Option(
            help="Address to bind. Loopback (127.0.0.1, ::1, localhost) unless DW_SIM_API_TOKEN is set: then any "
            "address, and every /api call must send `Authorization: Bearer <token>`."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    redshift_port: Annotated[
        int | None,
        typer.Option(
            "--redshift-port",
            min=0,
            max=65535,
            envvar="DW_SIM_REDSHIFT_ENDPOINT_PORT",
            help="Port of the Redshift endpoint (PostgreSQL wire protocol) served beside the API (default 5439).",
        ),
    ] = None,
    redshift_endpoint: Annotated[
        bool | None,
        typer.Option(
            "--redshift-endpoint/--no-redshift-endpoint",
            help="Serve the Redshift endpoint beside the API (default on; DW_SIM_REDSHIFT_ENDPOINT_ENABLED).",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs, Prometheus metrics at /metrics, health at /health).

    Logs are JSON lines on standard output, each with the request id (and the run id inside a run). Tracing is on
    when OTEL_EXPORTER_OTLP_ENDPOINT is set. Limits: DW_SIM_API_MAX_BODY_BYTES, DW_SIM_API_QUERY_TIMEOUT_S,
    DW_SIM_API_IMPORT_TIMEOUT_S; CORS stays off unless DW_SIM_API_CORS_ORIGINS lists origins (a JSON list).
    """
    try:
        import uvicorn

        from dw_simulator.api.app import create_app
        from dw_simulator.api.settings import ApiSettings
    except ImportError as exc:
        raise MissingDependencyError("dw-sim serve", "api", exc.name or "fastapi") from None
    from dw_simulator.logs import configure_logging

    api = ApiSettings()
    if not is_loopback(host) and api.token is None:
        raise UnsafeBindError(
            f"refusing to listen on {host}, which is not a loopback address, without an API token: set "
            "DW_SIM_API_TOKEN (clients then send `Authorization: Bearer <token>`), or keep --host 127.0.0.1"
        )
    settings = cli_settings(redshift_endpoint_port=redshift_port, redshift_endpoint_enabled=redshift_endpoint)
    level = "DEBUG" if state.debug else (settings.log_level if "log_level" in settings.model_fields_set else "INFO")
    configure_logging(level, "json" if settings.log_format == "auto" else settings.log_format)
    handler = logging.getLogger("dw_simulator").handlers[0]
    handler.addFilter(_drop_color_message)
    logging.captureWarnings(True)  # Python warnings become JSON lines too
    for name in ("uvicorn", "uvicorn.error", "py.warnings"):
        server_log = logging.getLogger(name)
        server_log.handlers[:] = [handler]
        server_log.setLevel(level)
        server_log.propagate = False
    app = create_app(settings, api_settings=api)
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    log.info(
        "dw-sim API starting",
        extra={"url": where, "docs": f"{where}/docs", "data_root": str(settings.data_root), "auth": bool(api.token)},
    )
    if not is_loopback(host):
        err_console.print(f"[yellow]listening on {host}: every /api call needs the bearer token[/]", highlight=False)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,  # the app writes its own JSON access line with the request id
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=30,
    )
    app_state = app.state.dwsim

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # cancel runs as soon as the stop signal arrives, so open event streams see them end (CANCELLED)
            # instead of holding the graceful shutdown open until the runs finish
            app_state.runs.begin_shutdown()
            super().handle_exit(sig, frame)

    from dw_simulator.connections import publish_api, unpublish_api

    with contextlib.ExitStack() as companions:
        for companion in COMPANIONS:
            companions.enter_context(companion(settings))
        publish_api(settings, host, port)  # `dw-sim endpoints` prints the HTTP APIs' URLs from it
        companions.callback(unpublish_api, settings)
        Server(config).run()


def _drop_color_message(record: logging.LogRecord) -> bool:
    """uvicorn adds an ANSI-coloured copy of its messages; JSON lines do not need it."""
    record.__dict__.pop("color_message", None)
    return True


def register(app: typer.Typer) -> None:
    """Add `serve` to the `dw-sim` command group."""
    app.command("serve")(serve)
