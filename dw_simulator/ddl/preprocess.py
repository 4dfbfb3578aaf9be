"""The structural pass over a DDL file, before sqlglot: statements, tables, columns, types and layout clauses.

What it reads itself (so that no dialect's physical-layout syntax can fail a file): statement kinds, table and column
names, data types, Redshift DISTSTYLE/DISTKEY/SORTKEY/ENCODE/BACKUP/IDENTITY, Snowflake CLUSTER BY/COMMENT/COLLATE/
AUTOINCREMENT/table options, DEFAULTs and constraint properties. It blanks those clauses in a rewritten copy of the
text (same length, same offsets), so each remaining column or constraint can be handed to sqlglot as-is and its
error positions still point into the user's file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dw_simulator.ddl.column_clauses import (
    ColumnAttrs,
    TypeText,
    blank_constraint_properties,
    read_column_attributes,
    read_type,
)
from dw_simulator.ddl.cursor import Cursor, Rewriter, SyntaxProblem, source_of, split_top_level
from dw_simulator.ddl.lexer import Kind, Token
from dw_simulator.ddl.table_clauses import TableOptions, read_table_options

_CONSTRAINT_STARTS = ("CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK")
_ALTER_ACTIONS = (
    "ADD",
    "DROP",
    "ALTER",
    "MODIFY",
    "RENAME",
    "SET",
    "UNSET",
    "CLUSTER",
    "SWAP",
    "OWNER",
    "APPEND",
    "RESUME",
    "SUSPEND",
    "RECLUSTER",
    "ENABLE",
    "DISABLE",
)
_TABLE_MODIFIERS = ("LOCAL", "GLOBAL", "TEMP", "TEMPORARY", "VOLATILE", "TRANSIENT", "UNLOGGED", "HYBRID", "ICEBERG")


@dataclass
class Name:
    """A possibly qualified name: `db.schema.table` -> value 'table', qualified 'db.schema.table'."""

    value: str
    qualified: str
    quoted: bool
    start: int
    end: int
    parts: list[str] = field(default_factory=list)


@dataclass
class ColumnItem:
    name: Name
    type: TypeText
    attrs: ColumnAttrs
    sql: str  # the rewritten column definition for sqlglot (`c   INT NOT NULL ...`)
    start: int
    end: int


@dataclass
class ConstraintItem:
    sql: str  # the rewritten table constraint for sqlglot
    start: int
    end: int


Item = ColumnItem | ConstraintItem


@dataclass
class CreateTable:
    name: Name
    replace: bool = False
    if_not_exists: bool = False
    modifiers: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    like: Name | None = None
    options: TableOptions = field(default_factory=TableOptions)
    clauses: set[str] = field(default_factory=set)


@dataclass
class AlterTable:
    name: Name
    items: list[Item] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class CommentOn:
    target: str  # TABLE or COLUMN
    table: Name
    column: str | None
    text: str | None


@dataclass
class Statement:
    start: int
    end: int
    label: str  # e.g. "CREATE TABLE", "GRANT", "CREATE VIEW"
    node: CreateTable | AlterTable | CommentOn | None = None
    skip_reason: str | None = None


def prepare(tokens: list[Token], text: str, rw: Rewriter) -> Statement:
    """Read one statement's structure; raises SyntaxProblem for malformed table definitions."""
    cur = Cursor(tokens, tokens[-1].end)
    first = cur.peek()
    assert first is not None
    start, end = first.start, cur.tokens[-1].end
    label = _label(cur)
    if cur.is_word("CREATE"):
        return _create(cur, text, rw, start, end, label)
    if cur.is_word("ALTER") and cur.is_word("TABLE", k=1):
        return _alter(cur, text, rw, start, end, label)
    if cur.is_word("COMMENT") and cur.is_word("ON", k=1):
        return _comment(cur, start, end, label)
    return Statement(start, end, label, skip_reason="not a table definition")


def _label(cur: Cursor) -> str:
    words: list[str] = []
    for token in cur.tokens[:6]:
        if token.kind is not Kind.WORD:
            break
        words.append(token.upper)
    if not words:
        return cur.tokens[0].text[:20]
    if words[0] == "CREATE":
        rest = [
            w for w in words[1:] if w not in ("OR", "REPLACE", "SECURE", "MATERIALIZED", "UNIQUE", *_TABLE_MODIFIERS)
        ]
        kind = rest[0] if rest else ""
        if kind in ("FILE", "EXTERNAL", "ROW", "MASKING", "NETWORK", "STORAGE") and len(rest) > 1:
            kind = f"{kind} {rest[1]}"
        if "MATERIALIZED" in words:
            kind = "MATERIALIZED " + kind
        return f"CREATE {kind}".strip()
    if words[0] in ("ALTER", "DROP", "COMMENT", "TRUNCATE") and len(words) > 1:
        return f"{words[0]} {words[1]}"
    return words[0]


