"""Column lists of `CREATE TABLE ... AS` and `CREATE VIEW`, the way dbt-snowflake writes them.

dbt's persist_docs writes column comments into the column list (`create or replace view V ("ID" COMMENT $$...$$,
...) as (...)`), which DuckDB's parser rejects; and a CTAS with a column list (`CREATE TABLE t (a, b) AS SELECT`)
trips fakesnow. The comments are taken out (the caller records them as column comments once the object exists) and
a CTAS column list becomes the aliases of the query's columns.

https://docs.snowflake.com/en/sql-reference/sql/create-view
https://docs.snowflake.com/en/sql-reference/sql/create-table#create-table-as-select-also-referred-to-as-ctas
"""

from __future__ import annotations

from sqlglot import exp

ALIAS = "_dwsim_columns"


def split_column_comments(statement: exp.Expr) -> list[tuple[str, str]]:
    """Remove `COMMENT` from the column list of a CTAS or a view (in place); returns (column, comment) pairs."""
    if not isinstance(statement, exp.Create) or statement.expression is None:
        return []
    schema = statement.this
    if not isinstance(schema, exp.Schema):
        return []
    comments: list[tuple[str, str]] = []
    columns: list[exp.Expr] = []
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef) and item.args.get("kind") is None:
            for constraint in item.args.get("constraints") or []:
                kind = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else None
                if isinstance(kind, exp.CommentColumnConstraint):
                    text = kind.this.this if isinstance(kind.this, exp.Expr) else kind.this
                    name = item.this.name if item.this.quoted else item.this.name.upper()
                    comments.append((name, str(text)))
            columns.append(item.this.copy())
        else:
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
