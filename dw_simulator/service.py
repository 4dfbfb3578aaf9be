"""The service layer: the one object the CLI and the HTTP API both call.

It ties the metadata store (SQLite) to the warehouse backends and to the generator. Front ends never import a
database driver, sqlglot or boto3; they call `Simulator` and render what it returns.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dw_simulator import observability as obs
from dw_simulator.backends import QueryResult, WarehouseBackend, backend_for
from dw_simulator.config import Settings, load_settings
from dw_simulator.connections import connection_settings
from dw_simulator.errors import (
    AlreadyExistsError,
    DwSimError,
    NotFoundError,
    RunInProgressError,
    SchemaValidationError,
)
from dw_simulator.logs import log_context
from dw_simulator.metadata import Experiment, MetadataStore
from dw_simulator.metadata.store import ACTIVE_STATUSES, now
from dw_simulator.results import ExperimentDetail, ExperimentInfo, ImportOutcome, RunInfo, TableInfo
from dw_simulator.schema import ExperimentSchema, load_schema_file, load_schema_text
from dw_simulator.schema.experiment_schema import DIALECTS

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.generator import ProgressEvent

log = logging.getLogger(__name__)
ProgressCallback = Callable[["ProgressEvent"], None]
MAX_SEED = 2**63 - 1


class Simulator:
    """Experiments, generation runs and queries over the configured warehouses."""

    def __init__(self, settings: Settings, metadata: MetadataStore | None = None) -> None:
        self.settings = settings
        settings.data_root.mkdir(parents=True, exist_ok=True)
        self.metadata = metadata or MetadataStore(settings.metadata_path)
        self._backends: dict[str, WarehouseBackend] = {}
        self._lock = threading.RLock()

    @classmethod
    def from_settings(cls, **overrides: Any) -> Simulator:
        return cls(load_settings(**overrides))

    def close(self) -> None:
        with self._lock:
            for backend in self._backends.values():
                backend.close()
            self._backends.clear()
        self.metadata.close()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def backend(self, name: str) -> WarehouseBackend:
        with self._lock:
            if name not in self._backends:
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
        return self.get_experiment(schema.name).info

    def create_experiment_from_file(
        self, path: str | Path, *, name: str | None = None, replace: bool = False, target_warehouse: str | None = None
    ) -> ExperimentInfo:
        schema = load_schema_file(path, overrides={"name": name, "target_warehouse": target_warehouse})
        return self.create_experiment(schema, replace=replace)

    def create_experiment_from_text(
        self, text: str, *, name: str | None = None, replace: bool = False, target_warehouse: str | None = None
    ) -> ExperimentInfo:
        schema = load_schema_text(
            text, default_name=name, overrides={"name": name, "target_warehouse": target_warehouse}
        )
        return self.create_experiment(schema, replace=replace)

    def _info(self, experiment: Experiment) -> ExperimentInfo:
        schema = ExperimentSchema.model_validate_json(experiment.schema_json)
        warnings = [w for t in schema.tables for w in t.warnings]
        tables = []
        for row in experiment.tables:
            table = schema.table(row.table_name)
            tables.append(
                TableInfo(
                    name=row.table_name,
                    physical_name=row.physical_name,
                    columns=len(table.columns) if table else 0,
                    target_rows=row.target_rows,
                    row_count=row.row_count,
                    warnings=list(table.warnings) if table else [],
                )
            )
        last = experiment.runs[-1] if experiment.runs else None
        return ExperimentInfo(
            name=experiment.name,
            description=experiment.description,
            dialect=experiment.dialect,
            target_warehouse=experiment.target_warehouse,
            tables=tables,
            warnings=warnings,
            created_at=experiment.created_at,
            last_run=RunInfo.from_row(last, experiment.name) if last else None,
        )

    def list_experiments(self) -> list[ExperimentInfo]:
        self.recover_interrupted_runs(only_dead_owners=True)
        with self.metadata.session() as session:
            return [self._info(e) for e in self.metadata.list_experiments(session)]

    def get_experiment(self, name: str) -> ExperimentDetail:
        with self.metadata.session() as session:
            experiment = self.metadata.get_experiment(session, name)
            info = self._info(experiment)
            schema = ExperimentSchema.model_validate_json(experiment.schema_json)
            completed = self.metadata.last_completed_run(session, experiment.id)
            profile = json.loads(completed.profile) if completed is not None and completed.profile else {}
        return ExperimentDetail(info=info, schema=schema, profile=profile)

    def get_schema(self, name: str) -> ExperimentSchema:
        with self.metadata.session() as session:
            experiment = self.metadata.get_experiment(session, name)
            return ExperimentSchema.model_validate_json(experiment.schema_json)

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
            run_dirs = [Path(r.output_path) for r in experiment.runs if r.output_path]
            exp_name = experiment.name
            with self.backend(experiment.target_warehouse).drop_experiment(exp_name) as dropped:
                self.metadata.delete_experiment(session, experiment)
                session.commit()  # the metadata first; the warehouse drop commits as its block ends
        for run_dir in run_dirs:
            shutil.rmtree(run_dir, ignore_errors=True)
        shutil.rmtree(self.settings.generated_dir / exp_name, ignore_errors=True)
        log.info("experiment deleted", extra={"experiment": exp_name, "tables_dropped": dropped})
        return dropped

    def _delete_if_exists(self, name: str) -> None:
        with contextlib.suppress(NotFoundError):
            self.delete_experiment(name)

    # -- SQL ----------------------------------------------------------------------------------------------------------
    def query(self, name: str, sql: str, *, limit: int | None = None, dialect: str | None = None) -> QueryResult:
        with self.metadata.session() as session:
            experiment = self.metadata.get_experiment(session, name)
            exp_name, target, exp_dialect = experiment.name, experiment.target_warehouse, experiment.dialect
        read = self._check_dialect(dialect or exp_dialect)
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
        with self.metadata.session() as session:
            experiment = self.metadata.get_experiment(session, name)
            exp_name, target, exp_dialect = experiment.name, experiment.target_warehouse, experiment.dialect
        read = self._check_dialect(dialect or exp_dialect)
        with obs.stage("query", experiment=exp_name, warehouse=target):
            return self.backend(target).query_arrow(exp_name, sql, dialect=read)

    @staticmethod
    def _check_dialect(dialect: str) -> str:
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
    ) -> ImportOutcome:
        from dw_simulator.ddl import import_sql

        result = import_sql(
            sql,
            dialect,
            name=name or "imported_experiment",
            rows=rows,
            target_warehouse=target_warehouse,
            description=description,
        )
        info = None if dry_run else self.create_experiment(result.schema, replace=replace)
        return ImportOutcome(schema=result.schema, warnings=result.warnings, notes=result.notes, experiment=info)

    def export_ddl(self, name: str, dialect: str, *, checks: bool = True) -> str:
        from dw_simulator.ddl import export_ddl

        return export_ddl(self.get_schema(name), dialect, checks=checks)

    # -- connecting users' own clients --------------------------------------------------------------------
    def connection_settings(self, name: str | None = None) -> dict[str, Any]:
        """Ready-to-paste settings for the local Redshift and Snowflake endpoints (psql URL, redshift_connector,
        SQLAlchemy URLs, dbt profiles), for one experiment's data when `name` is given."""
        database = self.get_experiment(name).info.name if name else None
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
    ) -> RunInfo:
        """Generate data for every table, then load it into the experiment's warehouse, replacing the old data
        atomically. A failure or cancellation leaves the previous data and metadata as they were."""
        from dw_simulator.generator import GenerationCancelled, generate_experiment

        self.recover_interrupted_runs(only_dead_owners=True)
        schema = self.get_schema(name)
        overrides = self._check_overrides(schema, rows or {})
        if seed is not None and not 0 <= seed <= MAX_SEED:
            raise SchemaValidationError(f"seed must be between 0 and {MAX_SEED}, got {seed}")
        seed = secrets.randbelow(2**31) if seed is None else seed
        workers = workers or self.settings.workers
        with self.metadata.session() as session:
            experiment = self.metadata.get_experiment(session, name)
            run = self.metadata.create_run(session, experiment, seed=seed, workers=workers, row_overrides=overrides)
            run_id, _exp_id, target = run.id, experiment.id, experiment.target_warehouse
        out_dir = self.settings.generated_dir / schema.name / f"run-{run_id:06d}"
        self.metadata.update_run(
            run_id, status="RUNNING", started_at=now(), output_path=str(out_dir), owner_pid=os.getpid()
        )
        if on_start is not None:
            on_start(run_id)
        token = log_context.set({**(log_context.get() or {}), "run_id": run_id, "experiment": schema.name})
        observation = obs.RunObservation(schema.name, run_id, target, seed=seed, workers=workers)
        progress_state: dict[str, dict[str, int]] = {}
        last_write = [0.0]

        def on_progress(event: ProgressEvent) -> None:
            observation.progress(event)
            progress_state[event.table] = {"rows_done": event.rows_done, "rows_total": event.rows_total}
            if time.monotonic() - last_write[0] > 0.5 or event.rows_done >= event.rows_total:
                last_write[0] = time.monotonic()
                self.metadata.update_run(run_id, progress={**progress_state, "phase": "generate"})
            if progress is not None:
                progress(event)

        try:
            log.info("generation started", extra={"seed": seed, "workers": workers})
            with observation.phase("generation"):
                result = generate_experiment(
                    schema,
                    out_dir,
                    seed=seed,
                    row_overrides=overrides,
                    workers=workers,
                    batch_size=batch_size or self.settings.batch_size,
                    progress=on_progress,
                    cancel=cancel,
                )
            if cancel is not None and cancel.is_set():
                raise GenerationCancelled("cancelled")
            self.metadata.update_run(run_id, progress={**progress_state, "phase": "load"})
            backend = self.backend(target)
            files = {name_: out.files for name_, out in result.tables.items()}
            with observation.phase("load"):
                loaded = backend.load_tables(schema, files)
            profile = {
                t.name: [p.to_dict() for p in backend.profile_table(schema.name, t)]
                for t in schema.tables
                if t.name in loaded
            }
            with self.metadata.session() as session:
                experiment = self.metadata.get_experiment(session, name)
                for row in experiment.tables:
                    if row.table_name in loaded:
                        row.row_count = loaded[row.table_name]
                db_run = self.metadata.get_run(session, run_id)
                db_run.status = "COMPLETED"
                db_run.finished_at = now()
                db_run.row_counts = json.dumps(loaded)
                db_run.profile = json.dumps(profile, default=str)
                db_run.progress = json.dumps({**progress_state, "phase": "done"})
            self._prune_old_runs(schema.name, keep=out_dir)
            log.info("generation completed", extra={"rows": sum(loaded.values())})
            observation.finish("COMPLETED", rows=loaded)
        except (GenerationCancelled, KeyboardInterrupt):
            shutil.rmtree(out_dir, ignore_errors=True)
            self.metadata.update_run(run_id, status="CANCELLED", finished_at=now(), error_message="cancelled")
            log.warning("generation cancelled")
            observation.finish("CANCELLED")
        except BaseException as exc:
            shutil.rmtree(out_dir, ignore_errors=True)
            message = exc.message if isinstance(exc, DwSimError) else f"{type(exc).__name__}: {exc}"
            snippet = "".join(traceback.format_exception(exc)[-12:])[-4000:]
            self.metadata.update_run(
                run_id, status="FAILED", finished_at=now(), error_message=message, error_traceback=snippet
            )
            log.error("generation failed", extra={"error": message})
            observation.finish("FAILED", error=exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            observation.finish("FAILED")  # no-op unless a branch above could not record the outcome
            log_context.reset(token)
        return self.get_run(run_id)

    def _check_overrides(self, schema: ExperimentSchema, rows: dict[str, int]) -> dict[str, int]:
        overrides: dict[str, int] = {}
        for table_name, count in rows.items():
            table = schema.table(table_name)
            if table is None:
                known = ", ".join(t.name for t in schema.tables)
                raise SchemaValidationError(
                    f"--rows names table '{table_name}', which experiment '{schema.name}' does not have "
                    f"(tables: {known})"
                )
            if count < 0:
                raise SchemaValidationError(f"--rows {table_name}={count}: the row count must be >= 0")
            overrides[table.name] = count
        for table in schema.tables:
            for column, message in table.capacity_problems(overrides.get(table.name, table.target_rows)):
                raise SchemaValidationError(f"table '{table.name}', column '{column}': {message}")
        return overrides

    def _prune_old_runs(self, experiment: str, keep: Path) -> None:
        root = self.settings.generated_dir / experiment
        if not root.is_dir():
            return
        for child in root.iterdir():
            if child.is_dir() and child != keep:
                shutil.rmtree(child, ignore_errors=True)

    def get_run(self, run_id: int) -> RunInfo:
        with self.metadata.session() as session:
            run = self.metadata.get_run(session, run_id)
            return RunInfo.from_row(run, run.experiment.name)

    def list_runs(self, name: str, limit: int = 50) -> list[RunInfo]:
        with self.metadata.session() as session:
            experiment = self.metadata.get_experiment(session, name)
            return [RunInfo.from_row(r, experiment.name) for r in self.metadata.list_runs(session, experiment, limit)]

    def recover_interrupted_runs(self, *, only_dead_owners: bool = False) -> list[int]:
        """Mark runs left PENDING/RUNNING by a crash or kill as FAILED ("interrupted") and remove their files.

        With `only_dead_owners`, a run is only touched when the process that owned it is gone.
        """
        recovered: list[int] = []
        with self.metadata.session() as session:
            for run in self.metadata.interrupted_runs(session):
                if only_dead_owners and (run.owner_pid is None or _pid_alive(run.owner_pid)):
                    continue
                run.status = "FAILED"
                run.finished_at = now()
                run.error_message = "interrupted: the process running it stopped before it finished"
                if run.output_path:
                    shutil.rmtree(run.output_path, ignore_errors=True)
                recovered.append(run.id)
        return recovered


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
