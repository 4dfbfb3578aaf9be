"""Work units: the generator's own blocks, `(table, row range)`, each written as one Parquet part.

A unit needs only the plan (the same picklable value in every process) and its row range; it never reads another
table's data, because a foreign key recomputes the parent's key from the parent row index. Units are listed table
by table in the planner's order (parents before children), lazily: listing costs nothing per row, and each unit
holds at most `batch_size` rows in memory while it runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dw_simulator.generator.destination import Destination
from dw_simulator.generator.plan import ExperimentPlan
from dw_simulator.generator.writer import build_batch, dictionary_columns


@dataclass(frozen=True)
class WorkUnit:
    table: int
    """Position of the table in `ExperimentPlan.tables` (the planner's order)."""
    index: int
    """The part number within the table."""
    start: int
    stop: int
    part: str
    """Where the part goes (a path or an `s3://` URL)."""

    @property
    def rows(self) -> int:
        return self.stop - self.start


def unit_count(rows: int, batch_size: int) -> int:
    """Parts a table of `rows` rows is written as (a table with no rows still gets one part, with its schema)."""
    return max(1, -(-rows // batch_size))


def iter_units(plan: ExperimentPlan, destination: Destination, batch_size: int) -> Iterator[WorkUnit]:
    for t_index, table in enumerate(plan.tables):
        for index in range(unit_count(table.rows, batch_size)):
            start = index * batch_size
            stop = min(start + batch_size, table.rows)
            yield WorkUnit(t_index, index, start, stop, destination.part(table.name, index))


def unit_parts(plan: ExperimentPlan, destination: Destination, batch_size: int) -> dict[str, list[str]]:
    """Every part the run writes, per table, in order."""
    return {
        table.name: [destination.part(table.name, i) for i in range(unit_count(table.rows, batch_size))]
        for table in plan.tables
    }


def run_unit(plan: ExperimentPlan, destination: Destination, unit: WorkUnit) -> int:
    """Build the unit's rows and write its part; returns the number of rows written."""
    table = plan.tables[unit.table]
    destination.write(build_batch(table, unit.start, unit.stop), unit.part, dictionary_columns(table))
    return unit.rows
