"""The web UI: `dw_simulator/web/` (built from frontend/ by scripts/build-web.sh) served at `/`, after the API.

Files under `web/` are served as they are (`/assets/*` are content-hashed, so they may be cached for good); every
other GET path that no API route matched answers `index.html`, so the browser's router handles `/experiments/x`.
Unknown `/api/...` paths still get the API's JSON 404. Without a build (no `web/index.html`) nothing is mounted.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
_NOT_UI = ("api", "docs", "redoc", "openapi.json", "metrics", "health")


def mount_web(app: FastAPI, web_dir: Path = WEB_DIR) -> bool:
    """Serve the built UI at `/` (call after every API router is included); False when there is no build."""
    root = web_dir.resolve()
    index = root / "index.html"
    if not index.is_file():
        return False
    if (root / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=root / "assets"), name="web-assets")

    @app.get("/{path:path}", include_in_schema=False)
    def web_ui(path: str) -> FileResponse:
        first = path.split("/", 1)[0]
        if first in _NOT_UI:
            raise StarletteHTTPException(status_code=404, detail=f"no route /{path}")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return True
