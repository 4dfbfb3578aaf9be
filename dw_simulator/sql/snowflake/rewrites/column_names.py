"""Result column names as Snowflake gives them: unaliased select items named by their text (`COUNT(*)`), and
VALUES columns named COLUMN1, COLUMN2..."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.snowflake import Snowflake
from sqlglot.tokenizer_core import TokenType

from dw_simulator.sql.snowflake.rewrites.context import SessionContext

_ITEM_END = frozenset(
    {
        TokenType.FROM,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.ORDER_BY,
        TokenType.HAVING,
        TokenType.QUALIFY,
        TokenType.LIMIT,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.SEMICOLON,
        TokenType.WINDOW,
        TokenType.INTO,
    }
)


def select_item_texts(sql: str) -> list[str] | None:
    """The text of each item of the first top-level SELECT list of `sql`, as written; None if it cannot tell."""
    try:
        tokens = Snowflake().tokenize(sql)
    except Exception:
        return None
    depth = 0
    index = None
    for i, token in enumerate(tokens):
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        elif token.token_type == TokenType.SELECT and depth == 0:
            index = i + 1
            break
    if index is None:
        return None
    while index < len(tokens) and tokens[index].token_type in (TokenType.DISTINCT, TokenType.ALL):
        index += 1
    if index < len(tokens) and tokens[index].token_type == TokenType.TOP:
        index += 2
    items: list[str] = []
    start: int | None = None
    end = 0
    depth = 0
    for token in tokens[index:]:
        kind = token.token_type
        if depth == 0 and (kind in _ITEM_END or kind == TokenType.COMMA):
            if start is None:
                return None
            items.append(sql[start : end + 1].strip())
            start = None
            if kind != TokenType.COMMA:
                break
            continue
        if kind in (TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE):
            depth += 1
        elif kind in (TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE):
            depth -= 1
        if start is None:
            start = token.start
        end = token.end
    else:
        if start is not None:
            items.append(sql[start : end + 1].strip())
    return items


def snowflake_column_name(expression: exp.Expr, text: str | None = None) -> str:
    """The name Snowflake gives an unaliased select item: its text as written, upper-cased (`COUNT(*)`,
    `V:CUSTOMER.ID::STRING`); regenerated from the AST when the text is not known."""
    if text:
        return text.upper()

    def colon_path(node: exp.Expr) -> exp.Expr:
        if (
            isinstance(node, exp.JSONExtract)
            and node.args.get("variant_extract")
            and isinstance(node.expression, exp.JSONPath)
        ):
            return exp.Var(this=f"{node.this.sql(dialect='snowflake')}:{_path_text(node.expression)}")
        return node

    return expression.transform(colon_path).sql(dialect="snowflake").upper()


def _path_text(path: exp.JSONPath) -> str:
    text = ""
    for part in path.expressions:
        if isinstance(part, exp.JSONPathKey):
            key = str(part.this)
            text += ("." if text else "") + (f'"{key}"' if part.args.get("quoted") else key)
        elif isinstance(part, exp.JSONPathSubscript):
            text += f"[{part.this}]"
    return text


def name_columns(node: exp.Expr, source_sql: str | None = None) -> exp.Expr:
    """Unaliased expressions of the outermost SELECT are named the way Snowflake names them (`COUNT(*)`).

    https://docs.snowflake.com/en/sql-reference/constructs/select
    """
    select = node
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return node
    texts = select_item_texts(source_sql) if source_sql else None
    if texts is not None and len(texts) != len(select.expressions):
        texts = None
    named: list[exp.Expr] = []
    for i, item in enumerate(select.expressions):
        if isinstance(item, exp.Alias | exp.Column | exp.Star | exp.Literal):
            named.append(item)
            continue
        name = snowflake_column_name(item, texts[i] if texts else None)
        named.append(exp.alias_(item, name, quoted=True))
    select.set("expressions", named)
    return node


def values_alias_columns(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """`FROM VALUES (...) AS v` still names its columns COLUMN1, COLUMN2... (fakesnow only names them when the
    VALUES has no alias at all; DuckDB would call them col0, col1).

    https://docs.snowflake.com/en/sql-reference/constructs/values
    """
    if not isinstance(node, exp.Values):
        return node
    alias = node.args.get("alias")
    first = node.find(exp.Tuple)
    if isinstance(alias, exp.TableAlias) and not alias.columns and first is not None:
        alias.set(
            "columns",
            [exp.Identifier(this=f"COLUMN{i + 1}", quoted=True) for i in range(len(first.expressions))],
        )
    return node


def recursive_ctes(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """A CTE that reads itself is recursive without the RECURSIVE keyword.

    https://docs.snowflake.com/en/sql-reference/constructs/with
    """
    if isinstance(node, exp.With) and not node.args.get("recursive"):
        for cte in node.expressions:
            name = cte.alias_or_name.upper()
            if any(t.name.upper() == name and not t.db for t in cte.this.find_all(exp.Table)):
                node.set("recursive", True)
                break
    return node
