"""Column value generators: each turns an array of row indices into an Arrow array, as a pure function.

A generator never sees other rows or earlier batches: its output for row ``i`` depends only on its parameters
(fixed in the plan: bounds, pools, stream keys derived from (seed, table, column)) and ``i``. `ColumnPlan` adds
NULLs from its own stream, so NULL positions are deterministic too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

import dw_simulator.generator.arrow as build
from dw_simulator.generator.domains import Domain, binary_matrix, json_documents
from dw_simulator.generator.pools import Pool
from dw_simulator.generator.random import F64, I64, MASK64, U64, Bijection, Bools, below, uniform
from dw_simulator.generator.sampling import IndexSampler, Sampler, ZipfSampler

DICTIONARY_LIMIT = 1 << 15


class ValueGen(ABC):
    """Values (never NULL) for any array of row indices."""

    arrow_type: pa.DataType

    @abstractmethod
    def values(self, rows: U64) -> pa.Array: ...

    def max_length(self) -> int | None:
        """Upper bound of the generated strings' lengths (None: not a string or unknown)."""
        return None

    def int_range(self) -> tuple[int, int] | None:
        """(min, max) the generated integers stay within (None: not integers or unknown)."""
        return None

    def distinct_estimate(self) -> int | None:
        """At most how many distinct values the generator produces (None: many or unknown)."""
        return None


@dataclass
class ColumnPlan:
    """A column's generator plus its NULL injection: row i is NULL when uniform(null_key, i) < null_rate."""

    table: str
    name: str
    gen: ValueGen
    null_rate: float
    null_key: int
    arrow_type: pa.DataType

    @property
    def dictionary(self) -> bool:
        """Whether Parquet dictionary encoding pays off (few distinct values)."""
        estimate = self.gen.distinct_estimate()
        return estimate is not None and estimate <= DICTIONARY_LIMIT

    def null_mask(self, rows: U64) -> Bools | None:
        if self.null_rate <= 0.0:
            return None
        mask: Bools = uniform(self.null_key, rows) < self.null_rate
        return mask

    def values(self, rows: U64) -> pa.Array:
        arr = self.gen.values(rows)
        if arr.type != self.arrow_type:
            arr = arr.cast(self.arrow_type)
        return build.with_nulls(arr, self.null_mask(rows))


# -- unique values -------------------------------------------------------------------------------------------


@dataclass
class UniqueGen(ValueGen):
    """Distinct values: the row index (or its image under a seeded bijection) encoded by an injective domain."""

    domain: Domain
    rows: int
    bijection: Bijection | None = None
    offset: int = 0
    arrow_type: pa.DataType = field(init=False)

    def __post_init__(self) -> None:
        self.arrow_type = self.domain.arrow_type

    def values(self, rows: U64) -> pa.Array:
        d = self.bijection(rows) if self.bijection is not None else rows
        if self.offset:
            d = d + np.uint64(self.offset)
        return self.domain.encode(d)

    def max_length(self) -> int | None:
        if self.bijection is not None:
            return self.domain.max_length(self.domain.size)
        return self.domain.max_length(self.rows + self.offset)

    def int_range(self) -> tuple[int, int] | None:
        if self.bijection is not None:
            return self.domain.int_range(self.domain.size)
        return self.domain.int_range(self.rows + self.offset)


# -- numbers -------------------------------------------------------------------------------------------------


@dataclass
class IntUniformGen(ValueGen):
    """Whole numbers uniform in [lo, hi] (exact for the whole BIGINT range)."""

    key: int
    lo: int
    hi: int
    arrow_type: pa.DataType

    def values(self, rows: U64) -> pa.Array:
        off = below(self.key, rows, self.hi - self.lo + 1)
        off += np.uint64(self.lo & MASK64)
        return build.numbers(off.view(np.int64), self.arrow_type)

    def int_range(self) -> tuple[int, int]:
        return self.lo, self.hi

    def distinct_estimate(self) -> int:
        return self.hi - self.lo + 1


@dataclass
class NumberGen(ValueGen):
    """A sampled float turned into the column's type: rounded and clipped to its bounds.

    kind "int": rounded to whole numbers; "decimal": rounded to `scale` digits and stored as a scaled integer;
    "float": rounded to `digits` decimals when set.
    """

    key: int
    sampler: Sampler
    kind: str
    arrow_type: pa.DataType
    lo: float
    hi: float
    scale: int = 0
    digits: int | None = None

    def values(self, rows: U64) -> pa.Array:
        x = self.sampler.sample(self.key, rows)
        if self.kind == "int":
            ints: I64 = np.clip(np.rint(x), self.lo, self.hi).astype(np.int64)
            return build.numbers(ints, self.arrow_type)
        if self.kind == "decimal":
            scaled: I64 = np.clip(np.rint(x * 10.0**self.scale), self.lo, self.hi).astype(np.int64)
            return build.decimals(scaled, self.arrow_type)
        if self.digits is not None:
            x = np.round(x, self.digits)
        out: F64 = np.clip(x, self.lo, self.hi)
        return pa.array(out, type=pa.float64())

    def int_range(self) -> tuple[int, int] | None:
        return (int(self.lo), int(self.hi)) if self.kind == "int" else None

    def distinct_estimate(self) -> int | None:
        if self.kind == "int" and self.hi - self.lo < DICTIONARY_LIMIT:
            return int(self.hi - self.lo) + 1
        return None


