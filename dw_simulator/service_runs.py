"""One generation run, for the service layer: generate Parquet, load it into the warehouse, record the outcome.

`Simulator.generate` calls `run_generation`; nothing else should. The run reports two kinds of progress: the
generator's rows per table (`ProgressCallback`), and its phases (`PhaseCallback` with a `PhaseEvent`: `generate`,
then `load` with the tables loaded so far), which are also written to the run's `progress` in the metadata, where
the API's event stream reads them. Column profiles are not computed here: the service computes them when they are
first asked for, so a run costs its generation and load only.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dw_simulator import crashpoints, run_output
from dw_simulator import observability as obs
from dw_simulator.backends.base import run_key
from dw_simulator.errors import DwSimError, SchemaValidationError
from dw_simulator.logs import log_context
from dw_simulator.service_recovery import finish_run, prune_outputs, settle_run, sweep

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
    workers = check_workers(settings, workers, executor=executor, scheduler=scheduler)
    check_size(settings, schema, overrides)
    run_executor = run_output.executor(settings, executor, scheduler, workers)
    workers = run_executor.workers or workers or settings.workers
    with metadata.session() as session:
        experiment = metadata.get_experiment(session, schema.name)
        run = metadata.create_run(session, experiment, seed=seed, workers=workers, row_overrides=overrides)
        run_id, target = run.id, experiment.target_warehouse
    destination = run_output.destination(settings, schema.name, run_id)
    out_dir = destination.root
    crashpoints.reached("created")
    metadata.update_run(run_id, status="RUNNING", started_at=now(), output_path=out_dir)
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
        crashpoints.reached("generating")
        observation.progress(event)
        progress_state[event.table] = {"rows_done": event.rows_done, "rows_total": event.rows_total}
        if time.monotonic() - last_write[0] > 0.5 or event.rows_done >= event.rows_total:
            last_write[0] = time.monotonic()
            metadata.update_run(run_id, progress=progress_state)
        if progress is not None:
            progress(event)

    key = run_key(run_id)
    crashpoints.reached("running")
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
        crashpoints.reached("generated")
        if result.workers != workers:  # a Dask cluster's size is known once the run has reached it
            metadata.update_run(run_id, workers=result.workers)
        files = {name_: out.locations for name_, out in result.tables.items()}
        phase(PhaseEvent("load", 0, len(files), next(iter(files), None)))
        backend = backend_for(target)
        with observation.phase("load"):
            loaded = backend.prepare_run(schema, key, files)  # out of readers' sight
        phase(PhaseEvent("load", len(files), len(files)))
        crashpoints.reached("prepared")
        # the intended swap: the counts recovery records if it finds this run current
        metadata.update_run(run_id, row_counts=loaded, progress={**progress_state, "phase": "commit"})
        crashpoints.reached("intended")
        backend.commit_run(schema.name, key)  # the commit point
        crashpoints.reached("committed")
        prune_outputs(settings, metadata, schema.name, keep={key})
        finish_run(metadata, run_id, loaded=loaded, progress=progress_state)
        crashpoints.reached("completed")
        sweep(settings, metadata, backend, schema.name)
        log.info("generation completed", extra={"rows": sum(loaded.values())})
        observation.finish("COMPLETED", rows=loaded)
    except (GenerationCancelled, KeyboardInterrupt):
        outcome = settle_run(settings, metadata, backend_for, run_id, status="CANCELLED", message="cancelled")
        log.warning("generation cancelled", extra={"outcome": outcome})
        observation.finish("COMPLETED" if outcome == "COMPLETED" else "CANCELLED")
    except BaseException as exc:
        message = exc.message if isinstance(exc, DwSimError) else f"{type(exc).__name__}: {exc}"
        snippet = "".join(traceback.format_exception(exc)[-12:])[-4000:]
        outcome = settle_run(
            settings, metadata, backend_for, run_id, status="FAILED", message=message, traceback=snippet
        )
        if outcome is None:  # the warehouse cannot tell whether it committed: record the failure as it is
            metadata.update_run(
                run_id, status="FAILED", finished_at=now(), error_message=message, error_traceback=snippet
            )
            run_output.remove(settings, out_dir)
        log.error("generation failed", extra={"error": message, "outcome": outcome})
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


def check_workers(
    settings: Settings, requested: int | None, *, executor: str | None = None, scheduler: str | None = None
) -> int | None:
    """The run's worker count on this machine: at most `max_workers` (default: the CPU cores). The configured
    default is capped silently; an explicit request above the cap is refused. A running Dask scheduler's cluster is
    sized by whoever runs it (None: no count asked of it)."""
    chosen = executor or ("dask" if scheduler else settings.executor)
    if chosen == "dask":
        if scheduler or settings.dask_scheduler:
            return requested
        requested = requested if requested is not None else settings.dask_workers
        if requested is None:
            return None  # a LocalCluster of one worker per core
    cap = settings.max_workers or os.cpu_count() or 1
    if requested is None:
        return max(1, min(settings.workers, cap))
    if requested < 1:
        raise SchemaValidationError(f"workers must be at least 1, got {requested}")
    if requested > cap:
        where = "DW_SIM_MAX_WORKERS" if settings.max_workers else f"this machine's {cap} CPU cores (DW_SIM_MAX_WORKERS)"
        raise SchemaValidationError(
            f"workers={requested} is more than {cap} allowed by {where}: more processes than cores only compete "
            "for them; raise DW_SIM_MAX_WORKERS to allow it"
        )
    return requested


def check_size(settings: Settings, schema: ExperimentSchema, overrides: dict[str, int]) -> None:
    """Refuse at once a run bigger than `max_rows_per_run` (row counts a foreign key's cardinality decides are
    estimated from their parents')."""
    from dw_simulator.generator import planned_rows

    total = sum(planned_rows(schema, overrides).values())
    if total > settings.max_rows_per_run:
        raise SchemaValidationError(
            f"this run would generate {total:,} rows, more than max_rows_per_run ({settings.max_rows_per_run:,}); "
            "ask for fewer (--rows TABLE=N) or raise DW_SIM_MAX_ROWS_PER_RUN",
            details=[{"field": "rows", "message": "too many rows", "rows": total}],
        )
