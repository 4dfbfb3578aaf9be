"""Reading CREATE TABLE, ALTER TABLE ... ADD and COMMENT ON statements into table drafts.

A `StatementReader` turns each prepared statement (`preprocess`) into `TableDraft`s: names made safe, types
resolved (`coltypes`), columns and constraints parsed (`item_parser`) and applied (`constraints`), layout options
checked against the columns. Problems are collected with their position, so one run reports them all.
"""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.ddl.coltypes import ResolvedType, resolve_type
from dw_simulator.ddl.constraints import ConstraintProblem, apply_column_constraint, apply_table_constraint
from dw_simulator.ddl.cursor import SyntaxProblem
from dw_simulator.ddl.draft import ColumnDraft, TableDraft
from dw_simulator.ddl.item_parser import offset_of, parse_item
from dw_simulator.ddl.names import is_safe, safe_identifier
from dw_simulator.ddl.preprocess import AlterTable, ColumnItem, CommentOn, CreateTable, Item
from dw_simulator.ddl.problems import DdlProblems, SourceText
from dw_simulator.ddl.table_clauses import REDSHIFT_CLAUSES, SNOWFLAKE_CLAUSES
from dw_simulator.ddl.typemap import DIALECT_TITLES


class StatementReader:
    """The drafts of one file's tables, with the warnings, notes and problems found while reading them."""

    def __init__(self, source: SourceText, dialect: str) -> None:
        self.source = source
        self.dialect = dialect
        self.problems = DdlProblems(source, dialect)
        self.tables: dict[str, TableDraft] = {}
        self.warnings: list[str] = []
        self.notes: list[str] = []

    def create(self, node: CreateTable, start: int, end: int, line: int) -> None:
        written = node.name.value
        name = written if is_safe(written) else safe_identifier(written)
        table = TableDraft(name, written, start, end)
        if name != written:
            self.warn(
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
        parent = self.find_table(parent_name)
        if parent is None:
            return False
        for column in parent.columns:
            if column.name == "_row_id" and parent.composite_keys:
                continue
            table.add_column(
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

    def find_table(self, written: str) -> TableDraft | None:
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
            node = parse_item(item, self.dialect, self.source)
            if isinstance(item, ColumnItem):
                if not isinstance(node, exp.ColumnDef):
                    raise SyntaxProblem("expected a column definition", item.start, item.end)
                self._column(table, item, node, resolved)
                table.failed.discard(item.name.value.lower())
            else:
                apply_table_constraint(table, node, lambda n: offset_of(n, item), how, self.warn)
        except SyntaxProblem as exc:
            self.problems.add(exc.message, exc.start, exc.end, table=table.name, hint=exc.hint)
        except ConstraintProblem as exc:
            if not exc.silent:
                self.problems.add(exc.message, exc.start, exc.end, table=table.name)

    def _column(self, table: TableDraft, item: ColumnItem, node: exp.ColumnDef, resolved: ResolvedType) -> None:
        written = item.name.value
        name = written if is_safe(written) else safe_identifier(written)
        if table.column(name) is not None or table.has_written(written):
            self.problems.add(
                f"column '{written}' appears twice in table '{table.name}'",
                item.name.start,
                item.name.end,
                table=table.name,
            )
            return
        if name != written:
            self.warn(
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
        table.add_column(column)
        if resolved.warning:
            self.warn(table, f"Table '{table.name}': column '{name}': {resolved.warning}")
        if resolved.note:
            self.notes.append(f"Table '{table.name}': column '{name}': {resolved.note}")
        attrs = item.attrs
        identity = attrs.identity or ((1, 1) if resolved.identity else None)
        if identity is not None:
            self._identity(table, column, identity)
        if attrs.computed:
            self.warn(
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
                offset = offset_of(constraint, item)
                try:
                    apply_column_constraint(table, column, constraint, offset, self.warn)
                except ConstraintProblem as exc:
                    self.problems.add(exc.message, exc.start, exc.end, table=table.name, column=name)

    def _identity(self, table: TableDraft, column: ColumnDraft, identity: tuple[int, int]) -> None:
        if column.data_type not in ("SMALLINT", "INT", "BIGINT"):
            self.warn(
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
            self.warn(
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
                self.warn(
                    table,
                    f"Table '{table.name}' uses {DIALECT_TITLES[owner]} syntax ({', '.join(used)}) in "
                    f"--dialect {self.dialect} DDL; it was accepted: did you mean --dialect {owner}?",
                )

    def alter(self, node: AlterTable, line: int) -> None:
        table = self.find_table(node.name.value)
        if table is None:
            if node.items:
                self.warnings.append(
                    f"line {line}: ALTER TABLE {node.name.qualified} names a table that is not "
                    "defined in this file; skipped"
                )
            return
        for item in node.items:
            self._item(table, item, "ALTER TABLE")

    def comment(self, node: CommentOn, line: int) -> None:
        table = self.find_table(node.table.value)
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

    def key_problem(self, message: str, offset: int) -> None:
        self.problems.add(message, offset)

    def warn(self, table: TableDraft, message: str) -> None:
        if message not in table.warnings:
            table.warnings.append(message)
