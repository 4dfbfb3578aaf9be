"""Generators for the members of composite keys: tuples that are distinct although no member alone is.

Each group's free members get domain sizes whose product holds the rows needed (`keys.allocate_sizes`); a row's
tuple is the mixed-radix digits of the row index, permuted by a seeded bijection (or laid out under the table's
cardinality foreign key), so the tuples are distinct by construction.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa

import dw_simulator.generator.arrow as build
from dw_simulator.generator.bounds import (
    CODE_MAX_WIDTH,
    DEFAULT_BINARY_LENGTH,
    MICROS,
    date_range,
    decimal_units,
    distinct,
    epoch_days,
    int_range,
    seconds_window,
)
from dw_simulator.generator.columns import ColumnPlan, ValueGen
from dw_simulator.generator.domains import (
    BinaryDomain,
    CodeDomain,
    Domain,
    FloatDomain,
    IntDomain,
    TemporalDomain,
    TokenDomain,
    ValuesDomain,
)
from dw_simulator.generator.keys import (
    CardinalityLayout,
    CompositeGroup,
    CompositeMemberGen,
    ForeignKeyDomain,
    allocate_sizes,
)
from dw_simulator.generator.plan_problem import plan_problem
from dw_simulator.generator.random import Bijection, derive, stream_key
from dw_simulator.generator.value_plans import ValuePlanner
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.distributions import CategoricalDistribution
from dw_simulator.schema.table_schema import TableSchema
from dw_simulator.schema.types import BaseType


class KeyPlanner(Protocol):
    """What composite keys need of the experiment planner: row counts, layouts, and plans of parent key columns."""

    values: ValuePlanner

    def rows(self, table: TableSchema) -> int: ...

    def layout(self, table: TableSchema) -> CardinalityLayout | None: ...

    def layout_column(self, table: TableSchema) -> ColumnSchema | None: ...

    def table_named(self, name: str) -> TableSchema: ...

    def column(self, table: TableSchema, column: ColumnSchema) -> ColumnPlan: ...

    def check_fk_fits(self, table: TableSchema, column: ColumnSchema, parent_gen: ValueGen) -> None: ...


@dataclass
class _MemberSpec:
    """A composite-key member: its largest domain size (None: as large as needed) and how to build a domain."""

    cap: int | None
    make: Callable[[int], Domain]


class CompositePlanner:
    """Plans every composite key of a table once; `members` maps member column names (lower case) to generators."""

    def __init__(self, planner: KeyPlanner) -> None:
        self.planner = planner
        self._members: dict[str, dict[str, ValueGen]] = {}

    def members(self, table: TableSchema) -> dict[str, ValueGen]:
        name = table.name.lower()
        if name in self._members:
            return self._members[name]
        self._members[name] = {}  # members of a group being planned are not yet assigned
        assigned: dict[str, ValueGen] = {}
        done_groups: list[frozenset[str]] = []
        layout_col = self.planner.layout_column(table)
        layout_key = layout_col.name.lower() if layout_col is not None else None
        rows = self.planner.rows(table)
        for index, group in enumerate(table.composite_keys):
            members = [m.lower() for m in group]
            columns = [table.column(m) for m in members]
            if any(c is not None and c.is_unique and c.name.lower() != "_row_id" for c in columns):
                continue  # one member alone is unique, so the tuple is
            if any(g <= frozenset(members) for g in done_groups):
                continue
            layout = self.planner.layout(table) if layout_key in members else None
            free = [m for m in members if m not in assigned and m != layout_key]
            need = max(layout.max_count, 1) if layout is not None else rows
            if not free:
                raise plan_problem(f"composite key ({', '.join(group)}) cannot be made unique: its columns are already "
                                    "set by another composite key", table, field="composite_keys")  # fmt: skip
            specs = [self._member(table, table.column(m), need) for m in free]  # type: ignore[arg-type]
            sizes = allocate_sizes([s.cap for s in specs], need)
            if sizes is None:
                capacity = math.prod(s.cap or 1 for s in specs)
                raise plan_problem(
                    f"composite key ({', '.join(group)}) cannot hold {need} distinct tuples: its columns' "
                    f"domains allow only {capacity}; widen their ranges",
                    table,
                    field="composite_keys",
                )
            product = math.prod(sizes)
            bijection = None
            if layout is None:
                bijection = Bijection(product, stream_key(self.planner.values.seed, table.name, "composite", index))
            grp = CompositeGroup(sizes, bijection, layout)
            for pos, (member, spec_) in enumerate(zip(free, specs, strict=True)):
                assigned[member] = CompositeMemberGen(grp, pos, spec_.make(sizes[pos]))
            done_groups.append(frozenset(members))
        self._members[name] = assigned
        return assigned

    def _member(self, table: TableSchema, column: ColumnSchema, need: int) -> _MemberSpec:
        spec = column.type_spec
        arrow_type = build.arrow_type_for(spec)
        key = self.planner.values.key(table, column, "composite")
        dist = column.distribution
        if column.foreign_key is not None:
            fk = column.foreign_key
            parent_table = self.planner.table_named(fk.references_table)
            parent_col = parent_table.column(fk.references_column)
            assert parent_col is not None
            if parent_table.name.lower() == table.name.lower():
                raise plan_problem(
                    "a composite key member cannot reference its own table", table, column, "foreign_key"
                )
            parent = self.planner.column(parent_table, parent_col)
            self.planner.check_fk_fits(table, column, parent.gen)
            if parent.null_rate > 0:
                raise plan_problem("a composite key member cannot reference a key column with NULLs", table, column,
                                    "foreign_key")  # fmt: skip
            n_parent = self.planner.rows(parent_table)
            return _MemberSpec(n_parent, lambda size: ForeignKeyDomain(parent, size, arrow_type, n_parent // size))
        if isinstance(dist, CategoricalDistribution):
            values = distinct(self.planner.values.typed(table, column, dist.values))
            return _MemberSpec(len(values), lambda size: ValuesDomain.of(values.slice(0, size)))
        if spec.is_integer:
            lo, hi = int_range(spec, column)
            if column.min_value is not None and column.max_value is not None:
                span = hi - lo + 1
                return _MemberSpec(span, lambda size: IntDomain(lo, size, arrow_type, span // size))
            if column.max_value is not None:
                return _MemberSpec(hi - lo + 1, lambda size: IntDomain(hi - size + 1, size, arrow_type))
            start = 1 if column.min_value is None else lo
            return _MemberSpec(hi - start + 1, lambda size: IntDomain(start, size, arrow_type))
        if spec.base is BaseType.DECIMAL:
            scale, lo_u, hi_u = decimal_units(spec, column)
            unit = 10**scale
            if column.min_value is not None and column.max_value is not None:
                span = hi_u - lo_u + 1
                return _MemberSpec(span, lambda size: IntDomain(lo_u, size, arrow_type, span // size))
            start = unit if column.min_value is None else lo_u
            return _MemberSpec((hi_u - start) // unit + 1, lambda size: IntDomain(start, size, arrow_type, unit))
        if spec.base is BaseType.FLOAT:
            lo_f = 1.0 if column.min_value is None else float(column.min_value)
            if column.max_value is not None:
                hi_f = float(column.max_value)
                return _MemberSpec(1 << 40, lambda size: FloatDomain(lo_f, (hi_f - lo_f) / size, size))
            return _MemberSpec(None, lambda size: FloatDomain(lo_f, 1.0, size))
        if spec.base is BaseType.DATE:
            start_d, end_d = date_range(column)
            start = epoch_days(start_d)
            if column.date_start is not None and column.date_end is not None:
                days = (end_d - start_d).days + 1
                return _MemberSpec(days, lambda size: TemporalDomain(start, days // size, size, arrow_type))
            if column.date_start is None and column.date_end is not None:
                end = epoch_days(end_d)
                return _MemberSpec(end + 700_000, lambda size: TemporalDomain(end - size + 1, 1, size, arrow_type))
            return _MemberSpec(2_000_000, lambda size: TemporalDomain(start, 1, size, arrow_type))
        if spec.base in (BaseType.TIMESTAMP, BaseType.TIMESTAMPTZ, BaseType.TIME):
            begin, total = seconds_window(column, spec)
            return _MemberSpec(total, lambda size: TemporalDomain(begin, MICROS * (total // size), size, arrow_type))
        if spec.base is BaseType.BOOLEAN:
            return _MemberSpec(2, lambda size: ValuesDomain.of(pa.array([False, True][:size])))
        if spec.is_string:
            length = column.varchar_length
            if length is not None and length <= CODE_MAX_WIDTH:
                return _MemberSpec(36**length, lambda size: CodeDomain.of_width(length))
            pool = self.planner.values.prefix_pool(table, column)

            def token(size: int) -> Domain:
                budget = None if length is None else length - 1 - len(str(size))
                if budget is not None and budget < 1:
                    return CodeDomain.of_width(min(length or CODE_MAX_WIDTH, CODE_MAX_WIDTH))
                return TokenDomain(pool, derive(key, "prefix"), budget)

            return _MemberSpec(36**CODE_MAX_WIDTH if length is not None else None, token)
        if spec.base is BaseType.BINARY:
            width = column.varchar_length or DEFAULT_BINARY_LENGTH
            return _MemberSpec(min(256 ** min(width, 8), 1 << 62), lambda size: BinaryDomain(width, key))
        raise plan_problem(f"a {spec.canonical} column cannot be part of a composite key", table, column,
                            "composite_keys")  # fmt: skip
