"""A composite-key child laid out by its parent with exactly the rows asked for: every parent gets its children.

`ExactLayout` is a `CardinalityLayout` (child rows grouped parent by parent, located block by block) whose totals
are fixed by `target` instead of the sampled counts. The rows are spread over the blocks of `PARENT_BLOCK`
parents arithmetically (the last block also takes the parents left over, so no block is small): block b's first
child row is

    floor(target * b * PARENT_BLOCK / parents)

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
    high: int = field(init=False, default=1)

    def __post_init__(self) -> None:
        self.blocks = max(1, self.parent_rows // PARENT_BLOCK) if self.parent_rows else 0
        self.total = self.target
        share = 1.0 - min(max(self.parent.null_rate, 0.0), 1.0)
        if self.target and (share <= 0.0 or self.parent_rows == 0):
            raise LayoutInfeasible(f"only 0 of {self.target} rows find a parent row with a key")
        size = min(PARENT_BLOCK, self.parent_rows)
        fewest, _ = usable_bounds(size, share)
        per_block = math.ceil(self.target * size / self.parent_rows) if self.parent_rows else 0
        need = -(-per_block // fewest) if fewest else self.target + 1  # per parent, in the block with fewest keys
        if self.cap is not None and self.cap < need:
            fit = self.cap * fewest * self.parent_rows // size
            raise LayoutInfeasible(f"only about {min(fit, self.target - 1)} of {self.target} rows find room under a "
                                   "parent row with a key")  # fmt: skip
        high = max(1 + count_stats(self.sampler).high, need)  # the drawn extras' upper tail
        self.high = high if self.cap is None else min(high, self.cap)
        last = self.counts(self.blocks - 1) if self.blocks else np.zeros(0, np.int64)  # fails here if it cannot fit
        self.max_count = int(last.max(initial=0)) if self.blocks <= 1 else self.high

    @staticmethod
    def for_mean(parent_rows: int, target: int) -> Sampler:
        """Extra children per parent: Poisson around the mean beyond the first child (1 + Poisson(m - 1))."""
        mean = target / parent_rows if parent_rows else 0.0
        return PoissonSampler(max(mean - 1.0, 0.0))

    def start(self, block: int) -> int:
        if block >= self.blocks:
            return self.target
        return self.target * block * PARENT_BLOCK // self.parent_rows

    def _rows_per_block(self) -> float:
        return self.target * PARENT_BLOCK / self.parent_rows if self.parent_rows else 0.0

    def counts(self, block: int) -> I64:
        start = block * PARENT_BLOCK
        stop = self.parent_rows if block == self.blocks - 1 else start + PARENT_BLOCK
        parents: U64 = np.arange(start, stop, dtype=np.uint64)
        total = self.start(block + 1) - self.start(block)
        null = self.parent.null_mask(parents)
        usable = np.ones(stop - start, dtype=np.bool_) if null is None else ~null
        base = 1 if total >= int(usable.sum()) else 0
        extra = clip_counts(self.sampler.sample(self.key, parents), max(self.high - base, 0)).astype(np.int64)
        low = np.where(usable, base, 0).astype(np.int64)
        high = np.where(usable, self.high, 0).astype(np.int64)
        return rebalance(np.where(usable, base + extra, 0), low, high, total, self.key, parents)
