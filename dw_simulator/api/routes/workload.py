"""/api/experiments/{name}/fit (fit the schema to queries, as `dw-sim experiment fit`) and
/api/experiments/{name}/workload-check (run the fitted queries on the data: rows or not, what starves them)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from dw_simulator.api.deps import StateDep
from dw_simulator.api.routes.common import errors

router = APIRouter(tags=["experiments"])


class QueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="how the query is named in reports")
    sql: str = Field(min_length=1, max_length=200_000, description="one or more statements")


class FitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queries: list[QueryIn] = Field(min_length=1, max_length=5000)
    dialect: str | None = Field(default=None, description="the queries' SQL dialect (default: the experiment's)")
    dry_run: bool = Field(default=False, description="say what would change; save nothing")


@router.post(
    "/api/experiments/{name}/fit",
    summary="Fit the experiment's schema to queries (values, ranges, keys their predicates need)",
    description="Saves the fitted schema as a new version (not with `dry_run`). The answer lists what each query "
    "contributed, each predicate's share of rows, contradictions with declared constraints and notes.",
    responses=errors(400, 404, 409, 422),
)
async def fit(name: str, body: FitRequest, state: StateDep) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with state.write_lock:
            sim = state.sibling()
            try:
                outcome = sim.fit_workload(name, texts=[(q.name, q.sql) for q in body.queries],
                                           dialect=body.dialect, dry_run=body.dry_run)  # fmt: skip
            finally:
                sim.release_backends()
        return outcome.to_dict()

    return await run_in_threadpool(run)


@router.get(
    "/api/experiments/{name}/workload-check",
    summary="Run the queries the schema was fitted to: which return rows, which predicate starves the others",
    responses=errors(404),
)
async def workload_check(name: str, state: StateDep) -> list[dict[str, Any]]:
    def run() -> list[dict[str, Any]]:
        sim = state.sibling()
        try:
            return [c.to_dict() for c in sim.check_workload(name)]
        finally:
            sim.release_backends()

    return await run_in_threadpool(run)
