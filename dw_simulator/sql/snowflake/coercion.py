"""Snowflake's implicit casts (coercion), made explicit for an engine that does not do them.

Snowflake casts a NUMBER, BOOLEAN, DATE or TIMESTAMP given to a string function or operator (`LOWER(123)`,
`id LIKE '6%'`, `CONCAT('id-', id)`, `SPLIT(12345, 3)`, `MD5(123)`) to VARCHAR, and a VARCHAR used in arithmetic
with a number to NUMBER (`'3' + 4`). DuckDB raises "No function matches" instead. The argument types come from
sqlglot's type annotation over a copy of the statement, qualified against the catalog the caller gives (so
columns of CTEs and subqueries are typed too); arguments whose type is unknown or semi-structured are left alone.

https://docs.snowflake.com/en/sql-reference/data-type-conversion#implicit-casting-coercion
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

log = logging.getLogger(__name__)
ID = "dwsim_node"
T = exp.DataType.Type
_TEXT = {T.VARCHAR, T.CHAR, T.TEXT, T.NVARCHAR, T.NCHAR, T.NAME}
_NUMBER = exp.DataType.NUMERIC_TYPES
_CASTABLE = _NUMBER | {T.BOOLEAN, T.DATE} | exp.DataType.TEMPORAL_TYPES

# expression class -> the argument keys Snowflake reads as VARCHAR (`expressions` = every item of the list)
STRING_ARGUMENTS: dict[type[exp.Expr], tuple[str, ...]] = {
    exp.Lower: ("this",),
    exp.Upper: ("this",),
    exp.Initcap: ("this",),
    exp.Length: ("this",),
    exp.Left: ("this",),
    exp.Right: ("this",),
    exp.Substring: ("this",),
    exp.Replace: ("this", "expression", "replacement"),
    exp.RegexpReplace: ("this", "replacement"),
    exp.RegexpLike: ("this",),
    exp.RegexpExtract: ("this",),
    exp.RegexpCount: ("this",),
    exp.Split: ("this", "expression"),
    exp.SplitPart: ("this", "delimiter"),
    exp.SplitToTable: ("this", "expression"),
    exp.Strtok: ("this", "delimiter"),
    exp.StrtokToArray: ("this", "expression"),
    exp.Contains: ("this", "expression"),
    exp.StartsWith: ("this", "expression"),
    exp.EndsWith: ("this", "expression"),
    exp.MD5: ("this",),
    exp.SHA: ("this",),
    exp.SHA2: ("this",),
    exp.Pad: ("this", "fill_pattern"),
    exp.Trim: ("this",),
    exp.Reverse: ("this",),
    exp.Concat: ("expressions",),
    exp.ConcatWs: ("expressions",),
    exp.DPipe: ("this", "expression"),
    exp.Like: ("this", "expression"),
    exp.ILike: ("this", "expression"),
    exp.StrPosition: ("this", "substr"),
    exp.Translate: ("this",),
    exp.Ascii: ("this",),
    exp.Levenshtein: ("this", "expression"),
    exp.Soundex: ("this",),
    exp.Unicode: ("this",),
    exp.Repeat: ("this",),
    exp.Stuff: ("this", "expression"),
    exp.Base64Encode: ("this",),
}
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_NOT_SCALAR = (exp.Any, exp.All, exp.Tuple, exp.Subquery, exp.Array, exp.Star)


def annotate(
    expression: exp.Expr,
    catalog: Mapping[str, Mapping[str, Mapping[str, Mapping[str, str]]]],
    database: str | None,
    schema: str | None,
) -> dict[int, exp.DataType]:
    """The type sqlglot infers for each node of `expression` (keyed by id(node)); the statement is not changed.

    `catalog` is database -> schema -> table -> column -> DuckDB type, for the tables the statement reads."""
    nodes: dict[int, exp.Expr] = {}
    for index, node in enumerate(expression.walk()):
        node.meta[ID] = index
        nodes[index] = node
    types: dict[int, exp.DataType] = {}
    try:
        tables: dict[str, object] = {db: {s: dict(t) for s, t in schemas.items()} for db, schemas in catalog.items()}
        mapping = MappingSchema(tables, dialect="duckdb", normalize=False)
        qualified = qualify(
            expression.copy(),
            schema=mapping,
            dialect="snowflake",
            catalog=database,
            db=schema,
            validate_qualify_columns=False,
            quote_identifiers=False,
            identify=False,
        )
        annotate_types(qualified, schema=mapping, dialect="snowflake")
        if _type_flatten_columns(qualified):
            annotate_types(qualified, schema=mapping, dialect="snowflake", overwrite_types=False)
        for _ in range(4):  # columns of CTEs/subqueries over sources sqlglot does not type: a few levels deep
            if not _propagate_derived_types(qualified):
                break
            annotate_types(qualified, schema=mapping, dialect="snowflake", overwrite_types=False)
        for node in qualified.walk():
            tag = node.meta.get(ID)
            if tag is not None and node.type is not None and node.type.this != T.UNKNOWN:
                types[id(nodes[tag])] = node.type
    except Exception:  # a statement sqlglot cannot qualify keeps its casts as written
        log.debug("no type annotation for %s", expression.sql(dialect="snowflake")[:200], exc_info=True)
    finally:
        for node in nodes.values():
            node.meta.pop(ID, None)
    return types


# the columns of FLATTEN's output (sqlglot names them but does not type them)
FLATTEN_COLUMNS = {"SEQ": "BIGINT", "KEY": "VARCHAR", "PATH": "VARCHAR", "INDEX": "BIGINT", "VALUE": "JSON",
                   "THIS": "JSON"}  # fmt: skip


def _type_flatten_columns(qualified: exp.Expr) -> bool:
    """Type FLATTEN's output columns (after a first annotation); True when there were any."""
    aliases = {
        source.alias.upper()
        for source in qualified.find_all(exp.Lateral, exp.TableFromRows)
        if isinstance(source.this, exp.Explode) and source.alias
    }
    if not aliases:
        return False
    for column in qualified.find_all(exp.Column):
        kind = FLATTEN_COLUMNS.get(column.name.upper())
        if kind is not None and column.table.upper() in aliases:
            column.type = exp.DataType.build(kind)
    for node in qualified.walk():  # what was inferred from those columns is inferred again
        if not isinstance(node, exp.Column | exp.Cast | exp.Literal) and node.type is not None:
            node.type = None
    return True


