"""Generation runs in the background: one worker thread per run, cancellable, with live progress for SSE.

The request that starts a run returns as soon as the run exists (202 with its id); the run itself goes on in a
thread with its own `Simulator` (its own warehouse connection, released when the run ends). The metadata store's
partial unique index keeps one active run per experiment, so of two simultaneous starts one gets
`RunInProgressError` (409). Runs that a crash left RUNNING are marked FAILED ("interrupted") at start-up.
"""

from __future__ import annotations

import contextvars
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from dw_simulator.metadata.tables import utcnow
from dw_simulator.service import Simulator

log = logging.getLogger("dw_simulator.api.runs")
INTERRUPTED = "interrupted: the process running it stopped before it finished"
ORPHAN_AFTER_S = 60.0


@dataclass
class ActiveRun:
    """A run this process is executing, as the SSE stream sees it."""

    experiment: str
    cancel: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    run_id: int | None = None
    start_error: BaseException | None = None
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    version: int = 0
    thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on_progress(self, event: Any) -> None:
        table = str(getattr(event, "table", ""))
        with self._lock:
            self.tables[table] = {
                "rows_done": int(getattr(event, "rows_done", 0)),
                "rows_total": int(getattr(event, "rows_total", 0)),
            }
            self.version += 1

    def snapshot(self) -> tuple[int, dict[str, dict[str, int]]]:
        with self._lock:
            return self.version, {k: dict(v) for k, v in self.tables.items()}


class RunManager:
    """Starts, tracks and cancels the runs of this process."""

    def __init__(self, make_simulator: Callable[[], Simulator]) -> None:
        self._make_simulator = make_simulator
        self._runs: dict[int, ActiveRun] = {}
        self._lock = threading.Lock()
        self._closing = False
        self._closing_since: float | None = None

    # -- start-up ------------------------------------------------------------------------------------------------------
    @staticmethod
    def recover(sim: Simulator) -> list[int]:
        """Mark runs a crashed or killed process left active as FAILED ("interrupted") and remove their files.

        Runs whose owner process is still alive (e.g. a `dw-sim experiment generate` in a terminal) are left alone.
        Two kinds of run the service's own check cannot tell are recovered here too: a run recorded under this very
        process id (nothing has started yet, so its owner was an earlier process with the same id — containers
        restart as the same pid), and a run that never recorded an owner and is older than a minute (its process
        died between creating and starting it).
        """
        recovered = sim.recover_interrupted_runs(only_dead_owners=True)
        cutoff = utcnow() - timedelta(seconds=ORPHAN_AFTER_S)
        with sim.metadata.session() as session:
            for run in sim.metadata.interrupted_runs(session):
                if run.owner_pid == os.getpid() or (run.owner_pid is None and run.created_at < cutoff):
                    run.status = "FAILED"
                    run.finished_at = utcnow()
                    run.error_message = INTERRUPTED
                    if run.output_path:
                        shutil.rmtree(run.output_path, ignore_errors=True)
                    recovered.append(run.id)
        if recovered:
            log.warning("marked interrupted runs as failed", extra={"runs": recovered})
        return recovered

    # -- runs ----------------------------------------------------------------------------------------------------------
    def start(
        self,
        experiment: str,
        *,
        rows: dict[str, int] | None = None,
        seed: int | None = None,
        workers: int | None = None,
        batch_size: int | None = None,
        executor: str | None = None,
    ) -> int:
        """Start a run in a worker thread; return its id once it exists. Errors before that (unknown experiment,
        bad overrides, a run already in progress) are raised here."""
        if self._closing:
            from dw_simulator.errors import BackendUnavailableError

            raise BackendUnavailableError("the server is shutting down; no new runs")
        run = ActiveRun(experiment=experiment)
        ctx = contextvars.copy_context()  # request id for the log lines, trace context for the spans
        thread = threading.Thread(
            target=ctx.run,
            args=(
                self._work,
                run,
                {"rows": rows, "seed": seed, "workers": workers, "batch_size": batch_size, "executor": executor},
            ),
            name=f"dwsim-run-{experiment}",
            daemon=True,
        )
        run.thread = thread
        thread.start()
        run.started.wait()
        if run.start_error is not None:
            raise run.start_error
        assert run.run_id is not None
        return run.run_id

    def _work(self, run: ActiveRun, options: dict[str, Any]) -> None:
        sim: Simulator | None = None
        try:
            sim = self._make_simulator()

            def on_start(run_id: int) -> None:
                run.run_id = run_id
                with self._lock:
                    self._runs[run_id] = run
                run.started.set()

            sim.generate(run.experiment, cancel=run.cancel, on_start=on_start, progress=run.on_progress, **options)
        except BaseException as exc:
            if not run.started.is_set():
                run.start_error = exc
            else:  # generate records failures itself; this is a failure of the recording
                log.exception("run ended with an error", extra={"run_id": run.run_id})
        finally:
            if sim is not None:
                sim.release_backends()
            if run.run_id is not None:
                with self._lock:
                    self._runs.pop(run.run_id, None)
            run.done.set()
            run.started.set()

    def get(self, run_id: int) -> ActiveRun | None:
        with self._lock:
            return self._runs.get(run_id)

    def active_count(self) -> int:
        with self._lock:
            return len(self._runs)

    def cancel(self, run_id: int, *, wait_s: float) -> ActiveRun | None:
        """Ask a run of this process to stop and wait up to `wait_s` for it; None if this process does not run it."""
        run = self.get(run_id)
        if run is None:
            return None
        run.cancel.set()
        run.done.wait(wait_s)
        return run

    @property
    def closing_for(self) -> float | None:
        """Seconds since shutdown began, or None while running normally."""
        return None if self._closing_since is None else time.monotonic() - self._closing_since

    def reopen(self) -> None:
        self._closing = False
        self._closing_since = None

    def begin_shutdown(self) -> list[ActiveRun]:
        """Stop taking runs and ask every run to cancel; returns without waiting (safe in a signal handler)."""
        self._closing = True
        if self._closing_since is None:
            self._closing_since = time.monotonic()
        with self._lock:
            runs = list(self._runs.values())
        for run in runs:
            run.cancel.set()
        return runs

    def shutdown(self, wait_s: float = 30.0) -> None:
        """Cancel every run and wait for them to record their end (CANCELLED), so none is left RUNNING."""
        runs = self.begin_shutdown()
        deadline = time.monotonic() + wait_s
        for run in runs:
            run.done.wait(max(0.0, deadline - time.monotonic()))
