"""The experiment schema model (Pydantic v2): experiments, tables, columns, foreign keys.

Validation happens here, once, for every way a schema arrives (JSON, YAML, the brief's draft YAML, imported DDL).
Each problem names the table, the column and the field at fault.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from dw_simulator.schema.distributions import (
    CategoricalDistribution,
    Distribution,
    UniformDistribution,
    ZipfDistribution,
)
from dw_simulator.schema.faker_rules import validate_rule
from dw_simulator.schema.json_shape import JsonShape, JsonShapeError, check_shape
from dw_simulator.schema.types import (
    INTEGER_RANGES,
    JSON_TYPES,
    MAX_VARCHAR_LENGTH,
    BaseType,
    TypeSpec,
    parse_type,
)

Dialect = Literal["redshift", "snowflake"]
WarehouseName = Literal["duckdb", "sqlite", "redshift", "snowflake"]
DIALECTS: tuple[str, ...] = ("redshift", "snowflake")
WAREHOUSES: tuple[str, ...] = ("duckdb", "sqlite", "redshift", "snowflake")

IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
RESERVED_SCHEMA_NAMES = frozenset({"main", "information_schema", "pg_catalog", "public", "temp", "system"})
DEFAULT_TARGET_ROWS = 1000
DEFAULT_FK_NULL_RATE = 0.10
MAX_TARGET_ROWS = 10_000_000_000


def fail(message: str, *, field: str | None = None, table: str | None = None, column: str | None = None) -> None:
    """Raise a validation error that carries the location of the fault (read back by `schema.errors`)."""
    ctx: dict[str, Any] = {"dw_message": message}
    if field is not None:
        ctx["dw_field"] = field
    if table is not None:
        ctx["dw_table"] = table
    if column is not None:
        ctx["dw_column"] = column
    raise PydanticCustomError("dw_sim", "{dw_message}", ctx)


def check_identifier(value: str, what: str) -> str:
    if not isinstance(value, str) or not IDENTIFIER_RE.match(value):
        fail(
            f"{what} {value!r} is not a safe SQL identifier: use 1-63 letters, digits or underscores, "
            "starting with a letter or underscore",
            field="name",
        )
    return value


class ForeignKeySchema(BaseModel):
    """`references_table.references_column`; `cardinality` is the number of child rows per parent row."""

    model_config = ConfigDict(extra="forbid")

    references_table: str
    references_column: str
    nullable: bool | None = None
    cardinality: Distribution | None = Field(
        default=None,
        description="children per parent row (uniform low/high, poisson lam, zipf a, categorical); "
        "when set it decides the child table's row count",
    )

    @field_validator("references_table", "references_column")
    @classmethod
    def _ident(cls, value: str) -> str:
        return check_identifier(value, "referenced name")

    @field_validator("cardinality")
    @classmethod
    def _cardinality(cls, value: Any) -> Any:
        if value is not None and value.type not in ("uniform", "poisson", "zipf", "categorical"):
            fail(
                f"cardinality must be uniform, poisson, zipf or categorical (counts of children), not {value.type}",
                field="cardinality",
            )
        if isinstance(value, UniformDistribution) and (value.low is None or value.high is None or value.low < 0):
            fail("uniform cardinality needs 'low' >= 0 and 'high'", field="cardinality")
        return value


class IdentitySchema(BaseModel):
    """An identity / autoincrement column (Redshift IDENTITY(s,i), Snowflake AUTOINCREMENT): sequential integers."""

    model_config = ConfigDict(extra="forbid")

    start: int = 1
    increment: int = Field(default=1, description="step between consecutive values; never 0")

    @field_validator("increment")
    @classmethod
    def _step(cls, value: int) -> int:
        if value == 0:
            fail("identity increment cannot be 0", field="identity.increment")
        return value


class TableLayout(BaseModel):
    """Physical-layout hints kept from imported DDL: Redshift DISTSTYLE/DISTKEY/SORTKEY, Snowflake CLUSTER BY.

    They do not change the generated data; DDL export writes them back for the warehouse they belong to.
    """

    model_config = ConfigDict(extra="forbid")

    dist_style: Literal["ALL", "EVEN", "KEY", "AUTO"] | None = None
    dist_key: str | None = None
    sort_style: Literal["COMPOUND", "INTERLEAVED", "AUTO"] | None = None
    sort_keys: list[str] = Field(default_factory=list)
    cluster_by: list[str] = Field(default_factory=list, description="Snowflake clustering expressions, as written")


class ColumnSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    name: str
    data_type: str = Field(
        description="INT, BIGINT, SMALLINT, FLOAT, DECIMAL(p,s), VARCHAR(n), CHAR(n), BOOLEAN, "
        "DATE, TIME, TIMESTAMP, TIMESTAMPTZ, BINARY, JSON, VARIANT, OBJECT, ARRAY, SUPER"
    )
    is_unique: bool = False
    required: bool = False
    faker_rule: str | None = None
    min_value: int | float | Decimal | None = None
    max_value: int | float | Decimal | None = None
    date_start: date | None = None
    date_end: date | None = None
    varchar_length: int | None = Field(default=None, ge=1, le=MAX_VARCHAR_LENGTH)
    distribution: Distribution | None = None
    foreign_key: ForeignKeySchema | None = None
    null_rate: float | None = Field(default=None, ge=0.0, le=1.0, description="fraction of NULLs when not required")
    description: str | None = None
    json_shape: JsonShape | None = Field(
        default=None, description="for VARIANT/OBJECT/ARRAY/SUPER/JSON columns: the documents' declared shape"
    )
    identity: IdentitySchema | None = Field(
        default=None, description="sequential integers start, start+increment, ... (IDENTITY / AUTOINCREMENT)"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_identifier(value, "column name")

    @model_validator(mode="after")
    def _identity_type(self) -> ColumnSchema:
        if self.identity is not None and not parse_type(self.data_type).is_integer:
            fail(f"identity applies to SMALLINT/INT/BIGINT columns, not {self.data_type}", field="identity")
        return self

    @field_validator("date_start", "date_end", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, str) and len(value) > 10 and value[10] in "T ":
            return value[:10]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ColumnSchema:
        try:
            spec = parse_type(self.data_type)
        except ValueError as exc:
            fail(str(exc), field="data_type")
            raise  # unreachable; keeps type checkers happy
        if spec.length is not None:
            if self.varchar_length is not None and self.varchar_length != spec.length:
                fail(
                    f"data_type says length {spec.length} but varchar_length is {self.varchar_length}",
                    field="varchar_length",
                )
            object.__setattr__(self, "varchar_length", spec.length)
        object.__setattr__(self, "data_type", spec.canonical)
        if spec.base is BaseType.CHAR and self.varchar_length is None:
            object.__setattr__(self, "varchar_length", 1)
        self._check_bounds(spec)
        self._check_dates(spec)
        if self.varchar_length is not None and not (spec.is_string or spec.base is BaseType.BINARY):
            fail(f"varchar_length applies to VARCHAR/CHAR columns, not {spec.canonical}", field="varchar_length")
        if self.required and self.null_rate:
            fail("a required column cannot have a null_rate above 0", field="null_rate")
        if self.faker_rule is not None:
            if spec.is_json:
                fail("faker_rule does not apply to semi-structured (JSON) columns", field="faker_rule")
            problem = validate_rule(self.faker_rule)
            if problem:
                fail(problem, field="faker_rule")
        if self.distribution is not None:
            self._check_distribution(spec)
        if self.json_shape is not None:
            if not spec.is_json:
                fail(f"json_shape applies to semi-structured columns (VARIANT, OBJECT, ARRAY, SUPER, JSON), not "
                     f"{spec.canonical}", field="json_shape")  # fmt: skip
            try:
                check_shape(self.json_shape, spec.base.value)
            except JsonShapeError as exc:
                fail(str(exc).split(": ", 1)[-1], field=f"json_shape.{exc.path}" if exc.path else "json_shape")
        return self

    def _check_bounds(self, spec: TypeSpec) -> None:
        lo, hi = self.min_value, self.max_value
        if (lo is not None or hi is not None) and not spec.is_numeric:
            fail(
                f"min_value/max_value apply to numeric columns, not {spec.canonical}",
                field="min_value" if lo is not None else "max_value",
            )
        if lo is not None and hi is not None and lo > hi:
            fail(f"min_value ({lo}) must be <= max_value ({hi})", field="min_value")
        if spec.is_integer:
            t_lo, t_hi = INTEGER_RANGES[spec.base]
            for fname, value in (("min_value", lo), ("max_value", hi)):
                if value is not None and not t_lo <= value <= t_hi:
                    fail(f"{fname} ({value}) is outside the {spec.base.value} range [{t_lo}, {t_hi}]", field=fname)
        if spec.base is BaseType.DECIMAL:
            precision, scale = spec.precision_scale
            limit = Decimal(10) ** (precision - scale)
            for fname, value in (("min_value", lo), ("max_value", hi)):
                if value is not None and abs(Decimal(str(value))) >= limit:
                    fail(f"{fname} ({value}) does not fit {spec.canonical}: |value| must be < {limit}", field=fname)

    def _check_dates(self, spec: TypeSpec) -> None:
        if (self.date_start is not None or self.date_end is not None) and not spec.is_temporal:
            fail(
                f"date_start/date_end apply to DATE/TIMESTAMP columns, not {spec.canonical}",
                field="date_start" if self.date_start is not None else "date_end",
            )
        if self.date_start is not None and self.date_end is not None and self.date_start > self.date_end:
            fail(f"date_start ({self.date_start}) must be <= date_end ({self.date_end})", field="date_start")

    def _check_distribution(self, spec: TypeSpec) -> None:
        dist = self.distribution
        assert dist is not None
        if spec.is_json:
            fail("distributions do not apply to semi-structured (JSON) columns", field="distribution")
        if isinstance(dist, CategoricalDistribution):
            for value in dist.values:
                problem = _categorical_value_problem(value, spec, self)
                if problem:
                    fail(problem, field="distribution")
            return
        if isinstance(dist, ZipfDistribution):
            if not (spec.is_numeric or spec.is_string):
                fail(f"zipf applies to numeric or string columns, not {spec.canonical}", field="distribution")
            return
        if not (spec.is_numeric or spec.is_temporal):
            fail(
                f"a {dist.type} distribution applies to numeric or date/time columns, not {spec.canonical}; "
                "use 'categorical' to choose among values",
                field="distribution",
            )

    # -- derived facts used by the generator and backends ---------------------------------------------------
    @property
    def type_spec(self) -> TypeSpec:
        return parse_type(self.data_type)

    @property
    def effective_null_rate(self) -> float:
        """The fraction of NULLs the generator injects (0 for required columns)."""
        if self.required or (self.foreign_key is not None and self.foreign_key.nullable is False):
            return 0.0
        if self.null_rate is not None:
            return self.null_rate
        if self.foreign_key is not None:
            return DEFAULT_FK_NULL_RATE
        return 0.0


def _categorical_value_problem(value: Any, spec: TypeSpec, column: ColumnSchema) -> str | None:
    if value is None:
        return "categorical values cannot be null; use null_rate for NULLs"
    if spec.is_numeric:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return f"categorical value {value!r} is not a number, but the column is {spec.canonical}"
        if spec.is_integer and isinstance(value, float) and not value.is_integer():
            return f"categorical value {value!r} is not a whole number, but the column is {spec.canonical}"
        return None
    if spec.is_string:
        if not isinstance(value, str):
            return f"categorical value {value!r} is not a string, but the column is {spec.canonical}"
        if column.varchar_length is not None and len(value) > column.varchar_length:
            return f"categorical value {value!r} is longer than varchar_length {column.varchar_length}"
        return None
    if spec.base is BaseType.BOOLEAN and not isinstance(value, bool):
        return f"categorical value {value!r} is not true/false, but the column is BOOLEAN"
    return None


class TableSchema(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    target_rows: int = Field(default=DEFAULT_TARGET_ROWS, ge=0, le=MAX_TARGET_ROWS)
    columns: list[ColumnSchema] = Field(min_length=1)
    composite_keys: list[list[str]] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    description: str | None = None
    layout: TableLayout | None = Field(default=None, description="physical layout kept from imported DDL")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_identifier(value, "table name")

    @model_validator(mode="after")
    def _layout_columns(self) -> TableSchema:
        if self.layout is not None:
            names = {c.name.lower() for c in self.columns}
            for key in [self.layout.dist_key, *self.layout.sort_keys]:
                if key is not None and key.lower() not in names:
                    fail(f"layout names column '{key}', which the table does not have", field="layout")
        return self

    @model_validator(mode="after")
    def _consistent(self) -> TableSchema:
        seen: dict[str, str] = {}
        for column in self.columns:
            key = column.name.lower()
            if key in seen:
                fail(f"column '{column.name}' appears twice", column=column.name, field="name")
            seen[key] = column.name
        for group in self.composite_keys:
            if not group:
                fail(
                    "composite_keys holds an empty group; each group names one or more columns", field="composite_keys"
                )
            if len({c.lower() for c in group}) != len(group):
                fail(f"composite key {group} names a column twice", field="composite_keys")
            for name in group:
                if name.lower() not in seen:
                    fail(f"composite key names column '{name}', which the table does not have", field="composite_keys")
        for problem in self.capacity_problems(self.target_rows):
            fail(problem[1], column=problem[0], field="is_unique")
        return self

    def column(self, name: str) -> ColumnSchema | None:
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)

    def capacity_problems(self, rows: int) -> list[tuple[str, str]]:
        """(column, message) for every unique column that cannot hold `rows` distinct values."""
        problems: list[tuple[str, str]] = []
        for column in self.columns:
            if not column.is_unique or column.foreign_key is not None:
                continue
            capacity = unique_capacity(column)
            if capacity is not None and rows > capacity:
                problems.append(
                    (
                        column.name,
                        f"{rows} unique values were asked for, but the column's domain holds only "
                        f"{capacity}; widen its range or lower target_rows",
                    )
                )
        return problems


def unique_capacity(column: ColumnSchema) -> int | None:
    """How many distinct values the column's domain holds, or None when it is effectively unbounded."""
    spec = column.type_spec
    dist = column.distribution
    if isinstance(dist, CategoricalDistribution):
        return len({repr(v) for v in dist.values})
    if spec.base is BaseType.BOOLEAN:
        return 2
    if spec.is_integer or spec.base is BaseType.DECIMAL:
        scale = spec.precision_scale[1] if spec.base is BaseType.DECIMAL else 0
        lo, hi = column.min_value, column.max_value
        if spec.is_integer:
            t_lo, t_hi = INTEGER_RANGES[spec.base]
            lo = t_lo if lo is None else lo
            hi = t_hi if hi is None else hi
        elif lo is None or hi is None:
            precision = spec.precision_scale[0]
            bound = Decimal(10) ** (precision - scale)
            lo = -bound if lo is None else lo
            hi = bound if hi is None else hi
        step = Decimal(10) ** (-scale)
        lo_d = Decimal(str(lo)).quantize(step, rounding="ROUND_CEILING")
        hi_d = Decimal(str(hi)).quantize(step, rounding="ROUND_FLOOR")
        return max(0, int((hi_d - lo_d) / step) + 1)
    if spec.base is BaseType.DATE and column.date_start is not None and column.date_end is not None:
        return (column.date_end - column.date_start).days + 1
    if spec.is_string and column.varchar_length is not None and column.varchar_length < 8:
        # unique strings are built from an alphabet of 36 symbols (0-9, A-Z)
        return int(36**column.varchar_length)
    return None


