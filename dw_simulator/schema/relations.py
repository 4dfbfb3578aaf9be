"""What ties columns together beyond one column: multi-column foreign keys, temporal orders, and the record of
every setting dw-sim inferred rather than read (so a person can see, edit or refuse it).

These models only check themselves; `experiment_schema` checks them against the tables they name.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dw_simulator.schema.validation import check_identifier, fail

InferenceKind = Literal[
    "primary_key", "foreign_key", "null_rate", "coverage", "semantic", "temporal_order", "time_window", "workload"
]
INFERENCE_KINDS: tuple[str, ...] = ("primary_key", "foreign_key", "null_rate", "coverage", "semantic",
                                    "temporal_order", "time_window", "workload")  # fmt: skip


class MultiColumnForeignKey(BaseModel):
    """`columns` reference `references_table(references_columns)` together, e.g. `(l_partkey, l_suppkey)` ->
    `partsupp(ps_partkey, ps_suppkey)`: every generated tuple is the key of one parent row."""

    model_config = ConfigDict(extra="forbid")

    columns: list[str] = Field(min_length=2)
    references_table: str
    references_columns: list[str] = Field(min_length=2)

    @field_validator("columns", "references_columns")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for name in value:
            check_identifier(name, "column name")
        if len({n.lower() for n in value}) != len(value):
            fail(f"{value} names a column twice", field="columns")
        return value

    @field_validator("references_table")
    @classmethod
    def _table(cls, value: str) -> str:
        return check_identifier(value, "referenced table name")

    @model_validator(mode="after")
    def _same_length(self) -> MultiColumnForeignKey:
        if len(self.columns) != len(self.references_columns):
            fail(f"the key names {len(self.columns)} columns but references {len(self.references_columns)}",
                 field="references_columns")  # fmt: skip
        return self


class TemporalOrder(BaseModel):
    """`before <= after` in every row (`before < after` when `strict`); with `via` (a foreign key column of this
    table), `before` is a column of the parent row that key references."""

    model_config = ConfigDict(extra="forbid")

    before: str
    after: str
    via: str | None = None
    strict: bool = False

    @field_validator("before", "after", "via")
    @classmethod
    def _names(cls, value: str | None) -> str | None:
        return None if value is None else check_identifier(value, "column name")

    @model_validator(mode="after")
    def _distinct(self) -> TemporalOrder:
        if self.via is None and self.before.lower() == self.after.lower():
            fail("a column cannot follow itself", field="after")
        return self


class Inference(BaseModel):
    """One setting dw-sim inferred, and why: `{kind, table, column, reason}` (`value` says what was set).

    `column` names several columns comma-separated for a multi-column key; `table` and `column` are empty for
    experiment-wide settings (the date window)."""

    model_config = ConfigDict(extra="forbid")

    kind: InferenceKind
    table: str | None = None
    column: str | None = None
    reason: str = Field(min_length=1)
    value: str | None = None
    fields: list[str] = Field(
        default_factory=list, description="the column's schema fields it set (clearing them drops the inference)"
    )
