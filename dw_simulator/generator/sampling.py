"""Samplers for the schema's distributions, built on the counter-based uniforms of `random`.

Every sampler is a pure function of (stream key, row index): uniform, exponential and the discrete ones
(categorical, poisson, zipf) by inverse transform (discrete ones through a precomputed cumulative table and
``searchsorted``), normal/lognormal by Box-Muller, beta through two gamma variates (Marsaglia-Tsang rejection with
per-attempt streams). No sampler keeps state between batches.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from dw_simulator.generator.random import (
    F64,
    U64,
    below,
    derive,
    gamma,
    inverse_cdf,
    standard_normal,
    uniform,
    uniform_open,
)
from dw_simulator.schema.distributions import (
    BetaDistribution,
    CategoricalDistribution,
    ExponentialDistribution,
    LognormalDistribution,
    NormalDistribution,
    PoissonDistribution,
    UniformDistribution,
    ZipfDistribution,
)

Distribution = (
    NormalDistribution
    | ExponentialDistribution
    | BetaDistribution
    | UniformDistribution
    | LognormalDistribution
    | PoissonDistribution
    | ZipfDistribution
    | CategoricalDistribution
)

ZIPF_TABLE = 1 << 20
POISSON_TABLE_MAX_LAM = 1e6
DEFAULT_ZIPF_N = 1000


class Sampler(ABC):
    """Draws one float64 per row; `integral` samplers only return whole numbers."""

    integral = False

    @abstractmethod
    def sample(self, key: int, rows: U64) -> F64: ...


@dataclass
class NormalSampler(Sampler):
    mean: float
    stddev: float

    def sample(self, key: int, rows: U64) -> F64:
        out: F64 = standard_normal(key, rows) * self.stddev + self.mean
        return out


@dataclass
class LognormalSampler(Sampler):
    mean: float
    sigma: float

    def sample(self, key: int, rows: U64) -> F64:
        out: F64 = np.exp(standard_normal(key, rows) * self.sigma + self.mean)
        return out


@dataclass
class ExponentialSampler(Sampler):
    scale: float
    offset: float

    def sample(self, key: int, rows: U64) -> F64:
        out: F64 = -np.log(uniform_open(key, rows)) * self.scale + self.offset
        return out


@dataclass
class BetaSampler(Sampler):
    """Beta(alpha, beta) on [0, 1], stretched onto [low, high]."""

    alpha: float
    beta: float
    low: float = 0.0
    high: float = 1.0

    def sample(self, key: int, rows: U64) -> F64:
        x = gamma(derive(key, "beta-x"), rows, self.alpha)
        y = gamma(derive(key, "beta-y"), rows, self.beta)
        total = x + y
        frac = np.divide(x, total, out=np.full_like(x, 0.5), where=total > 0)
        out: F64 = self.low + frac * (self.high - self.low)
        return out


@dataclass
class UniformSampler(Sampler):
    low: float
    high: float

    def sample(self, key: int, rows: U64) -> F64:
        out: F64 = self.low + uniform(key, rows) * (self.high - self.low)
        return out


@dataclass
class UniformIntSampler(Sampler):
    """Whole numbers uniform in [low, high] (exact, from the row's 64-bit word)."""

    low: int
    high: int
    integral = True

    def sample(self, key: int, rows: U64) -> F64:
        out: F64 = below(key, rows, self.high - self.low + 1).astype(np.float64) + self.low
        return out


class TableSampler(Sampler):
    """A discrete distribution on `first + i` given by cumulative probabilities."""

    integral = True

    def __init__(self, first: int, cdf: F64) -> None:
        self.first = first
        self.cdf = cdf

    def sample(self, key: int, rows: U64) -> F64:
        out: F64 = inverse_cdf(key, rows, self.cdf).astype(np.float64) + self.first
        return out


def _cdf(weights: F64) -> F64:
    cdf: F64 = np.cumsum(weights)
    cdf /= cdf[-1]
    cdf[-1] = 1.0
    return cdf


class PoissonSampler(Sampler):
    integral = True

    def __init__(self, lam: float) -> None:
        self.lam = lam
        self.table: TableSampler | None = None
        if lam <= POISSON_TABLE_MAX_LAM:
            spread = 12.0 * math.sqrt(lam) + 12.0
            first = max(0, math.floor(lam - spread))
            last = math.ceil(lam + spread)
            ks = np.arange(first, last + 1, dtype=np.float64)
            if lam == 0:
                logpmf = np.where(ks == 0, 0.0, -np.inf)
            else:
                lgam = np.array([math.lgamma(k + 1.0) for k in ks])
                logpmf = ks * math.log(lam) - lam - lgam
            pmf = np.exp(logpmf - logpmf.max())
            self.table = TableSampler(first, _cdf(pmf))

    def sample(self, key: int, rows: U64) -> F64:
        if self.table is not None:
            return self.table.sample(key, rows)
        out: F64 = np.maximum(0.0, np.rint(self.lam + math.sqrt(self.lam) * standard_normal(key, rows)))
        return out


class ZipfSampler(Sampler):
    """Ranks 1..n with P(k) proportional to k**-a, returned as `start + k - 1`.

    Ranks up to 2**20 come from an exact table; a longer tail is inverted from the continuous approximation.
    """

    integral = True

    def __init__(self, a: float, n: int, start: int = 1) -> None:
        self.a = a
        self.n = n
        self.start = start
        head = min(n, ZIPF_TABLE)
        ranks = np.arange(1, head + 1, dtype=np.float64)
        self.head_cum: F64 = np.cumsum(ranks**-a)
        self.head_mass = float(self.head_cum[-1])
        self.head = head
        self.tail_mass = 0.0
        if n > head:
            self.tail_mass = ((head + 0.5) ** (1 - a) - (n + 0.5) ** (1 - a)) / (a - 1)

    def sample(self, key: int, rows: U64) -> F64:
        w = uniform(key, rows) * (self.head_mass + self.tail_mass)
        ranks = np.searchsorted(self.head_cum, w, side="right").astype(np.float64) + 1.0
        if self.tail_mass > 0:
            in_tail = w >= self.head_mass
            if in_tail.any():
                rest = w[in_tail] - self.head_mass
                base = (self.head + 0.5) ** (1 - self.a)
                x = np.maximum(base - rest * (self.a - 1), 1e-300) ** (1 / (1 - self.a))
                ranks[in_tail] = np.clip(np.rint(x), self.head + 1, self.n)
        ranks = np.minimum(ranks, float(self.n))
        out: F64 = ranks + (self.start - 1)
        return out


class IndexSampler(Sampler):
    """Positions 0..k-1 of a categorical distribution's values, by weight."""

    integral = True

    def __init__(self, weights: list[float] | None, count: int) -> None:
        w = np.asarray(weights if weights is not None else [1.0] * count, dtype=np.float64)
        self.table = TableSampler(0, _cdf(w))

    def sample(self, key: int, rows: U64) -> F64:
        return self.table.sample(key, rows)

    def positions(self, key: int, rows: U64) -> U64:
        out: U64 = inverse_cdf(key, rows, self.table.cdf).astype(np.uint64)
        return out


def numeric_sampler(
    dist: Distribution,
    *,
    low: float | None,
    high: float | None,
    integral: bool,
    zipf_n: int | None = None,
    zipf_start: int = 1,
) -> Sampler:
    """A sampler for a numeric (or day-offset) distribution; `low`/`high` are the column's bounds if any.

    Categorical distributions are handled by the column (`IndexSampler` over its values).
    """
    if isinstance(dist, NormalDistribution):
        return NormalSampler(dist.mean, dist.stddev)
    if isinstance(dist, LognormalDistribution):
        return LognormalSampler(dist.mean, dist.sigma)
    if isinstance(dist, ExponentialDistribution):
        return ExponentialSampler(dist.mean, dist.offset)
    if isinstance(dist, BetaDistribution):
        if low is not None and high is not None:
            return BetaSampler(dist.alpha, dist.beta, low, high)
        return BetaSampler(dist.alpha, dist.beta)
    if isinstance(dist, UniformDistribution):
        lo = dist.low if dist.low is not None else (low if low is not None else 0.0)
        hi = dist.high if dist.high is not None else (high if high is not None else max(lo, 0.0) + 1000.0)
        hi = max(lo, hi)
        if integral:
            return UniformIntSampler(math.ceil(lo), max(math.ceil(lo), math.floor(hi)))
        return UniformSampler(lo, hi)
    if isinstance(dist, PoissonDistribution):
        return PoissonSampler(dist.lam)
    if isinstance(dist, ZipfDistribution):
        n = dist.n or zipf_n or DEFAULT_ZIPF_N
        return ZipfSampler(dist.a, n, zipf_start)
    raise TypeError(f"no numeric sampler for {type(dist).__name__}")


class ValuesSampler(Sampler):
    """One of a list of numbers, by weight (categorical cardinalities: counts of children)."""

    integral = True

    def __init__(self, values: list[float], weights: list[float] | None) -> None:
        self.values = np.asarray(values, dtype=np.float64)
        self.index = IndexSampler(weights, len(values))

    def sample(self, key: int, rows: U64) -> F64:
        out: F64 = self.values[self.index.positions(key, rows)]
        return out


def count_sampler(dist: Distribution) -> Sampler:
    """Children per parent for a foreign key's `cardinality` (uniform, poisson, zipf or categorical counts)."""
    if isinstance(dist, CategoricalDistribution):
        return ValuesSampler([float(v) for v in dist.values], dist.weights)
    if isinstance(dist, UniformDistribution):
        low = math.ceil(dist.low or 0.0)
        high = math.floor(dist.high if dist.high is not None else low)
        return UniformIntSampler(low, max(low, high))
    if isinstance(dist, ZipfDistribution):
        return ZipfSampler(dist.a, dist.n or DEFAULT_ZIPF_N, 1)
    return numeric_sampler(dist, low=None, high=None, integral=True)
