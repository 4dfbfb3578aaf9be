"""One generation run, for the service layer: generate Parquet, load it into the warehouse, record the outcome.

`Simulator.generate` calls `run_generation`; nothing else should. The run reports two kinds of progress: the
generator's rows per table (`ProgressCallback`), and its phases (`PhaseCallback` with a `PhaseEvent`: `generate`,
then `load` with the tables loaded so far), which are also written to the run's `progress` in the metadata, where
the API's event stream reads them. Column profiles are not computed here: the service computes them when they are
first asked for, so a run costs its generation and load only.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dw_simulator import observability as obs
from dw_simulator import run_output
from dw_simulator.errors import DwSimError, SchemaValidationError
from dw_simulator.logs import log_context

if TYPE_CHECKING:
    from dw_simulator.backends import WarehouseBackend
    from dw_simulator.config import Settings
    from dw_simulator.generator import ProgressEvent
    from dw_simulator.metadata.store import MetadataStore
    from dw_simulator.schema import ExperimentSchema

import logging

log = logging.getLogger("dw_simulator.service")
MAX_SEED = 2**63 - 1
ProgressCallback = Callable[["ProgressEvent"], None]


@dataclass(frozen=True)
class PhaseEvent:
    """A run's phase: `generate`, or `load` (`done` of `total` tables loaded; `table` the one being loaded)."""

    phase: str
    done: int
    total: int
    table: str | None = None


PhaseCallback = Callable[[PhaseEvent], None]


def run_generation(
    settings: Settings,
    metadata: MetadataStore,
    backend_for: Callable[[str], WarehouseBackend],
    schema: ExperimentSchema,
    *,
    rows: dict[str, int],
    seed: int | None,
    workers: int | None,
    batch_size: int | None,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    on_start: Callable[[int], None] | None,
    on_phase: PhaseCallback | None,
    executor: str | None = None,
    scheduler: str | None = None,
) -> int:
    """Run one generation of `schema`'s experiment; returns the run id (its outcome is in the metadata).

    `executor` (default: the `executor` setting) runs the work units: `local` (`workers` processes) or `dask`
    (the scheduler at `scheduler` / `dask_scheduler`, else a LocalCluster of `dask_workers` processes). Parts go to
    the `run_destination` setting (a shared folder or an `s3://` prefix), straight from the workers."""
    from dw_simulator.generator import GenerationCancelled, generate_experiment
    from dw_simulator.metadata.store import now

    overrides = check_overrides(schema, rows)
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise SchemaValidationError(f"seed must be between 0 and {MAX_SEED}, got {seed}")
    seed = secrets.randbelow(2**31) if seed is None else seed
    run_executor = run_output.executor(settings, executor, scheduler, workers)
    workers = run_executor.workers or workers or settings.workers
    with metadata.session() as session:
        experiment = metadata.get_experiment(session, schema.name)
        run = metadata.create_run(session, experiment, seed=seed, workers=workers, row_overrides=overrides)
        run_id, target = run.id, experiment.target_warehouse
    destination = run_output.destination(settings, schema.name, run_id)
    out_dir = destination.root
    metadata.update_run(run_id, status="RUNNING", started_at=now(), output_path=out_dir, owner_pid=os.getpid())
    if on_start is not None:
        on_start(run_id)
    token = log_context.set({**(log_context.get() or {}), "run_id": run_id, "experiment": schema.name})
    observation = obs.RunObservation(schema.name, run_id, target, seed=seed, workers=workers)
    progress_state: dict[str, Any] = {}
    last_write = [0.0]

    def phase(event: PhaseEvent) -> None:
        progress_state.update(phase=event.phase, phase_done=event.done, phase_total=event.total)
        metadata.update_run(run_id, progress=progress_state)
        if on_phase is not None:
            on_phase(event)

    def on_progress(event: ProgressEvent) -> None:
        observation.progress(event)
        progress_state[event.table] = {"rows_done": event.rows_done, "rows_total": event.rows_total}
        if time.monotonic() - last_write[0] > 0.5 or event.rows_done >= event.rows_total:
            last_write[0] = time.monotonic()
            metadata.update_run(run_id, progress=progress_state)
        if progress is not None:
            progress(event)

    try:
        log.info("generation started", extra={"seed": seed, "workers": workers, "executor": run_executor.name})
        phase(PhaseEvent("generate", 0, len(schema.tables)))
        with observation.phase("generation"):
            result = generate_experiment(
                schema,
                destination,
                seed=seed,
                row_overrides=overrides,
                batch_size=batch_size or settings.batch_size,
                progress=on_progress,
                cancel=cancel,
                executor=run_executor,
            )
        if cancel is not None and cancel.is_set():
            raise GenerationCancelled("cancelled")
        if result.workers != workers:  # a Dask cluster's size is known once the run has reached it
            metadata.update_run(run_id, workers=result.workers)
        files = {name_: out.locations for name_, out in result.tables.items()}
        phase(PhaseEvent("load", 0, len(files), next(iter(files), None)))
        with observation.phase("load"):
            loaded = backend_for(target).load_tables(schema, files)
        phase(PhaseEvent("load", len(files), len(files)))
        with metadata.session() as session:
            experiment = metadata.get_experiment(session, schema.name)
            for row in experiment.tables:
                if row.table_name in loaded:
                    row.row_count = loaded[row.table_name]
            db_run = metadata.get_run(session, run_id)
            db_run.status = "COMPLETED"
            db_run.finished_at = now()
            db_run.row_counts = json.dumps(loaded)
            db_run.progress = json.dumps({**progress_state, "phase": "done"})
        prune_old_runs(settings, metadata, schema.name, keep=out_dir)
        log.info("generation completed", extra={"rows": sum(loaded.values())})
        observation.finish("COMPLETED", rows=loaded)
    except (GenerationCancelled, KeyboardInterrupt):
        run_output.remove(settings, out_dir)
        metadata.update_run(run_id, status="CANCELLED", finished_at=now(), error_message="cancelled")
        log.warning("generation cancelled")
        observation.finish("CANCELLED")
    except BaseException as exc:
        run_output.remove(settings, out_dir)
        message = exc.message if isinstance(exc, DwSimError) else f"{type(exc).__name__}: {exc}"
        snippet = "".join(traceback.format_exception(exc)[-12:])[-4000:]
        metadata.update_run(run_id, status="FAILED", finished_at=now(), error_message=message, error_traceback=snippet)
        log.error("generation failed", extra={"error": message})
        observation.finish("FAILED", error=exc)
        if not isinstance(exc, Exception):
            raise
    finally:
        observation.finish("FAILED")  # no-op unless a branch above could not record the outcome
        log_context.reset(token)
    return run_id


