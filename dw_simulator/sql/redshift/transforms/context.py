"""What every Redshift rewrite receives: the target engine, the experiment's catalog and what the statement
itself tells (its table references, SUPER columns, engine statements to run before it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Engine = str  # "postgres" | "duckdb"


@dataclass
class Catalog:
    """What the rewrites need to know about the experiment's tables: column names and engine types, lower case."""

    tables: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, tables: Mapping[str, Mapping[str, str]] | None) -> Catalog:
        if not tables:
            return cls()
        return cls({t.lower(): {c.lower(): ty.lower() for c, ty in cols.items()} for t, cols in tables.items()})

    @property
    def super_columns(self) -> set[str]:
        return {c for cols in self.tables.values() for c, ty in cols.items() if ty in ("jsonb", "json", "super")}

    def columns(self, table: str) -> list[str] | None:
        cols = self.tables.get(table.lower())
        return list(cols) if cols is not None else None


@dataclass
class Context:
    engine: Engine
    catalog: Catalog
    super_columns: set[str] = field(default_factory=set)
    table_refs: set[str] = field(default_factory=set)
    pre_statements: list[str] = field(default_factory=list)  # engine SQL to run before the statement
