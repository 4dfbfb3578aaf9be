"""`generate_experiment`: plan once, then write every table batch by batch, in this process or a process pool.

Determinism: the plan fixes every parameter and each value is a pure function of (seed, table, column, row
index), so the Parquet content is identical whatever the batch size, the number of workers or the order in which
batches finish. Batches are independent: a worker needs only the plan (sent once, when the worker starts) and a
row range, never another table's data. Memory stays bounded by one batch per worker.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from dw_simulator.generator.plan import ExperimentPlan, build_plan
from dw_simulator.generator.writer import OutputTracker, part_name, write_batch
from dw_simulator.schema.experiment_schema import ExperimentSchema

DEFAULT_BATCH_SIZE = 100_000
POLL_SECONDS = 0.05


class GenerationCancelled(Exception):
    """The caller's cancel event was set; nothing this call wrote is left behind."""


@dataclass(frozen=True)
class ProgressEvent:
    table: str
    rows_done: int
    rows_total: int
    batches_done: int
    batches_total: int


@dataclass
class TableOutput:
    name: str
    rows: int
    files: list[Path]
    columns: list[str]


@dataclass
class GenerationResult:
    tables: dict[str, TableOutput]
    """In generation order (parents before children)."""
    seconds: float
    seed: int
    workers: int = 1
    batch_size: int = DEFAULT_BATCH_SIZE

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())

    @property
    def files(self) -> list[Path]:
        return [f for t in self.tables.values() for f in t.files]


@dataclass(frozen=True)
class _Task:
    table: int
    batch: int
    start: int
    stop: int
    path: Path


def _tasks(plan: ExperimentPlan, tracker: OutputTracker, batch_size: int) -> list[_Task]:
    tasks: list[_Task] = []
    for t_index, table in enumerate(plan.tables):
        directory = tracker.table_dir(table.name)
        starts = range(0, table.rows, batch_size) if table.rows else range(1)
        for b_index, start in enumerate(starts):
            path = tracker.expect(directory / part_name(b_index))
            tasks.append(_Task(t_index, b_index, start, min(start + batch_size, table.rows), path))
    return tasks


class _Progress:
    def __init__(
        self, plan: ExperimentPlan, tasks: list[_Task], callback: Callable[[ProgressEvent], None] | None
    ) -> None:
        self.plan = plan
        self.callback = callback
        self.batches_total = [0] * len(plan.tables)
        for task in tasks:
            self.batches_total[task.table] += 1
        self.rows_done = [0] * len(plan.tables)
        self.batches_done = [0] * len(plan.tables)

    def done(self, task: _Task) -> None:
        i = task.table
        self.rows_done[i] += task.stop - task.start
        self.batches_done[i] += 1
        if self.callback is not None:
            table = self.plan.tables[i]
            self.callback(ProgressEvent(table.name, self.rows_done[i], table.rows, self.batches_done[i],
                                        self.batches_total[i]))  # fmt: skip


def generate_experiment(
    schema: ExperimentSchema,
    out_dir: Path,
    *,
    seed: int,
    row_overrides: dict[str, int] | None = None,
    workers: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[ProgressEvent], None] | None = None,
    cancel: threading.Event | None = None,
) -> GenerationResult:
    """Generate every table of `schema` as Parquet files under `out_dir/<table>/part-NNNNN.parquet`.

    `row_overrides` replaces tables' `target_rows` (names case-insensitive), except for tables whose row count a
    foreign key's `cardinality` decides. Batches of `batch_size` rows become one file each; with `workers` > 1
    they run in a process pool. `progress` is called in this process after each batch; `cancel` stops the run.

    Raises `SchemaValidationError` (before writing anything) when the request cannot be met, and
    `GenerationCancelled` when `cancel` is set; on any failure the files this call wrote are removed.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, not {workers}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, not {batch_size}")
    started = time.perf_counter()
    plan = build_plan(schema, seed, row_overrides)
    if cancel is not None and cancel.is_set():
        raise GenerationCancelled("generation was cancelled before it started")
    tracker = OutputTracker(Path(out_dir))
    try:
        tasks = _tasks(plan, tracker, batch_size)
        reporter = _Progress(plan, tasks, progress)
        pool_size = min(workers, len(tasks))
        if pool_size <= 1:
            _run_here(plan, tasks, reporter, cancel)
        else:
            _run_pool(plan, tasks, reporter, cancel, pool_size)
    except BaseException:
        tracker.cleanup()
        raise
    outputs: dict[str, TableOutput] = {}
    for t_index, table in enumerate(plan.tables):
        files = [task.path for task in tasks if task.table == t_index]
        outputs[table.name] = TableOutput(table.name, table.rows, files, [c.name for c in table.columns])
    return GenerationResult(outputs, time.perf_counter() - started, seed, workers, batch_size)


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise GenerationCancelled("generation was cancelled")


def _run_here(plan: ExperimentPlan, tasks: list[_Task], reporter: _Progress, cancel: threading.Event | None) -> None:
    for task in tasks:
        _check_cancel(cancel)
        write_batch(plan.tables[task.table], task.start, task.stop, task.path)
        reporter.done(task)
    _check_cancel(cancel)


# -- the process pool ----------------------------------------------------------------------------------------

_WORKER_PLAN: ExperimentPlan | None = None


def _init_worker(plan: ExperimentPlan) -> None:
    global _WORKER_PLAN
    _WORKER_PLAN = plan


def _worker_batch(table: int, start: int, stop: int, path: str) -> int:
    assert _WORKER_PLAN is not None, "worker started without a plan"
    return write_batch(_WORKER_PLAN.tables[table], start, stop, Path(path))


def start_method() -> str:
    """How worker processes start: `fork` (instant, inherits the plan) when this process runs a single Python thread,
    else `forkserver` (forking a multi-threaded process can deadlock on locks other threads hold).
    `DW_SIM_GENERATOR_START_METHOD` overrides the choice."""
    chosen = os.environ.get("DW_SIM_GENERATOR_START_METHOD")
    if chosen:
        return chosen
    return "fork" if threading.active_count() == 1 else "forkserver"


def _run_pool(
    plan: ExperimentPlan, tasks: list[_Task], reporter: _Progress, cancel: threading.Event | None, workers: int
) -> None:
    """Run batches in a pool of `workers` processes, at most 2 per worker in flight (bounded memory)."""
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])
    pending: Iterator[_Task] = iter(tasks)
    in_flight: dict[Future[int], _Task] = {}
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                   initargs=(plan,))  # fmt: skip
    try:
        exhausted = False
        while True:
            while not exhausted and len(in_flight) < 2 * workers:
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                future = executor.submit(_worker_batch, task.table, task.start, task.stop, str(task.path))
                in_flight[future] = task
            if not in_flight:
                break
            done, _ = wait(in_flight, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            _check_cancel(cancel)
            for future in done:
                task = in_flight.pop(future)
                future.result()
                reporter.done(task)
        _check_cancel(cancel)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
