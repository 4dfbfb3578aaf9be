"""POST /api/experiments/import-sql: Redshift or Snowflake DDL -> an experiment (JSON body or file upload)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from dw_simulator.api.deps import StateDep
from dw_simulator.api.routes.common import errors, media_type, unsupported
from dw_simulator.api.schemas import ImportOut, ImportSqlRequest
from dw_simulator.errors import SchemaValidationError
from dw_simulator.results import ImportOutcome

router = APIRouter(prefix="/api/experiments", tags=["experiments"])

ACCEPTED = ("application/json", "multipart/form-data")
FORM_FIELDS = ("sql", "dialect", "name", "rows", "dry_run", "replace", "target_warehouse", "description")


def _import_body_doc() -> dict[str, Any]:
    json_schema = ImportSqlRequest.model_json_schema()
    form_properties: dict[str, Any] = {
        "file": {"type": "string", "format": "binary", "description": "the .sql file (or send `sql` as a field)"},
        **{k: v for k, v in json_schema["properties"].items() if k != "rows"},
        "rows": {"type": "string", "description": 'JSON object of target rows per table, e.g. {"sales": 5000}'},
    }
    form_properties["dry_run"] = {"type": "boolean", "default": False}
    form_properties["replace"] = {"type": "boolean", "default": False}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": json_schema,
                    "example": {
                        "sql": "CREATE TABLE sales (id INT PRIMARY KEY, amount DECIMAL(10,2));",
                        "dialect": "redshift",
                        "name": "sales",
                        "dry_run": True,
                    },
                },
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": form_properties, "required": ["dialect"]}
                },
            },
        }
    }


@router.post(
    "/import-sql",
    status_code=status.HTTP_201_CREATED,
    summary="Create an experiment from CREATE TABLE statements (Redshift or Snowflake)",
    description="Parses the DDL into the normalised schema, reports what it had to change in `warnings`, and "
    "creates the experiment (200 and nothing created with `dry_run`). Problems name their line and column.",
    responses=errors(
        400, 409, 413, 415, 422, 503, 504, extra={200: {"model": ImportOut, "description": "Dry run: nothing created"}}
    ),
    openapi_extra=_import_body_doc(),
)
async def import_sql(request: Request, response: Response, state: StateDep) -> ImportOut:
    kind = media_type(request)
    if kind == "application/json":
        payload = _validated(await _json_body(request), strict=True)
    elif kind == "multipart/form-data":
        payload = _validated(await _form_body(request), strict=False)  # form fields are text: "true", "1"
    else:
        raise unsupported(request, ACCEPTED)

    def parse() -> ImportOutcome:
        return state.call_with_limit(
            lambda sim: sim.import_sql(
                payload.sql,
                payload.dialect,
                name=payload.name,
                rows=payload.rows,
                target_warehouse=payload.target_warehouse,
                description=payload.description,
                dry_run=True,
            ),
            timeout_s=state.api.api_import_timeout_s,
            what="parsing the SQL",
            setting="DW_SIM_API_IMPORT_TIMEOUT_S",
        )

    def create(outcome: ImportOutcome) -> ImportOutcome:
        with state.write_lock:
            sim = state.sibling()
            try:
                info = sim.create_experiment(outcome.schema, replace=payload.replace)
            finally:
                sim.release_backends()
        return dataclasses.replace(outcome, experiment=info)

    # parse under the time limit first, then create: a parse cut short never leaves a half-made experiment
    outcome = await run_in_threadpool(parse)
    if payload.dry_run:
        response.status_code = status.HTTP_200_OK
        return ImportOut.of(outcome)
    return ImportOut.of(await run_in_threadpool(create, outcome))


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        detail: dict[str, Any] = {"message": f"invalid JSON: {exc}", "field": "body"}
        if line is not None:
            detail.update(line=line, col=col)
        raise SchemaValidationError(f"the request body is not valid JSON: {exc}", details=[detail]) from None


async def _form_body(request: Request) -> dict[str, Any]:
    form = await request.form(max_files=1, max_fields=len(FORM_FIELDS) + 1)
    data: dict[str, Any] = {}
    for key in FORM_FIELDS:
        value = form.get(key)
        if isinstance(value, str) and (value or key == "sql"):
            data[key] = value
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        raw = await upload.read()
        try:
            data["sql"] = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SchemaValidationError(
                f"the uploaded file {upload.filename!r} is not UTF-8 text (byte {exc.start})",
                details=[{"message": "not UTF-8", "field": "file", "offset": exc.start}],
            ) from None
    if "sql" not in data:
        raise SchemaValidationError(
            "send the DDL as a `file` part (or a `sql` field)", details=[{"message": "missing", "field": "file"}]
        )
    if "rows" in data:
        try:
            data["rows"] = json.loads(data["rows"])
        except json.JSONDecodeError:
            raise SchemaValidationError(
                'form field `rows` must be a JSON object such as {"sales": 5000}',
                details=[{"message": "not a JSON object", "field": "rows"}],
            ) from None
    return data


def _validated(data: Any, *, strict: bool) -> ImportSqlRequest:
    try:
        return ImportSqlRequest.model_validate(data, strict=strict)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**err, "loc": ("body", *err.get("loc", ()))} for err in exc.errors(include_url=False)]
        ) from None
