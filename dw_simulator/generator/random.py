"""Counter-based randomness: every random number is a pure function of (stream key, row index).

The determinism scheme of the whole engine rests on this module:

* A **stream key** is a 64-bit integer derived with BLAKE2b from readable parts, typically
  ``(seed, table, column, purpose)`` (`stream_key`). BLAKE2b is stable across processes and platforms, unlike
  Python's salted ``hash()``; table and column names are lower-cased so the data does not depend on their case.
* The random 64-bit word of row ``i`` in stream ``k`` is ``splitmix64(k + i * GOLDEN)``: the SplitMix64 sequence
  seeded with ``k``, read at position ``i`` (`hash_rows`). It is computed for a whole NumPy ``uint64`` array of row
  indices at once, needs no state, and gives the same word for row ``i`` whatever batch, batch size, worker or
  order the row is generated in.
* Words become uniforms in [0, 1) by keeping their top 53 bits (`uniform`); other distributions are built from
  uniforms by inverse transform, Box-Muller (`standard_normal`) or, for gamma/beta, by Marsaglia-Tsang rejection
  where every retry of a row reads a further stream derived from the attempt number (`gamma`), so rejection stays
  a pure function of the row too.
* `Bijection` is a keyed Feistel network with cycle walking: a permutation of ``[0, size)`` for any size up to
  2**64. Unique values are produced by mapping the row index through it, so uniqueness holds by construction
  across batches and workers, without a set of values already seen.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(GOLDEN)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 2.0**-53


def stream_key(*parts: object) -> int:
    """A stable 64-bit key for readable parts, e.g. ``stream_key(seed, "orders", "order_total", "value")``."""
    text = "\x1f".join(str(p).lower() if isinstance(p, str) else repr(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def derive(key: int, *parts: object) -> int:
    """A sub-stream of `key` (e.g. one per purpose or per rejection attempt)."""
    return stream_key(key, *parts)


def mix_scalar(value: int) -> int:
    """SplitMix64's finaliser on a Python int (for plan-time constants)."""
    z = (value + GOLDEN) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def _mix_inplace(z: U64) -> U64:
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def hash_rows(key: int, rows: U64) -> U64:
    """The random 64-bit word of each row index in stream `key` (SplitMix64 at position `row`)."""
    z = rows * _GOLDEN
    z += np.uint64(key & MASK64)
    return _mix_inplace(z)


def uniform(key: int, rows: U64) -> F64:
    """Uniform doubles in [0, 1)."""
    out: F64 = (hash_rows(key, rows) >> _S11).astype(np.float64)
    out *= _TO_UNIT
    return out


def uniform_open(key: int, rows: U64) -> F64:
    """Uniform doubles in (0, 1] (safe for log)."""
    out: F64 = (hash_rows(key, rows) >> _S11).astype(np.float64)
    out += 1.0
    out *= _TO_UNIT
    return out


def below(key: int, rows: U64, bound: int) -> U64:
    """Integers uniform in [0, bound) for 1 <= bound <= 2**64 (modulo bias < bound / 2**64)."""
    words = hash_rows(key, rows)
    if bound >= 1 << 64:
        return words
    out: U64 = words % np.uint64(bound)
    return out


def standard_normal(key: int, rows: U64) -> F64:
    """N(0, 1) by Box-Muller from two derived streams."""
    radius = np.sqrt(-2.0 * np.log(uniform_open(derive(key, "bm-r"), rows)))
    angle = uniform(derive(key, "bm-a"), rows) * (2.0 * math.pi)
    out: F64 = radius * np.cos(angle)
    return out


def gamma(key: int, rows: U64, shape: float) -> F64:
    """Gamma(shape, 1) by Marsaglia-Tsang; retries of a row read streams derived from the attempt number."""
    boost = shape < 1.0
    a = shape + 1.0 if boost else shape
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    out = np.empty(rows.shape[0], dtype=np.float64)
    pending = np.arange(rows.shape[0])
    attempt = 0
    while pending.size:
        sub = rows[pending]
        z = standard_normal(derive(key, "mt-z", attempt), sub)
        u = uniform_open(derive(key, "mt-u", attempt), sub)
        v = 1.0 + c * z
        v = v * v * v
        positive = v > 0.0
        safe_v = np.where(positive, v, 1.0)
        accept = positive & (np.log(u) < 0.5 * z * z + d - d * safe_v + d * np.log(safe_v))
        out[pending[accept]] = d * safe_v[accept]
        pending = pending[~accept]
        attempt += 1
    if boost:
        out *= uniform_open(derive(key, "mt-boost"), rows) ** (1.0 / shape)
    return out


def inverse_cdf(key: int, rows: U64, cdf: F64) -> I64:
    """Indices drawn from a discrete distribution given by its cumulative probabilities (last entry 1)."""
    idx = np.searchsorted(cdf, uniform(key, rows), side="right")
    out: I64 = np.minimum(idx, cdf.shape[0] - 1).astype(np.int64)
    return out


class Bijection:
    """A keyed permutation of ``[0, size)``: a 4-round Feistel network on 2*half bits, with cycle walking.

    Walking re-applies the network to outputs that fall outside the domain; since the network permutes
    ``[0, 4**half)`` this yields a permutation of ``[0, size)`` (expected < 4 extra rounds, vectorised).
    """

    ROUNDS = 4

    def __init__(self, size: int, key: int) -> None:
        if not 1 <= size <= 1 << 64:
            raise ValueError(f"bijection domain size must be in [1, 2**64], not {size}")
        self.size = size
        bits = max(2, (size - 1).bit_length())
        self.half = (bits + 1) // 2
        self.mask = np.uint64((1 << self.half) - 1)
        self.shift = np.uint64(self.half)
        self.keys = [mix_scalar(key + r * GOLDEN) for r in range(self.ROUNDS)]

    def _network(self, x: U64) -> U64:
        left = x >> self.shift
        right = x & self.mask
        for k in self.keys:
            f = hash_rows(k, right) & self.mask
            left, right = right, left ^ f
        out: U64 = (left << self.shift) | right
        return out

    def __call__(self, x: U64) -> U64:
        if self.size == 1:
            return np.zeros_like(x)
        y = self._network(x)
        if self.size == 1 << (2 * self.half):
            return y
        limit = np.uint64(self.size - 1)
        outside = np.flatnonzero(y > limit)
        while outside.size:
            walked = self._network(y[outside])
            y[outside] = walked
            outside = outside[walked > limit]
        return y
