"""The service layer: the one object the CLI and the HTTP API both call.

It ties the metadata store (SQLite) to the warehouse backends and to the generator. Front ends never import a
database driver, sqlglot or boto3; they call `Simulator` and render what it returns.

A command pays only for what it uses: reads go through `metadata.reader` (stdlib sqlite3); the full settings,
the SQLAlchemy store, the schema models, the backends and the generator are imported when a method first needs
them (function-level imports of our own modules, for start-up time only: the import-graph test counts them, so
they can never hide a cycle). Generation runs live in `service_runs`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dw_simulator import observability as obs
from dw_simulator import run_output
from dw_simulator.errors import AlreadyExistsError, NotFoundError, RunInProgressError, SchemaValidationError
from dw_simulator.metadata import ACTIVE_STATUSES, ExperimentRow, MetadataReader, needs_migration
from dw_simulator.results import ExperimentDetail, ExperimentInfo, ImportOutcome, RunInfo
from dw_simulator.service_runs import PhaseCallback, ProgressCallback, pid_alive, recover_runs, run_generation

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.backends import QueryResult, WarehouseBackend
    from dw_simulator.backends.base import ColumnProfile
    from dw_simulator.config import Settings
    from dw_simulator.metadata.store import MetadataStore
    from dw_simulator.schema import ExperimentSchema
    from dw_simulator.schema_edits import SchemaSaved, SchemaVersionInfo

log = logging.getLogger(__name__)
# The schema fields each kind of import inference sets (the UI clears them when the user drops the inference).
INFERRED_FIELDS: dict[str, tuple[str, ...]] = {"range": ("min_value", "max_value"), "dates": ("date_start", "date_end")}
DdlProgress = Callable[[int, int], None]  # (done, total): statements of a DDL import, tables of a profile
__all__ = ["PhaseCallback", "ProgressCallback", "Simulator"]


class Simulator:
    """Experiments, generation runs and queries over the configured warehouses."""

    def __init__(
        self,
        settings: Settings | None = None,
        metadata: MetadataStore | None = None,
        *,
        data_root: Path | None = None,
        load_settings: Callable[[], Settings] | None = None,
    ) -> None:
        """`Simulator(settings)`; or `Simulator(data_root=..., load_settings=...)`, which reads the full settings
        only when a method needs more than the data root (read-only commands never do)."""
        if settings is None and (data_root is None or load_settings is None):
            raise TypeError("Simulator needs settings, or data_root and load_settings")
        self._settings = settings
        self._load_settings = load_settings
        self.data_root: Path = settings.data_root if settings is not None else data_root  # type: ignore[assignment]
        self.data_root.mkdir(parents=True, exist_ok=True)
        self.metadata_path = self.data_root / "metadata.sqlite"
        self._metadata = metadata
        self.reader = MetadataReader(self.metadata_path)
        self._backends: dict[str, WarehouseBackend] = {}
        self._lock = threading.RLock()

    @classmethod
    def from_settings(cls, **overrides: Any) -> Simulator:
        from dw_simulator.config import load_settings

        return cls(load_settings(**overrides))

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            assert self._load_settings is not None
            self._settings = self._load_settings()
        return self._settings

    @property
    def metadata(self) -> MetadataStore:
        """The SQLAlchemy store for writes (opened, and migrated when needed, on first use)."""
        with self._lock:
            if self._metadata is None:
                from dw_simulator.metadata.store import MetadataStore

                self._metadata = MetadataStore(self.metadata_path)
            return self._metadata

    def _read(self) -> MetadataReader:
        """The stdlib reader, after migrating the file if its schema version is not the code's."""
        if self._metadata is None and needs_migration(self.metadata_path):
            self.metadata  # noqa: B018 - opening the store applies the migrations
        return self.reader

    def close(self) -> None:
        with self._lock:
            for backend in self._backends.values():
                backend.close()
            self._backends.clear()
        if self._metadata is not None:
            self._metadata.close()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def backend(self, name: str) -> WarehouseBackend:
        with self._lock:
            if name not in self._backends:
                from dw_simulator.backends import backend_for

                self._backends[name] = backend_for(name, self.settings)
            return self._backends[name]

    def interrupt(self) -> bool:
        """Cancel whatever statement this simulator's warehouses are running (called from another thread, e.g.
        when an API time limit passes). True when at least one engine accepted the cancel."""
        with self._lock:
            backends = list(self._backends.values())
        return any([backend.interrupt() for backend in backends])

    def release_backends(self) -> None:
        """Close warehouse connections (lets other processes open the embedded warehouse file)."""
        with self._lock:
            for backend in self._backends.values():
                backend.close()

    # -- experiments -----------------------------------------------------------------------------------------------
    def create_experiment(self, schema: ExperimentSchema, *, replace: bool = False) -> ExperimentInfo:
        target = self.settings.resolve_target(schema.target_warehouse)
        if schema.target_warehouse != target:
            schema = schema.model_copy(update={"target_warehouse": target})
        backend = self.backend(target)
        with self.metadata.session() as session:
            existing = self.metadata.find_experiment(session, schema.name)
            if existing is not None and not replace:
                raise AlreadyExistsError(
                    f"experiment '{existing.name}' already exists; delete it first or use --replace"
                )
        if replace:
            self._delete_if_exists(schema.name)
        backend.create_experiment(schema)
        try:
            with self.metadata.session() as session:
                self.metadata.add_experiment(
                    session,
                    name=schema.name,
                    description=schema.description,
                    dialect=schema.resolved_dialect,
                    target_warehouse=target,
                    schema_json=schema.model_dump_json(exclude_none=True),
                    tables=[(t.name, backend.physical_name(schema.name, t.name), t.target_rows) for t in schema.tables],
                )
        except BaseException:
            # metadata failed: undo the physical tables so nothing is half-created
            with backend.drop_experiment(schema.name):
                pass
            raise
        log.info("experiment created", extra={"experiment": schema.name, "warehouse": target})
        return self.get_experiment_info(schema.name)

    def create_experiment_from_file(
        self, path: str | Path, *, name: str | None = None, replace: bool = False, target_warehouse: str | None = None
    ) -> ExperimentInfo:
        from dw_simulator.schema import load_schema_file

        schema = load_schema_file(path, overrides={"name": name, "target_warehouse": target_warehouse})
        return self.create_experiment(schema, replace=replace)

    def create_experiment_from_text(
        self, text: str, *, name: str | None = None, replace: bool = False, target_warehouse: str | None = None
    ) -> ExperimentInfo:
        from dw_simulator.schema import load_schema_text

        schema = load_schema_text(
            text, default_name=name, overrides={"name": name, "target_warehouse": target_warehouse}
        )
        return self.create_experiment(schema, replace=replace)

    def list_experiments(self) -> list[ExperimentInfo]:
        self.recover_interrupted_runs(only_dead_owners=True)
        return [ExperimentInfo.from_row(e) for e in self._read().list_experiments()]

    def get_experiment_info(self, name: str) -> ExperimentInfo:
        return ExperimentInfo.from_row(self._read().get_experiment(name))

    def get_experiment(self, name: str, *, on_profile: DdlProgress | None = None) -> ExperimentDetail:
        """The experiment, its schema and the column profile of its last completed run. The profile is computed
        on the first request after a run, then kept (so a run's time is its generation and load only);
        `on_profile(tables done, tables total)` follows that computation when it happens."""
        from dw_simulator.schema import ExperimentSchema

        experiment = self._read().get_experiment(name)
        schema = ExperimentSchema.model_validate_json(experiment.schema_json)
        info = ExperimentInfo.from_row(experiment)
        return ExperimentDetail(info=info, schema=schema, profile=self._profile(experiment, schema, on_profile))

    def _profile(
        self, experiment: ExperimentRow, schema: ExperimentSchema, on_profile: DdlProgress | None
    ) -> dict[str, list[dict[str, Any]]]:
        run_id, stored = self.reader.last_completed_profile(experiment.id)
        if run_id is None:
            return {}
        if stored:
            loaded: dict[str, list[dict[str, Any]]] = json.loads(stored)
            return loaded
        counted = {t.table_name for t in experiment.tables if t.row_count is not None}
        tables = [t for t in schema.tables if t.name in counted]
        backend = self.backend(experiment.target_warehouse)
        profile: dict[str, list[dict[str, Any]]] = {}
        with obs.stage("profile", experiment=experiment.name, warehouse=experiment.target_warehouse):
            for done, table in enumerate(tables):
                if on_profile is not None:
                    on_profile(done, len(tables))
                profile[table.name] = [p.to_dict() for p in backend.profile_table(experiment.name, table)]
        if on_profile is not None:
            on_profile(len(tables), len(tables))
        self.metadata.store_profile(run_id, json.dumps(profile, default=str))
        return profile

    def get_schema(self, name: str) -> ExperimentSchema:
        from dw_simulator.schema import ExperimentSchema

        return ExperimentSchema.model_validate_json(self._read().get_experiment(name).schema_json)

    def delete_experiment(self, name: str) -> int:
        """Drop the experiment's tables and its metadata together; returns the number of tables dropped.

        The warehouse drop runs in a transaction that commits only after the metadata delete has succeeded, so
        a failure on either side leaves both the tables and the metadata as they were.
        """
        with self.metadata.session() as session:
            experiment = self.metadata.get_experiment(session, name)
            if any(r.status in ACTIVE_STATUSES for r in experiment.runs):
                self.recover_interrupted_runs(only_dead_owners=True)
                session.expire_all()
                if any(r.status in ACTIVE_STATUSES for r in experiment.runs):
                    raise RunInProgressError(f"experiment '{experiment.name}' has a run in progress; cancel it first")
            run_dirs = [r.output_path for r in experiment.runs if r.output_path]
            exp_name = experiment.name
            with self.backend(experiment.target_warehouse).drop_experiment(exp_name) as dropped:
                self.metadata.delete_experiment(session, experiment)
                session.commit()  # the metadata first; the warehouse drop commits as its block ends
        for run_dir in run_dirs:
            run_output.remove(self.settings, run_dir)
        shutil.rmtree(self.settings.generated_dir / exp_name, ignore_errors=True)
        log.info("experiment deleted", extra={"experiment": exp_name, "tables_dropped": dropped})
        return dropped

    def _delete_if_exists(self, name: str) -> None:
        with contextlib.suppress(NotFoundError):
            self.delete_experiment(name)

    # -- SQL ----------------------------------------------------------------------------------------------------------
    def query(self, name: str, sql: str, *, limit: int | None = None, dialect: str | None = None) -> QueryResult:
        experiment = self._read().get_experiment(name)
        exp_name, target = experiment.name, experiment.target_warehouse
        read = self._check_dialect(dialect or experiment.dialect)
        cap = self.settings.query_row_limit if limit is None else limit
        started = time.perf_counter()
        with obs.stage("query", experiment=exp_name, warehouse=target):
            result = self.backend(target).query(exp_name, sql, dialect=read, limit=cap if cap > 0 else None)
        log.info(
            "query",
            extra={
                "experiment": exp_name,
                "rows": len(result.rows),
                "elapsed_s": round(time.perf_counter() - started, 4),
            },
        )
        return result

    def query_arrow(self, name: str, sql: str, *, dialect: str | None = None) -> pa.Table:
        experiment = self._read().get_experiment(name)
        read = self._check_dialect(dialect or experiment.dialect)
        with obs.stage("query", experiment=experiment.name, warehouse=experiment.target_warehouse):
            return self.backend(experiment.target_warehouse).query_arrow(experiment.name, sql, dialect=read)

    @staticmethod
    def _check_dialect(dialect: str) -> str:
        from dw_simulator.schema import DIALECTS

        if dialect not in (*DIALECTS, "postgres", "duckdb"):
            raise SchemaValidationError(f"unknown SQL dialect '{dialect}'; use one of {', '.join(DIALECTS)}")
        return dialect

    # -- DDL import / export ----------------------------------------------------------------------------------------
    def import_sql(
        self,
        sql: str,
        dialect: str,
        *,
        name: str | None,
        rows: dict[str, int] | None = None,
        target_warehouse: str | None = None,
        dry_run: bool = False,
        replace: bool = False,
        description: str | None = None,
        on_progress: DdlProgress | None = None,
    ) -> ImportOutcome:
        """Import CREATE TABLE statements; `on_progress(done, total)` follows the statements read."""
        from dw_simulator.ddl import import_sql

        options: dict[str, Any] = {"on_progress": on_progress} if on_progress is not None else {}
        result = import_sql(
            sql,
            dialect,
            name=name or "imported_experiment",
            rows=rows,
            target_warehouse=target_warehouse,
            description=description,
            **options,
        )
        info = None if dry_run else self.create_experiment(result.schema, replace=replace)
        return ImportOutcome(
            schema=result.schema,
            warnings=result.warnings,
            notes=result.notes,
            experiment=info,
            inferences=[
                {
                    "kind": i.field,
                    "table": i.table,
                    "column": i.column,
                    "fields": list(INFERRED_FIELDS.get(i.field, (i.field,))),
                    "value": i.value,
                    "reason": i.reason,
                }
                for i in result.inferences
            ],
        )

    def export_ddl(self, name: str, dialect: str, *, checks: bool = True) -> str:
        from dw_simulator.ddl import export_ddl

        return export_ddl(self.get_schema(name), dialect, checks=checks)

    # -- connecting users' own clients --------------------------------------------------------------------
    def connection_settings(self, name: str | None = None) -> dict[str, Any]:
        """Ready-to-paste settings for the local Redshift and Snowflake endpoints (psql URL, redshift_connector,
        SQLAlchemy URLs, dbt profiles), for one experiment's data when `name` is given."""
        from dw_simulator.connections import connection_settings

        database = self.get_experiment_info(name).name if name else None
        return connection_settings(self.settings, database=database)

    # -- generation runs --------------------------------------------------------------------------------
    def generate(
        self,
        name: str,
        *,
        rows: dict[str, int] | None = None,
        seed: int | None = None,
        workers: int | None = None,
        batch_size: int | None = None,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        on_start: Callable[[int], None] | None = None,
        on_phase: PhaseCallback | None = None,
        executor: str | None = None,
        scheduler: str | None = None,
    ) -> RunInfo:
        """Generate data for every table, then load it into the experiment's warehouse, replacing the old data
        atomically. A failure or cancellation leaves the previous data and metadata as they were.

        `progress` gets the generator's per-table row counts; `on_phase` each phase as it starts and ends
        (`generate`, then `load` once per table loaded). `executor` (`local` or `dask`, default: the `executor`
        setting) and `scheduler` (a Dask scheduler address, default: `dask_scheduler`) say where the work units
        run; the `run_destination` setting where their parts go."""
        self.recover_interrupted_runs(only_dead_owners=True)
        run_id = run_generation(
            self.settings,
            self.metadata,
            self.backend,
            self.get_schema(name),
            rows=rows or {},
            seed=seed,
            workers=workers,
            batch_size=batch_size,
            progress=progress,
            cancel=cancel,
            on_start=on_start,
            on_phase=on_phase,
            executor=executor,
            scheduler=scheduler,
        )
        return self.get_run(run_id)

    def get_run(self, run_id: int) -> RunInfo:
        run = self._read().get_run(run_id)
        return RunInfo.from_row(run, run.experiment_name)

    def list_runs(self, name: str, limit: int = 50) -> list[RunInfo]:
        reader = self._read()
        experiment = reader.get_experiment(name)
        return [RunInfo.from_row(r, experiment.name) for r in reader.list_runs(experiment, limit)]

    def recover_interrupted_runs(self, *, only_dead_owners: bool = False) -> list[int]:
        """Mark runs left PENDING/RUNNING by a crash or kill as FAILED ("interrupted") and remove their files.

        With `only_dead_owners`, a run is only touched when the process that owned it is gone. Looks with the
        reader first, so a read-only command opens the SQLAlchemy store only when there is something to mend.
        """
        active = self._read().active_runs()
        if not active or (only_dead_owners and not any(pid is not None and not pid_alive(pid) for _id, pid in active)):
            return []
        return recover_runs(self.metadata, only_dead_owners=only_dead_owners, settings=self.settings)

    # -- the web UI's editor and exports: schema versions, column previews, streamed results ------------------------
    def schema_versions(self, name: str) -> list[SchemaVersionInfo]:
        from dw_simulator import schema_edits

        return schema_edits.list_versions(self.metadata, name)

    def schema_version(self, name: str, version: int) -> ExperimentSchema:
        from dw_simulator import schema_edits

        return schema_edits.get_version(self.metadata, name, version)

    def check_schema_edit(self, name: str, text: str) -> ExperimentSchema:
        """Validate edited schema text (JSON or YAML) for experiment `name`; nothing is saved."""
        from dw_simulator import schema_edits

        return schema_edits.check(self.metadata, name, text)

    def save_schema(self, name: str, text: str) -> SchemaSaved:
        """Make `text` the experiment's schema, as a new version the next run uses (see `schema_edits`)."""
        from dw_simulator import schema_edits

        return schema_edits.save(self.metadata, self.backend, name, text)

    def preview_column(self, column: dict[str, Any], *, rows: int = 2000, seed: int = 1) -> ColumnProfile:
        """A profile of `rows` values the generator makes for `column` (a column as written in a schema)."""
        from dw_simulator.preview import preview_column

        return preview_column(column, rows=rows, seed=seed)

    def query_batches(
        self, name: str, sql: str, *, dialect: str | None = None, batch_rows: int = 50_000
    ) -> pa.RecordBatchReader:
        """The full result of the last statement as a stream of Arrow batches (exports of any size)."""
        experiment = self._read().get_experiment(name)
        read = self._check_dialect(dialect or experiment.dialect)
        with obs.stage("query", experiment=experiment.name, warehouse=experiment.target_warehouse):
            backend = self.backend(experiment.target_warehouse)
            return backend.query_batches(experiment.name, sql, dialect=read, batch_rows=batch_rows)
