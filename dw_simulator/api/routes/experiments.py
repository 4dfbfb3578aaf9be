"""/api/experiments: create (JSON or YAML), list, show, delete, DDL export, profile, runs, generate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, status
from fastapi.concurrency import run_in_threadpool

from dw_simulator.api.deps import RunsDep, SimulatorDep, StateDep
from dw_simulator.api.routes.common import body_text, errors, media_type, unsupported
from dw_simulator.api.schemas import (
    ConnectOut,
    DdlOut,
    DeletedOut,
    Dialect,
    ExperimentDetailOut,
    ExperimentOut,
    GenerateRequest,
    ProfileOut,
    RunOut,
    RunStarted,
    Warehouse,
    json_value,
)

router = APIRouter(prefix="/api/experiments", tags=["experiments"])

SCHEMA_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
CREATE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An experiment schema: JSON, or YAML (also the brief's draft YAML form).",
        "content": {
            "application/json": {
                "schema": {"type": "object", "description": "experiment schema: name, description, tables"},
                "example": {
                    "name": "shop",
                    "tables": [
                        {
                            "name": "customers",
                            "target_rows": 100,
                            "columns": [{"name": "id", "data_type": "INT", "is_unique": True}],
                        }
                    ],
                },
            },
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}

ExperimentName = Annotated[str, Query(max_length=63, description="experiment name (default: the schema's)")]


@router.get("", summary="List experiments", responses=errors())
def list_experiments(sim: SimulatorDep) -> list[ExperimentOut]:
    return [ExperimentOut.of(info) for info in sim.list_experiments()]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an experiment from a JSON or YAML schema",
    responses=errors(400, 409, 413, 415, 422, 503),
    openapi_extra=CREATE_BODY,
)
async def create_experiment(
    request: Request,
    state: StateDep,
    name: ExperimentName | None = None,
    replace: Annotated[bool, Query(description="replace an experiment of the same name")] = False,
    target_warehouse: Annotated[Warehouse | None, Query(description="warehouse (default: from settings)")] = None,
) -> ExperimentOut:
    if media_type(request) not in (*SCHEMA_TYPES, ""):
        raise unsupported(request, SCHEMA_TYPES)
    text = await body_text(request, what="an experiment schema as JSON or YAML")

    def create() -> ExperimentOut:
        with state.write_lock:
            sim = state.sibling()
            try:
                info = sim.create_experiment_from_text(
                    text, name=name, replace=replace, target_warehouse=target_warehouse
                )
            finally:
                sim.release_backends()
        return ExperimentOut.of(info)

    return await run_in_threadpool(create)


@router.get("/{name}", summary="Show an experiment: tables, schema, last run, column profile", responses=errors(404))
def get_experiment(name: str, sim: SimulatorDep) -> ExperimentDetailOut:
    return ExperimentDetailOut.of_detail(sim.get_experiment(name))


@router.delete("/{name}", summary="Delete an experiment and drop its tables, together", responses=errors(404, 409, 503))
def delete_experiment(name: str, state: StateDep, sim: SimulatorDep) -> DeletedOut:
    with state.write_lock:
        dropped = sim.delete_experiment(name)
    return DeletedOut(experiment=name, deleted=True, tables_dropped=dropped)


@router.get("/{name}/ddl", summary="Export the experiment as CREATE TABLE statements", responses=errors(404, 422))
def export_ddl(
    name: str,
    sim: SimulatorDep,
    dialect: Annotated[Dialect | None, Query(description="redshift or snowflake (default: the experiment's)")] = None,
) -> DdlOut:
    chosen = dialect or sim.get_experiment(name).info.dialect
    return DdlOut(experiment=name, dialect=chosen, ddl=sim.export_ddl(name, chosen))


@router.get(
    "/{name}/profile",
    summary="Per-column statistics and histogram buckets of the last completed run",
    responses=errors(404),
)
def profile(name: str, sim: SimulatorDep) -> ProfileOut:
    detail = sim.get_experiment(name)
    return ProfileOut.model_validate({"experiment": detail.info.name, "tables": json_value(detail.profile)})


@router.get(
    "/{name}/connect",
    summary="Connection settings for your own clients: the local Redshift and Snowflake endpoints",
    responses=errors(404),
)
def connect(name: str, sim: SimulatorDep) -> ConnectOut:
    return ConnectOut.model_validate(json_value(sim.connection_settings(name)))


@router.get("/{name}/runs", summary="The experiment's generation runs, newest first", responses=errors(404))
def list_runs(
    name: str,
    sim: SimulatorDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="how many recent runs")] = 50,
) -> list[RunOut]:
    return [RunOut.of(run) for run in sim.list_runs(name, limit=limit)]


@router.post(
    "/{name}/generate",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start generating data in the background; follow it at /api/runs/{id}/events",
    responses=errors(400, 404, 409, 413, 422, 503),
)
def generate(name: str, runs: RunsDep, body: Annotated[GenerateRequest | None, Body()] = None) -> RunStarted:
    options = body or GenerateRequest()
    run_id = runs.start(name, rows=options.rows, seed=options.seed, workers=options.workers,
                        batch_size=options.batch_size, executor=options.executor)  # fmt: skip
    return RunStarted(
        run_id=run_id,
        experiment=name,
        status="RUNNING",
        links={"run": f"/api/runs/{run_id}", "events": f"/api/runs/{run_id}/events"},
    )
