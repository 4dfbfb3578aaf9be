"""Planning learned columns: an `empirical` distribution (and the table's copula) into an empirical generator.

Frequent values are typed like categorical values and, for numbers and dates, turned into the storage unit the
generator interpolates in (days for DATE, microseconds for TIMESTAMP, plain numbers for DECIMAL). A table's copula
is planned once, keyed by (seed, table, "copula"), and shared by its columns.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from dw_simulator.generator.bounds import (
    MICROS,
    SECONDS_PER_DAY,
    decimal_units,
    float_at_least,
    float_at_most,
    int_range,  # fmt: skip
)
from dw_simulator.generator.columns import ValueGen
from dw_simulator.generator.empirical import (
    Breakpoints,
    CopulaGroup,
    CopulaLatent,
    EmpiricalChoiceGen,
    EmpiricalNumberGen,
    Latent,
    PatternSet,
    UniformLatent,
)
from dw_simulator.generator.plan_problem import plan_problem
from dw_simulator.generator.random import derive, stream_key
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.distributions import EmpiricalDistribution
from dw_simulator.schema.table_schema import TableSchema
from dw_simulator.schema.types import BaseType, TypeSpec

MICROS_PER_DAY = float(SECONDS_PER_DAY * MICROS)


class EmpiricalPlanner:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._groups: dict[str, CopulaGroup] = {}

    def latent(self, table: TableSchema, column: ColumnSchema, key: int) -> Latent:
        copula = table.copula
        if copula is not None:
            names = [c.lower() for c in copula.columns]
            if column.name.lower() in names:
                group = self._groups.get(table.name.lower())
                if group is None:
                    group = CopulaGroup(stream_key(self.seed, table.name, "copula"), copula.correlation)
                    self._groups[table.name.lower()] = group
                return CopulaLatent(group, names.index(column.name.lower()))
        return UniformLatent(key)

    def gen(self, table: TableSchema, column: ColumnSchema, spec: TypeSpec, arrow_type: pa.DataType, key: int,
            typed: pa.Array) -> ValueGen:  # fmt: skip
        """`typed`: the distribution's frequent values as an Arrow array of the column's type."""
        dist = column.distribution
        assert isinstance(dist, EmpiricalDistribution)
        latent = self.latent(table, column, key)
        rest = dist.rest_share
        if spec.is_string or spec.base is BaseType.BOOLEAN:
            if not dist.values and not dist.patterns:
                raise plan_problem("an empirical string column needs values or patterns", table, column,
                                   "distribution")  # fmt: skip
            points = Breakpoints.build(latent, dist.weights, rest, 0)
            patterns = PatternSet(dist.patterns, dist.pattern_weights, derive(key, "patterns")) if rest else None
            return EmpiricalChoiceGen(latent, points, typed, patterns)
        if not (spec.is_numeric or spec.is_temporal):
            raise plan_problem(f"empirical distributions do not apply to {spec.canonical}", table, column,
                               "distribution")  # fmt: skip
        points = Breakpoints.build(latent, dist.weights, rest, len(dist.quantiles) if rest else 0)
        quantiles = np.asarray(dist.quantiles if rest else [], dtype=np.float64)
        values = _storage_numbers(typed, spec)
        if spec.is_integer:
            lo, hi = int_range(spec, column)
            return EmpiricalNumberGen(latent, points, values, quantiles, "int", arrow_type, float_at_least(lo),
                                      float_at_most(hi))  # fmt: skip
        if spec.base is BaseType.DECIMAL:
            scale, lo_u, hi_u = decimal_units(spec, column)
            return EmpiricalNumberGen(latent, points, values, quantiles, "decimal", arrow_type, float_at_least(lo_u),
                                      float_at_most(hi_u), scale)  # fmt: skip
        if spec.base is BaseType.FLOAT:
            lo_f = -np.inf if column.min_value is None else float(column.min_value)
            hi_f = np.inf if column.max_value is None else float(column.max_value)
            return EmpiricalNumberGen(latent, points, values, quantiles, "float", arrow_type, lo_f, hi_f,
                                      digits=dist.digits)  # fmt: skip
        if spec.base is BaseType.DATE:
            return EmpiricalNumberGen(latent, points, values, quantiles, "date", arrow_type)
        return EmpiricalNumberGen(latent, points, values, quantiles * MICROS_PER_DAY, "timestamp", arrow_type)


def _storage_numbers(typed: pa.Array, spec: TypeSpec) -> np.ndarray:
    if len(typed) == 0:
        return np.zeros(0, dtype=np.float64)
    if spec.base is BaseType.DATE:
        return np.asarray(typed.cast(pa.int32()).to_numpy(zero_copy_only=False), dtype=np.float64)
    if spec.base in (BaseType.TIMESTAMP, BaseType.TIMESTAMPTZ):
        return np.asarray(typed.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    return np.asarray(typed.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False), dtype=np.float64)
