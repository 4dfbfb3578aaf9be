"""Column lists of `CREATE TABLE ... AS` and `CREATE VIEW`, the way dbt-snowflake writes them.

dbt's persist_docs writes column comments into the column list (`create or replace view V ("ID" COMMENT $$...$$,
...) as (...)`), which DuckDB's parser rejects; and a CTAS with a column list (`CREATE TABLE t (a, b) AS SELECT`)
trips fakesnow. The comments are taken out (the caller records them as column comments once the object exists) and
a CTAS column list becomes the aliases of the query's columns.

https://docs.snowflake.com/en/sql-reference/sql/create-view
https://docs.snowflake.com/en/sql-reference/sql/create-table#create-table-as-select-also-referred-to-as-ctas
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.dialects.snowflake import Snowflake
from sqlglot.tokenizer_core import Token, TokenType

ALIAS = "_dwsim_columns"
_OBJECT_WORDS = {"TABLE", "VIEW", "MATERIALIZED", "DYNAMIC", "EXTERNAL", "ICEBERG", "TRANSIENT"}
_NAME_TOKENS = {TokenType.VAR, TokenType.IDENTIFIER}
_STRING_TOKENS = {TokenType.STRING, TokenType.RAW_STRING, TokenType.HEREDOC_STRING}


@dataclass(frozen=True)
class ColumnComments:
    """Comments set on columns by `ALTER TABLE|VIEW t ALTER [COLUMN] c COMMENT '...' [, ...]`."""

    table: exp.Table
    comments: list[tuple[str, str]]  # (column as Snowflake resolves it, comment)


def _column_name(token: Token) -> str:
    return token.text if token.token_type == TokenType.IDENTIFIER else token.text.upper()


def alter_column_comments(sql: str) -> ColumnComments | None:
    """The column comments of an ALTER that only sets comments (what dbt-snowflake's persist_docs sends, one item
    per column, which sqlglot does not parse); None for any other statement.

    https://docs.snowflake.com/en/sql-reference/sql/alter-table-column
    """
    try:
        tokens = Snowflake().tokenize(sql)
    except Exception:  # not Snowflake text the tokenizer reads: not ours
        return None
    while tokens and tokens[-1].token_type == TokenType.SEMICOLON:
        tokens.pop()
    if len(tokens) < 6 or tokens[0].token_type != TokenType.ALTER:
        return None
    i = 1
    while i < len(tokens) and tokens[i].text.upper() in _OBJECT_WORDS:
        i += 1
    if i == 1:
        return None
    if tokens[i].text.upper() == "IF" and i + 1 < len(tokens) and tokens[i + 1].token_type == TokenType.EXISTS:
        i += 2
    start = i
    while i < len(tokens) and tokens[i].token_type in _NAME_TOKENS:  # name(.name)*
        i += 1
        if i + 1 >= len(tokens) or tokens[i].token_type != TokenType.DOT:
            break
        i += 1
    if i == start or i >= len(tokens) or tokens[i].text.upper() not in ("ALTER", "MODIFY"):
        return None
    table = exp.to_table(sql[tokens[start].start : tokens[i - 1].end + 1], dialect="snowflake")
    i += 1
    comments: list[tuple[str, str]] = []
    while i < len(tokens):
        if tokens[i].token_type == TokenType.COLUMN:
            i += 1
        if i + 2 >= len(tokens) or tokens[i].token_type not in _NAME_TOKENS:
            return None
        name, keyword, text = tokens[i], tokens[i + 1], tokens[i + 2]
        if keyword.token_type != TokenType.COMMENT or text.token_type not in _STRING_TOKENS:
            return None
        comments.append((_column_name(name), text.text))
        i += 3
        if i < len(tokens):
            if tokens[i].token_type != TokenType.COMMA:
                return None
            i += 1
    return ColumnComments(table, comments) if comments else None


def split_column_comments(statement: exp.Expr) -> list[tuple[str, str]]:
    """Remove `COMMENT` from the columns of a CREATE TABLE, a CTAS or a view (in place); returns (column, comment)
    pairs, to be recorded once the object exists."""
    if not isinstance(statement, exp.Create):
        return []
    schema = statement.this
    if not isinstance(schema, exp.Schema):
        return []
    comments: list[tuple[str, str]] = []
    columns: list[exp.Expr] = []
    for item in schema.expressions:
        if not isinstance(item, exp.ColumnDef):
            columns.append(item)
            continue
        kept = []
        for constraint in item.args.get("constraints") or []:
            kind = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else None
            if isinstance(kind, exp.CommentColumnConstraint):
                text = kind.this.this if isinstance(kind.this, exp.Expr) else kind.this
                name = item.this.name if item.this.quoted else item.this.name.upper()
                comments.append((name, str(text)))
            else:
                kept.append(constraint)
        if item.args.get("kind") is None and statement.expression is not None:
            columns.append(item.this.copy())
        else:
            item.set("constraints", kept)
            columns.append(item)
    schema.set("expressions", columns)
    return comments


def ctas_columns_as_aliases(statement: exp.Expr) -> exp.Expr:
    """`CREATE TABLE t (a, b) AS <query>` -> `CREATE TABLE t AS SELECT * FROM (<query>) AS _dwsim_columns(a, b)`."""
    if not (
        isinstance(statement, exp.Create)
        and str(statement.args.get("kind")).upper() == "TABLE"
        and isinstance(statement.this, exp.Schema)
        and isinstance(statement.expression, exp.Query)
        and statement.this.expressions
        and all(isinstance(c, exp.Identifier) for c in statement.this.expressions)
    ):
        return statement
    names = [c.copy() for c in statement.this.expressions]
    query = statement.expression
    while isinstance(query, exp.Subquery):
        query = query.this
    wrapped = exp.select(exp.Star()).from_(
        exp.Subquery(this=query.copy(), alias=exp.TableAlias(this=exp.to_identifier(ALIAS), columns=names))
    )
    statement.set("this", statement.this.this)
    statement.set("expression", wrapped)
    return statement
