"""Pairwise dependence between a table's columns: a Gaussian copula fitted over ranks (vectorised NumPy).

Each candidate column (numbers, dates, booleans, kept categories) has an order key per sampled row (`ColumnFit.
order`). Its ranks, ties broken at random with a fixed seed, give uniforms u = (rank + 0.5) / n, and normal
scores z = Phi^-1(u): exactly the scale the generator draws on, since a frequent value takes a share of the ranks
equal to its weight. The copula's correlation is the normal scores' correlation over the rows where both columns
are present (one matrix product for all pairs). A pair is kept when |r| >= `min_correlation` and the estimate is
clear of noise (|r| sqrt(n) >= `Z_KEEP`); pairs not kept are 0, and columns in no kept pair stay independent.
A kept pair with ties (a column with few distinct values) has its correlation corrected for them (`untie`): the
copula holds the latent correlation that reproduces the observed one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
Z_KEEP = 4.0
MIN_CORRELATION = 0.05
MAX_BLOCKS = 2000
SIMULATED = 50_000


@dataclass
class Dependence:
    columns: list[str]
    """The copula's columns (those in at least one kept pair), in table order."""
    correlation: list[list[float]]
    pairs: list[tuple[str, str, float]]
    """Every kept pair with its normal-score correlation."""
    dropped: int
    """Candidate pairs whose dependence was too weak to keep."""


def normal_quantile(p: F64) -> F64:
    """Phi^-1 for an array of probabilities in (0, 1) (Acklam's rational approximation, |error| < 1.2e-9)."""
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
         -3.066479806614716e01, 2.506628277459239e00)  # fmt: skip
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
         -1.328068155288572e01)  # fmt: skip
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
         4.374664141464968e00, 2.938163982698783e00)  # fmt: skip
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    p = np.clip(p, 1e-300, 1 - 1e-16)
    out = np.empty_like(p)
    low, high = p < 0.02425, p > 1 - 0.02425
    mid = ~(low | high)
    q = p[mid] - 0.5
    r = q * q
    out[mid] = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
                (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1))  # fmt: skip
    for mask, sign in ((low, 1.0), (high, -1.0)):
        if mask.any():
            t = np.sqrt(-2 * np.log(p[mask] if sign > 0 else 1 - p[mask]))
            out[mask] = sign * ((((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
                                ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1))  # fmt: skip
    return out


def normal_scores(order: F64, rng: np.random.Generator) -> F64:
    """Per row, the normal score of its rank (ties broken at random); NaN stays NaN."""
    present = np.flatnonzero(~np.isnan(order))
    out = np.full(order.shape[0], np.nan)
    n = present.shape[0]
    if n == 0:
        return out
    jitter = rng.random(n)
    ranks = np.empty(n, dtype=np.float64)
    ranks[np.lexsort((jitter, order[present]))] = np.arange(n, dtype=np.float64)
    out[present] = normal_quantile((ranks + 0.5) / n)
    return out


def correlations(scores: F64) -> tuple[F64, F64]:
    """(r, n): the normal scores' correlation of every pair of columns over the rows both have, and that count."""
    present = ~np.isnan(scores)
    z = np.where(present, scores, 0.0)
    m = present.astype(np.float64)
    both = m.T @ m
    cross = z.T @ z
    squares = (z * z).T @ m  # [i, j]: sum of z_i^2 over rows where j is present (and i, since z_i = 0 elsewhere)
    denom = np.sqrt(squares * squares.T)
    r = np.divide(cross, denom, out=np.zeros_like(cross), where=denom > 0)
    np.fill_diagonal(r, 1.0)
    return np.clip(r, -1.0, 1.0), both


def tie_blocks(order: F64) -> F64 | None:
    """The cumulative shares of a column's distinct values when it has few enough for ties to matter, else None."""
    present = order[~np.isnan(order)]
    _, counts = np.unique(present, return_counts=True)
    if counts.shape[0] > MAX_BLOCKS or counts.shape[0] == present.shape[0]:
        return None
    cum: F64 = np.cumsum(counts) / present.shape[0]
    return cum


def _rejitter(z: F64, blocks: F64 | None, rng: np.random.Generator) -> F64:
    """What the fit sees of a latent score after the column's ties: its block, then a random rank inside it."""
    if blocks is None:
        return z
    cuts = normal_quantile(blocks[:-1])
    k = np.searchsorted(cuts, z)
    lo = np.concatenate(([0.0], blocks[:-1]))[k]
    hi = blocks[k]
    return normal_quantile(lo + rng.random(z.shape[0]) * (hi - lo))


def untie(observed: float, a: F64 | None, b: F64 | None, seed: int) -> float:
    """The latent correlation whose generated data, seen through both columns' ties the way the fit sees the
    sample, shows `observed`: ties break at random, which pulls a correlation towards 0, once in the fit and once
    again in the data, so the copula takes the latent value (a few fixed-point steps on simulated pairs)."""
    rng = np.random.default_rng(seed)
    n1, n2 = rng.standard_normal(SIMULATED), rng.standard_normal(SIMULATED)
    jitter_seed = int(rng.integers(1 << 31))
    latent = observed
    for _ in range(8):
        z2 = latent * n1 + np.sqrt(max(0.0, 1.0 - latent * latent)) * n2
        local = np.random.default_rng(jitter_seed)
        seen = float(np.corrcoef(_rejitter(n1, a, local), _rejitter(z2, b, local))[0, 1])
        step = observed - seen
        latent = float(np.clip(latent + step, -0.995, 0.995))
        if abs(step) < 1e-3:
            break
    return latent


def fit_dependence(names: list[str], orders: list[F64], *, seed: int = 7,
                   min_correlation: float = MIN_CORRELATION) -> Dependence:  # fmt: skip
    if len(names) < 2:
        return Dependence([], [], [], 0)
    rng = np.random.default_rng(seed)
    scores = np.column_stack([normal_scores(o, rng) for o in orders])
    r, both = correlations(scores)
    keep = (np.abs(r) >= min_correlation) & (np.abs(r) * np.sqrt(both) >= Z_KEEP)
    np.fill_diagonal(keep, False)
    upper = np.triu(keep, 1)
    candidates = len(names) * (len(names) - 1) // 2
    members = sorted(set(np.flatnonzero(keep.any(axis=0)).tolist()))
    if len(members) < 2:
        return Dependence([], [], [], candidates)
    corrected = r.copy()
    blocks = {k: tie_blocks(orders[k]) for k in members}
    for i, j in zip(*np.nonzero(upper), strict=True):
        if blocks[i] is not None or blocks[j] is not None:
            corrected[i, j] = corrected[j, i] = untie(float(r[i, j]), blocks[i], blocks[j], seed)
    sub = np.where(keep, corrected, 0.0)[np.ix_(members, members)]
    np.fill_diagonal(sub, 1.0)
    pairs = [(names[i], names[j], round(float(r[i, j]), 4)) for i, j in zip(*np.nonzero(upper), strict=True)]
    matrix = [[round(float(v), 6) for v in row] for row in sub]
    return Dependence([names[i] for i in members], matrix, pairs, candidates - len(pairs))
