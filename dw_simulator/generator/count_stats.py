"""What a children-per-parent sampler gives, known at plan time without drawing per parent: `CountStats`.

A cardinality layout needs, before any row exists, the smallest and largest count a parent can get and the mean
count, so that every block of parents holds an arithmetic number of children (`keys.CardinalityLayout`). Counts
are the sampler's draws rounded and clipped to ``[0, cap]``.

- Discrete samplers (uniform whole numbers, categorical counts, poisson, zipf) know their probabilities: the mean
  is exact, the lowest count is the smallest value with any weight, the highest the smallest value whose upper
  tail holds less than `TAIL` (draws above it are clipped to it: at most one parent in 10**12 is affected).
- Continuous samplers (normal, lognormal, exponential, beta, uniform, a poisson too wide for a table) give their
  upper bound analytically at the same tail; their mean is taken from a fixed-size deterministic probe (the same
  `PROBE` draws of a fixed stream, so the same sampler always gets the same mean).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dw_simulator.generator.random import F64, stream_key
from dw_simulator.generator.sampling import (
    BetaSampler,
    ExponentialSampler,
    LognormalSampler,
    NormalSampler,
    PoissonSampler,
    Sampler,
    TableSampler,
    UniformIntSampler,
    UniformSampler,
    ValuesSampler,
    ZipfSampler,
)

TAIL = 1e-12
"""Upper-tail probability above a sampler's highest count (the draws beyond it are clipped)."""
TAIL_Z = 7.05
"""Standard-normal quantile of 1 - TAIL."""
PROBE = 1 << 18
MAX_COUNT = 1 << 40
"""No parent gets more children than this (far above any table's rows)."""
PROBE_KEY = stream_key("count-stats", "probe")


@dataclass(frozen=True)
class CountStats:
    low: int
    high: int
    mean: float


def clip_counts(draws: F64, high: int) -> F64:
    """Draws as counts: rounded to whole numbers, clipped to [0, high]."""
    out: F64 = np.clip(np.rint(draws), 0.0, float(high))
    return out


def count_stats(sampler: Sampler, cap: int | None = None) -> CountStats:
    """The counts `sampler` gives (rounded, clipped to [0, cap] and to the sampler's upper tail)."""
    if isinstance(sampler, UniformIntSampler):
        return _uniform_ints(sampler.low, sampler.high, cap)
    discrete = _discrete(sampler)
    if discrete is not None:
        values, probs = discrete
        keep = probs > 0
        values, probs = values[keep], probs[keep]
        above = 1.0 - np.cumsum(probs)
        tail_at = int(np.searchsorted(-above, -TAIL, side="right"))  # first value whose upper tail < TAIL
        high = int(values[min(tail_at, values.size - 1)])
        if isinstance(sampler, ValuesSampler):
            high = int(values.max())  # every listed count is meant to occur
        return _finish(int(values.min()), high, cap, values, probs)
    upper = _upper(sampler)
    probe = np.arange(PROBE, dtype=np.uint64)
    draws = sampler.sample(PROBE_KEY, probe)
    if upper is None:  # not known analytically: far above the probe's largest draw
        upper = 4.0 * float(clip_counts(draws, MAX_COUNT).max()) + 16.0
    high = min(max(0, math.ceil(min(upper, float(MAX_COUNT)))), MAX_COUNT if cap is None else cap)
    counts = clip_counts(draws, high)
    return CountStats(0, high, float(counts.mean()))


def _finish(low: int, high: int, cap: int | None, values: F64, probs: F64) -> CountStats:
    limit = MAX_COUNT if cap is None else cap
    low, high = min(max(low, 0), limit), min(max(high, 0), limit)
    mean = float(np.sum(np.clip(values, low, high) * probs) / np.sum(probs))
    return CountStats(low, high, mean)


def _uniform_ints(low: int, high: int, cap: int | None) -> CountStats:
    """Whole numbers uniform in [low, high], clipped to [0, limit]: in closed form (the range may be huge)."""
    limit = MAX_COUNT if cap is None else cap
    lo, hi = min(max(low, 0), limit), min(max(high, 0), limit)
    n = high - low + 1
    total = 0  # sum of clip(v, lo, hi) over v in [low, high], in exact integers
    below, above = max(0, min(high, lo - 1) - low + 1), max(0, high - max(low, hi + 1) + 1)
    total += below * lo + above * hi
    a, b = max(low, lo), min(high, hi)
    if a <= b:
        total += (a + b) * (b - a + 1) // 2
    return CountStats(lo, hi, total / n)


def _discrete(sampler: Sampler) -> tuple[F64, F64] | None:
    """(values, probabilities) of a sampler with a finite table, else None."""
    if isinstance(sampler, PoissonSampler):
        return _table(sampler.table) if sampler.table is not None else None
    if isinstance(sampler, TableSampler):
        return _table(sampler)
    if isinstance(sampler, ValuesSampler):
        cdf = sampler.index.table.cdf
        return np.rint(sampler.values), np.diff(cdf, prepend=0.0)
    if isinstance(sampler, ZipfSampler) and sampler.tail_mass == 0:
        weights = np.diff(sampler.head_cum, prepend=0.0)
        values = np.arange(1, sampler.head + 1, dtype=np.float64) + (sampler.start - 1)
        return values, weights / sampler.head_mass
    return None


def _table(table: TableSampler) -> tuple[F64, F64]:
    probs = np.diff(table.cdf, prepend=0.0)
    return np.arange(probs.size, dtype=np.float64) + table.first, probs


def _upper(sampler: Sampler) -> float | None:
    """The value a draw exceeds with probability below TAIL (None: not known analytically)."""
    if isinstance(sampler, NormalSampler):
        return sampler.mean + TAIL_Z * abs(sampler.stddev)
    if isinstance(sampler, LognormalSampler):
        return math.exp(min(sampler.mean + TAIL_Z * abs(sampler.sigma), 700.0))
    if isinstance(sampler, ExponentialSampler):
        return sampler.offset + sampler.scale * -math.log(TAIL)
    if isinstance(sampler, BetaSampler):
        return max(sampler.low, sampler.high)
    if isinstance(sampler, UniformSampler):
        return max(sampler.low, sampler.high)
    if isinstance(sampler, PoissonSampler):
        return sampler.lam + TAIL_Z * math.sqrt(sampler.lam) + 1.0
    if isinstance(sampler, ZipfSampler):
        return float(sampler.n + sampler.start - 1)
    return None
