"""Dates in order: a column that follows other dates of its row, or its parent row's date, by a positive gap.

`FollowGen` computes, for each row, the latest of its `befores` (other columns' generators in the same row, or a
parent's column at the parent row the child's foreign key picks) and adds a gap drawn from a lognormal (a few days
typically, weeks sometimes), then clips into the column's own range. Values are pure functions of the row index
(the before values are recomputed, never read back), so order holds in every row for any batch size or worker.
The plan guarantees a before column can never end after this column's range (else order could not hold).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dw_simulator.generator import arrow as build
from dw_simulator.generator.columns import ValueGen
from dw_simulator.generator.keys import CardinalityLayout, ForeignKeyGen
from dw_simulator.generator.random import I64, U64, standard_normal

MICROS_PER_DAY = 86_400 * 1_000_000
GAP_MEDIAN_DAYS = 3.0
GAP_SIGMA = 1.2
GAP_MAX_DAYS = 365.0


@dataclass
class LayoutParent:
    """Parent rows of a child laid out by its parent (the layout foreign key)."""

    layout: CardinalityLayout

    def index(self, rows: U64) -> U64:
        return self.layout.locate(rows)[0]


@dataclass
class KeyParent:
    """Parent rows a foreign key column picks (rows without a parent keep their own value)."""

    key: ForeignKeyGen

    def index(self, rows: U64) -> U64:
        return self.key.pick(rows)[0]


@dataclass
class Before:
    """One column this one follows: `gen` at the row itself, or at the parent row `via` picks."""

    gen: ValueGen
    days: bool  # the before column stores days (DATE) rather than microseconds
    via: LayoutParent | KeyParent | None = None


def storage_units(arr: pa.Array) -> I64:
    """Days (date32) or microseconds (timestamp[us]) as int64, NULLs as the smallest value."""
    as_int = pc.cast(arr, pa.int32() if pa.types.is_date32(arr.type) else pa.int64())
    filled = pc.fill_null(as_int, np.iinfo(np.int64).min // 4 if pa.types.is_timestamp(arr.type) else -(2**30))
    out: I64 = filled.to_numpy(zero_copy_only=False).astype(np.int64)
    return out


@dataclass
class FollowGen(ValueGen):
    key: int
    befores: list[Before]
    days: bool  # this column stores days (DATE)
    lo: int  # this column's range, in its storage units
    hi: int
    arrow_type: pa.DataType
    strict: bool = False
    median_days: float = GAP_MEDIAN_DAYS
    _unit: int = field(init=False)

    def __post_init__(self) -> None:
        self._unit = 1 if self.days else MICROS_PER_DAY

    def latest(self, rows: U64) -> I64:
        latest: I64 | None = None
        for before in self.befores:
            at = before.via.index(rows) if before.via is not None else rows
            values = storage_units(before.gen.values(at))
            if before.days and not self.days:
                values = values * np.int64(MICROS_PER_DAY)
            elif not before.days and self.days:
                values = np.floor_divide(values, np.int64(MICROS_PER_DAY))
            latest = values if latest is None else np.maximum(latest, values)
        assert latest is not None
        return latest

    def gap(self, rows: U64) -> I64:
        """A lognormal gap (median `median_days`, capped at a year) in this column's storage units."""
        days = np.exp(standard_normal(self.key, rows) * GAP_SIGMA + np.log(self.median_days))
        days = np.minimum(days, GAP_MAX_DAYS)
        if self.days:
            steps = np.floor(days).astype(np.int64)
            low = 1 if self.strict else 0
        else:
            steps = np.rint(days * 86_400.0).astype(np.int64) * np.int64(1_000_000)
            low = 1_000_000 if self.strict else 0
        out: I64 = np.maximum(steps, low)
        return out

    def values(self, rows: U64) -> pa.Array:
        follow = self.latest(rows) + self.gap(rows)
        clipped = np.clip(follow, self.lo, self.hi)
        return build.numbers(clipped, self.arrow_type)

    def distinct_estimate(self) -> int | None:
        span = (self.hi - self.lo) // (1 if self.days else 1_000_000) + 1
        return int(span)
