"""Planning: from an `ExperimentSchema` to a picklable `ExperimentPlan` of pure column generators.

Everything that can fail for a reason the user controls fails here, before any file is written: row overrides,
unique capacity, composite-key capacity, foreign keys that cannot be satisfied, Faker rules that cannot build a
pool, categorical values that do not fit the column. The plan fixes every parameter (bounds, pools, stream keys
derived from ``(seed, table, column)``, row counts, cardinality block totals); generating a batch afterwards only
evaluates pure functions of row indices, in any process.

The work is shared by rooms: `value_plans` (ordinary values), `unique_plans` (distinct values), `composite_plans`
(composite keys); this module owns row counts, cardinality layouts, foreign keys and the order of planning.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

import dw_simulator.generator.arrow as build
from dw_simulator.errors import Problem, SchemaValidationError
from dw_simulator.generator.bounds import decimal_units, int_range
from dw_simulator.generator.columns import ColumnPlan, ConstantNullGen, UniqueGen, ValueGen
from dw_simulator.generator.composite_plans import CompositePlanner
from dw_simulator.generator.domains import IntDomain
from dw_simulator.generator.keys import CardinalityLayout, ForeignKeyGen, LayoutForeignKeyGen
from dw_simulator.generator.plan_problem import PlanError, plan_problem
from dw_simulator.generator.random import Bijection, derive
from dw_simulator.generator.sampling import count_sampler
from dw_simulator.generator.unique_plans import UniquePlanner
from dw_simulator.generator.value_plans import ValuePlanner
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.distributions import CategoricalDistribution
from dw_simulator.schema.experiment_schema import ExperimentSchema, generation_order
from dw_simulator.schema.table_schema import MAX_TARGET_ROWS, TableSchema
from dw_simulator.schema.types import INTEGER_RANGES, BaseType, TypeSpec
from dw_simulator.schema.validation import more_problems


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


def build_plan(schema: ExperimentSchema, seed: int, row_overrides: dict[str, int] | None = None) -> ExperimentPlan:
    """Validate the request and fix every generator parameter. Raises `SchemaValidationError`."""
    planner = _Planner(schema, seed, row_overrides or {})
    try:
        return planner.plan()
    except PlanError as exc:
        raise SchemaValidationError(f"cannot generate '{schema.name}': {exc.problem}",
                                    details=[exc.problem.to_dict()]) from None  # fmt: skip


# -- the planner ---------------------------------------------------------------------------------------------


class _Planner:
    def __init__(self, schema: ExperimentSchema, seed: int, overrides: dict[str, int]) -> None:
        self.schema = schema
        self.seed = seed
        self.overrides = self._check_overrides(overrides)
        self._rows: dict[str, int] = {}
        self._layouts: dict[str, CardinalityLayout | None] = {}
        self._layout_columns: dict[str, ColumnSchema | None] = {}
        self._columns: dict[tuple[str, str], ColumnPlan] = {}
        self._building: list[str] = []
        self.values = ValuePlanner(seed, self.rows)
        self.unique = UniquePlanner(self.values)
        self.composites = CompositePlanner(self)

    # -- entry ----------------------------------------------------------------------------------------------
    def plan(self) -> ExperimentPlan:
        problems: list[Problem] = []
        for table in self.schema.tables:
            rows = self.rows(table)
            for col_name, message in table.capacity_problems(rows):
                problems.append(Problem(message, table=table.name, column=col_name, field="is_unique"))
        if problems:
            raise SchemaValidationError(
                f"cannot generate '{self.schema.name}': {problems[0]}{more_problems(problems)}",
                details=[p.to_dict() for p in problems],
            )
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
            raise plan_problem(
                f"foreign keys and cardinalities depend on each other in a loop ({chain})", table, column, "foreign_key"
            )
        self._building.append(token)

    def table_named(self, name: str) -> TableSchema:
        table = self.schema.table(name)
        assert table is not None, name  # the schema validated every reference
        return table

    # -- row counts and layouts -----------------------------------------------------------------------------
    def rows(self, table: TableSchema) -> int:
        name = table.name.lower()
        if name not in self._rows:
            layout = self.layout(table)
            if layout is not None:
                if layout.total > MAX_TARGET_ROWS:
                    raise plan_problem(f"the cardinality gives {layout.total} rows, more than {MAX_TARGET_ROWS}", table)
                self._rows[name] = layout.total
            else:
                self._rows[name] = self.overrides.get(name, table.target_rows)
        return self._rows[name]

    def layout_column(self, table: TableSchema) -> ColumnSchema | None:
        """The foreign key whose cardinality decides the table's row count, if any (looked up once per table)."""
        name = table.name.lower()
        if name not in self._layout_columns:
            self._layout_columns[name] = self._find_layout_column(table)
        return self._layout_columns[name]

    @staticmethod
    def _find_layout_column(table: TableSchema) -> ColumnSchema | None:
        with_card = [c for c in table.columns if c.foreign_key is not None and c.foreign_key.cardinality is not None]
        if len(with_card) > 1:
            raise plan_problem("only one foreign key per table can set a cardinality (it decides the row count); "
                                f"found {', '.join(c.name for c in with_card)}", table, with_card[1],
                                "foreign_key.cardinality")  # fmt: skip
        if not with_card:
            return None
        column = with_card[0]
        assert column.foreign_key is not None
        if column.foreign_key.references_table.lower() == table.name.lower():
            raise plan_problem("a self-referencing foreign key cannot set a cardinality", table, column,
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
        parent_table = self.table_named(fk.references_table)
        parent_col = parent_table.column(fk.references_column)
        assert parent_col is not None
        card = fk.cardinality
        if isinstance(card, CategoricalDistribution):
            bad = [v for v in card.values if isinstance(v, bool) or not isinstance(v, int | float) or v < 0
                   or float(v) != int(v)]  # fmt: skip
            if bad:
                raise plan_problem(f"categorical cardinality values must be whole numbers >= 0, not {bad[0]!r}", table,
                                    column, "foreign_key.cardinality")  # fmt: skip
        parent = self.column(parent_table, parent_col)
        layout = CardinalityLayout(
            parent=parent,
            parent_rows=self.rows(parent_table),
            sampler=count_sampler(card),
            key=self.values.key(table, column, "cardinality"),
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
        composite = self.composites.members(table)
        layout_col = self.layout_column(table)
        gen: ValueGen
        if column.name.lower() in composite:
            gen = composite[column.name.lower()]
            null_rate = 0.0
        elif layout_col is not None and layout_col.name.lower() == column.name.lower():
            layout = self.layout(table)
            assert layout is not None
            self.check_fk_fits(table, column, layout.parent.gen)
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
            gen = self.unique.gen(table, column, spec, arrow_type)
        else:
            gen = self.values.plain(table, column, spec, arrow_type)
        plan = ColumnPlan(table.name, column.name, gen, null_rate, self.values.key(table, column, "null"), arrow_type)
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
            raise plan_problem(f"min_value/max_value leave {what} to generate", table, column, "min_value")

    def check_fk_fits(self, table: TableSchema, column: ColumnSchema, parent_gen: ValueGen) -> None:
        spec = column.type_spec
        if spec.is_integer:
            rng = parent_gen.int_range()
            t_lo, t_hi = INTEGER_RANGES[spec.base]
            if rng is not None and (rng[0] < t_lo or rng[1] > t_hi):
                raise plan_problem(f"the parent key's values reach {rng[0]}..{rng[1]}, which does not fit "
                                    f"{spec.canonical}", table, column, "data_type")  # fmt: skip
        if spec.is_string and column.varchar_length is not None:
            longest = parent_gen.max_length()
            if longest is None or longest > column.varchar_length:
                size = "unbounded" if longest is None else str(longest)
                raise plan_problem(f"the parent key's values can be {size} characters long, more than this column's "
                                    f"varchar_length {column.varchar_length}", table, column,
                                    "varchar_length")  # fmt: skip

    def _foreign_key(self, table: TableSchema, column: ColumnSchema, arrow_type: pa.DataType) -> tuple[ValueGen, bool]:
        fk = column.foreign_key
        assert fk is not None
        parent_table = self.table_named(fk.references_table)
        parent_col = parent_table.column(fk.references_column)
        assert parent_col is not None
        if parent_col.name.lower() == column.name.lower() and parent_table.name.lower() == table.name.lower():
            raise plan_problem("a column cannot reference itself", table, column, "foreign_key")
        parent = self.column(parent_table, parent_col)
        self.check_fk_fits(table, column, parent.gen)
        parent_rows = self.rows(parent_table)
        rows = self.rows(table)
        key = self.values.key(table, column, "fk")
        nullable = not (column.required or fk.nullable is False)
        if parent_rows == 0 or parent.null_rate >= 1.0:
            if rows and not nullable:
                raise plan_problem(f"table '{parent_table.name}' has no rows with a key to reference, but this "
                                    "foreign key is required", table, column, "foreign_key")  # fmt: skip
            return ConstantNullGen(arrow_type), True
        self_ref = parent_table.name.lower() == table.name.lower()
        if column.is_unique:
            if self_ref:
                return ForeignKeyGen(parent, parent_rows, key, arrow_type, mode="self-unique"), False
            if rows > parent_rows:
                raise plan_problem(f"a unique foreign key needs at most one row per parent row: {rows} rows but "
                                    f"'{parent_table.name}' has {parent_rows}", table, column, "is_unique")  # fmt: skip
            if parent.null_rate > 0 and column.effective_null_rate == 0:
                raise plan_problem("a required unique foreign key cannot reference a key column with NULLs", table,
                                    column, "foreign_key")  # fmt: skip
            bijection = Bijection(parent_rows, derive(key, "unique"))
            return ForeignKeyGen(parent, parent_rows, key, arrow_type, mode="unique", bijection=bijection), False
        mode = "self" if self_ref else "uniform"
        return ForeignKeyGen(parent, parent_rows, key, arrow_type, mode=mode), False