def _create(cur: Cursor, text: str, rw: Rewriter, start: int, end: int, label: str) -> Statement:
    create_at = cur.take()
    replace = cur.accept_seq("OR", "REPLACE")
    modifiers: list[str] = []
    while True:
        token = cur.accept(*_TABLE_MODIFIERS, "EXTERNAL", "DYNAMIC", "EVENT", "SECURE")
        if token is None:
            break
        modifiers.append(token.upper)
    if not cur.is_word("TABLE"):
        return Statement(start, end, label, skip_reason="not a table definition")
    if "EXTERNAL" in modifiers:
        table_kw = cur.tokens[cur.i]
        raise SyntaxProblem(
            "CREATE EXTERNAL TABLE is not supported: an external table reads files that live in S3 or a stage, "
            "and dw-sim generates the data itself",
            create_at.start,
            table_kw.end,
            hint="write it as a regular CREATE TABLE with the same columns to have dw-sim generate and load its "
            "data, or remove it from the file",
        )
    if "DYNAMIC" in modifiers or "EVENT" in modifiers:
        return Statement(start, end, label, skip_reason=f"a {' '.join(modifiers).lower()} table is not generated")
    table_kw = cur.take()
    if_not_exists = cur.accept_seq("IF", "NOT", "EXISTS")
    name = read_name(cur, text)
    # sqlglot never sees the statement head: each column and constraint is parsed on its own
    rw.blank(create_at.start, table_kw.end)
    node = CreateTable(name, replace=replace, if_not_exists=if_not_exists, modifiers=modifiers)
    node.clauses.update(m for m in modifiers if m == "TRANSIENT")
    if cur.accept_seq("COPY", "GRANTS"):
        node.clauses.add("COPY GRANTS")
    if cur.accept("LIKE", "CLONE"):  # Snowflake: CREATE TABLE t LIKE s / CLONE s
        node.like = read_name(cur, text)
        _finish_options(cur, text, node, label)
        return Statement(start, end, label, node=node)
    if cur.is_word("AS", "USING"):
        return Statement(start, end, label, skip_reason=_no_columns_reason(cur))
    if not cur.is_punct("("):
        token = cur.peek()
        at = token.start if token is not None else cur.end_offset
        raise SyntaxProblem("expected '(' and the column list after the table name", at, token.end if token else None)
    group_end = cur.group_end()
    inner = cur.tokens[cur.i + 1 : group_end - 1]
    cur.i = group_end
    for part in split_top_level(inner):
        if not part:
            continue
        if part[0].is_word("LIKE") and len(part) > 1:  # Redshift: CREATE TABLE t (LIKE parent [INCLUDING DEFAULTS])
            like_cur = Cursor(part[1:], part[-1].end)
            node.like = read_name(like_cur, text)
            continue
        node.items.append(read_item(part, text, rw))
    if not node.items and node.like is None:
        raise SyntaxProblem("the column list is empty", inner[0].start if inner else cur.prev_end() - 1)
    _finish_options(cur, text, node, label)
    if node.options.as_select:
        return Statement(start, end, label, skip_reason="CREATE TABLE ... AS SELECT: its columns come from a query")
    return Statement(start, end, label, node=node)


def _no_columns_reason(cur: Cursor) -> str:
    if cur.is_word("AS"):
        return "CREATE TABLE ... AS SELECT: its columns come from a query"
    return "CREATE TABLE ... USING TEMPLATE: its columns come from staged files"


def _finish_options(cur: Cursor, text: str, node: CreateTable, label: str) -> None:
    tail = cur.tokens[cur.i :]
    node.options = read_table_options(Cursor(tail, cur.end_offset), text)
    node.clauses |= node.options.clauses


def read_name(cur: Cursor, text: str) -> Name:
    """A name of one to three parts (`db.schema.t`, `"My Table"`, `db..t`)."""
    parts: list[Token] = []
    while True:
        token = cur.peek()
        if token is None or token.kind not in (Kind.WORD, Kind.QIDENT):
            at = token.start if token is not None else cur.end_offset
            raise SyntaxProblem("expected a table name", at, token.end if token else None)
        parts.append(cur.take())
        if not cur.is_punct("."):
            break
        cur.take()
        while cur.is_punct("."):  # Snowflake db..table
            cur.take()
    last = parts[-1]
    return Name(
        value=last.value,
        qualified=".".join(p.value for p in parts),
        quoted=last.kind is Kind.QIDENT,
        start=parts[0].start,
        end=last.end,
        parts=[p.value for p in parts],
    )


