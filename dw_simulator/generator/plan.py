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
from dw_simulator.generator.bounds import decimal_units, int_range, typed_values
from dw_simulator.generator.columns import ColumnPlan, ConstantNullGen, DefaultFillGen, UniqueGen, ValueGen
from dw_simulator.generator.composite_plans import CompositePlanner
from dw_simulator.generator.domains import IntDomain
from dw_simulator.generator.key_members import LayoutParentValueGen
from dw_simulator.generator.keys import CardinalityLayout, ForeignKeyGen, LayoutForeignKeyGen
from dw_simulator.generator.layout_plans import Layouts
from dw_simulator.generator.link_plans import Links, multi_key_of
from dw_simulator.generator.plan_problem import PlanError, plan_problem
from dw_simulator.generator.random import Bijection, derive
from dw_simulator.generator.unique_plans import UniquePlanner
from dw_simulator.generator.value_plans import ValuePlanner
from dw_simulator.schema.column_schema import ColumnSchema, default_is_now, literal_default
from dw_simulator.schema.experiment_schema import ExperimentSchema, generation_order
from dw_simulator.schema.table_schema import MAX_TARGET_ROWS, TableSchema
from dw_simulator.schema.types import INTEGER_RANGES, BaseType, TypeSpec
from dw_simulator.schema.validation import more_problems

_TRUTH = {"y": True, "yes": True, "t": True, "true": True, "1": True, "n": False, "no": False, "f": False,
          "false": False, "0": False}  # fmt: skip


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


def planned_rows(schema: ExperimentSchema, row_overrides: dict[str, int] | None = None) -> dict[str, int]:
    """Rows each table will get (overrides, target rows, or what a foreign key's cardinality decides), without
    planning the columns: cheap enough to size a request before accepting it. Raises `SchemaValidationError`."""
    planner = _Planner(schema, 0, row_overrides or {})
    try:
        return {table.name: planner.rows(table) for table in schema.tables}
    except PlanError as exc:
        raise SchemaValidationError(f"cannot generate '{schema.name}': {exc.problem}",
                                    details=[exc.problem.to_dict()]) from None  # fmt: skip


# -- the planner ---------------------------------------------------------------------------------------------


