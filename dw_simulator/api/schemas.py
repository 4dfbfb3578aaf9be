"""Request and response bodies of the HTTP API (they are also its OpenAPI schema).

Responses are built from the service layer's result dataclasses; datetimes are UTC and carry their offset.
"""

from __future__ import annotations

import base64
import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from dw_simulator.results import ExperimentDetail, ExperimentInfo, ImportOutcome, RunInfo, TableInfo

Dialect = Literal["redshift", "snowflake"]
Warehouse = Literal["duckdb", "sqlite", "redshift", "snowflake"]
RunStatus = Literal["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"]
MAX_ROWS = 10_000_000_000
MAX_SEED = 2**63 - 1
RowCount = Annotated[int, Field(ge=0, le=MAX_ROWS)]


def utc(value: datetime | None) -> datetime | None:
    """The metadata store keeps naive UTC datetimes; say so on the wire."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# -- errors -----------------------------------------------------------------------------------------------------------
class ErrorOut(BaseModel):
    """Every error response."""

    error: str = Field(description="machine-readable kind: not_found, already_exists, validation_error, ...")
    message: str = Field(description="what went wrong, naming the bad input")
    details: list[dict[str, Any]] = Field(
        description="one entry per problem: message plus where (field path, or line/col in SQL, table, column)"
    )
    request_id: str | None = Field(description="quote it when reporting a problem; it tags the server's log lines")


# -- runs -------------------------------------------------------------------------------------------------------------
class RunOut(BaseModel):
    id: int
    experiment: str
    status: RunStatus
    seed: int | None
    workers: int
    row_overrides: dict[str, int]
    progress: dict[str, Any] = Field(description="{table: {rows_done, rows_total}, phase: generate|load|done}")
    row_counts: dict[str, int] = Field(description="rows loaded per table (completed runs)")
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    elapsed_s: float | None

    @classmethod
    def of(cls, run: RunInfo) -> RunOut:
        return cls(
            id=run.id,
            experiment=run.experiment,
            status=run.status,  # type: ignore[arg-type]
            seed=run.seed,
            workers=run.workers,
            row_overrides=run.row_overrides,
            progress=run.progress,
            row_counts=run.row_counts,
            error_message=run.error_message,
            created_at=utc(run.created_at),  # type: ignore[arg-type]
            started_at=utc(run.started_at),
            finished_at=utc(run.finished_at),
            elapsed_s=run.elapsed_s,
        )


class RunStarted(BaseModel):
    run_id: int
    experiment: str
    status: RunStatus
    links: dict[str, str] = Field(description="where to follow the run: run (JSON) and events (Server-Sent Events)")


class GenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    rows: dict[str, RowCount] | None = Field(
        default=None, description="row count per table, overriding the schema's target_rows", examples=[{"t": 100}]
    )
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED, description="seed for reproducible data")
    workers: int | None = Field(default=None, ge=1, le=64, description="generator processes")
    batch_size: int | None = Field(default=None, ge=1000, le=10_000_000, description="rows per Parquet file")
    executor: Literal["local", "dask"] | None = Field(
        default=None,
        description="who runs the work units: local (the server's process pool) or dask (the Dask cluster the "
        "server's settings name: DW_SIM_DASK_SCHEDULER, else a LocalCluster); default: the executor setting",
    )


# -- experiments ------------------------------------------------------------------------------------------------------
class TableOut(BaseModel):
    name: str
    physical_name: str
    columns: int
    target_rows: int
    row_count: int | None
    warnings: list[str]

    @classmethod
    def of(cls, table: TableInfo) -> TableOut:
        return cls(
            name=table.name,
            physical_name=table.physical_name,
            columns=table.columns,
            target_rows=table.target_rows,
            row_count=table.row_count,
            warnings=table.warnings,
        )


class ExperimentOut(BaseModel):
    name: str
    description: str | None
    dialect: str
    target_warehouse: str = Field(description="the resolved warehouse the experiment lives on")
    table_count: int
    total_rows: int | None
    tables: list[TableOut]
    warnings: list[str]
    created_at: datetime
    last_run_status: RunStatus | None
    last_run: RunOut | None

    @classmethod
    def of(cls, info: ExperimentInfo) -> ExperimentOut:
        return cls(**_experiment_fields(info))


def _experiment_fields(info: ExperimentInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "description": info.description,
        "dialect": info.dialect,
        "target_warehouse": info.target_warehouse,
        "table_count": info.table_count,
        "total_rows": info.total_rows,
        "tables": [TableOut.of(t) for t in info.tables],
        "warnings": info.warnings,
        "created_at": utc(info.created_at),
        "last_run_status": info.last_run.status if info.last_run else None,
        "last_run": RunOut.of(info.last_run) if info.last_run else None,
    }


class ExperimentDetailOut(ExperimentOut):
    experiment_schema: dict[str, Any] = Field(alias="schema", description="the normalised experiment schema")
    profile: dict[str, list[dict[str, Any]]] = Field(description="per-table column profiles of the last completed run")

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def of_detail(cls, detail: ExperimentDetail) -> ExperimentDetailOut:
        return cls(
            **_experiment_fields(detail.info),
            experiment_schema=detail.schema.model_dump(mode="json", exclude_none=True),
            profile=_jsonable(detail.profile),
        )


class DeletedOut(BaseModel):
    experiment: str
    deleted: bool
    tables_dropped: int


class ImportSqlRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sql: str = Field(min_length=1, description="CREATE TABLE statements (Redshift or Snowflake DDL)")
    dialect: Dialect
    name: str | None = Field(default=None, description="experiment name (default: imported_experiment)")
    rows: dict[str, RowCount] | None = Field(default=None, description="target rows per table")
    dry_run: bool = Field(default=False, description="only parse and normalise; create nothing")
    replace: bool = Field(default=False, description="replace an experiment of the same name")
    target_warehouse: Warehouse | None = None
    description: str | None = None


class InferenceOut(BaseModel):
    """A setting the import inferred (from a column's name and type), written into the schema."""

    kind: str = Field(description="what was inferred: faker_rule, range, dates, ...")
    table: str
    column: str
    fields: list[str] = Field(description="the column's schema fields it set (clear them to drop the inference)")
    value: Any = None
    reason: str


class ImportOut(BaseModel):
    experiment_schema: dict[str, Any] = Field(alias="schema", description="the normalised experiment schema")
    warnings: list[str]
    notes: list[str]
    inferences: list[InferenceOut] = Field(default_factory=list, description="settings inferred from names and types")
    experiment: ExperimentOut | None = Field(description="the created experiment; null on a dry run")

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def of(cls, outcome: ImportOutcome) -> ImportOut:
        return cls(
            experiment_schema=outcome.schema.model_dump(mode="json", exclude_none=True),
            warnings=outcome.warnings,
            notes=outcome.notes,
            inferences=[InferenceOut.model_validate(json_value(i)) for i in outcome.inferences],
            experiment=ExperimentOut.of(outcome.experiment) if outcome.experiment else None,
        )


class DdlOut(BaseModel):
    experiment: str
    dialect: str
    ddl: str


class ColumnProfileOut(BaseModel):
    column: str
    data_type: str
    rows: int
    nulls: int
    null_fraction: float
    distinct: int
    min: Any = None
    max: Any = None
    mean: float | str | None = None
    stddev: float | str | None = None
    histogram: list[dict[str, Any]] = Field(
        default_factory=list, description="buckets {low, high, count} or top values {value, count}"
    )


class ProfileOut(BaseModel):
    experiment: str
    tables: dict[str, list[ColumnProfileOut]] = Field(description="per-table column stats of the last completed run")


class ConnectOut(BaseModel):
    """What `dw-sim endpoints --json` prints: ready-to-paste settings for users' own clients."""

    redshift: dict[str, Any] = Field(description="psql URL, redshift_connector call, SQLAlchemy URLs, dbt profile")
    snowflake: dict[str, Any] = Field(description="Snowflake connector parameters, SQLAlchemy URL, dbt profile")
    redshift_data_api_url: str = Field(description="endpoint_url of boto3's redshift-data client (`dw-sim serve`)")
    snowflake_sql_api_url: str = Field(description="base URL of the Snowflake SQL API v2 (`/api/v2/statements`)")
    http_apis: dict[str, Any] = Field(description="the HTTP APIs' URLs, whether serve runs, client examples")


# -- queries ----------------------------------------------------------------------------------------------------------
class QueryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sql: str = Field(min_length=1, max_length=1_000_000, description="SQL in the experiment's dialect")
    limit: int | None = Field(
        default=None, ge=1, description="keep at most this many rows (default from settings; capped by the server)"
    )
    dialect: Dialect | None = Field(default=None, description="read the SQL in this dialect instead")
    query_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="your id for this query, to cancel it with POST /api/queries/{query_id}/cancel",
    )