def read_item(part: list[Token], text: str, rw: Rewriter) -> Item:
    """One entry of a column list: a column definition or a table constraint."""
    start, end = part[0].start, part[-1].end
    if _is_constraint(part):
        blank_constraint_properties(Cursor(part, end), rw)
        return ConstraintItem(rw.slice(start, end), start, end)
    cur = Cursor(part, end)
    token = cur.take()
    if token.kind not in (Kind.WORD, Kind.QIDENT):
        raise SyntaxProblem("expected a column name", token.start, token.end)
    name = Name(token.value, token.value, token.kind is Kind.QIDENT, token.start, token.end, [token.value])
    if cur.at_end():
        raise SyntaxProblem(f"column {token.text} has no data type", token.start, token.end)
    type_text = read_type(cur, rw)
    attrs = read_column_attributes(cur, rw)
    rw.replace(token.start, token.end, "c")  # sqlglot needs a name, not the user's (which may be a keyword)
    return ColumnItem(name, type_text, attrs, rw.slice(start, end), start, end)


def _is_constraint(part: list[Token]) -> bool:
    head = part[0]
    if not head.is_word(*_CONSTRAINT_STARTS) or len(part) < 2:
        return False
    nxt = part[1]
    if head.is_word("PRIMARY", "FOREIGN"):
        return nxt.is_word("KEY")
    if head.is_word("UNIQUE", "CHECK"):
        return nxt.is_punct("(") or nxt.is_word("KEY", "NULLS")
    return nxt.kind in (Kind.WORD, Kind.QIDENT)  # CONSTRAINT name ...


def _alter(cur: Cursor, text: str, rw: Rewriter, start: int, end: int, label: str) -> Statement:
    cur.i += 2
    cur.accept_seq("IF", "EXISTS")
    cur.accept("ONLY")
    name = read_name(cur, text)
    node = AlterTable(name)
    adding_columns = False
    for action in split_top_level(cur.tokens[cur.i :]):
        if not action:
            continue
        if adding_columns and not action[0].is_word(*_ALTER_ACTIONS):  # Snowflake: ADD COLUMN a INT, b INT
            node.items.append(read_item(action, text, rw))
            continue
        adding_columns = False
        if not action[0].is_word("ADD"):
            node.skipped.append(source_of(text, action)[:60])
            continue
        body = action[1:]
        if body and body[0].is_word("COLUMN"):
            body = body[1:]
        if len(body) > 3 and body[0].is_word("IF") and body[1].is_word("NOT") and body[2].is_word("EXISTS"):
            body = body[3:]
        if not body:
            raise SyntaxProblem("ADD needs a column or a constraint", action[0].start, action[0].end)
        item = read_item(body, text, rw)
        adding_columns = isinstance(item, ColumnItem)
        node.items.append(item)
    return Statement(start, end, label, node=node)


def _comment(cur: Cursor, start: int, end: int, label: str) -> Statement:
    cur.i += 2
    target = cur.accept("TABLE", "COLUMN")
    if target is None:
        return Statement(start, end, label, skip_reason="only comments on tables and columns are kept")
    parts: list[Token] = []
    while True:
        token = cur.peek()
        if token is None or token.kind not in (Kind.WORD, Kind.QIDENT):
            return Statement(start, end, label, skip_reason="could not read the commented name")
        parts.append(cur.take())
        if not cur.is_punct("."):
            break
        cur.take()
    if not cur.accept("IS"):
        return Statement(start, end, label, skip_reason="expected IS 'text'")
    value = cur.peek()
    comment = value.value if value is not None and value.kind is Kind.STRING else None
    if target.upper == "COLUMN":
        if len(parts) < 2:
            return Statement(start, end, label, skip_reason="COMMENT ON COLUMN needs table.column")
        table_parts, column = parts[:-1], parts[-1].value
    else:
        table_parts, column = parts, None
    last = table_parts[-1]
    name = Name(
        last.value,
        ".".join(p.value for p in table_parts),
        last.kind is Kind.QIDENT,
        table_parts[0].start,
        last.end,
        [p.value for p in table_parts],
    )
    return Statement(start, end, label, node=CommentOn(target.upper, name, column, comment))
