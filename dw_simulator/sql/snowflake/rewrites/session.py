"""Session and catalog functions: CURRENT_ROLE/USER/WAREHOUSE... report the configured names; GET_DDL builds the
object's DDL from the catalog."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.snowflake.rewrites.context import SessionContext
from dw_simulator.sql.snowflake.rewrites.nodes import LIBRARY_SCHEMA, anonymous_name, fn, lit


def current_context_functions(node: exp.Expr, ctx: SessionContext) -> exp.Expr:
    """CURRENT_WAREHOUSE/ROLE/USER/ACCOUNT/REGION return the configured names instead of DuckDB's 'duckdb'.

    https://docs.snowflake.com/en/sql-reference/functions-context
    """
    if isinstance(node, exp.CurrentWarehouse):
        return lit(ctx.warehouse)
    if isinstance(node, exp.CurrentRole):
        return lit(ctx.role)
    if isinstance(node, exp.CurrentUser):
        return lit(ctx.user)
    if isinstance(node, exp.CurrentAccount):
        return lit(ctx.account)
    if isinstance(node, exp.CurrentRegion):
        return lit(ctx.region)
    name = anonymous_name(node)
    if name in ("CURRENT_ACCOUNT_NAME", "CURRENT_ORGANIZATION_NAME"):
        return lit(ctx.account)
    if name == "CURRENT_AVAILABLE_ROLES":
        return fn("TO_JSON", exp.Array(expressions=[lit(ctx.role)]))
    if name == "CURRENT_SECONDARY_ROLES":
        return lit('{"roles":"","value":""}')
    return node


def get_ddl(node: exp.Expr, ctx: SessionContext) -> exp.Expr:
    """GET_DDL('table'|'view', 'name' [, use_fqn]) returns the object's DDL, built from the catalog.

    https://docs.snowflake.com/en/sql-reference/functions/get_ddl
    """
    if anonymous_name(node) != "GET_DDL" or ctx.ddl_lookup is None:
        return node
    args = node.expressions
    if len(args) not in (2, 3) or not all(isinstance(a, exp.Literal) and a.is_string for a in args[:2]):
        return node
    use_fqn = len(args) == 3 and isinstance(args[2], exp.Boolean) and bool(args[2].this)
    return lit(ctx.ddl_lookup(args[0].name, args[1].name, use_fqn))


_INFORMATION_SCHEMA_VIEWS = {"TABLES": "tables", "VIEWS": "views"}


def information_schema_views(node: exp.Expr, ctx: SessionContext) -> exp.Expr:
    """INFORMATION_SCHEMA.TABLES and .VIEWS of a database: dw-sim's views over the catalog and its object registry
    (views included in TABLES, row counts, bytes, times, view text as written), limited to that database.

    https://docs.snowflake.com/en/sql-reference/info-schema/tables
    """
    if not isinstance(node, exp.Table) or not isinstance(node.this, exp.Identifier):
        return node
    view = _INFORMATION_SCHEMA_VIEWS.get(node.name.upper())
    if view is None or node.args.get("db") is None or node.db.upper() != "INFORMATION_SCHEMA":
        return node
    catalog = node.catalog if node.args.get("catalog") is not None else (ctx.database or "")
    if node.args.get("catalog") is not None and not node.args["catalog"].quoted:
        catalog = catalog.upper()
    query = (
        exp.select(exp.Star())
        .from_(exp.to_table(f"{LIBRARY_SCHEMA}.{view}"))
        .where(exp.EQ(this=exp.column("TABLE_CATALOG"), expression=exp.Literal.string(catalog)))
    )
    alias = node.alias or node.name
    return exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(alias)))