class ColumnOut(BaseModel):
    name: str
    type: str


class QueryOut(BaseModel):
    experiment: str
    columns: list[ColumnOut]
    rows: list[list[Any]]
    row_count: int
    truncated: bool = Field(description="true when more rows exist than were returned")
    total_rows: int | None = Field(
        default=None, description="rows in the whole result (null when truncated and the warehouse did not say)"
    )
    elapsed_s: float
    statements: int
    rows_affected: int | None = None


# -- health -----------------------------------------------------------------------------------------------------------
class BackendHealth(BaseModel):
    ok: bool
    latency_ms: float
    error: str | None = None


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    backends: dict[str, BackendHealth]
    active_runs: int


class ApiLink(BaseModel):
    path: str
    methods: list[str]
    summary: str | None = None


class ApiIndexOut(BaseModel):
    name: str
    version: str
    docs: str = Field(description="interactive documentation (Swagger UI)")
    openapi: str = Field(description="the OpenAPI document")
    health: str
    metrics: str
    resources: list[ApiLink] = Field(description="every /api route, with its methods and summary")


# -- JSON values ------------------------------------------------------------------------------------------------------
def json_value(value: Any) -> Any:
    """A warehouse value as JSON: exact decimals as strings, temporal values in ISO 8601, bytes in base64."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_value(v) for v in value]
    return str(value)


def _jsonable(value: Any) -> Any:
    return json_value(value)
