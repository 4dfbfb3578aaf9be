"""GET_DDL text for tables, in the layout Snowflake prints it.

https://docs.snowflake.com/en/sql-reference/functions/get_ddl
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DescribedColumn:
    """One row of `DESCRIBE TABLE`: name, Snowflake type, nullability, default and comment."""

    name: str
    data_type: str
    nullable: bool = True
    default: str | None = None
    primary_key: bool = False
    comment: str | None = None


def _ident(name: str) -> str:
    """Snowflake prints identifiers bare when they are upper-case safe words, else double-quoted."""
    if name.isidentifier() and name == name.upper():
        return name
    return '"' + name.replace('"', '""') + '"'


def table_ddl(name: str, columns: list[DescribedColumn], *, kind: str = "TABLE") -> str:
    """`create or replace TABLE NAME (\\n\\tCOL TYPE,\\n...\\n);` as GET_DDL returns it."""
    lines: list[str] = []
    for column in columns:
        line = f"\t{_ident(column.name)} {column.data_type}"
        if not column.nullable:
            line += " NOT NULL"
        if column.default is not None:
            line += f" DEFAULT {column.default}"
        if column.comment:
            line += " COMMENT '" + column.comment.replace("'", "\\'") + "'"
        lines.append(line)
    keys = [c.name for c in columns if c.primary_key]
    if keys:
        lines.append(f"\tprimary key ({', '.join(_ident(k) for k in keys)})")
    body = ",\n".join(lines)
    return f"create or replace {kind} {name} (\n{body}\n);"


def qualified(parts: list[str]) -> str:
    return ".".join(_ident(p) for p in parts)
