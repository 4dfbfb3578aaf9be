"""Settling runs: a run that stopped (failed, cancelled, or its process killed) is finished or undone by looking at
the warehouse, so the metadata and the data always name the same run (docs/architecture.md, "Recovery").

`settle_run` asks the backend which run is current: if it is this run, the commit happened and the run is finished
(COMPLETED, with the row counts recorded before the swap); otherwise it is undone (FAILED or CANCELLED), and what
it left in the warehouse, the staging area and the generated folder is removed. `recover_runs` settles the active
runs whose owner process is gone; `sweep` removes what replaced, failed or killed runs left behind.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dw_simulator import crashpoints, run_output
from dw_simulator.backends.base import run_key
from dw_simulator.errors import DwSimError
from dw_simulator.metadata.owners import owner_gone
from dw_simulator.metadata.reader import ACTIVE_STATUSES

if TYPE_CHECKING:
    from dw_simulator.backends import WarehouseBackend
    from dw_simulator.config import Settings
    from dw_simulator.metadata.store import MetadataStore

log = logging.getLogger("dw_simulator.service")
INTERRUPTED = "interrupted: the process running it stopped before it finished"
BackendFor = Callable[[str], "WarehouseBackend"]


def finish_run(
    metadata: MetadataStore,
    run_id: int,
    *,
    loaded: dict[str, int] | None = None,
    progress: dict[str, Any] | None = None,
    note: str | None = None,
) -> bool:
    """Record a committed run as COMPLETED with its row counts, in one transaction; False if it was settled
    already (another process recovered it)."""
    from dw_simulator.metadata.store import now

    with metadata.session() as session:
        run = metadata.get_run(session, run_id)
        if run.status not in ACTIVE_STATUSES:
            return run.status == "COMPLETED"
        counts = loaded if loaded is not None else json.loads(run.row_counts or "{}")
        for row in run.experiment.tables:
            if row.table_name in counts:
                row.row_count = counts[row.table_name]
        run.status = "COMPLETED"
        run.finished_at = now()
        run.row_counts = json.dumps(counts)
        state = progress if progress is not None else json.loads(run.progress or "{}")
        run.progress = json.dumps({**state, "phase": "done"}, default=str)
        run.error_message = note
    return True


def settle_run(
    settings: Settings,
    metadata: MetadataStore,
    backend_for: BackendFor,
    run_id: int,
    *,
    status: str,
    message: str,
    traceback: str | None = None,
) -> str | None:
    """Finish the run if the warehouse committed it, else mark it `status` and remove what it left. Returns the
    outcome, or None when the warehouse cannot say (the run is then left as it is, for a later try)."""
    from dw_simulator.metadata.store import now

    with metadata.session() as session:
        run = metadata.get_run(session, run_id)
        if run.status not in ACTIVE_STATUSES:
            return str(run.status)
        experiment, target, output = run.experiment.name, run.experiment.target_warehouse, run.output_path
    key = run_key(run_id)
    try:
        backend = backend_for(target)
        current = backend.current_run(experiment)
    except DwSimError as exc:
        log.warning("cannot settle the run: the warehouse is unreachable", extra={"run_id": run_id, "error": str(exc)})
        return None
    if current == key:
        finish_run(metadata, run_id, note=None if status == "COMPLETED" else "completed: the commit had happened")
        log.info("run finished by recovery: its commit had happened", extra={"run_id": run_id})
        sweep(settings, metadata, backend, experiment)
        return "COMPLETED"
    try:
        backend.discard_run(experiment, key)
    except DwSimError as exc:  # what is left is swept later
        log.warning("could not discard the run's data", extra={"run_id": run_id, "error": str(exc)})
    if output:
        run_output.remove(settings, output)
    with metadata.session() as session:
        run = metadata.get_run(session, run_id)
        if run.status in ACTIVE_STATUSES:
            run.status = status
            run.finished_at = now()
            run.error_message = message
            run.error_traceback = traceback
    sweep(settings, metadata, backend, experiment)
    return status


def recover_runs(
    settings: Settings, metadata: MetadataStore, backend_for: BackendFor, *, only_dead_owners: bool
) -> list[int]:
    """Settle the active runs whose owner is gone (every active run without `only_dead_owners`)."""
    with metadata.session() as session:
        candidates = [
            r.id
            for r in metadata.interrupted_runs(session)
            if not only_dead_owners or owner_gone(r.owner_pid, r.owner_host, r.owner_started)
        ]
    recovered = []
    for run_id in candidates:
        outcome = settle_run(settings, metadata, backend_for, run_id, status="FAILED", message=INTERRUPTED)
        if outcome is not None:
            recovered.append(run_id)
    if recovered:
        log.warning("settled runs whose process had stopped", extra={"runs": recovered})
    return recovered


def sweep(settings: Settings, metadata: MetadataStore, backend: WarehouseBackend, experiment: str) -> list[str]:
    """Remove what runs that are neither current nor in progress left: their warehouse data, staged objects and
    generated folders. Returns the run keys discarded. Best effort: a failure is logged, not raised."""
    with metadata.session() as session:
        found = metadata.find_experiment(session, experiment)
        if found is None:
            return []
        active = {run_key(r.id) for r in found.runs if r.status in ACTIVE_STATUSES}
    discarded = []
    try:
        current = backend.current_run(experiment)
        if current is None and not backend.capabilities.run_swap:
            current = _last_completed(metadata, experiment)
        for key in backend.leftover_runs(experiment):
            if key != current and key not in active:
                crashpoints.reached("sweeping")
                backend.discard_run(experiment, key)
                discarded.append(key)
    except DwSimError as exc:
        log.warning("could not sweep old runs", extra={"experiment": experiment, "error": str(exc)})
        return discarded
    prune_outputs(settings, metadata, experiment, keep=active | ({current} if current else set()))
    if discarded:
        log.info("removed what old runs left", extra={"experiment": experiment, "runs": discarded})
    return discarded


def prune_outputs(settings: Settings, metadata: MetadataStore, experiment: str, *, keep: set[str]) -> None:
    """Remove the parts of the experiment's runs except those of the runs in `keep`, wherever they were written
    (the generated folder, a shared `run_destination` folder, an `s3://` prefix)."""
    with metadata.session() as session:
        found = metadata.find_experiment(session, experiment)
        outputs = [(run_key(r.id), r.output_path) for r in found.runs if r.output_path] if found is not None else []
    kept = {str(path).rstrip("/") for key, path in outputs if key in keep}
    for key, path in outputs:
        if key not in keep and str(path).rstrip("/") not in kept:
            run_output.remove(settings, path)
    roots = {settings.generated_dir / experiment}
    if settings.run_destination and not settings.run_destination.lower().startswith("s3://"):
        roots.add(Path(settings.run_destination).expanduser() / experiment)
    for root in roots:
        if root.is_dir():
            for child in root.iterdir():
                if child.is_dir() and child.name.startswith("run-") and child.name not in keep:
                    shutil.rmtree(child, ignore_errors=True)


def _last_completed(metadata: MetadataStore, experiment: str) -> str | None:
    """The run readers see on a backend that does not record runs: the metadata's last completed one."""
    with metadata.session() as session:
        found = metadata.find_experiment(session, experiment)
        done = [r.id for r in found.runs if r.status == "COMPLETED"] if found is not None else []
    return run_key(max(done)) if done else None
