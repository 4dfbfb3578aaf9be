"""A planning problem the user can fix: one located `Problem`, raised while a plan is built and turned into a
`SchemaValidationError` by `plan.build_plan`."""

from __future__ import annotations

from dw_simulator.errors import Problem
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.table_schema import TableSchema


class PlanError(Exception):
    """Internal: one located problem, turned into `SchemaValidationError` by `build_plan`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def plan_problem(message: str, table: TableSchema | None = None, column: ColumnSchema | None = None,
             field: str | None = None) -> PlanError:  # fmt: skip
    return PlanError(
        Problem(message, table=table.name if table else None, column=column.name if column else None, field=field)
    )
