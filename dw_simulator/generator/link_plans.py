"""Plans for what links columns: the parent a composite key follows, multi-column foreign keys, temporal orders.

* A composite key whose first member covered by a foreign key (single- or multi-column) references another table
  *follows* that parent: rows are laid out parent by parent (`ExactLayout`: every parent gets children, exactly
  the rows asked for), the other members number each parent's children.
* A multi-column foreign key picks one parent row per child row and reads every member from it.
* A column that follows other dates (`temporal_orders`) is `latest before + gap`, clipped to its own range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import pyarrow as pa

from dw_simulator.generator.bounds import MICROS, SECONDS_PER_DAY, Window, date_range, epoch_days
from dw_simulator.generator.columns import ColumnPlan, ConstantNullGen, ValueGen
from dw_simulator.generator.key_members import LayoutParentValueGen, SiblingKeyGen
from dw_simulator.generator.keys import ForeignKeyGen, LayoutForeignKeyGen
from dw_simulator.generator.plan_problem import plan_problem
from dw_simulator.generator.random import stream_key
from dw_simulator.generator.temporal_orders import Before, FollowGen, KeyParent, LayoutParent
from dw_simulator.schema.column_schema import DEFAULT_FK_NULL_RATE, ColumnSchema
from dw_simulator.schema.relations import MultiColumnForeignKey, TemporalOrder
from dw_simulator.schema.table_schema import TableSchema
from dw_simulator.schema.types import BaseType


class LinkPlanner(Protocol):
    seed: int
    window: Window | None

    def rows(self, table: TableSchema) -> int: ...

    def table_named(self, name: str) -> TableSchema: ...

    def column(self, table: TableSchema, column: ColumnSchema) -> ColumnPlan: ...

    def check_fk_fits(self, table: TableSchema, column: ColumnSchema, parent_gen: ValueGen) -> None: ...


@dataclass(frozen=True)
class Lead:
    """The child columns (lower case) laid out by a parent, and the parent columns they take (in order)."""

    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


def composite_lead(table: TableSchema) -> Lead | None:
    """The parent a table's (first) composite key follows, if a member of it is a foreign key to another table."""
    if not table.composite_keys or len(table.composite_keys[0]) < 2:
        return None
    group = [m.lower() for m in table.composite_keys[0]]
    if any((c := table.column(m)) is not None and c.is_unique for m in group):
        return None
    for member in group:
        for fk in table.foreign_keys:
            columns = [c.lower() for c in fk.columns]
            if member in columns and set(columns) <= set(group) and fk.references_table.lower() != table.name.lower():
                return Lead(tuple(columns), fk.references_table, tuple(c.lower() for c in fk.references_columns))
        column = table.column(member)
        fk1 = column.foreign_key if column is not None else None
        if fk1 is not None and fk1.references_table.lower() != table.name.lower():
            return Lead((member,), fk1.references_table, (fk1.references_column.lower(),))
    return None


def multi_key_of(table: TableSchema, column: ColumnSchema) -> tuple[int, MultiColumnForeignKey] | None:
    lowered = column.name.lower()
    for index, fk in enumerate(table.foreign_keys):
        if lowered in (c.lower() for c in fk.columns):
            return index, fk
    return None


