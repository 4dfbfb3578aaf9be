"""Names on the embedded endpoint: Snowflake's folding of unquoted identifiers, and quoting for DuckDB SQL."""

from __future__ import annotations

from typing import Any

from sqlglot import exp


def normalise(identifier: Any) -> str:
    """An identifier node as Snowflake resolves it: quoted names as written, unquoted ones upper-cased."""
    if identifier is None:
        return ""
    if isinstance(identifier, exp.Identifier):
        return str(identifier.this) if identifier.quoted else str(identifier.this).upper()
    return str(identifier.name).upper()


def node_name(node: Any) -> str:
    """Like `normalise`, for any node (or plain value) with a name."""
    if node is None:
        return ""
    if isinstance(node, exp.Identifier):
        return str(node.this) if node.quoted else str(node.this).upper()
    return str(getattr(node, "name", node)).upper()


def normalise_text(part: str) -> str:
    """One part of a dotted name given as text (`"Mixed"` or `plain`)."""
    part = part.strip()
    if part.startswith('"') and part.endswith('"'):
        return part[1:-1]
    return part.upper()


def ident(name: str) -> str:
    """A quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_text(value: str) -> str:
    """Text for inside a single-quoted SQL string."""
    return value.replace("'", "''")


def lit(value: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + sql_text(value) + "'"
