"""What the service layer returns: plain dataclasses that both front ends render (CLI tables, API JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from dw_simulator.metadata import ExperimentRow
    from dw_simulator.schema import ExperimentSchema


class RunRecord(Protocol):
    """A stored generation run: the ORM row (`metadata.tables.GenerationRun`) or the reader's `RunRow`."""

    id: int
    status: str
    seed: int | None
    workers: int
    row_overrides: str | None
    progress: str | None
    row_counts: str | None
    error_message: str | None
    error_traceback: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    output_path: str | None


@dataclass
class TableInfo:
    name: str
    physical_name: str
    columns: int
    target_rows: int
    row_count: int | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class RunInfo:
    id: int
    experiment: str
    status: str
    seed: int | None
    workers: int
    row_overrides: dict[str, int]
    progress: dict[str, Any]
    row_counts: dict[str, int]
    error_message: str | None
    error_traceback: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    output_path: str | None = None

    @property
    def elapsed_s(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or datetime.now()
        return (end - self.started_at).total_seconds()

    @classmethod
    def from_row(cls, run: RunRecord, experiment: str) -> RunInfo:
        return cls(
            id=run.id,
            experiment=experiment,
            status=run.status,
            seed=run.seed,
            workers=run.workers,
            row_overrides=json.loads(run.row_overrides or "{}"),
            progress=json.loads(run.progress or "{}"),
            row_counts=json.loads(run.row_counts or "{}"),
            error_message=run.error_message,
            error_traceback=run.error_traceback,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            output_path=run.output_path,
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["elapsed_s"] = self.elapsed_s
        for key in ("created_at", "started_at", "finished_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


@dataclass
class ExperimentInfo:
    name: str
    description: str | None
    dialect: str
    target_warehouse: str
    tables: list[TableInfo]
    warnings: list[str]
    created_at: datetime
    last_run: RunInfo | None = None

    @classmethod
    def from_row(cls, experiment: ExperimentRow) -> ExperimentInfo:
        """Built from the stored schema JSON as is (the schema was validated when it was stored), so listing
        experiments needs no schema models."""
        stored = {t.get("name"): t for t in json.loads(experiment.schema_json).get("tables", [])}
        tables = []
        for row in experiment.tables:
            table = stored.get(row.table_name) or {}
            tables.append(
                TableInfo(
                    name=row.table_name,
                    physical_name=row.physical_name,
                    columns=len(table.get("columns", [])),
                    target_rows=row.target_rows,
                    row_count=row.row_count,
                    warnings=list(table.get("warnings", [])),
                )
            )
        last = experiment.last_run
        return cls(
            name=experiment.name,
            description=experiment.description,
            dialect=experiment.dialect,
            target_warehouse=experiment.target_warehouse,
            tables=tables,
            warnings=[w for t in stored.values() for w in t.get("warnings", [])],
            created_at=experiment.created_at,
            last_run=RunInfo.from_row(last, experiment.name) if last else None,
        )

    @property
    def table_count(self) -> int:
        return len(self.tables)

    @property
    def total_rows(self) -> int | None:
        counts = [t.row_count for t in self.tables if t.row_count is not None]
        return sum(counts) if counts else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "dialect": self.dialect,
            "target_warehouse": self.target_warehouse,
            "table_count": self.table_count,
            "total_rows": self.total_rows,
            "tables": [asdict(t) for t in self.tables],
            "warnings": self.warnings,
            "created_at": self.created_at.isoformat(),
            "last_run_status": self.last_run.status if self.last_run else None,
            "last_run": self.last_run.to_dict() if self.last_run else None,
        }


@dataclass
class ExperimentDetail:
    info: ExperimentInfo
    schema: ExperimentSchema
    profile: dict[str, list[dict[str, Any]]]  # table -> column profiles of the last completed run

    def to_dict(self) -> dict[str, Any]:
        out = self.info.to_dict()
        out["schema"] = self.schema.model_dump(mode="json", exclude_none=True)
        out["profile"] = self.profile
        return out


@dataclass
class ImportOutcome:
    schema: ExperimentSchema
    warnings: list[str]
    notes: list[str]
    experiment: ExperimentInfo | None  # None on a dry run
    # settings the import inferred: {kind, table, column, fields (the schema fields it set), value, reason}
    inferences: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema.model_dump(mode="json", exclude_none=True),
            "warnings": self.warnings,
            "notes": self.notes,
            "inferences": self.inferences,
            "experiment": self.experiment.to_dict() if self.experiment else None,
        }
