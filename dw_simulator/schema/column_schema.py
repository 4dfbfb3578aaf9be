"""The column model: a column's type, bounds, distribution, faker rule, keys and JSON shape, validated together.

`check_shape` sits here, beside the model it validates a shape's leaves with; the shape model itself is
`json_shape` (one floor down, it knows nothing of columns).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dw_simulator.schema.distributions import (
    CategoricalDistribution,
    Distribution,
    UniformDistribution,
    ZipfDistribution,
)
from dw_simulator.schema.faker_rules import validate_rule
from dw_simulator.schema.json_shape import JSON_KEY_RE, MAX_DEPTH, JsonShape, JsonShapeError
from dw_simulator.schema.types import INTEGER_RANGES, MAX_VARCHAR_LENGTH, BaseType, TypeSpec, parse_type
from dw_simulator.schema.validation import check_identifier, fail

DEFAULT_FK_NULL_RATE = 0.10


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


def check_shape(shape: JsonShape, column_type: str) -> None:
    """Validate a shape against its column type, and every leaf exactly as a column is. Raises JsonShapeError."""
    if column_type == "ARRAY" and shape.kind != "array":
        raise JsonShapeError("type", "an ARRAY column's shape must be an array (give 'items')")
    if column_type == "OBJECT" and shape.kind != "object":
        raise JsonShapeError("type", "an OBJECT column's shape must be an object (give 'properties')")

    def walk(node: JsonShape, path: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise JsonShapeError(path, f"shapes nest at most {MAX_DEPTH} levels deep")
        if node.kind == "object":
            for key, child in (node.properties or {}).items():
                if not JSON_KEY_RE.match(key):
                    raise JsonShapeError(path, f"key {key!r} must start with a letter or _ and use letters, digits, "
                                               "_, $, space or -")  # fmt: skip
                walk(child, f"{path}.properties.{key}" if path else f"properties.{key}", depth + 1)
        elif node.kind == "array":
            assert node.items is not None
            walk(node.items, f"{path}.items" if path else "items", depth + 1)
        else:
            try:
                leaf = ColumnSchema.model_validate(node.leaf_column("value"))
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                ctx = first.get("ctx") or {}
                message = ctx.get("dw_message") or first.get("msg", "invalid")
                raise JsonShapeError(path, str(message)) from None
            if leaf.type_spec.is_json:
                raise JsonShapeError(path, "a value inside a shape cannot itself be semi-structured; nest a shape")

    walk(shape, "", 0)
