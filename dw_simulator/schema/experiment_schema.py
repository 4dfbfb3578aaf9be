"""The experiment model: its tables, dialect and target warehouse; foreign keys checked across tables, and the
table graph they form (required-key cycles, generation order)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.table_schema import TableSchema
from dw_simulator.schema.types import JSON_TYPES
from dw_simulator.schema.validation import check_identifier, fail

Dialect = Literal["redshift", "snowflake"]
WarehouseName = Literal["duckdb", "sqlite", "redshift", "snowflake"]
DIALECTS: tuple[str, ...] = ("redshift", "snowflake")
WAREHOUSES: tuple[str, ...] = ("duckdb", "sqlite", "redshift", "snowflake")
RESERVED_SCHEMA_NAMES = frozenset({"main", "information_schema", "pg_catalog", "public", "temp", "system"})


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
