"""Editing an experiment's schema after it was created: validate an edit, save it as a new version, list versions.

Saving replaces the schema the next generation run uses. When only generation settings change (faker rules,
ranges, distributions, null rates, target rows, foreign-key cardinality) the warehouse tables and their data stay
as they are until that run. When the tables' structure changes (a table or column added, removed or renamed, a type
or NOT NULL changed) the experiment's tables are recreated, empty, in the same warehouse; a failure there restores
the previous tables, and nothing of the edit is recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dw_simulator.backends import WarehouseBackend
from dw_simulator.errors import NotFoundError, RunInProgressError, SchemaValidationError
from dw_simulator.metadata.store import ACTIVE_STATUSES, MetadataStore
from dw_simulator.metadata.tables import Experiment, ExperimentTable, SchemaVersion, utcnow
from dw_simulator.schema import ExperimentSchema, load_schema_text

log = logging.getLogger("dw_simulator.schema_edits")


@dataclass
class SchemaVersionInfo:
    version: int
    created_at: datetime
    tables: int
    current: bool


@dataclass
class SchemaSaved:
    version: int
    tables_recreated: bool  # the structure changed: the tables were recreated empty
    schema: ExperimentSchema


def parse_edit(text: str, experiment: Experiment) -> ExperimentSchema:
    """Validate edited schema text (JSON or YAML) for an existing experiment: same name, same warehouse."""
    schema = load_schema_text(text, default_name=experiment.name)
    if schema.name.lower() != experiment.name.lower():
        raise SchemaValidationError(
            f"the schema's name is '{schema.name}', but this is experiment '{experiment.name}': renaming is not "
            "supported (import it under the new name instead)",
            details=[{"message": f"must stay '{experiment.name}'", "field": "name"}],
        )
    if schema.target_warehouse is not None and schema.target_warehouse != experiment.target_warehouse:
        raise SchemaValidationError(
            f"target_warehouse '{schema.target_warehouse}' differs from the experiment's "
            f"'{experiment.target_warehouse}': moving an experiment to another warehouse is not supported",
            details=[{"message": f"must stay '{experiment.target_warehouse}'", "field": "target_warehouse"}],
        )
    return schema.model_copy(update={"name": experiment.name, "target_warehouse": experiment.target_warehouse})


def structure(schema: ExperimentSchema) -> list[tuple[str, list[tuple[str, str, int | None, bool]]]]:
    """What the warehouse tables are made of: names, types and NOT NULL, in order."""
    return [
        (t.name.lower(), [(c.name.lower(), c.data_type.upper(), c.varchar_length, c.required) for c in t.columns])
        for t in schema.tables
    ]


def list_versions(store: MetadataStore, name: str) -> list[SchemaVersionInfo]:
    """Saved versions, newest first. An experiment never edited has one: the schema it was created with."""
    with store.session() as session:
        experiment = store.get_experiment(session, name)
        rows = list(
            session.scalars(
                select(SchemaVersion)
                .where(SchemaVersion.experiment_id == experiment.id)
                .order_by(SchemaVersion.version.desc())
            )
        )
        if not rows:
            tables = len(ExperimentSchema.model_validate_json(experiment.schema_json).tables)
            return [SchemaVersionInfo(1, experiment.created_at, tables, True)]
        top = rows[0].version
        return [
            SchemaVersionInfo(
                r.version,
                r.created_at,
                len(ExperimentSchema.model_validate_json(r.schema_json).tables),
                r.version == top,
            )
            for r in rows
        ]


def get_version(store: MetadataStore, name: str, version: int) -> ExperimentSchema:
    with store.session() as session:
        experiment = store.get_experiment(session, name)
        row = session.scalar(
            select(SchemaVersion).where(SchemaVersion.experiment_id == experiment.id, SchemaVersion.version == version)
        )
        if row is not None:
            return ExperimentSchema.model_validate_json(row.schema_json)
        if version == 1 and _latest_version(session, experiment) == 0:
            return ExperimentSchema.model_validate_json(experiment.schema_json)
    raise NotFoundError(f"experiment '{name}' has no schema version {version}")


def check(store: MetadataStore, name: str, text: str) -> ExperimentSchema:
    """Validate an edit without saving it (the editor's inline validation)."""
    with store.session() as session:
        return parse_edit(text, store.get_experiment(session, name))


def save(store: MetadataStore, backend_for: Callable[[str], WarehouseBackend], name: str, text: str) -> SchemaSaved:
    """Validate `text` and make it the experiment's schema, as a new version (see the module docstring)."""
    with store.session() as session:
        experiment = store.get_experiment(session, name)
        if any(r.status in ACTIVE_STATUSES for r in experiment.runs):
            raise RunInProgressError(
                f"experiment '{experiment.name}' has a run in progress; wait for it or cancel it before saving"
            )
        new = parse_edit(text, experiment)
        old = ExperimentSchema.model_validate_json(experiment.schema_json)
        target = experiment.target_warehouse
    recreate = structure(old) != structure(new)
    backend = backend_for(target)
    if recreate:
        _recreate_tables(backend, old, new)
    try:
        with store.session() as session:
            experiment = store.get_experiment(session, name)
            version = _record(session, experiment, new, keep_counts=not recreate, backend=backend)
    except BaseException:
        if recreate:  # put the old tables back (their data is gone: the edit said so before failing)
            _recreate_tables(backend, new, old)
        raise
    log.info("schema saved", extra={"experiment": name, "version": version, "tables_recreated": recreate})
    return SchemaSaved(version=version, tables_recreated=recreate, schema=new)


def _recreate_tables(backend: WarehouseBackend, old: ExperimentSchema, new: ExperimentSchema) -> None:
    with backend.drop_experiment(old.name):
        pass
    try:
        backend.create_experiment(new)
    except BaseException:
        backend.create_experiment(old)
        raise


def _latest_version(session: Session, experiment: Experiment) -> int:
    top = session.scalar(select(func.max(SchemaVersion.version)).where(SchemaVersion.experiment_id == experiment.id))
    return int(top or 0)


def _record(
    session: Session,
    experiment: Experiment,
    new: ExperimentSchema,
    *,
    keep_counts: bool,
    backend: WarehouseBackend,
) -> int:
    latest = _latest_version(session, experiment)
    if latest == 0:  # the first edit: keep the original as version 1
        session.add(
            SchemaVersion(
                experiment_id=experiment.id,
                version=1,
                schema_json=experiment.schema_json,
                created_at=experiment.created_at,
            )
        )
        latest = 1
    version = latest + 1
    new_json = new.model_dump_json(exclude_none=True)
    session.add(SchemaVersion(experiment_id=experiment.id, version=version, schema_json=new_json, created_at=utcnow()))
    counts = {row.table_name.lower(): row.row_count for row in experiment.tables} if keep_counts else {}
    experiment.schema_json = new_json
    experiment.description = new.description
    experiment.dialect = new.resolved_dialect
    experiment.tables.clear()
    session.flush()
    experiment.tables.extend(
        ExperimentTable(
            table_name=t.name,
            physical_name=backend.physical_name(new.name, t.name),
            position=i,
            target_rows=t.target_rows,
            row_count=counts.get(t.name.lower()),
        )
        for i, t in enumerate(new.tables)
    )
    return version
