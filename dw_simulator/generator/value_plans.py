"""Generators for ordinary (not key) values: numbers, dates, strings from pools, booleans, binary and JSON.

A `ValuePlanner` fixes every parameter of a column's generator from its schema: bounds, distribution samplers,
Faker or word pools, stream keys derived from ``(seed, table, column, purpose)``. Unique and composite-key
columns are planned in `unique_plans` and `composite_plans`, which build on it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa

import dw_simulator.generator.arrow as build
from dw_simulator.generator.bounds import (
    DEFAULT_BINARY_LENGTH,
    DEFAULT_NUMBER_SPAN,
    MICROS,
    SECONDS_PER_DAY,
    date_range,
    decimal_units,
    epoch_days,
    float_at_least,
    float_at_most,
    int_range,
    typed_values,
    typical_scale,
)
from dw_simulator.generator.columns import (
    BinaryGen,
    BoolGen,
    CategoricalGen,
    ColumnPlan,
    IntUniformGen,
    JsonGen,
    LetterGen,
    NumberGen,
    PoolGen,
    PoolRankGen,
    TemporalGen,
    UniqueGen,
    ValueGen,
)
from dw_simulator.generator.domains import UuidDomain
from dw_simulator.generator.plan_problem import plan_problem
from dw_simulator.generator.pools import Pool, PoolError, faker_draws, faker_pool, product_pool, word_pool
from dw_simulator.generator.random import stream_key
from dw_simulator.generator.sampling import IndexSampler, Sampler, ZipfSampler, numeric_sampler
from dw_simulator.generator.shaped_json import ArrayNode, LeafNode, ObjectNode, ShapedJsonGen, ShapeNode
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.distributions import CategoricalDistribution, UniformDistribution, ZipfDistribution
from dw_simulator.schema.faker_rules import infer_faker_rule, split_rule
from dw_simulator.schema.json_shape import JsonShape
from dw_simulator.schema.table_schema import TableSchema
from dw_simulator.schema.types import BaseType, TypeSpec


class ValuePlanner:
    """Plans the value generators of one experiment's columns for a seed; `rows` gives a table's row count."""

    def __init__(self, seed: int, rows: Callable[[TableSchema], int]) -> None:
        self.seed = seed
        self.rows = rows

    def key(self, table: TableSchema, column: ColumnSchema, *purpose: object) -> int:
        return stream_key(self.seed, table.name, column.name, *purpose)

    def string_rule(self, column: ColumnSchema) -> str | None:
        return column.faker_rule or infer_faker_rule(column.name, column.type_spec)

    def prefix_pool(self, table: TableSchema, column: ColumnSchema) -> Pool:
        rule = self.string_rule(column)
        if rule is not None:
            return self.faker_pool(table, column, rule)
        lowered = column.name.lower()
        if "product" in lowered or "item_name" in lowered:
            return product_pool(self.seed)
        return word_pool(self.seed)

    def faker_pool(self, table: TableSchema, column: ColumnSchema, rule: str) -> Pool:
        try:
            return faker_pool(rule, self.seed)
        except PoolError as exc:
            raise plan_problem(str(exc), table, column, "faker_rule") from None

    def typed(self, table: TableSchema, column: ColumnSchema, values: list[Any]) -> pa.Array:
        try:
            return typed_values(values, column.type_spec, column)
        except (ValueError, TypeError, ArithmeticError, pa.ArrowException) as exc:
            raise plan_problem(f"values do not fit {column.type_spec.canonical}: {exc}", table, column) from None

    def plain(self, table: TableSchema, column: ColumnSchema, spec: TypeSpec, arrow_type: pa.DataType) -> ValueGen:
        key = self.key(table, column, "value")
        dist = column.distribution
        if isinstance(dist, CategoricalDistribution):
            choices = self.typed(table, column, dist.values)
            return CategoricalGen(key, choices, IndexSampler(dist.weights, len(dist.values)))
        if column.faker_rule is not None and not spec.is_string:
            try:
                draws = list(faker_draws(column.faker_rule, self.seed))
            except PoolError as exc:
                raise plan_problem(str(exc), table, column, "faker_rule") from None
            return CategoricalGen(key, self.typed(table, column, draws), IndexSampler(None, len(draws)))
        if spec.is_integer:
            return self._plain_int(column, spec, arrow_type, key)
        if spec.base is BaseType.DECIMAL:
            return self._plain_decimal(column, spec, arrow_type, key)
        if spec.base is BaseType.FLOAT:
            return self._plain_float(column, arrow_type, key)
        if spec.is_temporal:
            return self._plain_temporal(column, spec, arrow_type, key)
        if spec.base is BaseType.TIME:
            return TemporalGen(key, 0, SECONDS_PER_DAY - 1, MICROS, SECONDS_PER_DAY, arrow_type)
        if spec.base is BaseType.BOOLEAN:
            return BoolGen(key)
        if spec.is_string:
            return self._plain_string(table, column, key)
        if spec.base is BaseType.BINARY:
            return BinaryGen(key, column.varchar_length or DEFAULT_BINARY_LENGTH)
        if column.json_shape is not None:
            return self._shaped_json(table, column)
        return JsonGen(key, "array" if spec.base is BaseType.ARRAY else "object")

    def _shaped_json(self, table: TableSchema, column: ColumnSchema) -> ValueGen:
        """Documents of the column's declared shape: each value leaf is planned like a column of its own, named
        after its path (so name-based defaults such as emails still apply) and keyed by it."""
        used: set[str] = set()

        def leaf_name(path: list[str]) -> str:
            base = re.sub(r"[^A-Za-z0-9_]", "_", "_".join([column.name, *path]))[:58]
            name, n = base, 1
            while name.lower() in used:
                name, n = f"{base}_{n}", n + 1
            used.add(name.lower())
            return name

        def node_for(shape: JsonShape, path: list[str]) -> ShapeNode:
            if shape.kind == "object":
                return ObjectNode([(k, node_for(child, [*path, k])) for k, child in (shape.properties or {}).items()])
            if shape.kind == "array":
                assert shape.items is not None
                length_key = self.key(table, column, "json", *path, "length")
                return ArrayNode(node_for(shape.items, [*path, "item"]), shape.min_items, shape.max_items, length_key)
            leaf = ColumnSchema.model_validate(shape.leaf_column(leaf_name(path)))
            leaf_spec = leaf.type_spec
            leaf_type = build.arrow_type_for(leaf_spec)
            gen = self.plain(table, leaf, leaf_spec, leaf_type)
            null_key = self.key(table, leaf, "null")
            return LeafNode(ColumnPlan(table.name, leaf.name, gen, leaf.effective_null_rate, null_key, leaf_type))

        assert column.json_shape is not None
        return ShapedJsonGen(node_for(column.json_shape, []))

    def _plain_decimal(self, column: ColumnSchema, spec: TypeSpec, arrow_type: pa.DataType, key: int) -> ValueGen:
        scale, lo_u, hi_u = decimal_units(spec, column)
        unit = 10.0**scale
        if column.distribution is None:
            low = lo_u / unit if column.min_value is not None else max(0.0, lo_u / unit)
            high = hi_u / unit if column.max_value is not None else min(low + DEFAULT_NUMBER_SPAN, hi_u / unit)
            sampler = numeric_sampler(UniformDistribution(), low=low, high=max(low, high), integral=False)
        else:
            sampler = self._numeric_sampler(column, integral=False)
        return NumberGen(key, sampler, "decimal", arrow_type, float_at_least(lo_u), float_at_most(hi_u), scale)

    def _plain_float(self, column: ColumnSchema, arrow_type: pa.DataType, key: int) -> ValueGen:
        """Uniform amounts 0..1000 by default; money-like scales are rounded to cents."""
        lo = -math.inf if column.min_value is None else float(column.min_value)
        hi = math.inf if column.max_value is None else float(column.max_value)
        dist = column.distribution
        if dist is None:
            low = 0.0 if column.min_value is None else lo
            if column.min_value is None and column.max_value is not None and hi < 0:
                low = hi - DEFAULT_NUMBER_SPAN
            high = low + DEFAULT_NUMBER_SPAN if column.max_value is None else hi
            sampler = numeric_sampler(UniformDistribution(), low=low, high=high, integral=False)
            return NumberGen(key, sampler, "float", arrow_type, lo, hi, digits=2 if high - low >= 10 else None)
        digits = 2 if typical_scale(dist, lo, hi) >= 10 else None
        return NumberGen(key, self._numeric_sampler(column, integral=False), "float", arrow_type, lo, hi,
                         digits=digits)  # fmt: skip

    def _plain_temporal(self, column: ColumnSchema, spec: TypeSpec, arrow_type: pa.DataType, key: int) -> ValueGen:
        """Uniform over the date range; a distribution draws the offset in days from its start."""
        start_d, end_d = date_range(column)
        days = (end_d - start_d).days
        sampler: Sampler | None = None
        if column.distribution is not None:
            stretch = float(days + (0 if spec.base is BaseType.DATE else 1))
            sampler = numeric_sampler(column.distribution, low=0.0, high=stretch, integral=False, zipf_n=days + 1,
                                      zipf_start=0)  # fmt: skip
        if spec.base is BaseType.DATE:
            return TemporalGen(key, epoch_days(start_d), days, 1, 1, arrow_type, sampler)
        start_us = epoch_days(start_d) * SECONDS_PER_DAY * MICROS
        span = (days + 1) * SECONDS_PER_DAY - 1
        return TemporalGen(key, start_us, span, MICROS, SECONDS_PER_DAY, arrow_type, sampler)

    def _numeric_sampler(self, column: ColumnSchema, *, integral: bool) -> Any:
        dist = column.distribution
        assert dist is not None and not isinstance(dist, CategoricalDistribution)
        lo = None if column.min_value is None else float(column.min_value)
        hi = None if column.max_value is None else float(column.max_value)
        zipf_n = int(hi - lo + 1) if lo is not None and hi is not None and integral else None
        start = int(lo) if lo is not None and integral else 1
        return numeric_sampler(dist, low=lo, high=hi, integral=integral, zipf_n=zipf_n, zipf_start=start)

    def _plain_int(self, column: ColumnSchema, spec: TypeSpec, arrow_type: pa.DataType, key: int) -> ValueGen:
        lo, hi = int_range(spec, column)
        if column.distribution is None:
            if column.min_value is None and column.max_value is None:
                lo, hi = max(lo, 0), min(hi, DEFAULT_NUMBER_SPAN)
            elif column.max_value is None:
                hi = min(hi, lo + DEFAULT_NUMBER_SPAN)
            elif column.min_value is None:
                lo = max(lo, hi - DEFAULT_NUMBER_SPAN)
            return IntUniformGen(key, lo, hi, arrow_type)
        sampler = self._numeric_sampler(column, integral=True)
        return NumberGen(key, sampler, "int", arrow_type, float_at_least(lo), float_at_most(hi))

    def _plain_string(self, table: TableSchema, column: ColumnSchema, key: int) -> ValueGen:
        length = column.varchar_length
        rule = self.string_rule(column)
        if rule is None and column.type_spec.base is BaseType.CHAR and length is not None and length <= 3:
            return LetterGen(key, length)
        dist = column.distribution
        if rule is not None and "uuid" in split_rule(rule)[1].lower() and (length is None or length >= 36):
            return UniqueGen(UuidDomain(key), self.rows(table))  # random UUIDs, distinct even when not required
        pool = self.prefix_pool(table, column).truncated(length)
        if isinstance(dist, ZipfDistribution):
            return PoolRankGen(key, pool, ZipfSampler(dist.a, dist.n or len(pool), 1))
        return PoolGen(key, pool)
