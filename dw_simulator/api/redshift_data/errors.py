"""The Data API's errors: a JSON 1.1 body `{"__type": "<Shape>", "message": ...}` that botocore turns into the same
exception classes as against AWS (`client.exceptions.ValidationException`, ...)."""

from __future__ import annotations

from typing import Any

from dw_simulator.errors import DwSimError, NotFoundError


class DataApiError(Exception):
    def __init__(self, shape: str, message: str, *, status: int = 400, **members: Any) -> None:
        super().__init__(message)
        self.shape = shape
        self.message = message
        self.status = status
        self.members = members

    def body(self) -> dict[str, Any]:
        return {"__type": self.shape, "message": self.message, "Message": self.message, **self.members}


def validation(message: str) -> DataApiError:
    return DataApiError("ValidationException", message)


def not_found(message: str, resource_id: str | None = None) -> DataApiError:
    if resource_id:
        return DataApiError("ResourceNotFoundException", message, ResourceId=resource_id)
    return DataApiError("ResourceNotFoundException", message)


def from_service(exc: DwSimError) -> DataApiError:
    """A service-layer error as the closest Data API error."""
    if isinstance(exc, NotFoundError):
        return not_found(exc.message)
    if exc.http_status == 503:
        return DataApiError("DatabaseConnectionException", exc.message, status=500)
    return validation(exc.message)