class ExperimentSchema(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str | None = None
    dialect: Dialect | None = Field(default=None, description="the SQL dialect the experiment's users write")
    target_warehouse: WarehouseName | None = Field(
        default=None, description="where the data lives; empty = redshift if configured, else snowflake, else duckdb"
    )
    tables: list[TableSchema] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        check_identifier(value, "experiment name")
        if value.lower() in RESERVED_SCHEMA_NAMES or value.lower().startswith(("pg_", "dwsim_")):
            fail(f"experiment name {value!r} is reserved by the warehouse engines; choose another", field="name")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ExperimentSchema:
        if self.dialect is None:
            object.__setattr__(self, "dialect", "snowflake" if self.target_warehouse == "snowflake" else "redshift")
        tables: dict[str, TableSchema] = {}
        for table in self.tables:
            if table.name.lower() in tables:
                fail(f"table '{table.name}' is defined twice", table=table.name, field="name")
            tables[table.name.lower()] = table
        for table in self.tables:
            for column in table.columns:
                if column.foreign_key is not None:
                    _check_fk(table, column, tables)
        cycle = find_required_fk_cycle(self)
        if cycle:
            fail(
                "required foreign keys form a cycle (" + " -> ".join(cycle) + "); make one of them nullable "
                "(required: false) so generation has somewhere to start",
                table=cycle[0].split(".")[0],
                field="foreign_key",
            )
        return self

    def table(self, name: str) -> TableSchema | None:
        lowered = name.lower()
        return next((t for t in self.tables if t.name.lower() == lowered), None)

    @property
    def resolved_dialect(self) -> str:
        return self.dialect or "redshift"


def _check_fk(table: TableSchema, column: ColumnSchema, tables: dict[str, TableSchema]) -> None:
    fk = column.foreign_key
    assert fk is not None
    parent = tables.get(fk.references_table.lower())
    if parent is None:
        fail(
            f"foreign key references table '{fk.references_table}', which the experiment does not define",
            table=table.name,
            column=column.name,
            field="foreign_key.references_table",
        )
        return
    target = parent.column(fk.references_column)
    if target is None:
        fail(
            f"foreign key references column '{parent.name}.{fk.references_column}', which does not exist",
            table=table.name,
            column=column.name,
            field="foreign_key.references_column",
        )
        return
    if not target.is_unique:
        fail(
            f"foreign key references '{parent.name}.{target.name}', which is not unique (is_unique: true); "
            "a foreign key must point at a unique column",
            table=table.name,
            column=column.name,
            field="foreign_key.references_column",
        )
    child_spec, parent_spec = column.type_spec, target.type_spec
    same_family = (
        (child_spec.is_integer and parent_spec.is_integer)
        or (child_spec.is_string and parent_spec.is_string)
        or child_spec.base == parent_spec.base
        or (child_spec.is_numeric and parent_spec.is_numeric)
    )
    if not same_family:
        fail(
            f"foreign key type {child_spec.canonical} does not match '{parent.name}.{target.name}' "
            f"({parent_spec.canonical})",
            table=table.name,
            column=column.name,
            field="data_type",
        )
    if parent_spec.base in JSON_TYPES:
        fail(
            "a foreign key cannot reference a semi-structured column",
            table=table.name,
            column=column.name,
            field="foreign_key",
        )


def fk_is_required(column: ColumnSchema) -> bool:
    return column.foreign_key is not None and (column.required or column.foreign_key.nullable is False)


def find_required_fk_cycle(schema: ExperimentSchema) -> list[str] | None:
    """A cycle of required FKs as ['a.col', 'b.col', 'a'], or None. Self-references count as cycles."""
    edges: dict[str, list[tuple[str, str]]] = {t.name.lower(): [] for t in schema.tables}
    names = {t.name.lower(): t.name for t in schema.tables}
    for table in schema.tables:
        for column in table.columns:
            if fk_is_required(column):
                assert column.foreign_key is not None
                edges[table.name.lower()].append((column.foreign_key.references_table.lower(), column.name))
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        for parent, col in edges.get(node, []):
            path.append(f"{names[node]}.{col}")
            if state.get(parent) == 1:
                start = next(i for i, p in enumerate(path) if p.split(".")[0].lower() == parent)
                return [*path[start:], names.get(parent, parent)]
            if state.get(parent) is None:
                found = visit(parent)
                if found:
                    return found
            path.pop()
        state[node] = 2
        return None

    for node in edges:
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None


def generation_order(schema: ExperimentSchema) -> list[TableSchema]:
    """Tables with parents first (topological order over FKs; nullable back-edges and self-references ignored)."""
    by_name = {t.name.lower(): t for t in schema.tables}
    deps: dict[str, set[str]] = {}
    required_deps: dict[str, set[str]] = {}
    for table in schema.tables:
        parents: set[str] = set()
        required: set[str] = set()
        for column in table.columns:
            fk = column.foreign_key
            if fk is not None and fk.references_table.lower() != table.name.lower():
                parents.add(fk.references_table.lower())
                if fk_is_required(column):
                    required.add(fk.references_table.lower())
        deps[table.name.lower()] = parents
        required_deps[table.name.lower()] = required
    ordered: list[TableSchema] = []
    done: set[str] = set()
    remaining = [t.name.lower() for t in schema.tables]
    while remaining:
        ready = [n for n in remaining if deps[n] <= done]
        if not ready:  # a cycle through nullable FKs: only required parents must come first
            ready = [n for n in remaining if required_deps[n] <= done][:1] or [remaining[0]]
        for name in ready:
            ordered.append(by_name[name])
            done.add(name)
            remaining.remove(name)
    return ordered
