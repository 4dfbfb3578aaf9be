"""Progress bars on standard error for long commands: a generation run (rows per table, then the load) and a DDL
import (statements read). Off when standard error is not a terminal or the command prints JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from dw_simulator.cli.common import err_console

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from dw_simulator.service_runs import PhaseEvent


def _bars(*, enabled: bool, total_column: bool = True) -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn() if total_column else TextColumn(""),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not enabled,
        transient=False,
    )


class RunBars:
    """One bar per table while it is generated (rows), then one for the load into the warehouse (tables)."""

    def __init__(self, bars: Progress) -> None:
        self.bars = bars
        self.tables: dict[str, TaskID] = {}
        self.phase_task: TaskID | None = None

    def on_progress(self, event: Any) -> None:
        """A generator ProgressEvent: rows done of a table."""
        table = str(event.table)
        if table not in self.tables:
            self.tables[table] = self.bars.add_task(table, total=event.rows_total)
        self.bars.update(self.tables[table], completed=event.rows_done)

    def on_phase(self, event: PhaseEvent) -> None:
        if event.phase == "generate":
            return  # the per-table bars show it
        label = f"{event.phase} ({event.total} table(s))" if event.total else event.phase
        if self.phase_task is None:
            # total None: an indeterminate (pulsing) bar while the warehouse works, with the elapsed time running
            self.phase_task = self.bars.add_task(label, total=None if event.done < event.total else event.total)
        if event.done >= event.total:
            self.bars.update(self.phase_task, description=label, total=event.total, completed=event.done)
        else:
            self.bars.update(self.phase_task, description=label)


@contextmanager
def run_progress(*, enabled: bool) -> Iterator[RunBars]:
    with _bars(enabled=enabled) as bars:
        yield RunBars(bars)


@contextmanager
def counted_progress(label: str, *, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """`on_progress(done, total)` driving one bar, shown from its first call (none when the work never starts);
    None when off. For `Simulator.import_sql` (statements read) and `get_experiment` (tables profiled)."""
    if not enabled:
        yield None
        return
    with _bars(enabled=True) as bars:
        task: list[TaskID] = []

        def on_progress(done: int, total: int) -> None:
            if not task:
                task.append(bars.add_task(label, total=total))
            bars.update(task[0], total=total, completed=done)

        yield on_progress
