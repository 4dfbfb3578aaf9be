"""The `dask` executor: work units as tasks on a Dask cluster (`dask.distributed`, the `dw-sim[dask]` extra).

With a scheduler address (`tcp://host:8786`, a cluster started by hand, on Kubernetes, YARN or a hosted service)
the client connects to it; without one it starts a LocalCluster of one single-threaded worker process per core
(or `workers`) and closes it afterwards.

The plan and the destination are scattered once to every worker; each task is one unit `(table, row range)` that
builds its rows and writes its part straight to the destination, returning only its row count, so no data passes
through the client. Units are submitted in the planner's order with a bounded window in flight (the scheduler's
memory and a cancel's reach stay small however many units a run has). Progress is reported here as each unit's
future completes.

Lost workers: when a worker dies mid-unit the scheduler runs the unit again elsewhere (up to
`distributed.scheduler.allowed-failures` times); the unit writes the same bytes, and a part appears complete or
not at all, so the output is byte-identical to an undisturbed run.

Cancel: queued units are cancelled at once; a unit already running in a worker thread cannot be interrupted, so
the executor waits (a bounded time) until no worker is still running one of this run's units, and only then lets
the caller remove the parts; nothing is written after `run` returns.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dw_simulator.errors import BackendUnavailableError, DwSimError, MissingDependencyError
from dw_simulator.generator.destination import Destination
from dw_simulator.generator.executors import Check, Done, Executor
from dw_simulator.generator.plan import ExperimentPlan
from dw_simulator.generator.units import WorkUnit, run_unit

log = logging.getLogger(__name__)
POLL_SECONDS = 0.1
DRAIN_SECONDS = 120.0
UNITS_PER_THREAD = 3


def distributed_module() -> Any:
    """`dask.distributed`, or a clear error naming the extra to install."""
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError("the dask executor", "dask", "dask.distributed") from None
    return distributed


@dataclass(frozen=True)
class _RunState:
    """What every unit of a run needs, sent to each worker once."""

    plan: ExperimentPlan
    destination: Destination


# -- worker side -------------------------------------------------------------------------------------------------

_RUNNING: dict[str, int] = {}  # run token -> units of it running in this worker process
_RUNNING_LOCK = threading.Lock()


_CANCELLED: set[str] = set()  # run tokens whose units must not start in this worker process any more


def _dask_unit(state: _RunState, unit: WorkUnit, token: str) -> int:
    with _RUNNING_LOCK:
        if token in _CANCELLED:  # cancelled while queued in this worker: write nothing
            return 0
        _RUNNING[token] = _RUNNING.get(token, 0) + 1
    try:
        return run_unit(state.plan, state.destination, unit)
    finally:
        with _RUNNING_LOCK:
            _RUNNING[token] -= 1
            if not _RUNNING[token]:
                del _RUNNING[token]


def _refuse_units(token: str) -> int:
    """Mark run `token` cancelled in this worker process (called with `client.run`): a unit of it that a worker
    thread picks up from now on returns at once. Returns the units of it still running."""
    with _RUNNING_LOCK:
        _CANCELLED.add(token)
        return _RUNNING.get(token, 0)


def _running_units(token: str | None = None) -> int:
    """Units of run `token` (of any run when None) running in this worker process (called with `client.run`)."""
    with _RUNNING_LOCK:
        return _RUNNING.get(token, 0) if token else sum(_RUNNING.values())


def _worker_pid() -> int:
    return os.getpid()


# -- client side -------------------------------------------------------------------------------------------------


class DaskExecutor(Executor):
    name = "dask"

    def __init__(self, *, scheduler: str | None = None, workers: int | None = None,
                 connect_timeout: float = 30.0) -> None:  # fmt: skip
        if workers is not None and workers < 1:
            raise DwSimError(f"dask workers must be >= 1, not {workers}")
        if scheduler is not None and not scheduler.strip():
            scheduler = None
        self.scheduler = scheduler
        self.requested_workers = workers
        self.connect_timeout = connect_timeout
        self._workers = workers or (0 if scheduler else os.cpu_count() or 1)
        distributed_module()  # fail before planning when the extra is missing

    @property
    def workers(self) -> int:
        return self._workers

    def describe(self) -> str:
        where = self.scheduler or "a LocalCluster"
        return f"dask on {where} ({self._workers} worker{'s' if self._workers != 1 else ''})"

    def _connect(self, distributed: Any) -> tuple[Any, Any]:
        """(client, cluster or None)."""
        if self.scheduler:
            try:
                client = distributed.Client(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise BackendUnavailableError(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {exc} (is `dask scheduler` running, "
                    "and does DW_SIM_DASK_SCHEDULER name it?)"
                ) from None
            return client, None
        cluster = distributed.LocalCluster(
            n_workers=self._workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        try:
            client = distributed.Client(cluster, timeout=self.connect_timeout, set_as_default=False)
        except BaseException:
            cluster.close()
            raise
        return client, cluster

    def run(self, plan: ExperimentPlan, destination: Destination, units: Iterator[WorkUnit], done: Done,
            check: Check) -> None:  # fmt: skip
        distributed = distributed_module()
        client, cluster = self._connect(distributed)
        try:
            try:
                client.wait_for_workers(1, timeout=self.connect_timeout)
            except (OSError, TimeoutError):
                raise BackendUnavailableError(
                    f"the Dask scheduler at {self.scheduler} has no workers (start some with "
                    f"`dask worker {self.scheduler}`)"
                ) from None
            threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
            self._workers = len(client.scheduler_info()["workers"])
            log.info("dask run", extra={"scheduler": self.scheduler or "LocalCluster", "workers": self._workers})
            self._submit_all(client, plan, destination, units, done, check, max(threads, 1))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _submit_all(self, client: Any, plan: ExperimentPlan, destination: Destination,
                    units: Iterator[WorkUnit], done: Done, check: Check, threads: int) -> None:  # fmt: skip
        token = uuid.uuid4().hex[:12]
        state = client.scatter(_RunState(plan, destination), broadcast=True, hash=False)
        window = UNITS_PER_THREAD * threads
        finished: queue.Queue[Any] = queue.Queue()  # futures, put there by Dask's callback thread as they end
        in_flight: dict[Any, WorkUnit] = {}
        try:
            exhausted = False
            while True:
                while not exhausted and len(in_flight) < window:
                    unit = next(units, None)
                    if unit is None:
                        exhausted = True
                        break
                    key = f"dw-sim-unit-{token}-{unit.table}-{unit.index}"
                    future = client.submit(_dask_unit, state, unit, token, key=key, pure=False)
                    in_flight[future] = unit
                    future.add_done_callback(finished.put)
                if not in_flight:
                    break
                ready = []
                with contextlib.suppress(queue.Empty):
                    ready.append(finished.get(timeout=POLL_SECONDS))
                    while True:
                        ready.append(finished.get_nowait())
                check()
                for future in ready:
                    unit = in_flight.pop(future)
                    future.result()  # re-raises the unit's error (or KilledWorker after too many lost workers)
                    done(unit)
            check()
        except BaseException:
            client.cancel(list(in_flight), force=True)
            self._drain(client, token)
            raise
        finally:
            state.release()

    def _drain(self, client: Any, token: str) -> None:
        """Wait until no worker still runs a unit of this run (a cancelled future's thread runs to its end)."""
        deadline = time.monotonic() + DRAIN_SECONDS
        try:  # first stop queued units of the run from starting, so that "none running" stays true once seen
            client.run(_refuse_units, token)
        except Exception as exc:
            log.warning("could not tell the Dask workers to refuse the run's units", extra={"error": str(exc)})
        while time.monotonic() < deadline:
            try:
                running = client.run(_running_units, token)
            except Exception as exc:  # the cluster is gone: nothing more can be written by it
                log.warning("could not ask the Dask workers whether they finished", extra={"error": str(exc)})
                return
            if not any(running.values()):
                return
            time.sleep(POLL_SECONDS)
        log.warning("Dask workers still run units of a cancelled run", extra={"token": token})
