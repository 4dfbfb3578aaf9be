"""The HTTP API (FastAPI): `create_app()` builds it; `dw-sim serve` runs it. Needs the `api` extra.

Owns: the routes (`routes/<resource>.py`: experiments, imports, query, runs with their Server-Sent Events,
system: `/api` index, `/health`, `/metrics`), the wire models (`schemas`), the error shape (`errors`), the
request middleware (request ids, the bearer token, body limits, access log), background runs (`runner`) and the
built web UI at `/` (`web`).
May import: the service layer (`service`, `results`), `config`, `errors`, `logs`, `observability`, metadata's
constants, FastAPI/Starlette. Never a database driver, sqlglot or boto3 (tests/test_architecture.py checks), and
never `cli`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dw_simulator.api.app import create_app


_EXTRA_MODULES = {"fastapi", "starlette", "uvicorn", "multipart", "python_multipart", "prometheus_client"}


def __getattr__(name: str) -> Any:
    if name == "create_app":
        try:
            from dw_simulator.api.app import create_app
        except ImportError as exc:
            if (exc.name or "").split(".")[0] not in _EXTRA_MODULES:
                raise
            from dw_simulator.errors import MissingDependencyError

            raise MissingDependencyError("the HTTP API", "api", exc.name or "fastapi") from None
        return create_app
    raise AttributeError(name)


__all__ = ["create_app"]