class _Planner:
    def __init__(self, schema: ExperimentSchema, seed: int, overrides: dict[str, int]) -> None:
        self.schema = schema
        self.seed = seed
        self.overrides = self._check_overrides(overrides)
        self.window = schema.window
        self._rows: dict[str, int] = {}
        self._columns: dict[tuple[str, str], ColumnPlan] = {}
        self._building: list[str] = []
        self.values = ValuePlanner(seed, self.rows, schema.window)
        self.layouts = Layouts(self)
        self.links = Links(self)
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

    def guard(self, token: str, table: TableSchema, column: ColumnSchema | None = None) -> None:
        if token in self._building:
            chain = " -> ".join([*self._building[self._building.index(token) :], token])
            raise plan_problem(
                f"foreign keys and cardinalities depend on each other in a loop ({chain})", table, column, "foreign_key"
            )
        self._building.append(token)

    def release(self) -> None:
        self._building.pop()

    def table_named(self, name: str) -> TableSchema:
        table = self.schema.table(name)
        assert table is not None, name  # the schema validated every reference
        return table

    # -- row counts and layouts -----------------------------------------------------------------------------
    def rows(self, table: TableSchema) -> int:
        name = table.name.lower()
        if name not in self._rows:
            if self.layouts.decides_rows(table):
                layout = self.layout(table)
                assert layout is not None
                if layout.total > MAX_TARGET_ROWS:
                    raise plan_problem(f"the cardinality gives {layout.total} rows, more than {MAX_TARGET_ROWS}", table)
                self._rows[name] = layout.total
            else:
                self._rows[name] = self.target_rows(table)
        return self._rows[name]

    def target_rows(self, table: TableSchema) -> int:
        return self.overrides.get(table.name.lower(), table.target_rows)

    def layout_column(self, table: TableSchema) -> ColumnSchema | None:
        """The foreign key whose cardinality decides the table's row count, if any."""
        return self.layouts.cardinality_column(table)

    def layout_keys(self, table: TableSchema) -> tuple[str, ...]:
        """The columns (lower case) a parent-following layout sets: a cardinality key or a composite key's lead."""
        return self.layouts.keys(table)

    def layout(self, table: TableSchema, cap: int | None = None) -> CardinalityLayout | None:
        return self.layouts.layout(table, cap)

    # -- columns --------------------------------------------------------------------------------------------
    def column(self, table: TableSchema, column: ColumnSchema) -> ColumnPlan:
        token = f"{table.name.lower()}.{column.name.lower()}"
        if (cached := self._columns.get((table.name.lower(), column.name.lower()))) is not None:
            return cached
        self.guard(token, table, column)
        spec = column.type_spec
        self._check_range(table, column, spec)
        arrow_type = build.arrow_type_for(spec)
        null_rate = column.effective_null_rate
        composite = self.composites.members(table)
        lowered = column.name.lower()
        null_key = self.values.key(table, column, "null")
        multi = multi_key_of(table, column)
        gen: ValueGen
        if lowered in composite:
            gen = composite[lowered]
            null_rate = 0.0
        elif lowered in self.layout_keys(table):
            gen, null_rate = self._laid_out(table, column, arrow_type)
        elif multi is not None:
            gen, null_rate, null_key = self.links.multi_key(table, column, *multi, arrow_type)
        elif column.foreign_key is not None:
            gen, forced_null = self._foreign_key(table, column, arrow_type)
            if forced_null:
                null_rate = 1.0
        elif table.composite_keys and lowered == "_row_id":
            gen = UniqueGen(IntDomain(1, max(self.rows(table), 1), arrow_type), self.rows(table))
            null_rate = 0.0
        elif column.is_unique:
            gen = self.unique.gen(table, column, spec, arrow_type)
        elif self.links.orders_after(table, column):
            gen = self.links.follow(table, column, arrow_type, self.values.key(table, column, "follow"))
        else:
            gen = self.values.plain(table, self.links.strict_end(table, column), spec, arrow_type)
        if column.default is not None and null_rate > 0 and not column.required:
            gen, null_rate = self._defaulted(table, column, gen, null_rate, arrow_type)
        plan = ColumnPlan(table.name, column.name, gen, null_rate, null_key, arrow_type)
        self._building.pop()
        self._columns[(table.name.lower(), column.name.lower())] = plan
        return plan

    def _laid_out(self, table: TableSchema, column: ColumnSchema, arrow_type: pa.DataType) -> tuple[ValueGen, float]:
        """A column the parent-following layout sets: the parent's key at the parent row of each child row."""
        layout = self.layout(table)
        assert layout is not None
        lead = self.layouts.lead(table)
        assert lead is not None
        if len(lead.columns) == 1:
            self.check_fk_fits(table, column, layout.parent.gen)
            null_rate = (column.null_rate or 0.0) if self.layouts.decides_rows(table) else 0.0
            return LayoutForeignKeyGen(layout, arrow_type), null_rate
        parent_table = self.table_named(lead.parent)
        parent_col = parent_table.column(lead.parent_columns[lead.columns.index(column.name.lower())])
        assert parent_col is not None
        parent = self.column(parent_table, parent_col)
        self.check_fk_fits(table, column, parent.gen)
        return LayoutParentValueGen(layout, parent, arrow_type), 0.0

    def _defaulted(self, table: TableSchema, column: ColumnSchema, gen: ValueGen, null_rate: float,
                   arrow_type: pa.DataType) -> tuple[ValueGen, float]:  # fmt: skip
        """Rows left empty take the column's DEFAULT: its literal value, or (GETDATE()-style) a realistic value."""
        if default_is_now(column.default):
            return gen, 0.0
        literal = literal_default(column.default)
        if isinstance(literal, str) and column.type_spec.base is BaseType.BOOLEAN:
            literal = _TRUTH.get(literal.strip().lower())
        if literal is None or column.foreign_key is not None:
            return gen, null_rate
        try:
            value = typed_values([literal], column.type_spec, column)[0]
        except (ValueError, TypeError, ArithmeticError, pa.ArrowException):
            return gen, null_rate
        key = self.values.key(table, column, "default")
        return DefaultFillGen(gen, value, null_rate, key, arrow_type), 0.0

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
        if self_ref:
            return ForeignKeyGen(parent, parent_rows, key, arrow_type, mode="self"), False
        share = fk.active_share
        if share is not None and share < 1.0 and parent.null_rate == 0:
            active = max(1, round(parent_rows * share))
            scatter = Bijection(parent_rows, derive(key, "active"))
            return ForeignKeyGen(parent, parent_rows, key, arrow_type, active=active, scatter=scatter), False
        return ForeignKeyGen(parent, parent_rows, key, arrow_type), False
