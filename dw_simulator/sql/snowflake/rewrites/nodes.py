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


# where the endpoint keeps dw-sim's own DuckDB macros and objects (`backends/snowflake/library.py`, `store.py`)
LIBRARY_SCHEMA = "_fs_global._dwsim"


def library_fn(name: str, *args: exp.Expr) -> exp.Anonymous:
    """A call of one of dw-sim's DuckDB macros (defined in LIBRARY_SCHEMA)."""
    return exp.Anonymous(this=f"{LIBRARY_SCHEMA}.{name}", expressions=list(args))
