"""`generate_experiment`: plan once, then write every table part by part, through an executor.

Determinism: the plan fixes every parameter and each value is a pure function of (seed, table, column, row
index), so the Parquet content is identical whatever the batch size, the executor (this process, a process pool,
a Dask cluster), the number of workers or the order in which parts finish. Parts are independent work units
(`units`): a worker needs only the plan (sent once) and a row range, never another table's data. Memory stays
bounded by one batch per worker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dw_simulator.errors import DwSimError
from dw_simulator.generator.dask_executor import DaskExecutor
from dw_simulator.generator.destination import Destination, destination_for
from dw_simulator.generator.executors import EXECUTORS, Executor, GenerationCancelled, LocalExecutor
from dw_simulator.generator.plan import ExperimentPlan, build_plan
from dw_simulator.generator.units import WorkUnit, iter_units, unit_count, unit_parts
from dw_simulator.schema.experiment_schema import ExperimentSchema

DEFAULT_BATCH_SIZE = 100_000
__all__ = ["DEFAULT_BATCH_SIZE", "GenerationCancelled", "GenerationResult", "ProgressEvent", "TableOutput",
           "executor_for", "generate_experiment"]  # fmt: skip


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
    parts: list[str]
    """Every part's location, in order: paths in a folder destination, `s3://` URLs on S3."""
    columns: list[str]
    local: bool = True

    @property
    def files(self) -> list[Path]:
        """The parts as local paths (a folder destination only)."""
        if not self.local:
            raise ValueError(f"table '{self.name}' was written to S3; use .parts for its object URLs")
        return [Path(p) for p in self.parts]

    @property
    def locations(self) -> list[Path | str]:
        """What a warehouse loads: local paths, or `s3://` URLs."""
        return [Path(p) for p in self.parts] if self.local else list(self.parts)


@dataclass
class GenerationResult:
    tables: dict[str, TableOutput]
    """In generation order (parents before children)."""
    seconds: float
    seed: int
    workers: int = 1
    batch_size: int = DEFAULT_BATCH_SIZE
    executor: str = "local"
    destination: str = ""

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())

    @property
    def files(self) -> list[Path]:
        return [f for t in self.tables.values() for f in t.files]


class _Progress:
    def __init__(self, plan: ExperimentPlan, batch_size: int, callback: Callable[[ProgressEvent], None] | None) -> None:
        self.plan = plan
        self.callback = callback
        self.batches_total = [unit_count(t.rows, batch_size) for t in plan.tables]
        self.rows_done = [0] * len(plan.tables)
        self.batches_done = [0] * len(plan.tables)

    def done(self, unit: WorkUnit) -> None:
        i = unit.table
        self.rows_done[i] += unit.rows
        self.batches_done[i] += 1
        if self.callback is not None:
            table = self.plan.tables[i]
            self.callback(ProgressEvent(table.name, self.rows_done[i], table.rows, self.batches_done[i],
                                        self.batches_total[i]))  # fmt: skip


def generate_experiment(
    schema: ExperimentSchema,
    out_dir: Path | str | Destination,
    *,
    seed: int,
    row_overrides: dict[str, int] | None = None,
    workers: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[ProgressEvent], None] | None = None,
    cancel: threading.Event | None = None,
    executor: Executor | None = None,
) -> GenerationResult:
    """Generate every table of `schema` as Parquet parts `<out_dir>/<table>/part-NNNNN.parquet`.

    `out_dir` is a folder, an `s3://bucket/prefix` URL (reached with the default S3 options) or a `Destination`.
    `row_overrides` replaces tables' `target_rows` (names case-insensitive), except for tables whose row count a
    foreign key's `cardinality` decides. Batches of `batch_size` rows become one part each; `executor` runs them
    (default: `LocalExecutor(workers)`: this process, or a pool of `workers` processes). `progress` is called in
    this process after each part; `cancel` stops the run.

    Raises `SchemaValidationError` (before writing anything) when the request cannot be met, and
    `GenerationCancelled` when `cancel` is set; on any failure the parts this call wrote are removed.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, not {batch_size}")
    if executor is None:
        executor = LocalExecutor(workers)
    destination = out_dir if isinstance(out_dir, Destination) else destination_for(out_dir)
    started = time.perf_counter()
    plan = build_plan(schema, seed, row_overrides)
    if cancel is not None and cancel.is_set():
        raise GenerationCancelled("generation was cancelled before it started")
    parts = unit_parts(plan, destination, batch_size)
    all_parts = [p for table_parts in parts.values() for p in table_parts]

    def check() -> None:
        if cancel is not None and cancel.is_set():
            raise GenerationCancelled("generation was cancelled")

    reporter = _Progress(plan, batch_size, progress)
    try:
        destination.prepare([t.name for t in plan.tables])
        total_units = sum(reporter.batches_total)
        chosen = LocalExecutor(1) if isinstance(executor, LocalExecutor) and total_units <= 1 else executor
        chosen.run(plan, destination, iter_units(plan, destination, batch_size), reporter.done, check)
        destination.finish(all_parts)
    except BaseException:
        destination.cleanup(all_parts)
        raise
    outputs: dict[str, TableOutput] = {}
    for table in plan.tables:
        outputs[table.name] = TableOutput(table.name, table.rows, parts[table.name], [c.name for c in table.columns],
                                          local=destination.is_local)  # fmt: skip
    return GenerationResult(outputs, time.perf_counter() - started, seed, executor.workers, batch_size,
                            executor=executor.name, destination=destination.root)  # fmt: skip


def executor_for(
    name: str,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = 30.0,
) -> Executor:
    """The executor called `name`: `local` (a pool of `workers` processes, default 1) or `dask` (the running
    scheduler at `scheduler`, e.g. `tcp://host:8786`; without one a LocalCluster of `workers` processes, default
    one per core). Raises `DwSimError` for an unknown name, `MissingDependencyError` without `dw-sim[dask]`."""
    if name == "local":
        if scheduler:
            raise DwSimError("a Dask scheduler address was given, but the executor is 'local'; use --executor dask")
        return LocalExecutor(workers or 1)
    if name == "dask":
        return DaskExecutor(scheduler=scheduler, workers=workers, connect_timeout=connect_timeout)
    raise DwSimError(f"unknown executor '{name}'; use one of {', '.join(EXECUTORS)}")
