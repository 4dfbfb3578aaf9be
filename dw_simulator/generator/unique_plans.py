"""Generators of distinct values by construction, for unique columns.

An injective domain (integers, decimal units, a float grid, dates, timestamps, codes, emails, UUIDs, prefixed
tokens) is fed the row index (a sequence) or its image under a seeded bijection of the domain (a permutation), so
no value repeats and no set of seen values is ever kept.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pyarrow as pa

from dw_simulator.generator.bounds import (
    CODE_MAX_WIDTH,
    DEFAULT_BINARY_LENGTH,
    DEFAULT_NUMBER_SPAN,
    MICROS,
    date_range,
    decimal_units,
    distinct,
    epoch_days,
    int_range,
    seconds_window,
)
from dw_simulator.generator.columns import UniqueGen, ValueGen
from dw_simulator.generator.domains import (
    BinaryDomain,
    CodeDomain,
    Domain,
    EmailDomain,
    FloatDomain,
    IntDomain,
    JsonDomain,
    TemporalDomain,
    TokenDomain,
    UuidDomain,
    ValuesDomain,
)
from dw_simulator.generator.plan_problem import plan_problem
from dw_simulator.generator.random import Bijection, derive
from dw_simulator.generator.value_plans import ValuePlanner
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.distributions import CategoricalDistribution
from dw_simulator.schema.faker_rules import split_rule
from dw_simulator.schema.table_schema import TableSchema
from dw_simulator.schema.types import BaseType, TypeSpec


class UniquePlanner:
    """Plans unique columns, using `values` for stream keys, row counts, typed values and string pools."""

    def __init__(self, values: ValuePlanner) -> None:
        self.values = values

    def gen(self, table: TableSchema, column: ColumnSchema, spec: TypeSpec, arrow_type: pa.DataType) -> ValueGen:
        """Distinct values by construction: an injective domain fed the row index (a sequence) or its image under a
        seeded bijection of the domain (a permutation). Uniqueness wins over a distribution (except categorical,
        whose values are then dealt out without repetition) and over a faker_rule on non-string columns."""
        rows = self.values.rows(table)
        key = self.values.key(table, column, "unique")
        perm = True
        dist = column.distribution
        domain: Domain
        if column.identity is not None and spec.is_integer:
            # IDENTITY(start, increment) / AUTOINCREMENT: start, start + increment, ... in row order
            identity = column.identity
            domain, perm = IntDomain(identity.start, max(rows, 1), arrow_type, identity.increment), False
        elif isinstance(dist, CategoricalDistribution):
            domain = ValuesDomain.of(distinct(self.values.typed(table, column, dist.values)))
        elif spec.is_integer or spec.base is BaseType.DECIMAL:
            domain, perm = self._unique_number(column, spec, arrow_type, rows)
        elif spec.base is BaseType.FLOAT:
            domain = self._unique_float(column, rows)
        elif spec.base is BaseType.DATE:
            start_d, end_d = date_range(column)
            days = (end_d - start_d).days + 1
            if days < rows and not (column.date_start and column.date_end):
                if column.date_start is not None:
                    end_d = start_d + timedelta(days=rows - 1)
                else:
                    start_d = end_d - timedelta(days=rows - 1)
                days = rows
            domain = TemporalDomain(epoch_days(start_d), 1, days, arrow_type)
        elif spec.base in (BaseType.TIMESTAMP, BaseType.TIMESTAMPTZ, BaseType.TIME):
            start_us, seconds = seconds_window(column, spec)
            step = MICROS if seconds >= rows else 1
            domain = TemporalDomain(start_us, step, seconds * (MICROS // step), arrow_type)
        elif spec.base is BaseType.BOOLEAN:
            domain = ValuesDomain.of(pa.array([False, True]))
        elif spec.is_string:
            domain = self._unique_string(table, column, rows, key)
            perm = isinstance(domain, CodeDomain | UuidDomain)
        elif spec.base is BaseType.BINARY:
            domain = BinaryDomain(column.varchar_length or DEFAULT_BINARY_LENGTH, key)
        else:  # JSON family
            domain, perm = JsonDomain("array" if spec.base is BaseType.ARRAY else "object", key), False
        if domain.size < rows:
            raise plan_problem(f"{rows} unique values were asked for, but the column's domain holds only {domain.size}",
                                table, column, "is_unique")  # fmt: skip
        bijection = Bijection(domain.size, key) if perm and domain.size > 1 else None
        return UniqueGen(domain, rows, bijection)

    @staticmethod
    def _unique_number(
        column: ColumnSchema, spec: TypeSpec, arrow_type: pa.DataType, rows: int
    ) -> tuple[IntDomain, bool]:
        """Unique integers (DECIMAL: in units of 10**-scale): a sequence from the lower bound (ids 1..N, or
        1.00, 2.00... for decimals) when no upper bound is given, else a seeded permutation inside the bounds."""
        if spec.is_integer:
            lo, hi = int_range(spec, column)
            unit, default_start, low_default = 1, 1, 1
        else:
            scale, lo, hi = decimal_units(spec, column)
            unit = 10**scale
            default_start, low_default = unit, 0
        if column.max_value is None:
            start = default_start if column.min_value is None else lo
            for stride in (unit, 1):
                if start + (max(rows, 1) - 1) * stride <= hi:
                    return IntDomain(start, max(rows, 1), arrow_type, stride), False
        elif column.min_value is None and hi - low_default + 1 >= rows:
            lo = low_default
        return IntDomain(lo, hi - lo + 1, arrow_type), True

    @staticmethod
    def _unique_float(column: ColumnSchema, rows: int) -> FloatDomain:
        """A grid of round numbers inside the bounds (step a power of ten, at least `rows` points), permuted."""
        lo = 0.0 if column.min_value is None else float(column.min_value)
        hi = max(lo + DEFAULT_NUMBER_SPAN, float(rows)) if column.max_value is None else float(column.max_value)
        span = hi - lo
        if span <= 0:
            return FloatDomain(lo, 1.0, 1)
        exponent = math.floor(math.log10(span / max(rows, 1)))
        resolution = max(abs(lo), abs(hi)) * 2.0**-50
        while 10.0**exponent < resolution:
            exponent += 1
        step = 10.0**exponent
        start = math.ceil(lo / step)
        size = math.floor(hi / step) - start + 1
        return FloatDomain(start * step, step, min(max(size, 0), 1 << 62), digits=max(0, 1 - exponent))

    def _unique_string(self, table: TableSchema, column: ColumnSchema, rows: int, key: int) -> Domain:
        length = column.varchar_length
        if length is not None and length <= CODE_MAX_WIDTH:
            return CodeDomain.of_width(length)
        rule = self.values.string_rule(column)
        method = split_rule(rule)[1].lower() if rule else ""
        if "email" in method:
            budget = None if length is None else length - EmailDomain.suffix_length(rows)
            if budget is None or budget >= 3:
                return EmailDomain(key, budget)
        if "uuid" in method and (length is None or length >= 36):
            return UuidDomain(key)
        budget = None if length is None else length - 1 - len(str(max(rows, 1)))
        if budget is None or budget >= 1:
            return TokenDomain(self.values.prefix_pool(table, column), derive(key, "prefix"), budget)
        assert length is not None
        width = min(length, CODE_MAX_WIDTH)
        return CodeDomain.of_width(width)
