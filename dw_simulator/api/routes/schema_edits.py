"""/api/experiments/{name}/schema: the schema editor's routes (validate, save as a new version, versions) and
/api/preview/column (a column's values as the generator would make them, for the editor's live histogram)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from dw_simulator.api.deps import SimulatorDep, StateDep
from dw_simulator.api.routes.common import body_text, errors, media_type, unsupported
from dw_simulator.api.routes.experiments import CREATE_BODY, SCHEMA_TYPES
from dw_simulator.api.schemas import ColumnProfileOut, json_value, utc
from dw_simulator.errors import SchemaValidationError
from dw_simulator.preview import MAX_PREVIEW_ROWS

router = APIRouter(tags=["experiments"])

Version = Annotated[int, Path(ge=1, le=2**31, description="schema version")]


class SchemaVersionOut(BaseModel):
    version: int
    created_at: datetime
    tables: int
    current: bool


class SchemaOut(BaseModel):
    experiment: str
    version: int
    experiment_schema: dict[str, Any] = Field(alias="schema")
    model_config = ConfigDict(populate_by_name=True)


class SchemaCheckOut(BaseModel):
    experiment: str
    valid: bool
    message: str | None = Field(default=None, description="what is wrong, when not valid")
    details: list[dict[str, Any]] = Field(
        default_factory=list, description="each problem located: table, column, field (or line/col of a syntax error)"
    )
    tables: int = 0
    columns: int = 0


class SchemaSavedOut(SchemaOut):
    tables_recreated: bool = Field(
        description="the tables' structure changed, so they were recreated empty; otherwise the data stays until "
        "the next run"
    )


class ColumnPreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: dict[str, Any] = Field(description="a column as written in a schema (a foreign key is left out)")
    rows: int = Field(default=2000, ge=1, le=MAX_PREVIEW_ROWS)
    seed: int = Field(default=1, ge=0, le=2**31)


async def _schema_text(request: Request) -> str:
    if media_type(request) not in (*SCHEMA_TYPES, ""):
        raise unsupported(request, SCHEMA_TYPES)
    return await body_text(request, what="the experiment schema as JSON or YAML")


@router.get(
    "/api/experiments/{name}/schema/versions",
    summary="The experiment's saved schema versions, newest first",
    responses=errors(404),
)
def list_versions(name: str, sim: SimulatorDep) -> list[SchemaVersionOut]:
    return [
        SchemaVersionOut(
            version=v.version, created_at=utc(v.created_at) or v.created_at, tables=v.tables, current=v.current
        )
        for v in sim.schema_versions(name)
    ]


@router.get(
    "/api/experiments/{name}/schema/versions/{version}",
    summary="One saved version of the experiment's schema",
    responses=errors(404),
)
def get_version(name: str, version: Version, sim: SimulatorDep) -> SchemaOut:
    schema = sim.schema_version(name, version)
    return SchemaOut(
        experiment=name, version=version, experiment_schema=schema.model_dump(mode="json", exclude_none=True)
    )


@router.post(
    "/api/experiments/{name}/schema/check",
    summary="Validate an edited schema without saving it",
    description="Answers 200 with `valid`; when it is false, `details` locates each problem (`table`, `column`, "
    "`field`, or `line`/`col` of a syntax error) as creating would.",
    responses=errors(400, 404, 413, 415, 422),
    openapi_extra=CREATE_BODY,
)
async def check_schema(name: str, request: Request, state: StateDep) -> SchemaCheckOut:
    text = await _schema_text(request)

    def check() -> SchemaCheckOut:
        sim = state.sibling()
        try:
            schema = sim.check_schema_edit(name, text)
        except SchemaValidationError as exc:
            return SchemaCheckOut(experiment=name, valid=False, message=exc.message, details=exc.details)
        finally:
            sim.release_backends()
        return SchemaCheckOut(
            experiment=name, valid=True, tables=len(schema.tables), columns=sum(len(t.columns) for t in schema.tables)
        )

    return await run_in_threadpool(check)


@router.put(
    "/api/experiments/{name}/schema",
    summary="Save an edited schema as a new version; the next run uses it",
    description="The name and warehouse must stay. When only generation settings changed the tables and their "
    "data stay until the next run; when tables or columns changed they are recreated empty.",
    responses=errors(400, 404, 409, 413, 415, 422, 503),
    openapi_extra=CREATE_BODY,
)
async def save_schema(name: str, request: Request, state: StateDep) -> SchemaSavedOut:
    text = await _schema_text(request)

    def save() -> SchemaSavedOut:
        with state.write_lock:
            sim = state.sibling()
            try:
                saved = sim.save_schema(name, text)
            finally:
                sim.release_backends()
        return SchemaSavedOut(
            experiment=saved.schema.name,
            version=saved.version,
            experiment_schema=saved.schema.model_dump(mode="json", exclude_none=True),
            tables_recreated=saved.tables_recreated,
        )

    return await run_in_threadpool(save)


@router.post(
    "/api/preview/column",
    summary="Profile a sample of a column's values, made by the generator (the editor's live histogram)",
    responses=errors(422),
)
def preview_column(body: ColumnPreviewRequest, sim: SimulatorDep) -> ColumnProfileOut:
    profile = sim.preview_column(body.column, rows=body.rows, seed=body.seed)
    return ColumnProfileOut.model_validate(json_value(profile.to_dict()))
