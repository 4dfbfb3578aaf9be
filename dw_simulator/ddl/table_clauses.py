"""Table options after a CREATE TABLE's column list (Redshift DISTSTYLE/DISTKEY/SORTKEY/ENCODE/BACKUP, Snowflake
CLUSTER BY/COMMENT/COPY GRANTS/policies/NAME = value options), and the dialect each clause belongs to.

`read_table_options` records what the options mean; the caller blanks them all, so sqlglot never sees them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dw_simulator.ddl.cursor import Cursor, SyntaxProblem, source_of, split_top_level
from dw_simulator.ddl.lexer import Kind

# The dialect a clause belongs to, for "did you mean --dialect ..." warnings.
REDSHIFT_CLAUSES = frozenset({"DISTKEY", "SORTKEY", "DISTSTYLE", "ENCODE", "BACKUP"})
SNOWFLAKE_CLAUSES = frozenset(
    {
        "CLUSTER BY",
        "AUTOINCREMENT",
        "MASKING POLICY",
        "TAG",
        "COPY GRANTS",
        "TRANSIENT",
        "DATA_RETENTION_TIME_IN_DAYS",
        "CHANGE_TRACKING",
        "COMMENT",
    }
)

# Snowflake table options written NAME = value that change nothing in the data (silently ignored).
KNOWN_TABLE_OPTIONS = frozenset(
    {
        "DATA_RETENTION_TIME_IN_DAYS",
        "MAX_DATA_EXTENSION_TIME_IN_DAYS",
        "CHANGE_TRACKING",
        "DEFAULT_DDL_COLLATION",
        "ENABLE_SCHEMA_EVOLUTION",
        "STAGE_FILE_FORMAT",
        "STAGE_COPY_OPTIONS",
        "ERROR_ON_NONDETERMINISTIC_MERGE",
        "ERROR_ON_NONDETERMINISTIC_UPDATE",
        "CATALOG",
        "EXTERNAL_VOLUME",
        "BASE_LOCATION",
        "STORAGE_SERIALIZATION_POLICY",
    }
)


@dataclass
class TableOptions:
    dist_style: str | None = None
    dist_key: tuple[str, int] | None = None
    sort_style: str | None = None
    sort_keys: list[tuple[str, int]] = field(default_factory=list)
    cluster_by: list[str] = field(default_factory=list)
    comment: str | None = None
    ignored: list[str] = field(default_factory=list)
    clauses: set[str] = field(default_factory=set)
    as_select: bool = False


def read_table_options(cur: Cursor, text: str) -> TableOptions:
    """Everything after a CREATE TABLE's column list. The caller blanks it all."""
    opts = TableOptions()
    while not cur.at_end():
        token = cur.peek()
        assert token is not None
        word = token.upper
        if cur.accept("DISTSTYLE"):
            opts.clauses.add("DISTSTYLE")
            value = cur.peek()
            if value is not None and value.kind is Kind.WORD:
                cur.take()
                opts.dist_style = value.upper
            continue
        if word == "DISTKEY" and cur.is_punct("(", k=1):
            cur.take()
            opts.clauses.add("DISTKEY")
            names = _names_in_group(cur)
            if names:
                opts.dist_key = names[0]
            continue
        if word in ("COMPOUND", "INTERLEAVED", "SORTKEY"):
            style = cur.take().upper
            if style != "SORTKEY" and not cur.accept("SORTKEY"):
                opts.ignored.append(style)
                continue
            opts.clauses.add("SORTKEY")
            if cur.accept("AUTO"):
                opts.sort_style = "AUTO"
            elif cur.is_punct("("):
                opts.sort_style = "INTERLEAVED" if style == "INTERLEAVED" else "COMPOUND"
                opts.sort_keys = _names_in_group(cur)
            continue
        if cur.accept_seq("ENCODE", "AUTO") or cur.accept("ENCODE"):
            opts.clauses.add("ENCODE")
            continue
        if cur.accept("BACKUP"):
            opts.clauses.add("BACKUP")
            cur.accept("YES", "NO")
            continue
        if cur.accept_seq("CLUSTER", "BY"):
            opts.clauses.add("CLUSTER BY")
            cur.accept("LINEAR")
            if cur.is_punct("("):
                inner = cur.skip_group()
                opts.cluster_by = [" ".join(text[p[0].start : p[-1].end].split()) for p in split_top_level(inner) if p]
            continue
        if word == "COMMENT":
            cur.take()
            if cur.is_punct("="):
                cur.take()
            value = cur.peek()
            if value is not None and value.kind is Kind.STRING:
                cur.take()
                opts.comment = value.value
            opts.clauses.add("COMMENT")
            continue
        if cur.accept_seq("COPY", "GRANTS"):
            opts.clauses.add("COPY GRANTS")
            continue
        if word == "AS":
            opts.as_select = True
            return opts
        if word in ("WITH", "TAG", "ROW", "AGGREGATION", "JOIN") and _skip_snowflake_policy(cur):
            opts.clauses.add("TAG")
            continue
        if token.kind is Kind.WORD and cur.is_punct("=", k=1):
            cur.i += 2
            if not cur.at_end():
                cur.skip_item()
            if word in KNOWN_TABLE_OPTIONS:
                opts.clauses.add(word if word in SNOWFLAKE_CLAUSES else "DATA_RETENTION_TIME_IN_DAYS")
            else:
                opts.ignored.append(word)
            continue
        # anything else (PostgreSQL WITH (...), TABLESPACE x, PARTITION BY ..., INHERITS (...)): ignored, named
        start = cur.i
        cur.skip_item()
        while not cur.at_end() and not _starts_option(cur):
            cur.skip_item()
        opts.ignored.append(source_of(text, cur.tokens[start : cur.i])[:60])
    return opts


_OPTION_WORDS = frozenset(
    {
        "DISTSTYLE",
        "DISTKEY",
        "SORTKEY",
        "COMPOUND",
        "INTERLEAVED",
        "ENCODE",
        "BACKUP",
        "CLUSTER",
        "COMMENT",
        "COPY",
        "AS",
        "WITH",
        "TAG",
        "TABLESPACE",
        "PARTITION",
        "INHERITS",
        "ON",
    }
)


def _starts_option(cur: Cursor) -> bool:
    """Whether an ignored clause ends here: the next table option (a known word, or NAME = value) starts."""
    token = cur.peek()
    if token is None or token.kind is not Kind.WORD:
        return False
    return token.upper in _OPTION_WORDS or cur.is_punct("=", k=1)


def _names_in_group(cur: Cursor) -> list[tuple[str, int]]:
    inner = cur.skip_group()
    names: list[tuple[str, int]] = []
    for part in split_top_level(inner):
        if len(part) == 1 and part[0].kind in (Kind.WORD, Kind.QIDENT):
            names.append((part[0].value, part[0].start))
        elif part:
            raise SyntaxProblem("expected a column name", part[0].start, part[-1].end)
    return names


def _skip_snowflake_policy(cur: Cursor) -> bool:
    save = cur.i
    cur.accept("WITH")
    if cur.accept("TAG") and cur.is_punct("("):
        cur.skip_group()
        return True
    if (
        cur.accept_seq("ROW", "ACCESS", "POLICY")
        or cur.accept_seq("AGGREGATION", "POLICY")
        or cur.accept_seq("JOIN", "POLICY")
    ):
        if not cur.at_end():
            cur.take()
            while cur.is_punct(".") and cur.peek(1) is not None:
                cur.i += 2
        if cur.accept("ON") and cur.is_punct("("):
            cur.skip_group()
        return True
    cur.i = save
    return False
