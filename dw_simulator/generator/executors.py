"""The executor seam: who runs the work units. `local` (this process, or a pool of worker processes) or `dask`
(a Dask cluster: a LocalCluster sized to the machine, or a running scheduler; see `dask_executor`).

Every executor runs the same units with the same function (`units.run_unit`), so the parts are byte-identical
whichever runs them. An executor reports each finished unit to `done` in the calling thread, and calls `check`
between units; `check` raises `GenerationCancelled` when the caller cancels, and the executor then stops its work
(cancels what is queued, waits for what is running) before the exception leaves `run`.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import ClassVar, Literal

from dw_simulator.generator.destination import Destination
from dw_simulator.generator.plan import ExperimentPlan
from dw_simulator.generator.units import WorkUnit, run_unit

POLL_SECONDS = 0.05
ExecutorName = Literal["local", "dask"]
EXECUTORS: tuple[str, ...] = ("local", "dask")


class GenerationCancelled(Exception):
    """The caller's cancel event was set; nothing this call wrote is left behind."""


Done = Callable[[WorkUnit], None]
Check = Callable[[], None]


class Executor(ABC):
    name: ClassVar[str]

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many units can run at once (for the run's record)."""

    @abstractmethod
    def run(self, plan: ExperimentPlan, destination: Destination, units: Iterator[WorkUnit], done: Done,
            check: Check) -> None:  # fmt: skip
        """Run every unit; call `done(unit)` here as each finishes and `check()` often."""

    def describe(self) -> str:
        return f"{self.name} ({self.workers} worker{'s' if self.workers != 1 else ''})"


class LocalExecutor(Executor):
    """Units in this process (1 worker) or in a pool of `workers` processes on this machine."""

    name = "local"

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, not {workers}")
        self._workers = workers

    @property
    def workers(self) -> int:
        return self._workers

    def run(self, plan: ExperimentPlan, destination: Destination, units: Iterator[WorkUnit], done: Done,
            check: Check) -> None:  # fmt: skip
        if self._workers == 1:
            for unit in units:
                check()
                run_unit(plan, destination, unit)
                done(unit)
            check()
            return
        _run_pool(plan, destination, units, done, check, self._workers)


# -- the process pool ----------------------------------------------------------------------------------------

_WORKER_STATE: tuple[ExperimentPlan, Destination] | None = None


def _init_worker(plan: ExperimentPlan, destination: Destination) -> None:
    global _WORKER_STATE
    _WORKER_STATE = (plan, destination)


def _pool_unit(unit: WorkUnit) -> int:
    assert _WORKER_STATE is not None, "worker started without a plan"
    plan, destination = _WORKER_STATE
    return run_unit(plan, destination, unit)


def start_method() -> str:
    """How worker processes start: `fork` (instant, inherits the plan) when this process runs a single Python thread,
    else `forkserver` (forking a multi-threaded process can deadlock on locks other threads hold).
    `DW_SIM_GENERATOR_START_METHOD` overrides the choice."""
    chosen = os.environ.get("DW_SIM_GENERATOR_START_METHOD")
    if chosen:
        return chosen
    return "fork" if threading.active_count() == 1 else "forkserver"


def _run_pool(plan: ExperimentPlan, destination: Destination, units: Iterator[WorkUnit], done: Done, check: Check,
              workers: int) -> None:  # fmt: skip
    """Run units in a pool of `workers` processes, at most 2 per worker in flight (bounded memory)."""
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])
    in_flight: dict[Future[int], WorkUnit] = {}
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                   initargs=(plan, destination))  # fmt: skip
    try:
        exhausted = False
        while True:
            while not exhausted and len(in_flight) < 2 * workers:
                unit = next(units, None)
                if unit is None:
                    exhausted = True
                    break
                in_flight[executor.submit(_pool_unit, unit)] = unit
            if not in_flight:
                break
            finished, _ = wait(in_flight, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            check()
            for future in finished:
                unit = in_flight.pop(future)
                future.result()
                done(unit)
        check()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
