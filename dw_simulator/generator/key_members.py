"""Key columns that take their values from a parent row chosen elsewhere: multi-column foreign keys and the other
members of a composite key laid out by its parent.

* `SiblingKeyGen`: one column of a multi-column foreign key. All members share one picker (the first member's
  `ForeignKeyGen`), so every row's tuple is the key of one parent row -- recomputed per member from the row index.
* `LayoutParentValueGen`: a column read from the parent row that lays the child out (the members of a
  multi-column foreign key that leads a composite key).
* `ScatteredKeyMemberGen`: a composite-key member that references another table while the key is laid out by
  its leading parent (`partsupp(ps_partkey, ps_suppkey)` laid out by part): the children of one lead parent take
  distinct parent rows `(hash(lead) + digit * stride) mod n`, so the tuple stays unique and the referenced table
  is covered evenly instead of every lead parent taking the same few rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from dw_simulator.generator import arrow as build
from dw_simulator.generator.columns import ColumnPlan, ValueGen
from dw_simulator.generator.keys import CardinalityLayout, CompositeGroup, ForeignKeyGen
from dw_simulator.generator.random import U64, hash_rows


def _typed(arr: pa.Array, arrow_type: pa.DataType) -> pa.Array:
    return arr if arr.type == arrow_type else arr.cast(arrow_type)


@dataclass
class SiblingKeyGen(ValueGen):
    picker: ForeignKeyGen
    parent: ColumnPlan
    arrow_type: pa.DataType

    def values(self, rows: U64) -> pa.Array:
        idx, missing = self.picker.pick(rows)
        return build.with_nulls(_typed(self.parent.gen.values(idx), self.arrow_type), missing)

    def max_length(self) -> int | None:
        return self.parent.gen.max_length()

    def int_range(self) -> tuple[int, int] | None:
        return self.parent.gen.int_range()


@dataclass
class LayoutParentValueGen(ValueGen):
    layout: CardinalityLayout
    parent: ColumnPlan
    arrow_type: pa.DataType

    def values(self, rows: U64) -> pa.Array:
        return _typed(self.parent.gen.values(self.layout.locate(rows)[0]), self.arrow_type)

    def max_length(self) -> int | None:
        return self.parent.gen.max_length()

    def int_range(self) -> tuple[int, int] | None:
        return self.parent.gen.int_range()


@dataclass
class ScatteredKeyMemberGen(ValueGen):
    group: CompositeGroup
    position: int
    parent: ColumnPlan
    parent_rows: int
    stride: int
    key: int
    arrow_type: pa.DataType

    def __post_init__(self) -> None:
        assert self.group.layout is not None, "a scattered member needs a layout"
        size = self.group.sizes[self.position]
        if size * self.stride > self.parent_rows:
            raise ValueError(f"{size} distinct parents with stride {self.stride} exceed {self.parent_rows} rows")

    def values(self, rows: U64) -> pa.Array:
        assert self.group.layout is not None
        digit = self.group.digit(rows, self.position)
        lead, _ = self.group.layout.locate(rows)
        n = np.uint64(self.parent_rows)
        offset = hash_rows(self.key, lead) % n
        idx = (offset + digit * np.uint64(self.stride)) % n
        return _typed(self.parent.gen.values(idx), self.arrow_type)

    def max_length(self) -> int | None:
        return self.parent.gen.max_length()

    def int_range(self) -> tuple[int, int] | None:
        return self.parent.gen.int_range()

    def distinct_estimate(self) -> int:
        return self.parent_rows
