"""The FastAPI application: `create_app(settings or simulator factory)`.

`create_app()` reads settings from the environment; `create_app(Settings(data_root=p))` takes explicit settings;
`create_app(lambda: Simulator(s))` takes any simulator factory (called once).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from dw_simulator import __version__
from dw_simulator.api import redshift_data, snowflake_sql
from dw_simulator.api.docs import install_docs
from dw_simulator.api.errors import install_error_handlers
from dw_simulator.api.middleware import RequestContextMiddleware
from dw_simulator.api.routes import experiments, imports, queries, query, runs, schema_edits, system
from dw_simulator.api.runner import RunManager
from dw_simulator.api.settings import ApiSettings
from dw_simulator.api.state import AppState
from dw_simulator.api.web import mount_web
from dw_simulator.config import Settings, load_settings
from dw_simulator.errors import MissingDependencyError
from dw_simulator.observability import configure_tracing, enable_metrics
from dw_simulator.service import Simulator

log = logging.getLogger("dw_simulator.api")

DESCRIPTION = """\
The HTTP control plane of dw-sim, over the same service layer as the `dw-sim` CLI: create experiments (JSON/YAML
schemas or Redshift/Snowflake DDL), generate synthetic data in the background and follow it live, query it in
Redshift or Snowflake SQL, export DDL and profiles.

Every error has one JSON shape: `{"error", "message", "details", "request_id"}`. When the server was started with
`DW_SIM_API_TOKEN`, every `/api` call needs `Authorization: Bearer <token>`.
"""


def create_app(
    source: Settings | Callable[[], Simulator] | None = None, *, api_settings: ApiSettings | None = None
) -> FastAPI:
    """Build the app. `source` is the settings to build a `Simulator` from, or a factory that returns one (it is
    called once; the app closes that simulator on shutdown). Runs left RUNNING by a crashed server are marked
    FAILED ("interrupted") here."""
    if source is None:
        source = load_settings()
    primary = Simulator(source) if isinstance(source, Settings) else source()
    api = api_settings or ApiSettings()
    state = AppState(primary, api)
    enable_metrics()
    try:
        configure_tracing()
    except MissingDependencyError as exc:  # tracing was asked for by the environment; serve without it
        log.warning("tracing disabled", extra={"reason": exc.message})
    RunManager.recover(primary)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.open()
        try:
            yield
        finally:
            state.close()

    app = FastAPI(
        title="dw-sim",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs
        redoc_url=None,
        openapi_tags=[
            {"name": "experiments", "description": "Create, inspect and delete experiments; start runs"},
            {"name": "runs", "description": "Generation runs: state, cancel, live progress"},
            {"name": "query", "description": "Run Redshift or Snowflake SQL"},
            {"name": "system", "description": "Health and metrics"},
        ],
    )
    app.state.dwsim = state
    install_error_handlers(app)
    install_docs(app)
    for module in (imports, experiments, schema_edits, query, queries, runs, system):
        app.include_router(module.router)
    app.include_router(redshift_data.router)  # the Redshift Data API at /redshift-data (JSON 1.1, SigV4)
    app.include_router(snowflake_sql.router)  # the Snowflake SQL API v2 at /api/v2/statements
    mount_web(app)  # the built web UI at /, after the API routes so they win
    app.add_middleware(RequestContextMiddleware, token=api.token, max_body_bytes=api.api_max_body_bytes)
    # compress JSON, HTML and text exports for slow links (Parquet is compressed already; streams stay live)
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1000,
        compresslevel=6,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/vnd.apache.parquet"),
    )
    if api.api_cors_origins:  # off unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=api.api_cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Content-Disposition"],
        )
    return app
