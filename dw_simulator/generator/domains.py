"""Injective encoders ("domains"): value number ``d`` in ``[0, size)`` -> a column value, distinct for distinct ``d``.

Unique columns feed a domain the row index itself (a sequence: ids 1..N, tokens) or the row index passed through a
keyed `Bijection` of ``[0, size)`` (a seeded permutation inside the column's bounds). Composite keys feed each
member a digit of a permuted row index written in mixed radix over the members' domain sizes. Either way,
distinct rows get distinct values (or tuples) by construction. Each `encode` is a pure function of ``d`` and the
domain's parameters, so a child table can recompute a parent's key for any parent row without its data.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

import dw_simulator.generator.arrow as build
from dw_simulator.generator.pools import Pool, email_domains, first_names, last_names, single_words
from dw_simulator.generator.random import MASK64, U64, below, derive, hash_rows

UNBOUNDED = 1 << 62


class Domain(ABC):
    size: int
    arrow_type: pa.DataType

    @abstractmethod
    def encode(self, d: U64) -> pa.Array: ...

    def max_length(self, count: int) -> int | None:
        """Upper bound of string lengths when encoding d < count (None for non-strings)."""
        return None

    def int_range(self, count: int) -> tuple[int, int] | None:
        """(min, max) of the integer values when encoding d < count (None for non-integers)."""
        return None


@dataclass
class IntDomain(Domain):
    """``lo + d * stride``: integers, or DECIMAL values in units of 10**-scale (`arrow_type` decides)."""

    lo: int
    size: int
    arrow_type: pa.DataType
    stride: int = 1

    def encode(self, d: U64) -> pa.Array:
        off = d * np.uint64(self.stride & MASK64) if self.stride != 1 else d.copy()
        off += np.uint64(self.lo & MASK64)
        return build.numbers(off.view(np.int64), self.arrow_type)

    def int_range(self, count: int) -> tuple[int, int]:
        return self.lo, self.lo + (min(count, self.size) - 1) * self.stride


@dataclass
class FloatDomain(Domain):
    """``lo + d * step``, rounded to `digits` decimals (one more than the step has, so still distinct)."""

    lo: float
    step: float
    size: int
    digits: int | None = None
    arrow_type: pa.DataType = field(default_factory=pa.float64)

    def encode(self, d: U64) -> pa.Array:
        values = d.astype(np.float64) * self.step + self.lo
        if self.digits is not None:
            values = np.round(values, self.digits)
        return pa.array(values, type=pa.float64())


@dataclass
class TemporalDomain(Domain):
    """``start + d * step`` in the storage unit of the type (days for DATE, microseconds otherwise)."""

    start: int
    step: int
    size: int
    arrow_type: pa.DataType

    def encode(self, d: U64) -> pa.Array:
        values = d.view(np.int64) * np.int64(self.step) + np.int64(self.start)
        return build.numbers(values, self.arrow_type)


@dataclass
class CodeDomain(Domain):
    """Fixed-width codes over an alphabet (base 36 by default): ``size = len(alphabet) ** width``."""

    width: int
    size: int
    arrow_type: pa.DataType = field(default_factory=pa.string)
    alphabet: npt.NDArray[np.uint8] | None = None

    @staticmethod
    def of_width(width: int) -> CodeDomain:
        return CodeDomain(width=width, size=min(36**width, 1 << 64))

    def encode(self, d: U64) -> pa.Array:
        alphabet = build.DIGITS36 if self.alphabet is None else self.alphabet
        return build.fixed_width_strings(build.radix_codes(d, self.width, alphabet))

    def max_length(self, count: int) -> int:
        return self.width


def _digits(count: int) -> int:
    return len(str(max(count, 1)))


@dataclass
class TokenDomain(Domain):
    """``<prefix>-<d+1>``: a readable prefix (from a pool, chosen by a hash of d) and the decimal number.

    Unique because the part after the last separator is ``d + 1`` and holds no separator; the prefix is cut to
    `budget` characters so the whole value fits the column.
    """

    prefix: Pool | None
    key: int
    budget: int | None
    sep: str = "-"
    size: int = UNBOUNDED
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def __post_init__(self) -> None:
        self._heads = None if self.prefix is None or self.budget == 0 else self.prefix.truncated(self.budget)

    def encode(self, d: U64) -> pa.Array:
        token = build.decimal_strings(d + np.uint64(1))
        if self._heads is None:
            return token
        head = self._heads.at(hash_rows(self.key, d))
        return pc.binary_join_element_wise(head, pa.scalar(self.sep), token, "")

    def max_length(self, count: int) -> int:
        if self.prefix is None or self.budget == 0:
            return _digits(count)
        head = self.prefix.max_length if self.budget is None else min(self.budget, self.prefix.max_length)
        return head + len(self.sep) + _digits(count)


@dataclass
class EmailDomain(Domain):
    """``first.last.<d+1>@domain``: unique through the number before the '@' (the local part's last segment)."""

    key: int
    budget: int | None
    size: int = UNBOUNDED
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def __post_init__(self) -> None:
        self._first = first_names().lower()
        self._last = last_names().lower()

    def encode(self, d: U64) -> pa.Array:
        h = hash_rows(self.key, d)
        first = self._first.at(h)
        last = self._last.at(h >> np.uint64(21))
        local = pc.binary_join_element_wise(first, last, ".")
        if self.budget is not None:
            local = pc.utf8_slice_codeunits(local, 0, self.budget)
        host = email_domains().at(h >> np.uint64(42))
        token = build.decimal_strings(d + np.uint64(1))
        return pc.binary_join_element_wise(local, pa.scalar("."), token, pa.scalar("@"), host, "")

    @staticmethod
    def suffix_length(count: int) -> int:
        return 1 + _digits(count) + 1 + email_domains().max_length

    def max_length(self, count: int) -> int:
        local = first_names().max_length + 1 + last_names().max_length
        if self.budget is not None:
            local = min(local, self.budget)
        return local + self.suffix_length(count)


@dataclass
class UuidDomain(Domain):
    """Version-4 UUID text whose last 15 hex digits are a bijective image of d (so size = 16**15)."""

    key: int
    size: int = 16**15
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def encode(self, d: U64) -> pa.Array:
        hi = hash_rows(self.key, d)
        variant = np.uint64(8) + (hash_rows(derive(self.key, "v"), d) & np.uint64(3))
        hexes = build.radix_codes(hi, 16, _HEX)  # 16 hex digits from the hash
        hexes[:, 12] = ord("4")
        low = build.radix_codes(d, 15, _HEX)
        var = _HEX[variant]
        n = d.shape[0]
        out = np.empty((n, 36), dtype=np.uint8)
        out[:, 0:8] = hexes[:, 0:8]
        out[:, 8] = out[:, 13] = out[:, 18] = out[:, 23] = ord("-")
        out[:, 9:13] = hexes[:, 8:12]
        out[:, 14:18] = hexes[:, 12:16]
        out[:, 19] = var
        out[:, 20:23] = low[:, 0:3]
        out[:, 24:36] = low[:, 3:15]
        return build.fixed_width_strings(out)

    def max_length(self, count: int) -> int:
        return 36


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


@dataclass
class ValuesDomain(Domain):
    """The i-th of a list of distinct values (categorical values, booleans)."""

    values: pa.Array
    size: int
    arrow_type: pa.DataType

    @staticmethod
    def of(values: pa.Array) -> ValuesDomain:
        return ValuesDomain(values=values, size=len(values), arrow_type=values.type)

    def encode(self, d: U64) -> pa.Array:
        return self.values.take(pa.array(d))

    def max_length(self, count: int) -> int | None:
        if pa.types.is_string(self.arrow_type) and len(self.values):
            return int(pc.max(pc.utf8_length(self.values)).as_py() or 0)
        return None


@dataclass
class BinaryDomain(Domain):
    """`width` bytes: the first min(width, 8) are d big-endian (so distinct), the rest come from a hash."""

    width: int
    key: int
    size: int = 0
    arrow_type: pa.DataType = field(default_factory=pa.binary)

    def __post_init__(self) -> None:
        self.size = min(256 ** min(self.width, 8), 1 << 64)

    def encode(self, d: U64) -> pa.Array:
        return build.fixed_width_binary(binary_matrix(self.key, d, self.width, unique_prefix=True))


def binary_matrix(key: int, rows: U64, width: int, *, unique_prefix: bool) -> npt.NDArray[np.uint8]:
    """(n, width) bytes; with `unique_prefix` the first min(width, 8) bytes spell the row number big-endian."""
    n = rows.shape[0]
    words = math.ceil(width / 8)
    data = np.empty((n, words * 8), dtype=np.uint8)
    for w in range(words):
        data[:, w * 8 : (w + 1) * 8] = hash_rows(derive(key, "bytes", w), rows).view(np.uint8).reshape(n, 8)
    if unique_prefix:
        k = min(width, 8)
        big_endian = rows.astype(">u8").view(np.uint8).reshape(n, 8)
        data[:, :k] = big_endian[:, 8 - k :]
    return data[:, :width]


JSON_KINDS = ("object", "array")


@dataclass
class JsonDomain(Domain):
    """Small JSON documents whose "id" (objects) or first element (arrays) is d + 1."""

    kind: str
    key: int
    size: int = UNBOUNDED
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def encode(self, d: U64) -> pa.Array:
        return json_documents(self.kind, self.key, d, d + np.uint64(1))


def json_documents(kind: str, key: int, rows: U64, ids: U64) -> pa.Array:
    """JSON text built column-wise: objects {"id", "label", "score", "active"} or arrays of 1-4 integers."""
    id_text = build.decimal_strings(ids)
    if kind == "array":
        parts: list[pa.Array | pa.Scalar] = [pa.scalar("["), id_text]
        length = below(derive(key, "len"), rows, 4)
        empty = pa.scalar("")
        for i in range(3):
            element = build.decimal_strings(below(derive(key, "el", i), rows, 100))
            piece = pc.binary_join_element_wise(pa.scalar(", "), element, "")
            parts.append(pc.if_else(pa.array(length > np.uint64(i)), piece, empty))
        parts.append(pa.scalar("]"))
        return pc.binary_join_element_wise(*parts, "")
    label = single_words().sample(derive(key, "label"), rows)
    score = np.round(below(derive(key, "score"), rows, 100_000).astype(np.float64) / 100.0, 2)
    active = pc.if_else(pa.array(below(derive(key, "active"), rows, 2) == np.uint64(1)), "true", "false")
    return pc.binary_join_element_wise(
        pa.scalar('{"id": '),
        id_text,
        pa.scalar(', "label": "'),
        label,
        pa.scalar('", "score": '),
        pc.cast(pa.array(score), pa.string()),
        pa.scalar(', "active": '),
        active,
        pa.scalar("}"),
        "",
    )
