"""DDL text -> ExperimentSchema: statements are read, tables drafted, keys settled, columns inferred, then validated.

The pipeline (each step in its own module):

1. `lexer` splits the file into statements; `preprocess` reads each statement's structure (names, types,
   layout clauses: `column_clauses`, `table_clauses`) and blanks what sqlglot should not see, keeping every offset;
2. `statements` drafts the tables; each column definition and table constraint is parsed by sqlglot on its own
   (`item_parser`), so one bad column is reported at its line and column while the other statements are still read;
3. `constraints` applies NOT NULL / keys / REFERENCES / CHECK; ALTER TABLE ... ADD and COMMENT ON follow;
4. `settle`: keys are settled (composite primary keys get `_row_id`), foreign keys resolved, `infer` adds realistic
   settings, and the schema model validates the result; its problems are reported at the table's CREATE statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from dw_simulator.ddl.cursor import Rewriter, SyntaxProblem
from dw_simulator.ddl.infer import Inference
from dw_simulator.ddl.lexer import LexError, Token, split_statements, tokenize
from dw_simulator.ddl.preprocess import AlterTable, CommentOn, CreateTable, prepare
from dw_simulator.ddl.problems import SourceText
from dw_simulator.ddl.settle import Settler
from dw_simulator.ddl.statements import StatementReader
from dw_simulator.errors import SchemaValidationError
from dw_simulator.schema.experiment_schema import ExperimentSchema
from dw_simulator.schema.table_schema import DEFAULT_TARGET_ROWS

IMPORT_DIALECTS: tuple[str, ...] = ("redshift", "snowflake", "postgres")
MAX_SQL_BYTES = 5 * 1024 * 1024


@dataclass
class ImportResult:
    """The imported schema, the warnings the user should read, and informational notes (skipped statements,
    inferred settings). Table-specific warnings are also in each `TableSchema.warnings`."""

    schema: ExperimentSchema
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    inferences: list[Inference] = field(default_factory=list)


ProgressCallback = Callable[[int, int], None]
"""`on_progress(done_statements, total_statements)`: called with (0, total) before the first statement is read and
after each statement, up to (total, total). Settling keys and validating the schema come after the last call."""


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
    on_progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import the CREATE TABLE statements of `sql` (written for `dialect`) as an experiment called `name`.

    `on_progress(done_statements, total_statements)` reports reading progress (for a progress bar on large files).
    Raises SchemaValidationError with one detail per problem (line, col, offending text, hint)."""
    dialect = (dialect or "").strip().lower()
    if dialect not in IMPORT_DIALECTS:
        raise SchemaValidationError(
            f"unknown SQL dialect '{dialect}' for import; use one of {', '.join(IMPORT_DIALECTS)} "
            "(postgres also reads plain ANSI DDL)"
        )
    if len(sql.encode("utf-8", "ignore")) > MAX_SQL_BYTES:
        raise SchemaValidationError(f"the SQL file is larger than {MAX_SQL_BYTES // (1024 * 1024)} MiB")
    reader = StatementReader(SourceText(sql), dialect)
    _read(reader, on_progress or _no_progress)
    settler = Settler(reader, today or date.today())
    schema = settler.finish(
        name=name,
        rows=rows or {},
        default_rows=default_rows,
        target_warehouse=target_warehouse,
        description=description,
    )
    return ImportResult(schema, reader.warnings, reader.notes, settler.inferences)


def _no_progress(done: int, total: int) -> None:
    return None


def _read(reader: StatementReader, on_progress: ProgressCallback) -> None:
    """Every statement of the file, in order; ALTER TABLE and COMMENT ON apply once all tables are read."""
    text = reader.source.text
    rewriter = Rewriter(text)
    try:
        tokens = tokenize(
            text, backslash_escapes=reader.dialect != "postgres", nested_comments=reader.dialect == "postgres"
        )
    except LexError as exc:
        reader.problems.add(exc.message, exc.offset, text=exc.text)
        reader.problems.raise_if_any()
        return
    statements = split_statements(tokens)
    total, done = len(statements), 0
    on_progress(done, total)
    later: list[tuple[int, AlterTable | CommentOn]] = []
    for statement_tokens in statements:
        deferred = _read_one(reader, statement_tokens, text, rewriter)
        if deferred is not None:
            later.append(deferred)
        else:
            done += 1
            on_progress(done, total)
    for line, node in later:
        if isinstance(node, AlterTable):
            reader.alter(node, line)
        else:
            reader.comment(node, line)
        done += 1
        on_progress(done, total)


def _read_one(
    reader: StatementReader, tokens: list[Token], text: str, rewriter: Rewriter
) -> tuple[int, AlterTable | CommentOn] | None:
    """Read one statement; an ALTER TABLE or COMMENT ON is returned (with its line) to apply later."""
    try:
        statement = prepare(tokens, text, rewriter)
    except SyntaxProblem as exc:
        reader.problems.add(exc.message, exc.start, exc.end, hint=exc.hint)
        return None
    line = reader.source.position(statement.start)[0]
    if statement.skip_reason is not None:
        if statement.label == "CREATE TABLE":
            reader.warnings.append(f"line {line}: a CREATE TABLE was skipped: {statement.skip_reason}")
        else:
            reader.notes.append(f"line {line}: skipped {statement.label} ({statement.skip_reason})")
        return None
    node = statement.node
    if isinstance(node, CreateTable):
        reader.create(node, statement.start, statement.end, line)
    elif isinstance(node, AlterTable | CommentOn):
        if isinstance(node, AlterTable) and node.skipped:
            reader.notes.append(f"line {line}: ALTER TABLE {node.name.qualified}: skipped {'; '.join(node.skipped)}")
        return line, node
    return None
