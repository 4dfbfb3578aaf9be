"""Errors the service layer raises. Front ends map them to exit codes (CLI) or HTTP statuses (API)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


class DwSimError(Exception):
    """Base class of every error a user can cause and fix. Never carries a traceback to the user."""

    http_status = 400
    kind = "error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.kind, "message": self.message, "details": self.details}


class NotFoundError(DwSimError):
    http_status = 404
    kind = "not_found"


class AlreadyExistsError(DwSimError):
    http_status = 409
    kind = "already_exists"


class RunInProgressError(DwSimError):
    http_status = 409
    kind = "run_in_progress"


class SchemaValidationError(DwSimError):
    """A schema (JSON, YAML or imported DDL) is invalid. `details` holds one entry per problem."""

    http_status = 422
    kind = "validation_error"


class QueryError(DwSimError):
    """The warehouse refused a user's SQL statement."""

    http_status = 400
    kind = "query_error"


class BackendUnavailableError(DwSimError):
    """A configured warehouse or staging service cannot be reached, or its optional dependency is missing."""

    http_status = 503
    kind = "backend_unavailable"


class MissingDependencyError(BackendUnavailableError):
    def __init__(self, feature: str, extra: str, module: str) -> None:
        super().__init__(
            f"{feature} needs the optional module '{module}': install it with `pip install \"dw-sim[{extra}]\"`"
        )


@dataclass
class Problem:
    """One validation problem, located as precisely as we can."""

    message: str
    table: str | None = None
    column: str | None = None
    field: str | None = None
    line: int | None = None
    col: int | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def where(self) -> str:
        parts: list[str] = []
        if self.line is not None:
            parts.append(f"line {self.line}" + (f", column {self.col}" if self.col is not None else ""))
        if self.table:
            parts.append(f"table '{self.table}'")
        if self.column:
            parts.append(f"column '{self.column}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message}
        for key in ("table", "column", "field", "line", "col"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out.update(self.extra)
        return out
