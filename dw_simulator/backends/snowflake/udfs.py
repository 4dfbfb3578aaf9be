"""SQL UDFs on the embedded endpoint: CREATE FUNCTION ... AS '<expression>' (and table functions) become DuckDB
macros, translated through the same rewrite chain as every statement; DROP FUNCTION drops them.

https://docs.snowflake.com/en/developer-guide/udf/sql/udf-sql-introduction
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import snowflake.connector.errors as sf_errors
from fakesnow.dialect import parse_one
from sqlglot import exp

from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.backends.snowflake.names import ident

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor
    from dw_simulator.sql.snowflake.udf import UdfDefinition


def qualify(cursor: SessionCursor, catalog: str | None, schema: str | None, name: str) -> tuple[str, str, str]:
    catalog = catalog or cursor._conn.database
    schema = schema or cursor._conn.schema
    if not catalog or not schema:
        raise programming_error(
            "Cannot perform CREATE FUNCTION. This session does not have a current schema. Call 'USE SCHEMA', "
            "or use a qualified name.",
            90106,
            "22000",
        )
    return catalog, schema, name


def create_udf(cursor: SessionCursor, udf: UdfDefinition) -> None:
    catalog, schema, name = qualify(cursor, udf.catalog, udf.schema, udf.name)
    target = f"{ident(catalog)}.{ident(schema)}.{ident(name)}"
    params = []
    for param in udf.params:
        text = ident(param.name)
        if param.default is not None:
            default = cursor._translate(exp.select(param.default.copy())).expressions[0]
            text += f" := {default.sql(dialect='duckdb')}"
        params.append(text)
    try:
        if udf.is_table:
            body = f"AS TABLE {_udtf_query(cursor, udf)}"
        else:
            assert udf.returns is not None
            parsed = try_parse(udf.body)
            if isinstance(parsed, exp.Query):  # a scalar subquery: 'SELECT COUNT(*) FROM t WHERE ...'
                inner: exp.Expr = exp.Subquery(this=parsed)
            else:
                inner = exp.Paren(this=parse_one(f"SELECT {udf.body}").expressions[0])
            translated = cursor._translate(exp.select(exp.Cast(this=inner, to=udf.returns))).expressions[0]
            if isinstance(translated, exp.Alias):
                translated = translated.this
            body = f"AS ({translated.sql(dialect='duckdb')})"
    except sf_errors.ProgrammingError as exc:
        raise programming_error(f"SQL compilation error in the body of function {name}: {exc.msg}") from None
    verb = "CREATE OR REPLACE MACRO" if udf.replace else "CREATE MACRO"
    if udf.if_not_exists and not udf.replace:
        verb = "CREATE MACRO IF NOT EXISTS"
    sql = f"{verb} {target}({', '.join(params)}) {body}"
    try:
        cursor._duck_conn.execute(sql)
    except duckdb.CatalogException as exc:
        if "already exists" in str(exc):
            raise programming_error(f"SQL compilation error:\nObject '{name}' already exists.", 2002, "42710") from None
        raise programming_error(f"SQL compilation error in function {name}: {exc}".splitlines()[0]) from None
    except duckdb.Error as exc:
        raise programming_error(f"SQL compilation error in function {name}: {exc}".splitlines()[0]) from None
    if udf.is_table:
        cursor._conn.engine.table_functions.add(name.upper())
    cursor._status(f"Function {name} successfully created.")


def _udtf_query(cursor: SessionCursor, udf: UdfDefinition) -> str:
    """The UDTF's query with its output columns named and typed as RETURNS TABLE (...) declares them."""
    query = cursor._translate(parse_one(udf.body)).sql(dialect="duckdb")
    names = [f"_c{i}" for i in range(len(udf.table_columns))]
    casts = []
    for (name, data_type), inner in zip(udf.table_columns, names, strict=True):
        typed = cursor._translate(exp.select(exp.Cast(this=exp.Null(), to=data_type.copy()))).expressions[0]
        if isinstance(typed, exp.Alias):
            typed = typed.this
        target = typed.to.sql(dialect="duckdb") if isinstance(typed, exp.Cast) else "VARCHAR"
        casts.append(f"CAST({inner} AS {target}) AS {ident(name)}")
    return f"SELECT {', '.join(casts)} FROM ({query}) AS _udtf({', '.join(names)})"


def drop_udf(cursor: SessionCursor, catalog: str | None, schema: str | None, name: str, if_exists: bool) -> None:
    catalog, schema, name = qualify(cursor, catalog, schema, name)
    kind = "MACRO TABLE" if name.upper() in cursor._conn.engine.table_functions else "MACRO"
    guard = " IF EXISTS" if if_exists else ""
    try:
        cursor._duck_conn.execute(f"DROP {kind}{guard} {ident(catalog)}.{ident(schema)}.{ident(name)}")
    except duckdb.Error:
        raise programming_error(
            f"SQL compilation error:\nFunction '{name}' does not exist or not authorized.", 2003, "02000"
        ) from None
    cursor._conn.engine.table_functions.discard(name.upper())
    cursor._status(f"{name} successfully dropped.")


def unwrap_table_udfs(expression: exp.Expr, names: set[str]) -> exp.Expr:
    """`TABLE(my_udtf(1))` -> `my_udtf(1)`: DuckDB calls table macros directly."""
    if not names:
        return expression

    def fix(node: exp.Expr) -> exp.Expr:
        if (
            isinstance(node, exp.TableFromRows)
            and isinstance(node.this, exp.Anonymous)
            and node.this.name.upper() in names
        ):
            return exp.Table(this=node.this, alias=node.args.get("alias"))
        return node

    return expression.transform(fix, copy=False)


def try_parse(text: str) -> exp.Expr | None:
    try:
        return parse_one(text)
    except Exception:
        return None
