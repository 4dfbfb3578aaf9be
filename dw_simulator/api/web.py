"""The web UI: `dw_simulator/web/` (built from frontend/ by scripts/build-web.sh) served at `/`, after the API.

Files under `web/` are served as they are. `/assets/*` are content-hashed, so they are cached for a year
(`immutable`), and sent as the build's precompressed `.br` or `.gz` copy when the browser accepts it. Every other GET
path that no API route matched answers `index.html` (never cached, so a new build shows at once), and the browser's
router handles `/experiments/x`. Unknown `/api/...` paths still get the API's JSON 404. Without a build (no
`web/index.html`) nothing is mounted.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
_NOT_UI = ("api", "docs", "docs-assets", "redoc", "openapi.json", "metrics", "health")
IMMUTABLE = "public, max-age=31536000, immutable"
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))


def accepted_encodings(header: str) -> set[str]:
    """The codings an Accept-Encoding header allows (q=0 excludes one)."""
    out: set[str] = set()
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        quality = params.strip().removeprefix("q=").strip() if params.strip().startswith("q=") else "1"
        try:
            allowed = float(quality) > 0
        except ValueError:
            allowed = True
        if coding and allowed:
            out.add(coding.strip().lower())
    return out


def asset_response(root: Path, path: str, accept_encoding: str) -> FileResponse:
    """A hashed asset, precompressed when possible; 404 for anything outside `root` or missing."""
    candidate = (root / path).resolve()
    if not path or not candidate.is_file() or not candidate.is_relative_to(root):
        raise StarletteHTTPException(status_code=404, detail=f"no asset {path}")
    media_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": IMMUTABLE, "Vary": "Accept-Encoding"}
    accepted = accepted_encodings(accept_encoding)
    for coding, suffix in PRECOMPRESSED:
        packed = candidate.with_name(candidate.name + suffix)
        if coding in accepted and packed.is_file():
            return FileResponse(packed, media_type=media_type, headers={**headers, "Content-Encoding": coding})
    return FileResponse(candidate, media_type=media_type, headers=headers)


def mount_web(app: FastAPI, web_dir: Path = WEB_DIR) -> bool:
    """Serve the built UI at `/` (call after every API router is included); False when there is no build."""
    root = web_dir.resolve()
    index = root / "index.html"
    if not index.is_file():
        return False
    assets = (root / "assets").resolve()

    @app.get("/assets/{path:path}", include_in_schema=False)
    def web_asset(path: str, request: Request) -> FileResponse:
        return asset_response(assets, path, request.headers.get("accept-encoding", ""))

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
