"""Which parent lays a table's rows out, and how: a foreign key's `cardinality` (it decides the row count), or the
parent a composite key follows (the rows asked for, every parent getting children: `ExactLayout`).

`Layouts` finds the laying-out key once per table (`lead`), names the child columns it sets (`keys`), and builds
the layout on first use (`layout`); a composite key's other members tell it how many children a parent can hold
(`cap`), so their tuples stay distinct.
"""

from __future__ import annotations

from typing import Protocol

from dw_simulator.generator.block_counts import LayoutInfeasible
from dw_simulator.generator.columns import ColumnPlan
from dw_simulator.generator.exact_layout import ExactLayout
from dw_simulator.generator.keys import CardinalityLayout
from dw_simulator.generator.link_plans import Lead, composite_lead
from dw_simulator.generator.plan_problem import plan_problem
from dw_simulator.generator.random import stream_key
from dw_simulator.generator.sampling import count_sampler
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.distributions import CategoricalDistribution, EmpiricalDistribution
from dw_simulator.schema.table_schema import TableSchema


class LayoutPlanner(Protocol):
    seed: int

    def target_rows(self, table: TableSchema) -> int: ...

    def rows(self, table: TableSchema) -> int: ...

    def table_named(self, name: str) -> TableSchema: ...

    def column(self, table: TableSchema, column: ColumnSchema) -> ColumnPlan: ...

    def guard(self, token: str, table: TableSchema, column: ColumnSchema | None = None) -> None: ...

    def release(self) -> None: ...


class Layouts:
    def __init__(self, planner: LayoutPlanner) -> None:
        self.planner = planner
        self._cardinality: dict[str, ColumnSchema | None] = {}
        self._leads: dict[str, Lead | None] = {}
        self._layouts: dict[str, CardinalityLayout | None] = {}

    # -- which key ----------------------------------------------------------------------------------------------
    def cardinality_column(self, table: TableSchema) -> ColumnSchema | None:
        """The foreign key whose cardinality decides the table's row count, if any."""
        name = table.name.lower()
        if name not in self._cardinality:
            self._cardinality[name] = _find_cardinality_column(table)
        return self._cardinality[name]

    def lead(self, table: TableSchema) -> Lead | None:
        name = table.name.lower()
        if name not in self._leads:
            column = self.cardinality_column(table)
            if column is not None:
                assert column.foreign_key is not None
                fk = column.foreign_key
                self._leads[name] = Lead((column.name.lower(),), fk.references_table, (fk.references_column.lower(),))
            else:
                self._leads[name] = composite_lead(table)
        return self._leads[name]

    def keys(self, table: TableSchema) -> tuple[str, ...]:
        """The child columns (lower case) the layout sets."""
        lead = self.lead(table)
        return lead.columns if lead is not None else ()

    def decides_rows(self, table: TableSchema) -> bool:
        return self.cardinality_column(table) is not None

    # -- the layout ---------------------------------------------------------------------------------------------
    def layout(self, table: TableSchema, cap: int | None = None) -> CardinalityLayout | None:
        name = table.name.lower()
        if name in self._layouts:
            return self._layouts[name]
        lead = self.lead(table)
        if lead is None:
            self._layouts[name] = None
            return None
        self.planner.guard(f"rows:{name}", table)
        parent_table = self.planner.table_named(lead.parent)
        parent_col = parent_table.column(lead.parent_columns[0])
        assert parent_col is not None
        parent = self.planner.column(parent_table, parent_col)
        parent_rows = self.planner.rows(parent_table)
        column = self.cardinality_column(table)
        laid_out = column or table.column(lead.columns[0])
        assert laid_out is not None
        key = stream_key(self.planner.seed, table.name, laid_out.name, "cardinality")
        layout: CardinalityLayout
        if column is not None:
            try:
                layout = self._cardinality_layout(table, column, parent, parent_rows, key)
            except LayoutInfeasible as exc:
                raise plan_problem(str(exc), table, column, "foreign_key.cardinality") from None
        else:
            target = self.planner.target_rows(table)
            if target and parent_rows == 0:
                raise plan_problem(f"the composite key follows '{parent_table.name}', which has no rows; give it rows "
                                   "or set this table's rows to 0", table, field="composite_keys")  # fmt: skip
            try:
                layout = ExactLayout(parent=parent, parent_rows=parent_rows, sampler=ExactLayout.for_mean(
                                     parent_rows, target), key=key, target=target, cap=cap)  # fmt: skip
            except LayoutInfeasible as exc:
                raise plan_problem(f"the composite key follows '{parent_table.name}', but {exc}", table,
                                   field="composite_keys") from None  # fmt: skip
        self.planner.release()
        self._layouts[name] = layout
        return layout

    def _cardinality_layout(self, table: TableSchema, column: ColumnSchema, parent: ColumnPlan, parent_rows: int,
                            key: int) -> CardinalityLayout:  # fmt: skip
        fk = column.foreign_key
        assert fk is not None and fk.cardinality is not None
        card = fk.cardinality
        if isinstance(card, CategoricalDistribution):
            bad = [v for v in card.values if isinstance(v, bool) or not isinstance(v, int | float) or v < 0
                   or float(v) != int(v)]  # fmt: skip
            if bad:
                raise plan_problem(f"categorical cardinality values must be whole numbers >= 0, not {bad[0]!r}", table,
                                   column, "foreign_key.cardinality")  # fmt: skip
        assert not isinstance(card, EmpiricalDistribution)  # the foreign key's validator allows counts only
        return CardinalityLayout(parent=parent, parent_rows=parent_rows, sampler=count_sampler(card), key=key,
                                 max_children=1 if column.is_unique else None)  # fmt: skip


def _find_cardinality_column(table: TableSchema) -> ColumnSchema | None:
    with_card = [c for c in table.columns if c.foreign_key is not None and c.foreign_key.cardinality is not None]
    if len(with_card) > 1:
        raise plan_problem("only one foreign key per table can set a cardinality (it decides the row count); "
                           f"found {', '.join(c.name for c in with_card)}", table, with_card[1],
                           "foreign_key.cardinality")  # fmt: skip
    if not with_card:
        return None
    column = with_card[0]
    assert column.foreign_key is not None
    if column.foreign_key.references_table.lower() == table.name.lower():
        raise plan_problem("a self-referencing foreign key cannot set a cardinality", table, column,
                           "foreign_key.cardinality")  # fmt: skip
    return column  # its cardinality decides the row count: target_rows and row overrides do not apply