def _known(kind: exp.DataType | None) -> bool:
    return kind is not None and kind.this != T.UNKNOWN


def _propagate_derived_types(qualified: exp.Expr) -> bool:
    """Give columns read from a CTE or subquery the type of the select item they name, where sqlglot left them
    untyped; True when it typed any."""
    derived: dict[str, dict[str, exp.DataType]] = {}
    for node in qualified.find_all(exp.CTE, exp.Subquery):
        query = node.this
        if node.alias and isinstance(query, exp.Select):
            derived[node.alias.upper()] = {
                s.alias_or_name.upper(): s.type for s in query.selects if s.type and _known(s.type)
            }
    changed = False
    for column in qualified.find_all(exp.Column):
        kind = derived.get(column.table.upper(), {}).get(column.name.upper()) if column.table else None
        if kind is not None and not _known(column.type):
            column.type = kind.copy()
            changed = True
    return changed


def type_of(node: exp.Expr, types: Mapping[int, exp.DataType]) -> exp.DataType | None:
    """The type of `node`: literals, booleans and casts by their form, other nodes from `types` (`annotate`)."""
    if isinstance(node, exp.Literal):
        if not node.is_string:
            return exp.DataType.build(literal_number_type(node.name))
        return exp.DataType.build("VARCHAR")
    if isinstance(node, exp.Boolean):
        return exp.DataType.build("BOOLEAN")
    if isinstance(node, exp.Cast):
        return node.to
    if isinstance(node, exp.Paren):
        return type_of(node.this, types)
    if isinstance(node, exp.Neg):
        return type_of(node.this, types)
    return types.get(id(node))


def literal_number_type(text: str) -> str:
    """A number literal's Snowflake type: `12` NUMBER(38,0), `1.50` NUMBER(38,2), `1e3` FLOAT."""
    if "e" in text.lower():
        return "DOUBLE"
    scale = len(text.split(".", 1)[1]) if "." in text else 0
    return f"DECIMAL(38, {scale})"


def implicit_casts(expression: exp.Expr, types: Mapping[int, exp.DataType]) -> exp.Expr:
    """Cast what Snowflake casts implicitly, using `types` from `annotate` (done before any other rewrite)."""

    def to_text(node: exp.Expr) -> exp.Expr:
        if isinstance(node, _NOT_SCALAR):
            return node
        kind = type_of(node, types)
        if kind is None or kind.this not in _CASTABLE:
            return node
        return exp.Cast(this=node, to=exp.DataType.build("VARCHAR"))

    def fix(node: exp.Expr) -> exp.Expr:
        keys = STRING_ARGUMENTS.get(type(node))
        if keys is not None:
            for key in keys:
                value = node.args.get(key)
                if isinstance(value, list):
                    node.set(key, [to_text(v) for v in value])
                elif isinstance(value, exp.Expr):
                    node.set(key, to_text(value))
        elif isinstance(node, _ARITHMETIC):
            left, right = type_of(node.this, types), type_of(node.expression, types)
            if _is_text(left) and _is_number(right):
                node.set("this", to_number(node.this))
            elif _is_number(left) and _is_text(right):
                node.set("expression", to_number(node.expression))
        return node

    return expression.transform(fix, copy=False)


def to_number(node: exp.Expr) -> exp.Expr:
    """A VARCHAR operand of arithmetic as a NUMBER: a literal keeps its own scale ('2.5' -> 2.5), a column is read
    as a DOUBLE (its scale is not known)."""
    if isinstance(node, exp.Literal) and node.is_string:
        try:
            number = Decimal(node.name.strip())
        except InvalidOperation:
            return exp.Cast(this=node, to=exp.DataType.build("DOUBLE"))
        return exp.Literal.number(str(number))
    return exp.Cast(this=node, to=exp.DataType.build("DOUBLE"))


def _is_text(kind: exp.DataType | None) -> bool:
    return kind is not None and kind.this in _TEXT


def _is_number(kind: exp.DataType | None) -> bool:
    return kind is not None and kind.this in _NUMBER
