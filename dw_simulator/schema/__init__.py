"""The experiment schema model and how schemas are read: the floor every other package stands on.

Owns: the Pydantic models of an experiment (`experiment_schema`, `table_schema`, `column_schema`, `json_shape`,
`distributions`), SQL type parsing (`types`), Faker rule names (`faker_rules`), how a problem is located
(`validation`) and reading JSON/YAML/draft schemas into the model (`loader`).

May import: `dw_simulator.errors` and `dw_simulator.config`, pydantic and yaml; nothing else of dw_simulator, and no
heavy library (numpy, pyarrow, faker, sqlglot, duckdb) at import time. Faker is loaded only when a rule is checked.
"""

from dw_simulator.schema.column_schema import ColumnSchema, ForeignKeySchema
from dw_simulator.schema.experiment_schema import DIALECTS, WAREHOUSES, ExperimentSchema, generation_order
from dw_simulator.schema.loader import load_schema_data, load_schema_file, load_schema_text
from dw_simulator.schema.table_schema import TableSchema
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
