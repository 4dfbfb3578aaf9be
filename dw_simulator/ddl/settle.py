"""From table drafts to a validated `ExperimentSchema`: row counts, keys, foreign keys, inferences, validation.

Once every statement is read, `Settler.finish` settles primary keys (a composite key gets `_row_id`), resolves
foreign keys across the file, infers realistic settings (`infer`), breaks cycles of required foreign keys, lowers
row counts that a unique column cannot hold, and validates the result with the schema model; the model's problems
are reported at the table's CREATE statement (or the column's definition).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from dw_simulator.ddl.constraints import resolve_foreign_keys, settle_keys
from dw_simulator.ddl.draft import ColumnDraft, TableDraft
from dw_simulator.ddl.infer import Inference, apply_type_bounds, infer_column
from dw_simulator.ddl.problems import raise_problems
from dw_simulator.ddl.statements import StatementReader
from dw_simulator.ddl.typemap import DIALECT_TITLES
from dw_simulator.errors import Problem, SchemaValidationError
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.experiment_schema import ExperimentSchema
from dw_simulator.schema.loader import problems_from_validation_error
from dw_simulator.schema.table_schema import MAX_TARGET_ROWS, unique_capacity


class Settler:
    """Settles the drafts a `StatementReader` holds into the experiment schema."""

    def __init__(self, reader: StatementReader, today: date) -> None:
        self.reader = reader
        self.today = today
        self.inferences: list[Inference] = []

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
        self._infer()
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
        return self._validate(data)

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

    def _infer(self) -> None:
        for table in self.reader.tables.values():
            found: list[Inference] = []
            for column in table.columns:
                found += infer_column(table.name, column, self.today)
                apply_type_bounds(column)
            if found:
                self.inferences += found
                self.reader.notes.append(
                    f"Table '{table.name}': inferred (edit the JSON to change): "
                    + "; ".join(i.describe() for i in found)
                )

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
