"""Mutable drafts of tables and columns while a DDL file is imported; `importer` turns them into the schema model."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

Number = int | float | Decimal


@dataclass
class ForeignKeyDraft:
    columns: list[str]  # child columns, final names
    ref_table: str  # the referenced table's last name part, as written
    ref_columns: list[str] | None  # as written; None = the parent's primary key
    start: int
    how: str  # "REFERENCES", "FOREIGN KEY" or "ALTER TABLE"


@dataclass
class ColumnDraft:
    name: str  # final, safe name
    written: str  # as written in the DDL
    data_type: str
    start: int
    varchar_length: int | None = None
    required: bool = False
    is_unique: bool = False
    identity: tuple[int, int] | None = None
    faker_rule: str | None = None
    min_value: Number | None = None
    max_value: Number | None = None
    date_start: date | None = None
    date_end: date | None = None
    values: list[Any] | None = None  # categorical, from CHECK (x IN (...))
    description: str | None = None
    type_bounds: tuple[int, int] | None = None  # implied by the type's precision; a hard limit
    foreign_key: tuple[str, str] | None = None  # (table, column), final names, once resolved

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "data_type": self.data_type}
        if self.varchar_length is not None:
            out["varchar_length"] = self.varchar_length
        if self.is_unique:
            out["is_unique"] = True
        if self.required:
            out["required"] = True
        if self.faker_rule is not None:
            out["faker_rule"] = self.faker_rule
        for key in ("min_value", "max_value", "date_start", "date_end"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.values is not None:
            out["distribution"] = {"type": "categorical", "values": list(self.values)}
        if self.foreign_key is not None:
            out["foreign_key"] = {"references_table": self.foreign_key[0], "references_column": self.foreign_key[1]}
        if self.description is not None:
            out["description"] = self.description
        if self.identity is not None:
            out["identity"] = {"start": self.identity[0], "increment": self.identity[1]}
        return out


@dataclass
class TableDraft:
    name: str  # final, safe name
    written: str  # the last part of the name, as written
    start: int  # offset of the CREATE statement
    end: int
    columns: list[ColumnDraft] = field(default_factory=list)
    primary_key: list[str] | None = None
    uniques: list[list[str]] = field(default_factory=list)
    foreign_keys: list[ForeignKeyDraft] = field(default_factory=list)
    description: str | None = None
    dist_style: str | None = None
    dist_key: str | None = None
    sort_style: str | None = None
    sort_keys: list[str] = field(default_factory=list)
    cluster_by: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    composite_keys: list[list[str]] = field(default_factory=list)
    target_rows: int = 1000
    rows_given: bool = False
    failed: set[str] = field(default_factory=set)  # columns that could not be read (already reported)
    # the first column of each written / final name (lower case), so that lookups stay O(1) on wide tables
    _by_written: dict[str, ColumnDraft] = field(default_factory=dict, repr=False)
    _by_name: dict[str, ColumnDraft] = field(default_factory=dict, repr=False)

    def add_column(self, column: ColumnDraft, *, first: bool = False) -> None:
        """Append a column (or put it first); columns are only ever added through here."""
        written, name = column.written.lower(), column.name.lower()
        if first:
            self.columns.insert(0, column)
            self._by_written[written], self._by_name[name] = column, column
        else:
            self.columns.append(column)
            self._by_written.setdefault(written, column)
            self._by_name.setdefault(name, column)

    def column(self, written: str) -> ColumnDraft | None:
        """A column by the name a statement uses for it (case-insensitive; written or sanitised spelling)."""
        lowered = written.lower()
        return self._by_written.get(lowered) or self._by_name.get(lowered)

    def has_written(self, written: str) -> bool:
        """Whether a column was written with this name (case-insensitive)."""
        return written.lower() in self._by_written

    def layout(self) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        if self.dist_style:
            out["dist_style"] = self.dist_style
        if self.dist_key:
            out["dist_key"] = self.dist_key
        if self.sort_style:
            out["sort_style"] = self.sort_style
        if self.sort_keys:
            out["sort_keys"] = list(self.sort_keys)
        if self.cluster_by:
            out["cluster_by"] = list(self.cluster_by)
        return out or None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "target_rows": self.target_rows}
        if self.composite_keys:
            out["composite_keys"] = [list(g) for g in self.composite_keys]
        if self.warnings:
            out["warnings"] = list(self.warnings)
        out["columns"] = [c.to_dict() for c in self.columns]
        if self.description is not None:
            out["description"] = self.description
        layout = self.layout()
        if layout:
            out["layout"] = layout
        return out
