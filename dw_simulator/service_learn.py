"""Learning experiments from samples, and the fidelity report of their generated data (service layer).

`learn` reads the sources, fits the schema (`dw_simulator.learn`), and makes it a new experiment, or the next
schema version of an existing one (`update=True`). The reference the fidelity report needs (a summary of the
sample, never the sample) is kept at `<data root>/learned/<experiment>.json`. `fidelity` reads up to
`rows` generated rows of each learned table from the warehouse and compares them with it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dw_simulator.errors import AlreadyExistsError, NotFoundError, SchemaValidationError

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.results import ExperimentInfo
    from dw_simulator.schema import ExperimentSchema
    from dw_simulator.schema_edits import SchemaSaved


class Simulator(Protocol):
    """What learning needs of the service's `Simulator`."""

    data_root: Path

    def get_experiment_info(self, name: str) -> ExperimentInfo: ...
    def get_schema(self, name: str) -> ExperimentSchema: ...
    def create_experiment(self, schema: ExperimentSchema, *, replace: bool = False) -> ExperimentInfo: ...
    def save_schema(self, name: str, text: str) -> SchemaSaved: ...
    def query_arrow(self, name: str, sql: str, *, dialect: str | None = None) -> pa.Table: ...


FIDELITY_ROWS = 200_000
WHOLE_TABLE = 1 << 62  # --sample-rows 0: read every row (only when asked)


@dataclass
class LearnOutcome:
    schema: ExperimentSchema
    report: dict[str, Any]
    sources: list[str]
    seconds: float
    experiment: ExperimentInfo | None = None
    version: int | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": None if self.experiment is None else self.experiment.to_dict(),
            "schema_version": self.version,
            "sources": self.sources,
            "fit_seconds": round(self.seconds, 3),
            "report": self.report,
            "notes": self.notes,
            "schema": self.schema.model_dump(mode="json", exclude_none=True),
        }


def reference_path(sim: Simulator, name: str) -> Path:
    return sim.data_root / "learned" / f"{name.lower()}.json"


def learn(
    sim: Simulator,
    name: str,
    sources: list[str],
    *,
    tables: list[str] | None = None,
    schema_name: str | None = None,
    sample_rows: int = 100_000,
    min_count: int = 5,
    keep_values: bool = True,
    update: bool = False,
    replace: bool = False,
    dry_run: bool = False,
    target_warehouse: str | None = None,
    dialect: str | None = None,
    seed: int = 42,
) -> LearnOutcome:
    from dw_simulator.learn import FitOptions, learn_schema, read_samples, redact
    from dw_simulator.schema import ExperimentSchema

    if not sources:
        raise SchemaValidationError("learn needs at least one source (--from FILE|FOLDER|URL)")
    if sample_rows < 0 or min_count < 1:
        raise SchemaValidationError("--sample-rows must be 0 (whole tables) or more, and --min-count at least 1")
    sample_rows = sample_rows or WHOLE_TABLE
    started = time.perf_counter()
    samples = []
    for source in sources:
        samples += read_samples(source, tables=tables, schema=schema_name, sample_rows=sample_rows, seed=seed)
    seen: set[str] = set()
    for sample in samples:
        if sample.table.lower() in seen:
            raise SchemaValidationError(f"table '{sample.table}' comes from more than one source; learn them apart")
        seen.add(sample.table.lower())
    existing = _existing(sim, name)
    if existing is not None and not (update or replace or dry_run):
        raise AlreadyExistsError(f"experiment '{existing.name}' already exists; use --update to learn a new schema "
                                 "version of it, or --replace")  # fmt: skip
    learned = learn_schema(samples, name=existing.name if existing and update else name,
                           options=FitOptions(min_count=min_count, keep_values=keep_values), seed=seed,
                           dialect=dialect or (existing.dialect if existing and update else None))  # fmt: skip
    if existing is not None and update:
        learned.schema["target_warehouse"] = existing.target_warehouse
    elif target_warehouse:
        learned.schema["target_warehouse"] = target_warehouse
    schema = ExperimentSchema.model_validate(learned.schema)
    outcome = LearnOutcome(schema, learned.report, [redact(s) for s in sources], time.perf_counter() - started,
                           notes=learned.notes)  # fmt: skip
    if dry_run:
        return outcome
    if existing is not None and update:
        saved = sim.save_schema(existing.name, schema.model_dump_json(exclude_none=True))
        outcome.version = saved.version
        outcome.experiment = sim.get_experiment_info(existing.name)
    else:
        outcome.experiment = sim.create_experiment(schema, replace=replace)
        outcome.version = 1
    path = reference_path(sim, schema.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**learned.reference, "sources": outcome.sources}), encoding="utf-8")
    return outcome


def _existing(sim: Simulator, name: str) -> ExperimentInfo | None:
    try:
        return sim.get_experiment_info(name)
    except NotFoundError:
        return None


def fidelity(sim: Simulator, name: str, *, rows: int = FIDELITY_ROWS, strict: bool = True) -> dict[str, Any]:
    """Generated data against the learned reference, per table (needs a completed run). When there is nothing to
    compare (not learned, or not generated yet): `NotFoundError`, or with `strict=False` a report with
    `learned: false` (the web UI asks for every experiment) and the reason."""
    from dw_simulator.learn import compare

    info = sim.get_experiment_info(name)
    path = reference_path(sim, info.name)
    reason = None
    if not path.is_file():
        reason = (f"experiment '{info.name}' was not learned from a sample (dw-sim experiment learn), so there is "
                  "nothing to compare its data with")  # fmt: skip
    elif info.last_run is None or info.last_run.status.upper() != "COMPLETED":
        reason = f"experiment '{info.name}' has no completed run yet: generate it first"
    if reason is not None:
        if strict:
            raise NotFoundError(reason)
        return {"experiment": info.name, "learned": False, "reason": reason, "sources": [], "tables": [],
                "max_distance": None}  # fmt: skip
    reference = json.loads(path.read_text(encoding="utf-8"))
    schema = sim.get_schema(info.name)
    tables = []
    for table in schema.tables:
        ref = reference["tables"].get(table.name)
        if ref is None:
            continue
        data = sim.query_arrow(info.name, f'SELECT * FROM "{table.name}" LIMIT {int(rows)}')
        tables.append(compare(ref, data, table.name, reference.get("min_count", 5)))
    distances = [t["max_distance"] for t in tables if t["max_distance"] is not None]
    return {"experiment": info.name, "learned": True, "sources": reference.get("sources", []), "tables": tables,
            "max_distance": max(distances) if distances else None}  # fmt: skip
