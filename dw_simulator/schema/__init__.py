"""The experiment schema model and how schemas are read."""

from dw_simulator.schema.loader import load_schema_data, load_schema_file, load_schema_text
from dw_simulator.schema.models import (
    DIALECTS,
    WAREHOUSES,
    ColumnSchema,
    ExperimentSchema,
    ForeignKeySchema,
    TableSchema,
    generation_order,
)
from dw_simulator.schema.types import BaseType, TypeSpec, parse_type

__all__ = [
    "DIALECTS",
    "WAREHOUSES",
    "BaseType",
    "ColumnSchema",
    "ExperimentSchema",
    "ForeignKeySchema",
    "TableSchema",
    "TypeSpec",
    "generation_order",
    "load_schema_data",
    "load_schema_file",
    "load_schema_text",
    "parse_type",
]
