"""Identifier case as Redshift folds it."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.redshift.transforms.context import Context


def lowercase_identifiers(node: exp.Expression, ctx: Context) -> exp.Expression:
    """Redshift folds every identifier, quoted or not, to lower case (enable_case_sensitive_identifier off).
    https://docs.aws.amazon.com/redshift/latest/dg/r_names.html"""
    if isinstance(node, exp.Identifier):
        name = node.name
        if name.startswith("#"):
            return exp.Identifier(this=name.lower(), quoted=True)
        if node.quoted and name != name.lower():
            return exp.Identifier(this=name.lower(), quoted=True)
        if not node.quoted and ctx.engine == "duckdb" and name != name.lower():
            return exp.Identifier(this=name.lower(), quoted=False)
    return node