@dataclass
class CategoricalGen(ValueGen):
    """One of a list of typed values, by weight."""

    key: int
    choices: pa.Array
    sampler: IndexSampler
    arrow_type: pa.DataType = field(init=False)

    def __post_init__(self) -> None:
        self.arrow_type = self.choices.type

    def values(self, rows: U64) -> pa.Array:
        return self.choices.take(pa.array(self.sampler.positions(self.key, rows)))

    def max_length(self) -> int | None:
        if pa.types.is_string(self.arrow_type) and len(self.choices):
            return max(len(str(v)) for v in self.choices.to_pylist())
        return None

    def distinct_estimate(self) -> int:
        return len(self.choices)


@dataclass
class BoolGen(ValueGen):
    key: int
    arrow_type: pa.DataType = field(default_factory=pa.bool_)

    def values(self, rows: U64) -> pa.Array:
        return pa.array(below(self.key, rows, 2) == np.uint64(1), type=pa.bool_())

    def distinct_estimate(self) -> int:
        return 2


# -- dates and times -----------------------------------------------------------------------------------------


@dataclass
class TemporalGen(ValueGen):
    """Days (DATE) or microseconds (TIMESTAMP, TIME) in [start, start + span*unit], uniform or sampled.

    A sampler draws an offset in days from the start (`unit` converts days to the storage unit); without one the
    offset is uniform over whole days (DATE) or whole seconds (TIMESTAMP, TIME).
    """

    key: int
    start: int
    span: int
    """number of steps after start (inclusive): days for DATE, seconds for TIMESTAMP/TIME"""
    step: int
    """storage units per step: 1 for DATE (days), 10**6 for seconds in microseconds"""
    steps_per_day: int
    arrow_type: pa.DataType
    sampler: Sampler | None = None

    def values(self, rows: U64) -> pa.Array:
        if self.sampler is None:
            offsets = below(self.key, rows, self.span + 1).view(np.int64)
        else:
            days = self.sampler.sample(self.key, rows)
            steps = np.floor(days) if self.steps_per_day == 1 else np.rint(days * self.steps_per_day)
            offsets = np.clip(steps, 0, self.span).astype(np.int64)
        return build.numbers(offsets * np.int64(self.step) + np.int64(self.start), self.arrow_type)

    def distinct_estimate(self) -> int:
        return self.span + 1


# -- strings -------------------------------------------------------------------------------------------------


@dataclass
class PoolGen(ValueGen):
    """Strings sampled from a pool (Faker output or readable defaults), already cut to the column's length."""

    key: int
    pool: Pool
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def values(self, rows: U64) -> pa.Array:
        return self.pool.sample(self.key, rows)

    def max_length(self) -> int:
        return self.pool.max_length

    def distinct_estimate(self) -> int:
        return len(self.pool)


@dataclass
class PoolRankGen(ValueGen):
    """Pool entries chosen by a zipf rank (entry rank-1), so a few values dominate."""

    key: int
    pool: Pool
    sampler: ZipfSampler
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def values(self, rows: U64) -> pa.Array:
        ranks = self.sampler.sample(self.key, rows).astype(np.uint64) - np.uint64(self.sampler.start)
        return self.pool.at(ranks)

    def max_length(self) -> int:
        return self.pool.max_length

    def distinct_estimate(self) -> int:
        return len(self.pool)


@dataclass
class LetterGen(ValueGen):
    """Random upper-case letters of a fixed width (short CHAR columns: "QK", "B")."""

    key: int
    width: int
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def values(self, rows: U64) -> pa.Array:
        codes = below(self.key, rows, 26**self.width)
        return build.fixed_width_strings(build.radix_codes(codes, self.width, build.LETTERS))

    def max_length(self) -> int:
        return self.width

    def distinct_estimate(self) -> int:
        return int(26**self.width)


@dataclass
class BinaryGen(ValueGen):
    key: int
    width: int
    arrow_type: pa.DataType = field(default_factory=pa.binary)

    def values(self, rows: U64) -> pa.Array:
        return build.fixed_width_binary(binary_matrix(self.key, rows, self.width, unique_prefix=False))


@dataclass
class JsonGen(ValueGen):
    """Small JSON documents (objects with a few keys, or arrays) as text."""

    key: int
    kind: str
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def values(self, rows: U64) -> pa.Array:
        ids = below(self.key, rows, 1000) + np.uint64(1)
        return json_documents(self.kind, self.key, rows, ids)


@dataclass
class ConstantNullGen(ValueGen):
    """Only NULLs (a nullable foreign key whose parent table is empty)."""

    arrow_type: pa.DataType

    def values(self, rows: U64) -> pa.Array:
        return build.all_nulls(self.arrow_type, rows.shape[0])
