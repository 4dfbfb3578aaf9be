"""A composite-key child laid out by its parent with exactly the rows asked for: every parent gets its children.

`ExactLayout` is a `CardinalityLayout` (child rows grouped parent by parent, located by running totals kept per
block of parents) whose totals are fixed by `target` instead of the sampled counts: each parent's extra children
(beyond one each) are drawn from `sampler` (a pure function of the parent index), and parent p's first child is

    b * n(p) + floor(X * e(p) / E)

where n(p) counts the parents before p that can have children (key not NULL), b is 1 when there are at least as
many rows as such parents (else 0: then parents get 0 or 1 child, evenly spread), e(p) is the prefix sum of the
extra draws, E their total and X the rows left after the b * n ones. The formula is monotone in p and reaches
exactly `target` at the last parent, so every parent keeps >= b children, the counts keep the drawn shape (scaled)
and add up to `target`; everything is recomputed per block from the parent index alone, in any process.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from dw_simulator.generator.keys import PARENT_BLOCK, CardinalityLayout
from dw_simulator.generator.random import I64, U64
from dw_simulator.generator.sampling import PoissonSampler, Sampler


@dataclass
class ExactLayout(CardinalityLayout):
    target: int = 0
    cap: int | None = None  # at most this many children per parent (the other key members' room)
    base: int = field(init=False, default=1)
    even: bool = field(init=False, default=False)
    extra_total: int = field(init=False, default=0)
    rows_left: int = field(init=False, default=0)
    block_n: I64 = field(init=False)
    block_e: I64 = field(init=False)

    def __post_init__(self) -> None:
        blocks = math.ceil(self.parent_rows / PARENT_BLOCK)
        block_n = np.zeros(blocks + 1, dtype=np.int64)
        block_e = np.zeros(blocks + 1, dtype=np.int64)
        for b in range(blocks):
            usable, extra = self._draws(b)
            block_n[b + 1] = block_n[b] + int(usable.sum())
            block_e[b + 1] = block_e[b] + int(extra.sum())
        usable_total = int(block_n[-1])
        self.base = 1 if usable_total and self.target >= usable_total else 0
        rows_left = self.target - self.base * usable_total if usable_total else 0
        # fewer rows than parents (0 or 1 child each), or no extra drawn: spread the rows evenly over the parents
        self.even = self.base == 0 or (int(block_e[-1]) == 0 and rows_left > 0)
        self.block_n, self.rows_left = block_n, rows_left
        self._settle(block_e)
        if self.cap is not None and self.max_count > self.cap and not self.even:
            self.even = True  # the drawn shape does not fit the key's room: counts of floor/ceil(mean) do
            self._settle(block_e)

    def _settle(self, block_e: I64) -> None:
        self.block_e = self.block_n.copy() if self.even else block_e
        self.extra_total = int(self.block_e[-1])
        pairs = zip(self.block_n, self.block_e, strict=True)
        self.block_cum = np.array([self._first_child(int(n), int(e)) for n, e in pairs], dtype=np.int64)
        self.total = int(self.block_cum[-1])
        biggest = 0
        for b in range(len(self.block_cum) - 1):
            counts = self.counts(b)
            if counts.size:
                biggest = max(biggest, int(counts.max()))
        self.max_count = biggest

    @staticmethod
    def for_mean(parent_rows: int, target: int) -> Sampler:
        """Extra children per parent: Poisson around the mean beyond the first child (1 + Poisson(m - 1))."""
        mean = target / parent_rows if parent_rows else 0.0
        return PoissonSampler(max(mean - 1.0, 0.0))

    def _draws(self, block: int) -> tuple[np.ndarray, I64]:
        start = block * PARENT_BLOCK
        stop = min(start + PARENT_BLOCK, self.parent_rows)
        parents: U64 = np.arange(start, stop, dtype=np.uint64)
        extra: I64 = np.maximum(np.rint(self.sampler.sample(self.key, parents)), 0.0).astype(np.int64)
        usable = np.ones(stop - start, dtype=np.int64)
        null = self.parent.null_mask(parents)
        if null is not None:
            usable[null] = 0
            extra[null] = 0
        return usable, extra

    def _first_child(self, n: int | I64, e: int | I64) -> I64:
        """b * n(p) + floor(X * e(p) / E), elementwise (exactly `target` when e(p) = E)."""
        n_arr = np.asarray(n, dtype=np.int64)
        e_arr = np.asarray(e, dtype=np.float64)
        if self.extra_total == 0:
            spread = np.zeros(e_arr.shape, dtype=np.int64)
        else:
            spread = np.floor(float(self.rows_left) * (e_arr / float(self.extra_total))).astype(np.int64)
            spread = np.clip(spread, 0, self.rows_left)
        out: I64 = self.base * n_arr + spread
        return out

    def counts(self, block: int) -> I64:
        usable, extra = self._draws(block)
        if self.even:
            extra = usable.copy()
        n_before = self.block_n[block] + np.concatenate(([0], np.cumsum(usable)))
        e_before = self.block_e[block] + np.concatenate(([0], np.cumsum(extra)))
        firsts = self._first_child(n_before, e_before)
        counts: I64 = np.diff(firsts)
        return counts
