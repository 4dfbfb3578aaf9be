"""Declared shapes of semi-structured columns (VARIANT, OBJECT, ARRAY, SUPER, JSON).

A shape reads like a small JSON Schema whose leaves are column specs, so everything a column can say (type,
faker_rule, bounds, dates, distribution, null_rate) works inside documents too:

    {"type": "object", "properties": {
        "customer": {"type": "object", "properties": {
            "id": {"data_type": "INT", "min_value": 1, "max_value": 5000},
            "email": {"faker_rule": "internet.email"}}},
        "total": {"data_type": "DECIMAL(10,2)", "distribution": {"type": "normal", "mean": 80, "stddev": 20}},
        "tags": {"type": "array", "items": {"faker_rule": "lorem.word"}, "min_items": 0, "max_items": 4}}}

This module holds the shape model only; `column_schema.check_shape` validates a shape against its column (each
leaf is validated exactly like a column).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dw_simulator.schema.distributions import Distribution

JSON_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$ -]{0,127}$")
MAX_ITEMS = 1000
MAX_DEPTH = 8


class JsonShapeError(ValueError):
    """A problem inside a shape, with the dotted path to it (e.g. `properties.customer.properties.id`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"json_shape.{path}: {message}" if path else f"json_shape: {message}")
        self.path = path


class JsonShape(BaseModel):
    """One node: an object (`properties`), an array (`items`) or a value (a column-like spec)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["object", "array", "value"] | None = Field(
        default=None, description="object, array or value (inferred from properties / items when left out)"
    )
    properties: dict[str, JsonShape] | None = None
    items: JsonShape | None = None
    min_items: int = Field(default=0, ge=0, le=MAX_ITEMS)
    max_items: int = Field(default=3, ge=0, le=MAX_ITEMS)
    # a value node: the same fields as a column
    data_type: str = "VARCHAR"
    faker_rule: str | None = None
    min_value: int | float | Decimal | None = None
    max_value: int | float | Decimal | None = None
    date_start: date | None = None
    date_end: date | None = None
    varchar_length: int | None = None
    distribution: Distribution | None = None
    null_rate: float | None = Field(default=None, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _kind(self) -> JsonShape:
        if self.type is None:
            kind = "object" if self.properties is not None else "array" if self.items is not None else "value"
            object.__setattr__(self, "type", kind)
        if self.type == "object" and not self.properties:
            raise ValueError("an object shape needs 'properties' (key -> shape)")
        if self.type == "array" and self.items is None:
            raise ValueError("an array shape needs 'items' (the shape of each element)")
        if self.type != "object" and self.properties is not None:
            raise ValueError(f"'properties' belongs to object shapes, not {self.type}")
        if self.type != "array" and self.items is not None:
            raise ValueError(f"'items' belongs to array shapes, not {self.type}")
        if self.min_items > self.max_items:
            raise ValueError(f"min_items ({self.min_items}) must be <= max_items ({self.max_items})")
        return self

    @property
    def kind(self) -> str:
        return self.type or "value"

    def leaf_column(self, name: str) -> dict[str, Any]:
        """This value node as ColumnSchema data."""
        fields = ("data_type", "faker_rule", "min_value", "max_value", "date_start", "date_end", "varchar_length",
                  "distribution", "null_rate")  # fmt: skip
        data: dict[str, Any] = {"name": name}
        for key in fields:
            value = getattr(self, key)
            if value is not None:
                data[key] = value.model_dump() if isinstance(value, BaseModel) else value
        return data
