"""Planning: from an `ExperimentSchema` to a picklable `ExperimentPlan` of pure column generators.

Everything that can fail for a reason the user controls fails here, before any file is written: row overrides,
unique capacity, composite-key capacity, foreign keys that cannot be satisfied, Faker rules that cannot build a
pool, categorical values that do not fit the column. The plan fixes every parameter (bounds, pools, stream keys
derived from ``(seed, table, column)``, row counts, cardinality block totals); generating a batch afterwards only
evaluates pure functions of row indices, in any process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyarrow as pa

from dw_simulator.errors import Problem, SchemaValidationError
from dw_simulator.generator import arrow as build
from dw_simulator.generator.bounds import (
    CODE_MAX_WIDTH,
    DEFAULT_BINARY_LENGTH,
    DEFAULT_NUMBER_SPAN,
    MICROS,
    SECONDS_PER_DAY,
    date_range,
    decimal_units,
    distinct,
    epoch_days,
    float_at_least,
    float_at_most,
    int_range,
    seconds_window,
    typed_values,
    typical_scale,
)
from dw_simulator.generator.columns import (
    BinaryGen,
    BoolGen,
    CategoricalGen,
    ColumnPlan,
    ConstantNullGen,
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
from dw_simulator.generator.keys import (
    CardinalityLayout,
    CompositeGroup,
    CompositeMemberGen,
    ForeignKeyDomain,
    ForeignKeyGen,
    LayoutForeignKeyGen,
    allocate_sizes,
)
from dw_simulator.generator.pools import Pool, PoolError, faker_draws, faker_pool, product_pool, word_pool
from dw_simulator.generator.random import Bijection, derive, stream_key
from dw_simulator.generator.sampling import (
    IndexSampler,
    Sampler,
    ZipfSampler,
    count_sampler,
    numeric_sampler,
)
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.distributions import (
    CategoricalDistribution,
    UniformDistribution,
    ZipfDistribution,
)
from dw_simulator.schema.experiment_schema import ExperimentSchema, generation_order
from dw_simulator.schema.faker_rules import infer_faker_rule, split_rule
from dw_simulator.schema.table_schema import MAX_TARGET_ROWS, TableSchema
from dw_simulator.schema.types import INTEGER_RANGES, BaseType, TypeSpec


@dataclass
class TablePlan:
    name: str
    rows: int
    columns: list[ColumnPlan]
    schema: pa.Schema


@dataclass
class ExperimentPlan:
    seed: int
    tables: list[TablePlan]

    def table(self, name: str) -> TablePlan:
        lowered = name.lower()
        return next(t for t in self.tables if t.name.lower() == lowered)


class PlanError(Exception):
    """Internal: one located problem, turned into `SchemaValidationError` by `build_plan`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _problem(message: str, table: TableSchema | None = None, column: ColumnSchema | None = None,
             field: str | None = None) -> PlanError:  # fmt: skip
    return PlanError(
        Problem(message, table=table.name if table else None, column=column.name if column else None, field=field)
    )


def build_plan(schema: ExperimentSchema, seed: int, row_overrides: dict[str, int] | None = None) -> ExperimentPlan:
    """Validate the request and fix every generator parameter. Raises `SchemaValidationError`."""
    planner = _Planner(schema, seed, row_overrides or {})
    try:
        return planner.plan()
    except PlanError as exc:
        raise SchemaValidationError(f"cannot generate '{schema.name}': {exc.problem}",
                                    details=[exc.problem.to_dict()]) from None  # fmt: skip


# -- the planner ---------------------------------------------------------------------------------------------


@dataclass
class _MemberSpec:
    """A composite-key member: its largest domain size (None: as large as needed) and how to build a domain."""

    cap: int | None
    make: Callable[[int], Domain]


