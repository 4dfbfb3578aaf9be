"""Generators for learned (`empirical`) distributions, alone or tied together by a table's Gaussian copula.

A column draws one latent number per row and inverts its learned distribution at it: frequent values by their
cumulative shares (`searchsorted`), the rest by linear interpolation between quantile knots, or (strings) by a
character-class pattern whose characters come from per-position streams. Without a copula the latent is the
row's uniform in [0, 1); in a copula it is the row's correlated normal score: the copula's independent normals
(one stream per dimension, keyed by (seed, table, "copula", k), by a table-driven inverse transform) times the
Cholesky factor of its correlation. Each column moves its breakpoints into normal-score space once at plan time
(Phi^-1), so a batch costs one hash per copula dimension, a few multiply-adds and one `searchsorted`/`interp` per
column, and stays a pure function of the row index.

The copula's scores are computed once per batch and shared by its columns: the group keeps the last batch's rows
array (by identity) and scores, guarded by a lock; neither is pickled.
"""

from __future__ import annotations

import math
import re
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

import dw_simulator.generator.arrow as build
from dw_simulator.generator.columns import ValueGen
from dw_simulator.generator.domains import Domain
from dw_simulator.generator.random import F64, U64, below, derive, hash_rows, uniform
from dw_simulator.schema.distributions import pattern_length

LOWER = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_CLASSES = {ord("A"): build.LETTERS, ord("a"): LOWER, ord("9"): DIGITS}
Template = list[tuple[int, npt.NDArray[np.uint8] | None]]


def parse_pattern(pattern: str) -> Template:
    """A pattern as one (byte, alphabet) per output byte: `A`, `a`, `9` are classes (alphabet), anything else, and
    any character after a backslash (`\\S\\K\\U-999`), is literal (alphabet None)."""
    out: Template = []
    escaped = False
    for char in pattern:
        if not escaped and char == "\\":
            escaped = True
            continue
        encoded = char.encode("utf-8")
        alphabet = None if escaped or len(encoded) > 1 else _CLASSES.get(encoded[0])
        out += [(b, alphabet) for b in encoded] if alphabet is None else [(encoded[0], alphabet)]
        escaped = False
    return out


_EDGE = 1e-12


# -- latent numbers ------------------------------------------------------------------------------------------


class Latent(ABC):
    """Where a column's per-row latent number comes from, and how probabilities map into its space."""

    @abstractmethod
    def draw(self, rows: U64) -> F64: ...

    @abstractmethod
    def place(self, probabilities: F64) -> F64:
        """Cumulative probabilities as thresholds on the latent scale (monotone)."""


@dataclass
class UniformLatent(Latent):
    key: int

    def draw(self, rows: U64) -> F64:
        return uniform(self.key, rows)

    def place(self, probabilities: F64) -> F64:
        return probabilities


class CopulaGroup:
    """The correlated normal scores of one table's copula columns (rows x dimensions) for a batch."""

    def __init__(self, key: int, correlation: list[list[float]]) -> None:
        self.key = key
        self.factor = cholesky_psd(np.asarray(correlation, dtype=np.float64))
        self._lock = threading.Lock()
        self._rows: U64 | None = None
        self._scores: F64 | None = None

    def scores(self, rows: U64) -> F64:
        """(dimensions, rows): row i's correlated normal scores, one row of the result per copula column."""
        with self._lock:
            if self._rows is rows and self._scores is not None:
                return self._scores
        dims = self.factor.shape[0]
        scores = np.zeros((dims, rows.shape[0]), dtype=np.float64)
        for k in range(dims):
            normal = table_normal(derive(self.key, "dim", k), rows)
            for j in range(k, dims):
                if self.factor[j, k] != 0.0:
                    scores[j] += self.factor[j, k] * normal
        with self._lock:
            self._rows, self._scores = rows, scores
        return scores

    def __getstate__(self) -> dict[str, Any]:
        return {"key": self.key, "factor": self.factor}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.key, self.factor = state["key"], state["factor"]
        self._lock = threading.Lock()
        self._rows = self._scores = None


