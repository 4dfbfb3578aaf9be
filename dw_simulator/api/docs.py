"""The API docs pages (/docs: Swagger UI, /redoc: ReDoc) served with their scripts and styles from the
`fastapi-offline` package, so they work without internet access (FastAPI's defaults load them from a CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
CACHE = "public, max-age=86400"


def assets_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).resolve().parent / "static"


# ReDoc shows a logo it loads from its CDN; offline that request fails (and it is a request leaving the machine).
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


def install_docs(app: FastAPI) -> None:
    """Add /docs and /redoc (create the app with `docs_url=None, redoc_url=None`)."""
    redoc_js: list[bytes] = []

    @app.get(f"{ASSETS_URL}/redoc.standalone.js", include_in_schema=False)
    def redoc_script() -> Response:
        if not redoc_js:
            data = (assets_dir() / "redoc.standalone.js").read_bytes()
            redoc_js.append(data.replace(REDOC_LOGO, f"{ASSETS_URL}/favicon.png".encode()))
        return Response(redoc_js[0], media_type="text/javascript", headers={"Cache-Control": CACHE})

    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            oauth2_redirect_url=oauth2_redirect,
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        )

    @app.get(oauth2_redirect, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