class _Planner:
    def __init__(self, schema: ExperimentSchema, seed: int, overrides: dict[str, int]) -> None:
        self.schema = schema
        self.seed = seed
        self.overrides = self._check_overrides(overrides)
        self._rows: dict[str, int] = {}
        self._layouts: dict[str, CardinalityLayout | None] = {}
        self._columns: dict[tuple[str, str], ColumnPlan] = {}
        self._composites: dict[str, dict[str, ValueGen]] = {}
        self._building: list[str] = []

    # -- entry ----------------------------------------------------------------------------------------------
    def plan(self) -> ExperimentPlan:
        problems: list[Problem] = []
        for table in self.schema.tables:
            rows = self.rows(table)
            for col_name, message in table.capacity_problems(rows):
                problems.append(Problem(message, table=table.name, column=col_name, field="is_unique"))
        if problems:
            summary = "; ".join(str(p) for p in problems[:5])
            raise SchemaValidationError(f"cannot generate '{self.schema.name}': {summary}",
                                        details=[p.to_dict() for p in problems])  # fmt: skip
        tables = []
        for table in generation_order(self.schema):
            columns = [self.column(table, c) for c in table.columns]
            tables.append(TablePlan(table.name, self.rows(table), columns, build.arrow_schema_for(table)))
        return ExperimentPlan(self.seed, tables)

    def _check_overrides(self, overrides: dict[str, int]) -> dict[str, int]:
        known = {t.name.lower(): t.name for t in self.schema.tables}
        out: dict[str, int] = {}
        for name, rows in overrides.items():
            if name.lower() not in known:
                raise SchemaValidationError(
                    f"row override names table '{name}', which experiment '{self.schema.name}' does not define; "
                    f"tables: {', '.join(known.values())}",
                    details=[Problem("unknown table", table=name, field="rows").to_dict()],
                )
            if isinstance(rows, bool) or not isinstance(rows, int) or not 0 <= rows <= MAX_TARGET_ROWS:
                raise SchemaValidationError(
                    f"row override for '{name}' must be a whole number between 0 and {MAX_TARGET_ROWS}, not {rows!r}",
                    details=[Problem("invalid row count", table=known[name.lower()], field="rows").to_dict()],
                )
            out[name.lower()] = rows
        return out

    def _guard(self, token: str, table: TableSchema, column: ColumnSchema | None = None) -> None:
        if token in self._building:
            chain = " -> ".join([*self._building[self._building.index(token) :], token])
            raise _problem(f"foreign keys and cardinalities depend on each other in a loop ({chain})", table, column,
                           "foreign_key")  # fmt: skip
        self._building.append(token)

    def _table(self, name: str) -> TableSchema:
        table = self.schema.table(name)
        assert table is not None, name  # the schema validated every reference
        return table

    def key(self, table: TableSchema, column: ColumnSchema, *purpose: object) -> int:
        return stream_key(self.seed, table.name, column.name, *purpose)

    # -- row counts and layouts -----------------------------------------------------------------------------
    def rows(self, table: TableSchema) -> int:
        name = table.name.lower()
        if name not in self._rows:
            layout = self.layout(table)
            if layout is not None:
                if layout.total > MAX_TARGET_ROWS:
                    raise _problem(f"the cardinality gives {layout.total} rows, more than {MAX_TARGET_ROWS}", table)
                self._rows[name] = layout.total
            else:
                self._rows[name] = self.overrides.get(name, table.target_rows)
        return self._rows[name]

    def layout_column(self, table: TableSchema) -> ColumnSchema | None:
        with_card = [c for c in table.columns if c.foreign_key is not None and c.foreign_key.cardinality is not None]
        if len(with_card) > 1:
            raise _problem("only one foreign key per table can set a cardinality (it decides the row count); "
                           f"found {', '.join(c.name for c in with_card)}", table, with_card[1],
                           "foreign_key.cardinality")  # fmt: skip
        if not with_card:
            return None
        column = with_card[0]
        assert column.foreign_key is not None
        if column.foreign_key.references_table.lower() == table.name.lower():
            raise _problem("a self-referencing foreign key cannot set a cardinality", table, column,
                           "foreign_key.cardinality")  # fmt: skip
        return column  # its cardinality decides the row count: target_rows and row overrides do not apply

    def layout(self, table: TableSchema) -> CardinalityLayout | None:
        name = table.name.lower()
        if name in self._layouts:
            return self._layouts[name]
        column = self.layout_column(table)
        if column is None:
            self._layouts[name] = None
            return None
        fk = column.foreign_key
        assert fk is not None and fk.cardinality is not None
        self._guard(f"rows:{name}", table, column)
        parent_table = self._table(fk.references_table)
        parent_col = parent_table.column(fk.references_column)
        assert parent_col is not None
        card = fk.cardinality
        if isinstance(card, CategoricalDistribution):
            bad = [v for v in card.values if isinstance(v, bool) or not isinstance(v, int | float) or v < 0
                   or float(v) != int(v)]  # fmt: skip
            if bad:
                raise _problem(f"categorical cardinality values must be whole numbers >= 0, not {bad[0]!r}", table,
                               column, "foreign_key.cardinality")  # fmt: skip
        parent = self.column(parent_table, parent_col)
        layout = CardinalityLayout(
            parent=parent,
            parent_rows=self.rows(parent_table),
            sampler=count_sampler(card),
            key=self.key(table, column, "cardinality"),
            max_children=1 if column.is_unique else None,
        )
        self._building.pop()
        self._layouts[name] = layout
        return layout

    # -- columns --------------------------------------------------------------------------------------------
    def column(self, table: TableSchema, column: ColumnSchema) -> ColumnPlan:
        token = f"{table.name.lower()}.{column.name.lower()}"
        if (cached := self._columns.get((table.name.lower(), column.name.lower()))) is not None:
            return cached
        self._guard(token, table, column)
        spec = column.type_spec
        self._check_range(table, column, spec)
        arrow_type = build.arrow_type_for(spec)
        null_rate = column.effective_null_rate
        composite = self.composites(table)
        layout_col = self.layout_column(table)
        gen: ValueGen
        if column.name.lower() in composite:
            gen = composite[column.name.lower()]
            null_rate = 0.0
        elif layout_col is not None and layout_col.name.lower() == column.name.lower():
            layout = self.layout(table)
            assert layout is not None
            self._check_fk_fits(table, column, layout.parent.gen)
            gen = LayoutForeignKeyGen(layout, arrow_type)
            null_rate = column.null_rate or 0.0
        elif column.foreign_key is not None:
            gen, forced_null = self._foreign_key(table, column, arrow_type)
            if forced_null:
                null_rate = 1.0
        elif table.composite_keys and column.name.lower() == "_row_id":
            gen = UniqueGen(IntDomain(1, max(self.rows(table), 1), arrow_type), self.rows(table))
            null_rate = 0.0
        elif column.is_unique:
            gen = self._unique(table, column, spec, arrow_type)
        else:
            gen = self._plain(table, column, spec, arrow_type)
        plan = ColumnPlan(table.name, column.name, gen, null_rate, self.key(table, column, "null"), arrow_type)
        self._building.pop()
        self._columns[(table.name.lower(), column.name.lower())] = plan
        return plan

    @staticmethod
    def _check_range(table: TableSchema, column: ColumnSchema, spec: TypeSpec) -> None:
        """The bounds must leave at least one value of the type (and DECIMALs must fit the int64 units used)."""
        if spec.is_integer:
            lo, hi = int_range(spec, column)
            what = "no whole number"
        elif spec.base is BaseType.DECIMAL:
            _, lo, hi = decimal_units(spec, column)
            what = f"no {spec.canonical} value within +/-10^18 units of 10^-{spec.precision_scale[1]}"
        else:
            return
        if lo > hi:
            raise _problem(f"min_value/max_value leave {what} to generate", table, column, "min_value")

    def _check_fk_fits(self, table: TableSchema, column: ColumnSchema, parent_gen: ValueGen) -> None:
        spec = column.type_spec
        if spec.is_integer:
            rng = parent_gen.int_range()
            t_lo, t_hi = INTEGER_RANGES[spec.base]
            if rng is not None and (rng[0] < t_lo or rng[1] > t_hi):
                raise _problem(f"the parent key's values reach {rng[0]}..{rng[1]}, which does not fit "
                               f"{spec.canonical}", table, column, "data_type")  # fmt: skip
        if spec.is_string and column.varchar_length is not None:
            longest = parent_gen.max_length()
            if longest is None or longest > column.varchar_length:
                size = "unbounded" if longest is None else str(longest)
                raise _problem(f"the parent key's values can be {size} characters long, more than this column's "
                               f"varchar_length {column.varchar_length}", table, column, "varchar_length")  # fmt: skip

    def _foreign_key(self, table: TableSchema, column: ColumnSchema, arrow_type: pa.DataType) -> tuple[ValueGen, bool]:
        fk = column.foreign_key
        assert fk is not None
        parent_table = self._table(fk.references_table)
        parent_col = parent_table.column(fk.references_column)
        assert parent_col is not None
        if parent_col.name.lower() == column.name.lower() and parent_table.name.lower() == table.name.lower():
            raise _problem("a column cannot reference itself", table, column, "foreign_key")
        parent = self.column(parent_table, parent_col)
        self._check_fk_fits(table, column, parent.gen)
        parent_rows = self.rows(parent_table)
        rows = self.rows(table)
        key = self.key(table, column, "fk")
        nullable = not (column.required or fk.nullable is False)
        if parent_rows == 0 or parent.null_rate >= 1.0:
            if rows and not nullable:
                raise _problem(f"table '{parent_table.name}' has no rows with a key to reference, but this "
                               "foreign key is required", table, column, "foreign_key")  # fmt: skip
            return ConstantNullGen(arrow_type), True
        self_ref = parent_table.name.lower() == table.name.lower()
        if column.is_unique:
            if self_ref:
                return ForeignKeyGen(parent, parent_rows, key, arrow_type, mode="self-unique"), False
            if rows > parent_rows:
                raise _problem(f"a unique foreign key needs at most one row per parent row: {rows} rows but "
                               f"'{parent_table.name}' has {parent_rows}", table, column, "is_unique")  # fmt: skip
            if parent.null_rate > 0 and column.effective_null_rate == 0:
                raise _problem("a required unique foreign key cannot reference a key column with NULLs", table,
                               column, "foreign_key")  # fmt: skip
            bijection = Bijection(parent_rows, derive(key, "unique"))
            return ForeignKeyGen(parent, parent_rows, key, arrow_type, mode="unique", bijection=bijection), False
        mode = "self" if self_ref else "uniform"
        return ForeignKeyGen(parent, parent_rows, key, arrow_type, mode=mode), False

    # -- unique columns -------------------------------------------------------------------------------------
    def _unique(self, table: TableSchema, column: ColumnSchema, spec: TypeSpec, arrow_type: pa.DataType) -> ValueGen:
        """Distinct values by construction: an injective domain fed the row index (a sequence) or its image under a
        seeded bijection of the domain (a permutation). Uniqueness wins over a distribution (except categorical,
        whose values are then dealt out without repetition) and over a faker_rule on non-string columns."""
        rows = self.rows(table)
        key = self.key(table, column, "unique")
        perm = True
        dist = column.distribution
        domain: Domain
        if column.identity is not None and spec.is_integer:
            # IDENTITY(start, increment) / AUTOINCREMENT: start, start + increment, ... in row order
            identity = column.identity
            domain, perm = IntDomain(identity.start, max(rows, 1), arrow_type, identity.increment), False
        elif isinstance(dist, CategoricalDistribution):
            domain = ValuesDomain.of(distinct(self._typed(table, column, dist.values)))
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
            raise _problem(f"{rows} unique values were asked for, but the column's domain holds only {domain.size}",
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

    def _string_rule(self, column: ColumnSchema) -> str | None:
        return column.faker_rule or infer_faker_rule(column.name, column.type_spec)

    def _prefix_pool(self, table: TableSchema, column: ColumnSchema) -> Pool:
        rule = self._string_rule(column)
        if rule is not None:
            return self._faker_pool(table, column, rule)
        lowered = column.name.lower()
        if "product" in lowered or "item_name" in lowered:
            return product_pool(self.seed)
        return word_pool(self.seed)

    def _faker_pool(self, table: TableSchema, column: ColumnSchema, rule: str) -> Pool:
        try:
            return faker_pool(rule, self.seed)
        except PoolError as exc:
            raise _problem(str(exc), table, column, "faker_rule") from None

    def _unique_string(self, table: TableSchema, column: ColumnSchema, rows: int, key: int) -> Domain:
        length = column.varchar_length
        if length is not None and length <= CODE_MAX_WIDTH:
            return CodeDomain.of_width(length)
        rule = self._string_rule(column)
        method = split_rule(rule)[1].lower() if rule else ""
        if "email" in method:
            budget = None if length is None else length - EmailDomain.suffix_length(rows)
            if budget is None or budget >= 3:
                return EmailDomain(key, budget)
        if "uuid" in method and (length is None or length >= 36):
            return UuidDomain(key)
        budget = None if length is None else length - 1 - len(str(max(rows, 1)))
        if budget is None or budget >= 1:
            return TokenDomain(self._prefix_pool(table, column), derive(key, "prefix"), budget)
        assert length is not None
        width = min(length, CODE_MAX_WIDTH)
        return CodeDomain.of_width(width)

    # -- non-unique columns ---------------------------------------------------------------------------------
    def _typed(self, table: TableSchema, column: ColumnSchema, values: list[Any]) -> pa.Array:
        try:
            return typed_values(values, column.type_spec, column)
        except (ValueError, TypeError, ArithmeticError, pa.ArrowException) as exc:
            raise _problem(f"values do not fit {column.type_spec.canonical}: {exc}", table, column) from None

    def _plain(self, table: TableSchema, column: ColumnSchema, spec: TypeSpec, arrow_type: pa.DataType) -> ValueGen:
        key = self.key(table, column, "value")
        dist = column.distribution
        if isinstance(dist, CategoricalDistribution):
            choices = self._typed(table, column, dist.values)
            return CategoricalGen(key, choices, IndexSampler(dist.weights, len(dist.values)))
        if column.faker_rule is not None and not spec.is_string:
            try:
                draws = list(faker_draws(column.faker_rule, self.seed))
            except PoolError as exc:
                raise _problem(str(exc), table, column, "faker_rule") from None
            return CategoricalGen(key, self._typed(table, column, draws), IndexSampler(None, len(draws)))
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
        from dw_simulator.generator.json_shape import ArrayNode, LeafNode, ObjectNode, ShapedJsonGen, ShapeNode
        from dw_simulator.schema.json_shape import JsonShape

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
            gen = self._plain(table, leaf, leaf_spec, leaf_type)
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
        rule = self._string_rule(column)
        if rule is None and column.type_spec.base is BaseType.CHAR and length is not None and length <= 3:
            return LetterGen(key, length)
        dist = column.distribution
        if rule is not None and "uuid" in split_rule(rule)[1].lower() and (length is None or length >= 36):
            return UniqueGen(UuidDomain(key), self.rows(table))  # random UUIDs, distinct even when not required
        pool = self._prefix_pool(table, column).truncated(length)
        if isinstance(dist, ZipfDistribution):
            return PoolRankGen(key, pool, ZipfSampler(dist.a, dist.n or len(pool), 1))
        return PoolGen(key, pool)

    # -- composite keys -------------------------------------------------------------------------------------
    def composites(self, table: TableSchema) -> dict[str, ValueGen]:
        name = table.name.lower()
        if name in self._composites:
            return self._composites[name]
        self._composites[name] = {}  # members of a group being planned are not yet assigned
        assigned: dict[str, ValueGen] = {}
        done_groups: list[frozenset[str]] = []
        layout_col = self.layout_column(table)
        layout_key = layout_col.name.lower() if layout_col is not None else None
        rows = self.rows(table)
        for index, group in enumerate(table.composite_keys):
            members = [m.lower() for m in group]
            columns = [table.column(m) for m in members]
            if any(c is not None and c.is_unique and c.name.lower() != "_row_id" for c in columns):
                continue  # one member alone is unique, so the tuple is
            if any(g <= frozenset(members) for g in done_groups):
                continue
            layout = self.layout(table) if layout_key in members else None
            free = [m for m in members if m not in assigned and m != layout_key]
            need = max(layout.max_count, 1) if layout is not None else rows
            if not free:
                raise _problem(f"composite key ({', '.join(group)}) cannot be made unique: its columns are already "
                               "set by another composite key", table, field="composite_keys")  # fmt: skip
            specs = [self._member(table, table.column(m), need) for m in free]  # type: ignore[arg-type]
            sizes = allocate_sizes([s.cap for s in specs], need)
            if sizes is None:
                capacity = math.prod(s.cap or 1 for s in specs)
                raise _problem(f"composite key ({', '.join(group)}) cannot hold {need} distinct tuples: its columns' "
                               f"domains allow only {capacity}; widen their ranges", table,
                               field="composite_keys")  # fmt: skip
            product = math.prod(sizes)
            bijection = None
            if layout is None:
                bijection = Bijection(product, stream_key(self.seed, table.name, "composite", index))
            grp = CompositeGroup(sizes, bijection, layout)
            for pos, (member, spec_) in enumerate(zip(free, specs, strict=True)):
                assigned[member] = CompositeMemberGen(grp, pos, spec_.make(sizes[pos]))
            done_groups.append(frozenset(members))
        self._composites[name] = assigned
        return assigned

    def _member(self, table: TableSchema, column: ColumnSchema, need: int) -> _MemberSpec:
        spec = column.type_spec
        arrow_type = build.arrow_type_for(spec)
        key = self.key(table, column, "composite")
        dist = column.distribution
        if column.foreign_key is not None:
            fk = column.foreign_key
            parent_table = self._table(fk.references_table)
            parent_col = parent_table.column(fk.references_column)
            assert parent_col is not None
            if parent_table.name.lower() == table.name.lower():
                raise _problem("a composite key member cannot reference its own table", table, column, "foreign_key")
            parent = self.column(parent_table, parent_col)
            self._check_fk_fits(table, column, parent.gen)
            if parent.null_rate > 0:
                raise _problem("a composite key member cannot reference a key column with NULLs", table, column,
                               "foreign_key")  # fmt: skip
            n_parent = self.rows(parent_table)
            return _MemberSpec(n_parent, lambda size: ForeignKeyDomain(parent, size, arrow_type, n_parent // size))
        if isinstance(dist, CategoricalDistribution):
            values = distinct(self._typed(table, column, dist.values))
            return _MemberSpec(len(values), lambda size: ValuesDomain.of(values.slice(0, size)))
        if spec.is_integer:
            lo, hi = int_range(spec, column)
            if column.min_value is not None and column.max_value is not None:
                span = hi - lo + 1
                return _MemberSpec(span, lambda size: IntDomain(lo, size, arrow_type, span // size))
            if column.max_value is not None:
                return _MemberSpec(hi - lo + 1, lambda size: IntDomain(hi - size + 1, size, arrow_type))
            start = 1 if column.min_value is None else lo
            return _MemberSpec(hi - start + 1, lambda size: IntDomain(start, size, arrow_type))
        if spec.base is BaseType.DECIMAL:
            scale, lo_u, hi_u = decimal_units(spec, column)
            unit = 10**scale
            if column.min_value is not None and column.max_value is not None:
                span = hi_u - lo_u + 1
                return _MemberSpec(span, lambda size: IntDomain(lo_u, size, arrow_type, span // size))
            start = unit if column.min_value is None else lo_u
            return _MemberSpec((hi_u - start) // unit + 1, lambda size: IntDomain(start, size, arrow_type, unit))
        if spec.base is BaseType.FLOAT:
            lo_f = 1.0 if column.min_value is None else float(column.min_value)
            if column.max_value is not None:
                hi_f = float(column.max_value)
                return _MemberSpec(1 << 40, lambda size: FloatDomain(lo_f, (hi_f - lo_f) / size, size))
            return _MemberSpec(None, lambda size: FloatDomain(lo_f, 1.0, size))
        if spec.base is BaseType.DATE:
            start_d, end_d = date_range(column)
            start = epoch_days(start_d)
            if column.date_start is not None and column.date_end is not None:
                days = (end_d - start_d).days + 1
                return _MemberSpec(days, lambda size: TemporalDomain(start, days // size, size, arrow_type))
            if column.date_start is None and column.date_end is not None:
                end = epoch_days(end_d)
                return _MemberSpec(end + 700_000, lambda size: TemporalDomain(end - size + 1, 1, size, arrow_type))
            return _MemberSpec(2_000_000, lambda size: TemporalDomain(start, 1, size, arrow_type))
        if spec.base in (BaseType.TIMESTAMP, BaseType.TIMESTAMPTZ, BaseType.TIME):
            begin, total = seconds_window(column, spec)
            return _MemberSpec(total, lambda size: TemporalDomain(begin, MICROS * (total // size), size, arrow_type))
        if spec.base is BaseType.BOOLEAN:
            return _MemberSpec(2, lambda size: ValuesDomain.of(pa.array([False, True][:size])))
        if spec.is_string:
            length = column.varchar_length
            if length is not None and length <= CODE_MAX_WIDTH:
                return _MemberSpec(36**length, lambda size: CodeDomain.of_width(length))
            pool = self._prefix_pool(table, column)

            def token(size: int) -> Domain:
                budget = None if length is None else length - 1 - len(str(size))
                if budget is not None and budget < 1:
                    return CodeDomain.of_width(min(length or CODE_MAX_WIDTH, CODE_MAX_WIDTH))
                return TokenDomain(pool, derive(key, "prefix"), budget)

            return _MemberSpec(36**CODE_MAX_WIDTH if length is not None else None, token)
        if spec.base is BaseType.BINARY:
            width = column.varchar_length or DEFAULT_BINARY_LENGTH
            return _MemberSpec(min(256 ** min(width, 8), 1 << 62), lambda size: BinaryDomain(width, key))
        raise _problem(f"a {spec.canonical} column cannot be part of a composite key", table, column,
                       "composite_keys")  # fmt: skip
