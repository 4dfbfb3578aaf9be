"""Children per parent inside one block of parents, made to add up to the block's arithmetic total.

A layout fixes how many children each full block of parents holds before any row exists (so that finding a
child row's block is arithmetic and planning never walks the parents). The per-parent counts are still drawn from
the sampler; `rebalance` then moves them to the block's total, deterministically, changing the drawn shape as
little as it can:

1. the part of each count above its minimum is scaled by one factor (the block's shortfall or excess is a few
   standard deviations of a sum of ~65,000 draws, so the factor is within a fraction of a percent of 1),
   dithered through a floored running total, so parents with no extra children keep none and the sum is exact;
2. counts the scaling pushed above their maximum are cut to it, and the children cut are handed out one at a
   time over the parents with room, in an order fixed by the block's own random stream (water-filling).

The result keeps every count within [low, high] and sums exactly to the total, or raises `LayoutInfeasible`.
"""

from __future__ import annotations

import math

import numpy as np

from dw_simulator.errors import DwSimError
from dw_simulator.generator.random import I64, U64, derive, uniform

SPREAD_SIGMAS = 8.0
"""How far (in standard deviations) a block's count of parents with a key may stray from its mean at plan time."""


class LayoutInfeasible(DwSimError):
    """The children cannot be laid out within the per-parent bounds (raised at plan time, or in the block)."""


def usable_bounds(block: int, share: float) -> tuple[int, int]:
    """Fewest and most parents with a key a block of `block` parents can hold, each key kept with `share`."""
    if share >= 1.0:
        return block, block
    mean = share * block
    spread = SPREAD_SIGMAS * math.sqrt(block * share * (1.0 - share))
    return max(0, math.floor(mean - spread)), min(block, math.ceil(mean + spread))


def rebalance(counts: I64, low: I64, high: I64, total: int, key: int, parents: U64) -> I64:
    """`counts` moved to sum to `total` with low <= count <= high (`key`/`parents` order the water-filling)."""
    floor_total = int(low.sum())
    want = total - floor_total
    room = int((high - low).sum())
    if want < 0 or want > room:
        raise LayoutInfeasible(
            f"a block of {counts.size} parent rows cannot hold {total} child rows with {int(low.min(initial=0))}.."
            f"{int(high.max(initial=0))} children each; change the cardinality or the parent's NULL rate"
        )
    excess = counts - low
    have = int(excess.sum())
    if have == want:
        return counts
    weights = excess if have > 0 else (high > low).astype(np.int64)
    cum = np.cumsum(weights).astype(np.float64)
    firsts = np.clip(np.floor(float(want) * (cum / cum[-1])), 0, want).astype(np.int64)
    out: I64 = low + np.diff(firsts, prepend=0)
    over = np.maximum(out - high, 0)
    spill = int(over.sum())
    if spill:
        out -= over
        _fill(out, high - out, spill, uniform(derive(key, "rebalance"), parents))
    return out


def _fill(counts: I64, room: I64, amount: int, priority: np.ndarray) -> None:
    """Add `amount` to `counts` as evenly as the room allows, ties broken in `priority` order (in place)."""
    order = np.argsort(priority, kind="stable")
    space = room[order]
    lo, hi = 0, int(space.max())
    while lo < hi:  # the smallest level whose capped sum covers the amount
        mid = (lo + hi) // 2
        if int(np.minimum(space, mid).sum()) >= amount:
            hi = mid
        else:
            lo = mid + 1
    give = np.minimum(space, max(lo - 1, 0))
    rest = amount - int(give.sum())
    if rest:
        give[np.flatnonzero(space >= lo)[:rest]] += 1
    counts[order] += give
