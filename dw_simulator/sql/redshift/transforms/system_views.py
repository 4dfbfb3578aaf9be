"""Redshift's catalog views, found in dw-sim's library schema."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.redshift.transforms.context import Context

SYSTEM_VIEWS = ("pg_table_def", "svv_table_info", "svv_columns", "stl_load_errors", "svv_tables")


def system_views(node: exp.Expression, ctx: Context) -> exp.Expression:
    """Redshift's catalog views (PG_TABLE_DEF, SVV_TABLE_INFO, SVV_COLUMNS, STL_LOAD_ERRORS) live in the library
    schema. https://docs.aws.amazon.com/redshift/latest/dg/r_PG_TABLE_DEF.html"""
    if isinstance(node, exp.Table) and not node.args.get("db") and node.name.lower() in SYSTEM_VIEWS:
        new = node.copy()
        new.set("db", exp.to_identifier("dwsim_redshift"))
        if not new.args.get("alias"):
            new.set("alias", exp.TableAlias(this=exp.to_identifier(node.name.lower())))
        return new
    return node