@dataclass
class CopulaLatent(Latent):
    group: CopulaGroup
    index: int

    def draw(self, rows: U64) -> F64:
        out: F64 = self.group.scores(rows)[self.index]
        return out

    def place(self, probabilities: F64) -> F64:
        inv = NormalDist().inv_cdf
        return np.array([inv(min(max(float(p), _EDGE), 1.0 - _EDGE)) for p in probabilities], dtype=np.float64)


def normal_quantile(p: F64) -> F64:
    """Phi^-1 for an array of probabilities in (0, 1) (Acklam's rational approximation, |error| < 1.2e-9)."""
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
         -3.066479806614716e01, 2.506628277459239e00)  # fmt: skip
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
         -1.328068155288572e01)  # fmt: skip
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
         4.374664141464968e00, 2.938163982698783e00)  # fmt: skip
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-300, 1 - 1e-16)
    out = np.empty_like(p)
    low, high = p < 0.02425, p > 1 - 0.02425
    mid = ~(low | high)
    q = p[mid] - 0.5
    r = q * q
    out[mid] = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
                (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1))  # fmt: skip
    for mask, upper in ((low, False), (high, True)):
        if mask.any():
            t = np.sqrt(-2 * np.log(1 - p[mask] if upper else p[mask]))
            value = ((((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
                     ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1))  # fmt: skip
            out[mask] = -value if upper else value
    return out


_TABLE_BITS = 16
_NORMAL_TABLE: F64 | None = None


def table_normal(key: int, rows: U64) -> F64:
    """Standard normals by inverse transform through a 2**16-entry table of Phi^-1 at bin midpoints: one hash
    and one gather per row (tails reach +/-4.3; ample for a copula's ranks)."""
    global _NORMAL_TABLE
    if _NORMAL_TABLE is None:
        _NORMAL_TABLE = normal_quantile((np.arange(1 << _TABLE_BITS) + 0.5) / (1 << _TABLE_BITS))
    out: F64 = _NORMAL_TABLE[(hash_rows(key, rows) >> np.uint64(64 - _TABLE_BITS)).astype(np.intp)]
    return out


def cholesky_psd(matrix: F64) -> F64:
    """The lower Cholesky factor of a correlation matrix, after clipping its eigenvalues to stay positive
    definite (a correlation estimated pair by pair need not be)."""
    try:
        return np.asarray(np.linalg.cholesky(matrix), dtype=np.float64)
    except np.linalg.LinAlgError:
        eigen, vectors = np.linalg.eigh(matrix)
        fixed = vectors @ np.diag(np.maximum(eigen, 1e-6)) @ vectors.T
        scale = np.sqrt(np.diag(fixed))
        return np.asarray(np.linalg.cholesky(fixed / np.outer(scale, scale)), dtype=np.float64)


# -- the learned distribution on the latent scale -------------------------------------------------------------


@dataclass
class Breakpoints:
    """Frequent values' cumulative thresholds and the rest's knots, both on the latent scale."""

    cuts: F64
    """len(values) thresholds: row goes to value i when latent < cuts[i] (and >= cuts[i-1])"""
    knots: F64
    """latent positions of the rest's quantiles (empty without quantiles)"""
    has_rest: bool

    @classmethod
    def build(cls, latent: Latent, weights: list[float], rest: float, quantile_count: int) -> Breakpoints:
        w = np.asarray(weights, dtype=np.float64)
        total = float(w.sum())
        has_rest = rest > 0
        if not has_rest and total > 0:
            w = w / total
        cum = np.cumsum(w) if w.size else np.zeros(0)
        if not has_rest and cum.size:
            cum[-1] = 1.0
        cuts = latent.place(cum) if cum.size else cum
        if not has_rest and cuts.size:
            cuts[-1] = math.inf
        knots = np.zeros(0)
        if quantile_count:
            first = float(cum[-1]) if cum.size else 0.0
            probs = first + (1.0 - first) * (np.arange(quantile_count) + 0.5) / quantile_count
            knots = latent.place(probs)
        return cls(cuts, knots, has_rest)

    def positions(self, t: F64) -> U64:
        """Per row: the frequent value's index, or len(cuts) for the rest."""
        idx = np.searchsorted(self.cuts, t, side="right")
        if not self.has_rest:
            idx = np.minimum(idx, self.cuts.shape[0] - 1)
        out: U64 = idx.astype(np.uint64)
        return out


@dataclass
class EmpiricalNumberGen(ValueGen):
    """Numbers, dates and timestamps: frequent values and interpolated quantiles, in the storage unit.

    kind "int" (rounded), "decimal" (scaled by 10**scale), "float", "date" (days), "timestamp" (microseconds).
    `frequent` values and `quantiles` are already in that unit (decimals: in plain numbers, scaled here)."""

    latent: Latent
    points: Breakpoints
    frequent: F64
    quantiles: F64
    kind: str
    arrow_type: pa.DataType
    lo: float = -math.inf
    hi: float = math.inf
    scale: int = 0
    digits: int | None = None

    def _raw(self, rows: U64) -> F64:
        t = self.latent.draw(rows)
        idx = self.points.positions(t)
        m = self.frequent.shape[0]
        if m == 0:
            out: F64 = np.interp(t, self.points.knots, self.quantiles)
            return out
        out = self.frequent[np.minimum(idx, m - 1).astype(np.intp)]
        if self.points.has_rest and self.quantiles.size:
            rest = idx == m
            if rest.any():
                out[rest] = np.interp(t[rest], self.points.knots, self.quantiles)
        return out

    def values(self, rows: U64) -> pa.Array:
        x = self._raw(rows)
        if self.kind == "decimal":
            scaled = np.clip(np.rint(x * 10.0**self.scale), self.lo, self.hi).astype(np.int64)
            return build.decimals(scaled, self.arrow_type)
        if self.kind == "float":
            if self.digits is not None:
                x = np.round(x, self.digits)
            return pa.array(np.clip(x, self.lo, self.hi), type=pa.float64())
        if self.kind == "date":
            return build.numbers(np.floor(x).astype(np.int64), self.arrow_type)
        return build.numbers(np.clip(np.rint(x), self.lo, self.hi).astype(np.int64), self.arrow_type)

    def int_range(self) -> tuple[int, int] | None:
        if self.kind != "int":
            return None
        parts = [p for p in (self.frequent, self.quantiles) if p.size]
        lo = min(float(p.min()) for p in parts)
        hi = max(float(p.max()) for p in parts)
        return int(max(self.lo, math.floor(lo))), int(min(self.hi, math.ceil(hi)))

    def distinct_estimate(self) -> int | None:
        return None if self.quantiles.size else int(self.frequent.shape[0])


@dataclass
class PatternSet:
    """Character-class patterns (`A` upper-case, `a` lower-case, `9` digit, the rest literal) and their weights."""

    patterns: list[str]
    weights: list[float]
    key: int
    cdf: F64 = field(init=False)
    templates: list[Template] = field(init=False)

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=np.float64)
        self.cdf = np.cumsum(w) / w.sum()
        self.cdf[-1] = 1.0
        self.templates = [parse_pattern(p) for p in self.patterns]

    def strings(self, rows: U64) -> pa.Array:
        which = np.minimum(np.searchsorted(self.cdf, uniform(derive(self.key, "pattern"), rows), side="right"),
                           len(self.templates) - 1)  # fmt: skip
        parts: list[pa.Array] = []
        order: list[np.ndarray[Any, Any]] = []
        for g in np.unique(which):
            sel = np.flatnonzero(which == g)
            parts.append(self._render(int(g), rows[sel]))
            order.append(sel)
        if not parts:
            return pa.array([], type=pa.string())
        perm = np.concatenate(order)
        inverse = np.empty_like(perm)
        inverse[perm] = np.arange(perm.shape[0])
        return pa.concat_arrays(parts).take(pa.array(inverse))

    def _render(self, index: int, rows: U64) -> pa.Array:
        template = self.templates[index]
        codes = np.empty((rows.shape[0], len(template)), dtype=np.uint8)
        for pos, (byte, alphabet) in enumerate(template):
            if alphabet is None:
                codes[:, pos] = byte
            else:
                draw = below(derive(self.key, "char", pos), rows, alphabet.shape[0]).astype(np.intp)
                codes[:, pos] = alphabet[draw]
        return build.fixed_width_strings(codes)

    @property
    def max_length(self) -> int:
        return max(pattern_length(p) for p in self.patterns)


@dataclass
class EmpiricalChoiceGen(ValueGen):
    """Strings and booleans: frequent values by share, the rest (strings) from patterns."""

    latent: Latent
    points: Breakpoints
    choices: pa.Array
    patterns: PatternSet | None
    arrow_type: pa.DataType = field(init=False)

    def __post_init__(self) -> None:
        self.arrow_type = self.choices.type if len(self.choices) or self.patterns is None else pa.string()

    def values(self, rows: U64) -> pa.Array:
        idx = self.points.positions(self.latent.draw(rows))
        m = len(self.choices)
        if self.patterns is None or not self.points.has_rest:
            return self.choices.take(pa.array(np.minimum(idx, max(m - 1, 0))))
        rest = np.flatnonzero(idx == m)
        if rest.size == 0:
            return self.choices.take(pa.array(idx))
        generated = self.patterns.strings(rows[rest])
        if m == 0:
            return generated
        idx[rest] = np.uint64(m) + np.arange(rest.size, dtype=np.uint64)
        return pa.concat_arrays([self.choices.cast(pa.string()), generated]).take(pa.array(idx))

    def max_length(self) -> int | None:
        lengths = [len(str(v)) for v in self.choices.to_pylist()] if pa.types.is_string(self.choices.type) else []
        if self.patterns is not None:
            lengths.append(self.patterns.max_length)
        return max(lengths) if lengths else None

    def distinct_estimate(self) -> int | None:
        return len(self.choices) if self.patterns is None else None


@dataclass
class PatternDomain(Domain):
    """Distinct strings of one character-class pattern (a learned key's shape, `AAA-999999`): value number d
    written in mixed radix over the pattern's class positions (the last position varies fastest)."""

    pattern: str
    arrow_type: pa.DataType = field(default_factory=pa.string)
    size: int = field(init=False)
    template: Template = field(init=False)

    def __post_init__(self) -> None:
        self.template = parse_pattern(self.pattern)
        self.size = pattern_capacity(self.pattern)

    def encode(self, d: U64) -> pa.Array:
        codes = np.empty((d.shape[0], len(self.template)), dtype=np.uint8)
        rest = d.copy()
        for pos in range(len(self.template) - 1, -1, -1):
            byte, alphabet = self.template[pos]
            if alphabet is None:
                codes[:, pos] = byte
            else:
                base = np.uint64(alphabet.shape[0])
                codes[:, pos] = alphabet[(rest % base).astype(np.intp)]
                rest //= base
        return build.fixed_width_strings(codes)

    def max_length(self, count: int) -> int:
        return pattern_length(self.pattern)


def relax(pattern: str) -> str:
    """The pattern with its literal digits back to digit classes (`\\O\\R\\D-\\0\\0999` -> `\\O\\R\\D-99999`): room
    for more keys than the sample's own prefix leaves."""
    return re.sub(r"\\([0-9])", "9", pattern)


def pattern_capacity(pattern: str) -> int:
    """How many distinct strings a pattern can spell."""
    size = 1
    for _, alphabet in parse_pattern(pattern):
        if alphabet is not None:
            size *= int(alphabet.shape[0])
    return min(size, 1 << 64)
