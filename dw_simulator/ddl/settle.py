"""From table drafts to a validated `ExperimentSchema`: row counts, keys, foreign keys, inferences, validation.

Once every statement is read, `Settler.finish` settles primary keys, resolves foreign keys across the file (multi-
column ones included), breaks cycles of required foreign keys, lowers row counts that a unique column cannot hold,
runs `dw_simulator.inference` over the schema (keys nobody declared, column semantics, the date window, temporal
orders; each recorded in the schema's `inferences`), applies the hard limits of the types' precision, and validates
the result with the schema model; the model's problems are reported at the table's CREATE statement (or the
column's definition).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from dw_simulator.ddl.constraints import resolve_foreign_keys, settle_keys
from dw_simulator.ddl.draft import ColumnDraft, TableDraft
from dw_simulator.ddl.problems import raise_problems
from dw_simulator.ddl.statements import StatementReader
from dw_simulator.ddl.typemap import DIALECT_TITLES
from dw_simulator.errors import Problem, SchemaValidationError
from dw_simulator.inference import infer_schema
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.experiment_schema import ExperimentSchema
from dw_simulator.schema.loader import problems_from_validation_error
from dw_simulator.schema.table_schema import MAX_TARGET_ROWS, unique_capacity

_KEY_NAME = re.compile(r"(^id$|_id$|_sk$|_key$|^pk_|^fk_)", re.IGNORECASE)


class Settler:
    """Settles the drafts a `StatementReader` holds into the experiment schema."""

    def __init__(self, reader: StatementReader, today: date, *, infer_keys: bool = True) -> None:
        self.reader = reader
        self.today = today
        self.infer_keys = infer_keys

    def finish(
        self,
        *,
        name: str,
        rows: dict[str, int],
        default_rows: int,
        target_warehouse: str | None,
        description: str | None,
    ) -> ExperimentSchema:
        self.reader.problems.raise_if_any()
        if not self.reader.tables:
            skipped = f" ({len(self.reader.notes)} statement(s) skipped)" if self.reader.notes else ""
            message = f"no CREATE TABLE statement found{skipped}"
            raise SchemaValidationError(
                f"SQL import failed: {message}",
                details=[Problem(message, extra={"notes": self.reader.notes + self.reader.warnings}).to_dict()],
            )
        self._rows(rows, default_rows)
        for table in self.reader.tables.values():
            settle_keys(table, self.reader.warn, self.reader.key_problem)
        self.reader.problems.raise_if_any()
        resolve_foreign_keys(self.reader.tables, self.reader.warn)
        self._break_required_cycles()
        self._fit_unique_capacity()
        for table in self.reader.tables.values():
            self.reader.warnings.extend(table.warnings)
        if description is None:
            description = f"Imported from {DIALECT_TITLES[self.reader.dialect]} DDL"
        data: dict[str, Any] = {
            "name": name,
            "description": description,
            "tables": [t.to_dict() for t in self.reader.tables.values()],
        }
        if self.reader.dialect in ("redshift", "snowflake"):
            data["dialect"] = self.reader.dialect
        if target_warehouse is not None:
            data["target_warehouse"] = target_warehouse
        inferred = infer_schema(data, today=self.today, keys=self.infer_keys)
        data["inferences"] = inferred.records
        self.reader.notes.extend(inferred.notes)
        self._apply_type_bounds(data)
        return self._validate(data)

    def _apply_type_bounds(self, data: dict[str, Any]) -> None:
        """Precision-implied limits (Snowflake NUMBER(4,0) -> -9999..9999; 0..9999 for keys) bound whatever the
        DDL or the inference set; categorical values outside them are dropped."""
        for table_data in data["tables"]:
            table = self.reader.tables[table_data["name"].lower()]
            for column in table_data["columns"]:
                draft = table.column(column["name"])
                if draft is None or draft.type_bounds is None or draft.values is not None:
                    continue
                lo, hi = draft.type_bounds
                if column.get("is_unique") or column.get("foreign_key") or _KEY_NAME.search(column["name"]):
                    lo = max(lo, 0)  # keys are not negative
                dist = column.get("distribution")
                if isinstance(dist, dict) and dist.get("type") == "categorical":
                    kept = [(v, w) for v, w in zip(dist["values"], dist.get("weights") or [1.0] * len(dist["values"]),
                                                   strict=True) if lo <= v <= hi]  # fmt: skip
                    if len(kept) >= 2:
                        dist["values"], dist["weights"] = [v for v, _ in kept], [w for _, w in kept]
                        continue
                    column.pop("distribution")
                current_lo, current_hi = column.get("min_value"), column.get("max_value")
                column["min_value"] = lo if current_lo is None else max(current_lo, lo)
                column["max_value"] = hi if current_hi is None else min(current_hi, hi)
                if column["min_value"] > column["max_value"]:
                    column["min_value"], column["max_value"] = lo, hi

    def _rows(self, rows: dict[str, int], default_rows: int) -> None:
        unknown = [t for t in rows if self.reader.find_table(t) is None]
        if unknown:
            raise SchemaValidationError(
                f"--rows names table(s) not in the SQL: {', '.join(unknown)}; tables are "
                f"{', '.join(t.name for t in self.reader.tables.values())}"
            )
        for table in self.reader.tables.values():
            table.target_rows = default_rows
        for written, count in rows.items():
            found = self.reader.find_table(written)
            assert found is not None
            if not 0 <= count <= MAX_TARGET_ROWS:
                raise SchemaValidationError(f"--rows {written}={count}: rows must be between 0 and {MAX_TARGET_ROWS}")
            found.target_rows = count
            found.rows_given = True

    def _break_required_cycles(self) -> None:
        """Required foreign keys that form a cycle cannot be generated: the last one in each cycle becomes
        nullable, with a warning."""
        while True:
            cycle = required_cycle(self.reader.tables)
            if cycle is None:
                return
            table, column = cycle
            column.required = False
            self.reader.warn(
                table,
                f"Table '{table.name}': column '{column.name}' was made nullable: required foreign keys "
                "form a cycle, and generation needs somewhere to start",
            )

    def _fit_unique_capacity(self) -> None:
        for table in self.reader.tables.values():
            if table.rows_given:
                continue
            for column in table.columns:
                if not column.is_unique or column.foreign_key is not None:
                    continue
                try:
                    capacity = unique_capacity(ColumnSchema.model_validate(column.to_dict()))
                except ValidationError:
                    continue  # reported by the final validation
                if capacity is not None and capacity < table.target_rows:
                    self.reader.warn(
                        table,
                        f"Table '{table.name}': target_rows lowered from {table.target_rows} to "
                        f"{capacity}: unique column '{column.name}' has only {capacity} possible "
                        "values",
                    )
                    table.target_rows = capacity

    def _validate(self, data: dict[str, Any]) -> ExperimentSchema:
        try:
            return ExperimentSchema.model_validate(data)
        except ValidationError as exc:
            problems = problems_from_validation_error(exc, data)
            for problem in problems:
                table = self.reader.tables.get((problem.table or "").lower())
                if table is not None:
                    column = table.column(problem.column) if problem.column else None
                    problem.line, problem.col = self.reader.source.position(column.start if column else table.start)
            raise_problems(problems)


def required_cycle(tables: dict[str, TableDraft]) -> tuple[TableDraft, ColumnDraft] | None:
    edges: dict[str, list[tuple[str, ColumnDraft]]] = {}
    for key, table in tables.items():
        edges[key] = [(c.foreign_key[0].lower(), c) for c in table.columns if c.foreign_key is not None and c.required]
    state: dict[str, int] = {}

    def visit(node: str) -> tuple[TableDraft, ColumnDraft] | None:
        state[node] = 1
        for parent, column in edges.get(node, []):
            if state.get(parent) == 1:
                return tables[node], column
            if parent in edges and state.get(parent) is None:
                found = visit(parent)
                if found is not None:
                    return found
        state[node] = 2
        return None

    for key in edges:
        if state.get(key) is None:
            found = visit(key)
            if found is not None:
                return found
    return None