class Links:
    """Generators for multi-column foreign keys and temporal orders of one experiment."""

    def __init__(self, planner: LinkPlanner) -> None:
        self.planner = planner
        self._pickers: dict[tuple[str, int], ForeignKeyGen] = {}

    # -- multi-column foreign keys ----------------------------------------------------------------------------
    def multi_key(self, table: TableSchema, column: ColumnSchema, index: int, fk: MultiColumnForeignKey,
                  arrow_type: pa.DataType) -> tuple[ValueGen, float, int]:  # fmt: skip
        """(generator, NULL share, NULL stream) of one member: all members share the parent row and the NULLs."""
        parent_table = self.planner.table_named(fk.references_table)
        position = [c.lower() for c in fk.columns].index(column.name.lower())
        parent_col = parent_table.column(fk.references_columns[position])
        assert parent_col is not None
        parent = self.planner.column(parent_table, parent_col)
        self.planner.check_fk_fits(table, column, parent.gen)
        self._check_single_key(table, column, parent_table, parent_col)
        members = [table.column(c) for c in fk.columns]
        required = any(m is not None and m.required for m in members)
        explicit = [m.null_rate for m in members if m is not None and m.null_rate is not None]
        null_rate = 0.0 if required else (max(explicit) if explicit else DEFAULT_FK_NULL_RATE)
        null_key = stream_key(self.planner.seed, table.name, "multi_key", index, "null")
        parent_rows = self.planner.rows(parent_table)
        if parent_rows == 0:
            if required and self.planner.rows(table):
                raise plan_problem(f"table '{parent_table.name}' has no rows for this multi-column foreign key to "
                                   "reference", table, column, "foreign_keys")  # fmt: skip
            return ConstantNullGen(arrow_type), 1.0, null_key
        picker = self._picker(table, index, fk, parent_table, parent_rows)
        return SiblingKeyGen(picker, parent, arrow_type), null_rate, null_key

    def _picker(self, table: TableSchema, index: int, fk: MultiColumnForeignKey, parent_table: TableSchema,
                parent_rows: int) -> ForeignKeyGen:  # fmt: skip
        token = (table.name.lower(), index)
        if token not in self._pickers:
            first = parent_table.column(fk.references_columns[0])
            assert first is not None
            plan = self.planner.column(parent_table, first)
            key = stream_key(self.planner.seed, table.name, "multi_key", index)
            self._pickers[token] = ForeignKeyGen(plan, parent_rows, key, plan.arrow_type, mode="uniform")
        return self._pickers[token]

    def _check_single_key(self, table: TableSchema, column: ColumnSchema, parent_table: TableSchema,
                          parent_col: ColumnSchema) -> None:  # fmt: skip
        """A member that also has its own foreign key holds it only through the parent's member."""
        own = column.foreign_key
        if own is None:
            return
        via = parent_col.foreign_key
        same = (own.references_table.lower(), own.references_column.lower())
        if (parent_table.name.lower(), parent_col.name.lower()) == same:
            return
        if via is not None and (via.references_table.lower(), via.references_column.lower()) == same:
            return
        raise plan_problem(f"'{column.name}' references {own.references_table}.{own.references_column} and, with its "
                           f"multi-column key, {parent_table.name}.{parent_col.name}, whose values do not come from "
                           f"{own.references_table}; declare {parent_table.name}.{parent_col.name} -> "
                           f"{own.references_table}", table, column, "foreign_key")  # fmt: skip

    # -- temporal orders --------------------------------------------------------------------------------------
    def orders_after(self, table: TableSchema, column: ColumnSchema) -> list[TemporalOrder]:
        return [o for o in table.temporal_orders if o.after.lower() == column.name.lower()]

    def strict_end(self, table: TableSchema, column: ColumnSchema) -> ColumnSchema:
        """A column that must stay strictly before another of its row ends a day before it (so the other fits)."""
        for order in table.temporal_orders:
            if order.strict and order.via is None and order.before.lower() == column.name.lower():
                after = table.column(order.after)
                if after is None:
                    continue
                _, end = date_range(column, self.planner.window)
                _, after_end = date_range(after, self.planner.window)
                if end >= after_end:
                    return column.model_copy(update={"date_end": after_end - timedelta(days=1)})
        return column

    def follow(self, table: TableSchema, column: ColumnSchema, arrow_type: pa.DataType,
               key: int) -> FollowGen:  # fmt: skip
        orders = self.orders_after(table, column)
        if column.is_unique or column.foreign_key is not None:
            raise plan_problem("a key column cannot follow another date (temporal_orders)", table, column,
                               "temporal_orders")  # fmt: skip
        days = column.type_spec.base is BaseType.DATE
        lo, hi = self.units(column, days)
        befores: list[Before] = []
        for order in orders:
            source_table, via = table, None
            if order.via is not None:
                via_col = table.column(order.via)
                assert via_col is not None and via_col.foreign_key is not None
                source_table = self.planner.table_named(via_col.foreign_key.references_table)
                via = self._parent_index(table, via_col)
            before_col = source_table.column(order.before)
            assert before_col is not None
            before_days = before_col.type_spec.base is BaseType.DATE
            _, before_hi = self.units(before_col, days)
            if before_hi > hi:
                raise plan_problem(f"'{column.name}' follows '{source_table.name}.{before_col.name}', whose dates can "
                                   f"end after this column's range; widen date_end", table, column,
                                   "temporal_orders")  # fmt: skip
            gen = self.planner.column(source_table, before_col).gen
            befores.append(Before(gen, before_days, via))
        strict = any(o.strict for o in orders)
        return FollowGen(key, befores, days, lo, hi, arrow_type, strict=strict)

    def units(self, column: ColumnSchema, days: bool) -> tuple[int, int]:
        """The column's range in storage units of a DATE (`days`) or TIMESTAMP column (whole seconds)."""
        start, end = date_range(column, self.planner.window)
        if days:
            return epoch_days(start), epoch_days(end)
        first = epoch_days(start) * SECONDS_PER_DAY * MICROS
        return first, (epoch_days(end) + 1) * SECONDS_PER_DAY * MICROS - MICROS

    def _parent_index(self, table: TableSchema, via_col: ColumnSchema) -> LayoutParent | KeyParent:
        gen = self.planner.column(table, via_col).gen
        if isinstance(gen, LayoutForeignKeyGen):
            return LayoutParent(gen.layout)
        if isinstance(gen, ForeignKeyGen):
            return KeyParent(gen)
        if isinstance(gen, LayoutParentValueGen):
            return LayoutParent(gen.layout)
        raise plan_problem(f"a temporal order cannot follow the parent row through '{via_col.name}'", table, via_col,
                           "temporal_orders")  # fmt: skip
