"""Foreign keys, cardinality layouts and composite keys.

A child never reads its parent's data. It picks a parent **row index** and asks the parent's key column plan for
that row's value: the parent's generator is a pure function of the row index, so the value is exactly the one the
parent table holds (and the parent does not even have to be generated first). Parent rows whose key is NULL are
skipped by probing to the next row.

With a `cardinality`, the number of children of each parent row is drawn per parent (a pure function of the
parent index) and child rows are laid out parent by parent: child row ``r`` belongs to the parent whose running
total of children first exceeds ``r``. Only the running totals at every `PARENT_BLOCK`-th parent are kept; the
counts inside a block are recomputed when a batch needs them, so memory does not grow with the parent table.

A composite key is made unique as a tuple by writing a permuted row index in mixed radix over the members'
domain sizes (one digit per member); a member that is also a foreign key takes its digit as a parent row index.
When the group contains the foreign key that lays the rows out, the other members number the children of each
parent instead (line numbers 1, 2, 3...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

import dw_simulator.generator.arrow as build
from dw_simulator.generator.columns import ColumnPlan, ValueGen
from dw_simulator.generator.domains import Domain
from dw_simulator.generator.random import I64, U64, Bijection, Bools, below, uniform
from dw_simulator.generator.sampling import Sampler

PARENT_BLOCK = 1 << 16


def _parent_values(parent: ColumnPlan, idx: U64, arrow_type: pa.DataType) -> pa.Array:
    arr = parent.gen.values(idx)
    return arr if arr.type == arrow_type else arr.cast(arrow_type)


@dataclass
class ForeignKeyGen(ValueGen):
    """A child column whose values are the parent key of a chosen parent row.

    mode "uniform": any parent row, uniformly; "unique": a bijection of the child row (one-to-one; needs
    child rows <= parent rows); "self": a lower row of the same table (row 0 gets NULL); "self-unique": row i-1.
    """

    parent: ColumnPlan
    parent_rows: int
    key: int
    arrow_type: pa.DataType
    mode: str = "uniform"
    bijection: Bijection | None = None

    def pick(self, rows: U64) -> tuple[U64, Bools | None]:
        """Parent row indices and a mask of child rows left without a parent (NULL)."""
        missing: Bools | None = None
        if self.mode == "uniform":
            idx = below(self.key, rows, self.parent_rows)
        elif self.mode == "unique":
            assert self.bijection is not None
            idx = self.bijection(rows)
        else:
            missing = rows == 0
            safe = np.maximum(rows, np.uint64(1))
            if self.mode == "self-unique":
                idx = safe - np.uint64(1)
            else:
                idx = np.floor(uniform(self.key, rows) * safe.astype(np.float64)).astype(np.uint64)
                idx = np.minimum(idx, safe - np.uint64(1))
        null_parent = self.parent.null_mask(idx)
        if null_parent is not None:
            null_parent &= ~missing if missing is not None else True
            if self.mode == "uniform":
                idx, still = self._probe(idx, null_parent, step=1)
            elif self.mode == "self":
                idx, still = self._probe(idx, null_parent, step=-1)
            else:
                still = null_parent
            missing = still if missing is None else (missing | still)
        return idx, missing

    def _probe(self, idx: U64, null_parent: Bools, step: int) -> tuple[U64, Bools]:
        """Move rows whose parent key is NULL to the next (step=1, wrapping) or previous parent row."""
        idx = idx.copy()
        pending = np.flatnonzero(null_parent)
        stuck = np.zeros(idx.shape[0], dtype=np.bool_)
        n = np.uint64(self.parent_rows)
        for _ in range(self.parent_rows):
            if not pending.size:
                break
            cur = idx[pending]
            if step > 0:
                cur = (cur + np.uint64(1)) % n
            else:
                dead = cur == 0
                stuck[pending[dead]] = True
                pending, cur = pending[~dead], cur[~dead] - np.uint64(1)
            idx[pending] = cur
            null = self.parent.null_mask(cur)
            pending = pending[null] if null is not None else pending[:0]
        stuck[pending] = True
        return idx, stuck

    def values(self, rows: U64) -> pa.Array:
        idx, missing = self.pick(rows)
        return build.with_nulls(_parent_values(self.parent, idx, self.arrow_type), missing)

    def max_length(self) -> int | None:
        return self.parent.gen.max_length()

    def int_range(self) -> tuple[int, int] | None:
        return self.parent.gen.int_range()


@dataclass
class CardinalityLayout:
    """Children per parent row drawn from `sampler` (clipped to [0, max_children]); child rows grouped by parent."""

    parent: ColumnPlan
    parent_rows: int
    sampler: Sampler
    key: int
    max_children: int | None = None
    block_cum: I64 = field(init=False)
    total: int = field(init=False)
    max_count: int = field(init=False)

    def __post_init__(self) -> None:
        blocks = math.ceil(self.parent_rows / PARENT_BLOCK)
        cum = np.zeros(blocks + 1, dtype=np.int64)
        biggest = 0
        for b in range(blocks):
            counts = self.counts(b)
            cum[b + 1] = cum[b] + int(counts.sum())
            if counts.size:
                biggest = max(biggest, int(counts.max()))
        self.block_cum = cum
        self.total = int(cum[-1])
        self.max_count = biggest

    def counts(self, block: int) -> I64:
        """Children of each parent row in a block of `PARENT_BLOCK` parents."""
        start = block * PARENT_BLOCK
        stop = min(start + PARENT_BLOCK, self.parent_rows)
        parents = np.arange(start, stop, dtype=np.uint64)
        drawn = np.maximum(np.rint(self.sampler.sample(self.key, parents)), 0.0)
        if self.max_children is not None:
            drawn = np.minimum(drawn, float(self.max_children))
        counts: I64 = drawn.astype(np.int64)
        null = self.parent.null_mask(parents)
        if null is not None:
            counts[null] = 0
        return counts

    def locate(self, rows: U64) -> tuple[U64, U64]:
        """(parent row index, ordinal among that parent's children) of each child row."""
        signed = rows.view(np.int64)
        blocks = np.searchsorted(self.block_cum, signed, side="right") - 1
        parent = np.empty(rows.shape[0], dtype=np.uint64)
        ordinal = np.empty(rows.shape[0], dtype=np.uint64)
        for b in np.unique(blocks):
            sel = np.flatnonzero(blocks == b)
            local_cum = np.cumsum(self.counts(int(b)))
            local = signed[sel] - self.block_cum[b]
            pos = np.searchsorted(local_cum, local, side="right")
            before = np.where(pos > 0, local_cum[np.maximum(pos - 1, 0)], 0)
            parent[sel] = (pos + int(b) * PARENT_BLOCK).astype(np.uint64)
            ordinal[sel] = (local - before).astype(np.uint64)
        return parent, ordinal


@dataclass
class LayoutForeignKeyGen(ValueGen):
    """The foreign key that lays child rows out by parent (its cardinality decides the row count)."""

    layout: CardinalityLayout
    arrow_type: pa.DataType

    def values(self, rows: U64) -> pa.Array:
        parent, _ = self.layout.locate(rows)
        return _parent_values(self.layout.parent, parent, self.arrow_type)

    def max_length(self) -> int | None:
        return self.layout.parent.gen.max_length()

    def int_range(self) -> tuple[int, int] | None:
        return self.layout.parent.gen.int_range()


@dataclass
class ForeignKeyDomain(Domain):
    """Parent key values as a domain (composite key members): d -> the key of parent row d * stride."""

    parent: ColumnPlan
    size: int
    arrow_type: pa.DataType
    stride: int = 1

    def encode(self, d: U64) -> pa.Array:
        idx = d * np.uint64(self.stride) if self.stride != 1 else d
        return _parent_values(self.parent, idx, self.arrow_type)

    def max_length(self, count: int) -> int | None:
        return self.parent.gen.max_length()

    def int_range(self, count: int) -> tuple[int, int] | None:
        return self.parent.gen.int_range()


@dataclass
class CompositeGroup:
    """Mixed-radix digits of a permuted row index (or of the ordinal within a parent, with `layout`)."""

    sizes: list[int]
    bijection: Bijection | None
    layout: CardinalityLayout | None = None

    def digit(self, rows: U64, position: int) -> U64:
        if self.layout is not None:
            t = self.layout.locate(rows)[1]
        else:
            assert self.bijection is not None
            t = self.bijection(rows)
        divisor = math.prod(self.sizes[position + 1 :])
        if divisor > 1:
            t = t // np.uint64(divisor)
        out: U64 = t % np.uint64(self.sizes[position])
        return out


@dataclass
class CompositeMemberGen(ValueGen):
    group: CompositeGroup
    position: int
    domain: Domain
    arrow_type: pa.DataType = field(init=False)

    def __post_init__(self) -> None:
        self.arrow_type = self.domain.arrow_type

    def values(self, rows: U64) -> pa.Array:
        return self.domain.encode(self.group.digit(rows, self.position))

    def max_length(self) -> int | None:
        return self.domain.max_length(self.group.sizes[self.position])

    def int_range(self) -> tuple[int, int] | None:
        return self.domain.int_range(self.group.sizes[self.position])

    def distinct_estimate(self) -> int:
        return self.group.sizes[self.position]


def _cap_order(cap: int | None) -> float:
    return math.inf if cap is None else float(cap)


def _ceil_root(value: int, k: int) -> int:
    """Smallest r >= 1 with r**k >= value."""
    if value <= 1:
        return 1
    r: int = max(1, math.ceil(value ** (1.0 / k)) - 1)
    while r**k < value:
        r += 1
    return r


def allocate_sizes(caps: list[int | None], need: int) -> list[int] | None:
    """Domain sizes per composite member, balanced, with product >= need; None when the caps make it impossible."""
    k = len(caps)
    order = sorted(range(k), key=lambda i: _cap_order(caps[i]))
    sizes = [1] * k
    remaining = max(need, 1)
    for pos, i in enumerate(order):
        want = _ceil_root(remaining, k - pos)
        cap = caps[i]
        size = want if cap is None else max(1, min(cap, want))
        sizes[i] = size
        remaining = -(-remaining // size)
    return sizes if remaining <= 1 else None
