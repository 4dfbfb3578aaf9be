"""The table model: columns, composite keys, physical layout hints, and how many distinct values a column holds."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.distributions import CategoricalDistribution
from dw_simulator.schema.types import INTEGER_RANGES, BaseType
from dw_simulator.schema.validation import check_identifier, fail

DEFAULT_TARGET_ROWS = 1000
MAX_TARGET_ROWS = 10_000_000_000


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
