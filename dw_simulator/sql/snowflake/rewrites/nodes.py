"""Builders of the DuckDB-bound nodes that rewrites return (`exp.Anonymous` calls sqlglot writes out as is)."""

from __future__ import annotations

from sqlglot import exp


def fn(name: str, *args: exp.Expr) -> exp.Anonymous:
    """A DuckDB function call that sqlglot writes out as is."""
    return exp.Anonymous(this=name, expressions=list(args))


def lit(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def anonymous_name(node: exp.Expr) -> str | None:
    return node.name.upper() if isinstance(node, exp.Anonymous) else None