def check_overrides(schema: ExperimentSchema, rows: dict[str, int]) -> dict[str, int]:
    overrides: dict[str, int] = {}
    for table_name, count in rows.items():
        table = schema.table(table_name)
        if table is None:
            known = ", ".join(t.name for t in schema.tables)
            raise SchemaValidationError(
                f"--rows names table '{table_name}', which experiment '{schema.name}' does not have (tables: {known})"
            )
        if count < 0:
            raise SchemaValidationError(f"--rows {table_name}={count}: the row count must be >= 0")
        overrides[table.name] = count
    for table in schema.tables:
        for column, message in table.capacity_problems(overrides.get(table.name, table.target_rows)):
            raise SchemaValidationError(f"table '{table.name}', column '{column}': {message}")
    return overrides


def prune_old_runs(settings: Settings, metadata: MetadataStore, experiment: str, keep: str) -> None:
    """Remove the experiment's other runs' parts (their data is replaced now), wherever they were written."""
    with metadata.session() as session:
        runs = metadata.get_experiment(session, experiment).runs
        older = [r.output_path for r in runs if r.output_path and r.output_path != keep]
    for path in older:
        run_output.remove(settings, path)
    root = settings.generated_dir / experiment
    if root.is_dir():
        for child in root.iterdir():
            if child.is_dir() and str(child) != keep:
                shutil.rmtree(child, ignore_errors=True)


def recover_runs(metadata: MetadataStore, *, only_dead_owners: bool, settings: Settings | None = None) -> list[int]:
    """Mark runs left PENDING/RUNNING by a crash or kill as FAILED ("interrupted") and remove their files."""
    from dw_simulator.metadata.store import now

    recovered: list[int] = []
    with metadata.session() as session:
        for run in metadata.interrupted_runs(session):
            if only_dead_owners and (run.owner_pid is None or pid_alive(run.owner_pid)):
                continue
            run.status = "FAILED"
            run.finished_at = now()
            run.error_message = "interrupted: the process running it stopped before it finished"
            if run.output_path and settings is not None:
                run_output.remove(settings, run.output_path)
            elif run.output_path:
                shutil.rmtree(run.output_path, ignore_errors=True)
            recovered.append(run.id)
    return recovered


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
