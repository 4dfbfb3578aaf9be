"""A composite-key child laid out by its parent with exactly the rows asked for: every parent gets its children.

`ExactLayout` is a `CardinalityLayout` (child rows grouped parent by parent, located block by block) whose totals
are fixed by `target` instead of the sampled counts. The rows are spread over the blocks of `PARENT_BLOCK`
parents arithmetically: block b's first child row is

    floor(target * min(b * PARENT_BLOCK, parents) / parents)

(exact integer arithmetic; the last block ends at exactly `target`). Inside a block, each parent with a key gets
`base` children (1 when the block holds at least as many rows as such parents, else 0: then parents get 0 or 1
child, evenly spread) plus extra children drawn from `sampler` (a pure function of the parent index), all
rebalanced to the block's total within [base, cap] (`block_counts.rebalance`: the extras scaled by one factor,
so the counts keep the drawn shape). Nothing is walked at plan time: a block is evaluated only when its rows are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from dw_simulator.generator.block_counts import LayoutInfeasible, rebalance, usable_bounds
from dw_simulator.generator.count_stats import clip_counts, count_stats
from dw_simulator.generator.keys import PARENT_BLOCK, CardinalityLayout
from dw_simulator.generator.random import I64, U64
from dw_simulator.generator.sampling import PoissonSampler, Sampler


@dataclass
class ExactLayout(CardinalityLayout):
    target: int = 0
    cap: int | None = None  # at most this many children per parent (the other key members' room)
    blocks: int = field(init=False, default=0)
    high: int = field(init=False, default=1)

    def __post_init__(self) -> None:
        self.blocks = math.ceil(self.parent_rows / PARENT_BLOCK)
        self.total = self.target
        share = 1.0 - min(max(self.parent.null_rate, 0.0), 1.0)
        if self.target and (share <= 0.0 or self.parent_rows == 0):
            raise LayoutInfeasible(f"only 0 of {self.target} rows find a parent row with a key")
        extra = count_stats(self.sampler)
        high = 1 + extra.high if self.cap is None else self.cap
        size = min(PARENT_BLOCK, self.parent_rows)
        fewest, _ = usable_bounds(size, share)
        per_block = math.ceil(self.target * size / self.parent_rows) if self.parent_rows else 0
        if high * fewest < per_block:
            if self.cap is not None or fewest == 0:
                fit = self.target if fewest == 0 else self.target * high * fewest // per_block
                raise LayoutInfeasible(f"only about {min(fit, self.target - 1)} of {self.target} rows find room "
                                       "under a parent row with a key")  # fmt: skip
            high = -(-per_block // fewest)
        self.high = high
        self.max_count = int(self.counts(0).max(initial=0)) if self.blocks <= 1 else high

    @staticmethod
    def for_mean(parent_rows: int, target: int) -> Sampler:
        """Extra children per parent: Poisson around the mean beyond the first child (1 + Poisson(m - 1))."""
        mean = target / parent_rows if parent_rows else 0.0
        return PoissonSampler(max(mean - 1.0, 0.0))

    def _start(self, block: int) -> int:
        return self.target * min(block * PARENT_BLOCK, self.parent_rows) // self.parent_rows

    def block_start(self, blocks: I64) -> I64:
        return np.array([self._start(int(b)) for b in blocks], dtype=np.int64)

    def block_of(self, rows: I64) -> I64:
        """The block b with start(b) <= row < start(b + 1): estimated in floating point, settled exactly."""
        if self.blocks <= 1 or not self.target:
            return np.zeros(rows.shape[0], dtype=np.int64)
        per_row = self.parent_rows / (self.target * PARENT_BLOCK)
        guess = np.ceil((rows.astype(np.float64) + 1.0) * per_row).astype(np.int64) - 1
        near = np.unique(np.clip(guess[:, None] + np.arange(-1, 3), 0, self.blocks - 1))
        starts = self.block_start(near)
        out: I64 = near[np.searchsorted(starts, rows, side="right") - 1]
        return out

    def counts(self, block: int) -> I64:
        start = block * PARENT_BLOCK
        stop = min(start + PARENT_BLOCK, self.parent_rows)
        parents: U64 = np.arange(start, stop, dtype=np.uint64)
        total = self._start(block + 1) - self._start(block)
        null = self.parent.null_mask(parents)
        usable = np.ones(stop - start, dtype=np.bool_) if null is None else ~null
        base = 1 if total >= int(usable.sum()) else 0
        extra = clip_counts(self.sampler.sample(self.key, parents), max(self.high - base, 0)).astype(np.int64)
        low = np.where(usable, base, 0).astype(np.int64)
        high = np.where(usable, self.high, 0).astype(np.int64)
        return rebalance(np.where(usable, base + extra, 0), low, high, total, self.key, parents)
