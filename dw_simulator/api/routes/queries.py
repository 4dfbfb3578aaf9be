"""/api/queries/{query_id}/cancel: interrupt a running query (the web UI's Cancel button)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from dw_simulator.api.deps import StateDep
from dw_simulator.api.routes.common import errors
from dw_simulator.errors import NotFoundError

router = APIRouter(prefix="/api/queries", tags=["query"])

QueryId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the query_id the query was sent with")]


class QueryCancelOut(BaseModel):
    query_id: str
    stopped: bool = Field(description="the query had stopped when this answered (it answers 409 query_cancelled)")


@router.post(
    "/{query_id}/cancel",
    summary="Cancel a running query: its warehouse statement is interrupted",
    responses=errors(404),
)
def cancel_query(query_id: QueryId, state: StateDep) -> QueryCancelOut:
    stopped = state.queries.cancel(query_id)
    if stopped is None:
        raise NotFoundError(f"no query with id {query_id!r} is running (it may have finished already)")
    return QueryCancelOut(query_id=query_id, stopped=stopped)
