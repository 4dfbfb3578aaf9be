"""DDL text -> ExperimentSchema: statements are read, tables drafted, keys settled, columns inferred, then validated.

The pipeline (each step in its own module):

1. `lexer` splits the file into statements; `preprocess` reads each statement's structure (names, types,
   layout clauses) and blanks what sqlglot should not see, keeping every offset;
2. each column definition and table constraint is parsed by sqlglot on its own (`_parse_item`), so one bad
   column is reported at its line and column while the other statements are still read;
3. `constraints` applies NOT NULL / keys / REFERENCES / CHECK; ALTER TABLE ... ADD and COMMENT ON follow;
4. keys are settled (composite primary keys get `_row_id`), foreign keys resolved, `infer` adds realistic settings;
5. the schema model validates the result; its problems are reported at the table's CREATE statement.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlglot
from pydantic import ValidationError
from sqlglot import exp
from sqlglot.errors import ParseError

from dw_simulator.ddl.clauses import REDSHIFT_CLAUSES, SNOWFLAKE_CLAUSES
from dw_simulator.ddl.coltypes import ResolvedType, resolve_type
from dw_simulator.ddl.constraints import (
    ConstraintProblem,
    apply_column_constraint,
    apply_table_constraint,
    resolve_foreign_keys,
    settle_keys,
)
from dw_simulator.ddl.cursor import Rewriter, SyntaxProblem
from dw_simulator.ddl.draft import ColumnDraft, TableDraft
from dw_simulator.ddl.errors import DdlProblems, SourceText, raise_problems
from dw_simulator.ddl.infer import Inference, apply_type_bounds, infer_column
from dw_simulator.ddl.lexer import LexError, split_statements, tokenize
from dw_simulator.ddl.names import is_safe, safe_identifier
from dw_simulator.ddl.preprocess import AlterTable, ColumnItem, CommentOn, CreateTable, Item, prepare
from dw_simulator.ddl.typemap import DIALECT_TITLES
from dw_simulator.errors import Problem, SchemaValidationError
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.experiment_schema import ExperimentSchema
from dw_simulator.schema.loader import problems_from_validation_error
from dw_simulator.schema.table_schema import DEFAULT_TARGET_ROWS, MAX_TARGET_ROWS, unique_capacity

IMPORT_DIALECTS: tuple[str, ...] = ("redshift", "snowflake", "postgres")
MAX_SQL_BYTES = 5 * 1024 * 1024
_WRAP = "CREATE TABLE t ("


@dataclass
class ImportResult:
    """The imported schema, the warnings the user should read, and informational notes (skipped statements,
    inferred settings). Table-specific warnings are also in each `TableSchema.warnings`."""

    schema: ExperimentSchema
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    inferences: list[Inference] = field(default_factory=list)


def import_sql(
    sql: str,
    dialect: str,
    *,
    name: str,
    rows: dict[str, int] | None = None,
    default_rows: int = DEFAULT_TARGET_ROWS,
    target_warehouse: str | None = None,
    description: str | None = None,
    today: date | None = None,
) -> ImportResult:
    """Import the CREATE TABLE statements of `sql` (written for `dialect`) as an experiment called `name`.

    Raises SchemaValidationError with one detail per problem (line, col, offending text, hint)."""
    dialect = (dialect or "").strip().lower()
    if dialect not in IMPORT_DIALECTS:
        raise SchemaValidationError(
            f"unknown SQL dialect '{dialect}' for import; use one of {', '.join(IMPORT_DIALECTS)} "
            "(postgres also reads plain ANSI DDL)"
        )
    if len(sql.encode("utf-8", "ignore")) > MAX_SQL_BYTES:
        raise SchemaValidationError(f"the SQL file is larger than {MAX_SQL_BYTES // (1024 * 1024)} MiB")
    run = _Import(sql, dialect, today or date.today())
    run.read()
    return run.finish(
        name=name,
        rows=rows or {},
        default_rows=default_rows,
        target_warehouse=target_warehouse,
        description=description,
    )


class _Import:
    def __init__(self, sql: str, dialect: str, today: date) -> None:
        self.source = SourceText(sql)
        self.dialect = dialect
        self.today = today
        self.problems = DdlProblems(self.source, dialect)
        self.tables: dict[str, TableDraft] = {}
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.inferences: list[Inference] = []
        self.rewriter = Rewriter(sql)

    # -- reading ------------------------------------------------------------------------------------------------
    def read(self) -> None:
        text = self.source.text
        try:
            tokens = tokenize(
                text, backslash_escapes=self.dialect != "postgres", nested_comments=self.dialect == "postgres"
            )
        except LexError as exc:
            self.problems.add(exc.message, exc.offset, text=exc.text)
            self.problems.raise_if_any()
            return
        later: list[tuple[int, AlterTable | CommentOn]] = []
        for statement_tokens in split_statements(tokens):
            try:
                statement = prepare(statement_tokens, text, self.rewriter)
            except SyntaxProblem as exc:
                self.problems.add(exc.message, exc.start, exc.end, hint=exc.hint)
                continue
            line = self.source.position(statement.start)[0]
            if statement.skip_reason is not None:
                if statement.label == "CREATE TABLE":
                    self.warnings.append(f"line {line}: a CREATE TABLE was skipped: {statement.skip_reason}")
                else:
                    self.notes.append(f"line {line}: skipped {statement.label} ({statement.skip_reason})")
                continue
            node = statement.node
            if isinstance(node, CreateTable):
                self._create(node, statement.start, statement.end, line)
            elif isinstance(node, AlterTable | CommentOn):
                if isinstance(node, AlterTable) and node.skipped:
                    self.notes.append(
                        f"line {line}: ALTER TABLE {node.name.qualified}: skipped {'; '.join(node.skipped)}"
                    )
                later.append((line, node))
        for line, node in later:
            if isinstance(node, AlterTable):
                self._alter(node, line)
            else:
                self._comment(node, line)

    def _create(self, node: CreateTable, start: int, end: int, line: int) -> None:
        written = node.name.value
        name = written if is_safe(written) else safe_identifier(written)
        table = TableDraft(name, written, start, end)
        if name != written:
            self._warn(
                table,
                f"Table \"{written}\" is imported as '{name}': table names must be 1-63 letters, digits or underscores",
            )
        if node.like is not None and not self._copy_like(table, node.like.value):
            self.warnings.append(
                f"line {line}: CREATE TABLE {node.name.qualified} copies table "
                f"'{node.like.qualified}', which is not defined earlier in this file; skipped"
            )
            return
        for item in node.items:
            self._item(table, item, "CREATE TABLE")
        self._options(table, node)
        self._dialect_clauses(table, node.clauses)
        existing = self.tables.get(name.lower())
        if existing is not None:
            if node.replace:
                self.notes.append(
                    f"line {line}: CREATE OR REPLACE TABLE {node.name.qualified} replaces the earlier definition"
                )
            elif node.if_not_exists:
                self.notes.append(
                    f"line {line}: CREATE TABLE IF NOT EXISTS {node.name.qualified} skipped: already defined above"
                )
                return
            else:
                first = self.source.position(existing.start)[0]
                self.problems.add(
                    f"table '{name}' is defined twice (first at line {first})",
                    node.name.start,
                    node.name.end,
                    table=name,
                    hint="schemas are dropped on import, so tables of different schemas need different names",
                )
                return
        self.tables[name.lower()] = table

    def _copy_like(self, table: TableDraft, parent_name: str) -> bool:
        """LIKE / CLONE: the parent's columns with their types and NOT NULL (keys are not copied, as in Redshift)."""
        parent = self._find_table(parent_name)
        if parent is None:
            return False
        for column in parent.columns:
            if column.name == "_row_id" and parent.composite_keys:
                continue
            table.columns.append(
                ColumnDraft(
                    column.name,
                    column.written,
                    column.data_type,
                    table.start,
                    varchar_length=column.varchar_length,
                    required=column.required,
                    description=column.description,
                    type_bounds=column.type_bounds,
                )
            )
        return True

    def _find_table(self, written: str) -> TableDraft | None:
        lowered = written.lower()
        found = self.tables.get(lowered)
        if found is not None:
            return found
        return next((t for t in self.tables.values() if t.written.lower() == lowered), None)

    def _item(self, table: TableDraft, item: Item, how: str) -> None:
        try:
            if isinstance(item, ColumnItem):
                table.failed.add(item.name.value.lower())
                resolved = resolve_type(item.type, self.dialect)  # before sqlglot: a type problem is the clearer one
            node = self._parse_item(item)
            if isinstance(item, ColumnItem):
                if not isinstance(node, exp.ColumnDef):
                    raise SyntaxProblem("expected a column definition", item.start, item.end)
                self._column(table, item, node, resolved)
                table.failed.discard(item.name.value.lower())
            else:
                apply_table_constraint(table, node, lambda n: _offset_of(n, item), how, self._warn)
        except SyntaxProblem as exc:
            self.problems.add(exc.message, exc.start, exc.end, table=table.name, hint=exc.hint)
        except ConstraintProblem as exc:
            if not exc.silent:
                self.problems.add(exc.message, exc.start, exc.end, table=table.name)

    def _parse_item(self, item: Item) -> exp.Expression:
        if isinstance(item, ColumnItem):
            simple = _simple_column(item.sql)
            if simple is not None:
                return simple
        wrapped = _WRAP + item.sql + ")"
        try:
            with _quiet_sqlglot():
                tree = sqlglot.parse_one(wrapped, read=self.dialect)
        except ParseError as exc:
            raise self._parse_problem(exc, item, wrapped) from None
        except Exception as exc:  # sqlglot may fail in other ways on garbage; report it at the item
            raise SyntaxProblem(f"cannot parse this definition ({type(exc).__name__})", item.start, item.end) from None
        schema = tree.this if isinstance(tree, exp.Create) else None
        if not isinstance(schema, exp.Schema) or len(schema.expressions) != 1:
            raise SyntaxProblem("cannot parse this definition", item.start, item.end)
        node: exp.Expression = schema.expressions[0]
        return node

    def _parse_problem(self, exc: ParseError, item: Item, wrapped: str) -> SyntaxProblem:
        error = exc.errors[0] if exc.errors else {}
        line, col = int(error.get("line") or 1), int(error.get("col") or 1)
        highlight = str(error.get("highlight") or "")
        wrapped_source = SourceText(wrapped)
        last = wrapped_source.offset(line, col)  # sqlglot points at the last character of the token
        first = max(0, last - max(len(highlight), 1) + 1)
        offset = min(max(item.start + first - len(_WRAP), item.start), item.end)
        description = str(error.get("description") or "syntax error")
        shown = highlight.strip() or self.source.excerpt(offset, offset + 10)
        title = DIALECT_TITLES[self.dialect]
        hint = (
            f"this is not a column attribute or constraint dw-sim knows for {title}: it reads types, NOT NULL, "
            "DEFAULT, PRIMARY KEY, UNIQUE, REFERENCES, CHECK, COMMENT, COLLATE, IDENTITY/AUTOINCREMENT and "
            "the layout clauses (ENCODE, DISTKEY, SORTKEY)"
        )
        return SyntaxProblem(
            f"cannot parse '{shown}' here (sqlglot: {description})", offset, offset + max(len(highlight), 1), hint=hint
        )

    def _column(self, table: TableDraft, item: ColumnItem, node: exp.ColumnDef, resolved: ResolvedType) -> None:
        written = item.name.value
        name = written if is_safe(written) else safe_identifier(written)
        if table.column(name) is not None or any(c.written.lower() == written.lower() for c in table.columns):
            self.problems.add(
                f"column '{written}' appears twice in table '{table.name}'",
                item.name.start,
                item.name.end,
                table=table.name,
            )
            return
        if name != written:
            self._warn(
                table,
                f"Table '{table.name}': column \"{written}\" is imported as '{name}': column names "
                "must be 1-63 letters, digits or underscores",
            )
        column = ColumnDraft(
            name,
            written,
            resolved.data_type,
            item.start,
            varchar_length=resolved.varchar_length,
            faker_rule=resolved.faker_rule,
            type_bounds=resolved.bounds,
        )
        table.columns.append(column)
        if resolved.warning:
            self._warn(table, f"Table '{table.name}': column '{name}': {resolved.warning}")
        if resolved.note:
            self.notes.append(f"Table '{table.name}': column '{name}': {resolved.note}")
        attrs = item.attrs
        identity = attrs.identity or ((1, 1) if resolved.identity else None)
        if identity is not None:
            self._identity(table, column, identity)
        if attrs.computed:
            self._warn(
                table,
                f"Table '{table.name}': column '{name}' is computed from other columns in the DDL; "
                "it is generated as independent data",
            )
        if attrs.comment is not None:
            column.description = attrs.comment
        if attrs.dist_key:
            table.dist_key = name
        if attrs.sort_key:
            table.sort_keys.append(name)
        for constraint in node.args.get("constraints") or []:
            if isinstance(constraint, exp.ColumnConstraint):
                offset = _offset_of(constraint, item)
                try:
                    apply_column_constraint(table, column, constraint, offset, self._warn)
                except ConstraintProblem as exc:
                    self.problems.add(exc.message, exc.start, exc.end, table=table.name, column=name)

    def _identity(self, table: TableDraft, column: ColumnDraft, identity: tuple[int, int]) -> None:
        if column.data_type not in ("SMALLINT", "INT", "BIGINT"):
            self._warn(
                table,
                f"Table '{table.name}': column '{column.name}' is {column.data_type}; IDENTITY applies "
                "to integer columns and is ignored",
            )
            return
        start, step = identity
        if step == 0:
            step = 1
        column.identity = (start, step)
        column.is_unique = True
        column.required = True
        if step > 0:
            column.min_value = start

    def _options(self, table: TableDraft, node: CreateTable) -> None:
        opts = node.options
        table.description = opts.comment
        if opts.dist_style in ("ALL", "EVEN", "KEY", "AUTO"):
            table.dist_style = opts.dist_style
        elif opts.dist_style is not None:
            self._warn(
                table,
                f"Table '{table.name}': DISTSTYLE {opts.dist_style} is not a Redshift distribution "
                "style (ALL, EVEN, KEY, AUTO); ignored",
            )
        if opts.dist_key is not None:
            column = self._layout_column(table, *opts.dist_key)
            if column is not None:
                table.dist_key = column
        if opts.sort_style is not None:
            table.sort_style = opts.sort_style
            keys = [self._layout_column(table, n, o) for n, o in opts.sort_keys]
            table.sort_keys = [k for k in keys if k is not None]
        elif table.sort_keys:
            table.sort_style = "COMPOUND"
        table.cluster_by = list(opts.cluster_by)
        if opts.ignored:
            self.notes.append(f"Table '{table.name}': ignored table options: {', '.join(opts.ignored)}")

    def _layout_column(self, table: TableDraft, written: str, offset: int) -> str | None:
        column = table.column(written)
        if column is None:
            if written.lower() in table.failed:
                return None
            self.problems.add(
                f"table '{table.name}' has no column '{written}'", offset, offset + len(written), table=table.name
            )
            return None
        return column.name

    def _dialect_clauses(self, table: TableDraft, clauses: set[str]) -> None:
        for owner, owned in (("redshift", REDSHIFT_CLAUSES), ("snowflake", SNOWFLAKE_CLAUSES)):
            if owner == self.dialect:
                continue
            used = sorted(clauses & owned)
            if used:
                self._warn(
                    table,
                    f"Table '{table.name}' uses {DIALECT_TITLES[owner]} syntax ({', '.join(used)}) in "
                    f"--dialect {self.dialect} DDL; it was accepted: did you mean --dialect {owner}?",
                )

    def _alter(self, node: AlterTable, line: int) -> None:
        table = self._find_table(node.name.value)
        if table is None:
            if node.items:
                self.warnings.append(
                    f"line {line}: ALTER TABLE {node.name.qualified} names a table that is not "
                    "defined in this file; skipped"
                )
            return
        for item in node.items:
            self._item(table, item, "ALTER TABLE")

    def _comment(self, node: CommentOn, line: int) -> None:
        table = self._find_table(node.table.value)
        if table is None:
            self.notes.append(
                f"line {line}: skipped COMMENT ON {node.target} {node.table.qualified} (no such table in this file)"
            )
            return
        if node.column is None:
            table.description = node.text
            return
        column = table.column(node.column)
        if column is None:
            self.notes.append(
                f"line {line}: skipped COMMENT ON COLUMN: table '{table.name}' has no column '{node.column}'"
            )
            return
        column.description = node.text

    def _key_problem(self, message: str, offset: int) -> None:
        self.problems.add(message, offset)

    def _warn(self, table: TableDraft, message: str) -> None:
        if message not in table.warnings:
            table.warnings.append(message)

    # -- finishing ----------------------------------------------------------------------------------------------
    def finish(
        self,
        *,
        name: str,
        rows: dict[str, int],
        default_rows: int,
        target_warehouse: str | None,
        description: str | None,
    ) -> ImportResult:
        self.problems.raise_if_any()
        if not self.tables:
            skipped = f" ({len(self.notes)} statement(s) skipped)" if self.notes else ""
            message = f"no CREATE TABLE statement found{skipped}"
            raise SchemaValidationError(
                f"SQL import failed: {message}",
                details=[Problem(message, extra={"notes": self.notes + self.warnings}).to_dict()],
            )
        self._rows(rows, default_rows)
        for table in self.tables.values():
            settle_keys(table, self._warn, self._key_problem)
        self.problems.raise_if_any()
        resolve_foreign_keys(self.tables, self._warn)
        self._infer()
        self._break_required_cycles()
        self._fit_unique_capacity()
        for table in self.tables.values():
            self.warnings.extend(table.warnings)
        if description is None:
            description = f"Imported from {DIALECT_TITLES[self.dialect]} DDL"
        data: dict[str, Any] = {
            "name": name,
            "description": description,
            "tables": [t.to_dict() for t in self.tables.values()],
        }
        if self.dialect in ("redshift", "snowflake"):
            data["dialect"] = self.dialect
        if target_warehouse is not None:
            data["target_warehouse"] = target_warehouse
        schema = self._validate(data)
        return ImportResult(schema, self.warnings, self.notes, self.inferences)

    def _rows(self, rows: dict[str, int], default_rows: int) -> None:
        unknown = [t for t in rows if self._find_table(t) is None]
        if unknown:
            raise SchemaValidationError(
                f"--rows names table(s) not in the SQL: {', '.join(unknown)}; tables are "
                f"{', '.join(t.name for t in self.tables.values())}"
            )
        for table in self.tables.values():
            table.target_rows = default_rows
        for written, count in rows.items():
            found = self._find_table(written)
            assert found is not None
            if not 0 <= count <= MAX_TARGET_ROWS:
                raise SchemaValidationError(f"--rows {written}={count}: rows must be between 0 and {MAX_TARGET_ROWS}")
            found.target_rows = count
            found.rows_given = True

    def _infer(self) -> None:
        for table in self.tables.values():
            found: list[Inference] = []
            for column in table.columns:
                found += infer_column(table.name, column, self.today)
                apply_type_bounds(column)
            if found:
                self.inferences += found
                self.notes.append(
                    f"Table '{table.name}': inferred (edit the JSON to change): "
                    + "; ".join(i.describe() for i in found)
                )

    def _break_required_cycles(self) -> None:
        """Required foreign keys that form a cycle cannot be generated: the last one in each cycle becomes
        nullable, with a warning."""
        while True:
            cycle = _required_cycle(self.tables)
            if cycle is None:
                return
            table, column = cycle
            column.required = False
            self._warn(
                table,
                f"Table '{table.name}': column '{column.name}' was made nullable: required foreign keys "
                "form a cycle, and generation needs somewhere to start",
            )

    def _fit_unique_capacity(self) -> None:
        for table in self.tables.values():
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
                    self._warn(
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
                table = self.tables.get((problem.table or "").lower())
                if table is not None:
                    column = table.column(problem.column) if problem.column else None
                    problem.line, problem.col = self.source.position(column.start if column else table.start)
            raise_problems(problems)


_SIMPLE_CONSTRAINTS: dict[tuple[str, ...], type[exp.Expression]] = {
    ("NOT", "NULL"): exp.NotNullColumnConstraint,
    ("PRIMARY", "KEY"): exp.PrimaryKeyColumnConstraint,
    ("UNIQUE",): exp.UniqueColumnConstraint,
}


def _simple_column(sql: str) -> exp.ColumnDef | None:
    """`c INT [NOT NULL | NULL | PRIMARY KEY | UNIQUE]...` (most columns, once rewritten) without calling sqlglot."""
    words = sql.split()
    if len(words) < 2 or words[1] != "INT":
        return None
    constraints: list[exp.Expression] = []
    rest = [w.upper() for w in words[2:]]
    while rest:
        if rest[0] == "NULL":
            constraints.append(exp.ColumnConstraint(kind=exp.NotNullColumnConstraint(allow_null=True)))
            rest = rest[1:]
            continue
        for pattern, kind in _SIMPLE_CONSTRAINTS.items():
            if tuple(rest[: len(pattern)]) == pattern:
                constraints.append(exp.ColumnConstraint(kind=kind()))
                rest = rest[len(pattern) :]
                break
        else:
            return None
    return exp.ColumnDef(this=exp.to_identifier(words[0]), kind=exp.DataType.build("INT"), constraints=constraints)


def _offset_of(node: exp.Expression, item: Item) -> int:
    """The file offset of a node parsed from an item (sqlglot's meta offsets are into the wrapped text)."""
    for candidate in node.walk():
        meta = candidate.meta if isinstance(candidate, exp.Expression) else None
        if meta and "start" in meta:
            return int(item.start + int(meta["start"]) - len(_WRAP))
    return item.start


def _required_cycle(tables: dict[str, TableDraft]) -> tuple[TableDraft, ColumnDraft] | None:
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


@contextlib.contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning when it falls back to a generic command; the importer reports problems itself."""
    logger = logging.getLogger("sqlglot")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)
