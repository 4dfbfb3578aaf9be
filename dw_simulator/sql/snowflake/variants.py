"""VARIANT values next to text, by Snowflake's rules, on the types from `coercion.annotate`.

A VARIANT compared with a VARCHAR (`doc:status = 'OPEN'`, `NULLIF(f.value, 'x')`, `v IN ('a', 'b')`, `CASE v WHEN
'a'`) compares the text as a VARIANT string; a VARIANT given to a string function or operator (`LOWER(doc:name)`,
`doc:name || '!'`, `v LIKE 'a%'`) is cast to VARCHAR (a string without its JSON quotes), and so is a VARIANT cast to
a scalar type (`v::VARCHAR`, `v::INT` of "12"). VARIANTs are JSON on the
engine, which instead parses the text as JSON (an error for `'OPEN'`) or keeps the quotes.

https://docs.snowflake.com/en/sql-reference/data-type-conversion#implicit-casting-coercion
https://docs.snowflake.com/en/user-guide/querying-semistructured
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from dw_simulator.sql.snowflake.coercion import STRING_ARGUMENTS, type_of

T = exp.DataType.Type
_TEXT = {T.VARCHAR, T.CHAR, T.TEXT, T.NVARCHAR, T.NCHAR}
_VARIANT_TYPES = {T.JSON, T.VARIANT, T.OBJECT, T.ARRAY}
# nodes whose value is a VARIANT whatever sqlglot infers (paths into semi-structured values)
VARIANT_NODES: tuple[type[exp.Expr], ...] = (
    exp.JSONExtract,
    exp.GetExtract,
    exp.ParseJSON,
    exp.ToVariant,
)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)


def is_variant(node: exp.Expr, types: Mapping[int, exp.DataType]) -> bool:
    if isinstance(node, exp.Paren | exp.Nullif):
        return is_variant(node.this, types)
    if isinstance(node, VARIANT_NODES):
        return True
    kind = type_of(node, types)
    return kind is not None and kind.this in _VARIANT_TYPES and not isinstance(node, exp.Cast)


def _is_text(node: exp.Expr, types: Mapping[int, exp.DataType]) -> bool:
    kind = type_of(node, types)
    return kind is not None and kind.this in _TEXT


def _as_variant(node: exp.Expr) -> exp.Expr:
    """Text as a VARIANT string (the JSON text of the string)."""
    return exp.Cast(this=exp.Anonymous(this="TO_JSON", expressions=[node]), to=exp.DataType.build("JSON"))


def _as_text(node: exp.Expr) -> exp.Expr:
    """A VARIANT as VARCHAR: a string's text, other values' JSON text."""
    return exp.Anonymous(this="json_extract_string", expressions=[node, exp.Literal.string("$")])


def _path_part(key: exp.Expr) -> exp.Expr | None:
    if isinstance(key, exp.Literal) and key.is_string:
        return exp.JSONPathKey(this=key.name)
    if isinstance(key, exp.Literal):
        return exp.JSONPathSubscript(this=int(key.name))
    if isinstance(key, exp.Neg) and isinstance(key.this, exp.Literal) and not key.this.is_string:
        return None
    return None


def bracket_paths(expression: exp.Expr, types: Mapping[int, exp.DataType]) -> exp.Expr:
    """`v['a'][0]` of a VARIANT is the path `v:a[0]` (the engine would index its JSON text as a list)."""
    for node in [n for n in expression.walk(bfs=False) if isinstance(n, exp.Bracket)]:
        if (not isinstance(node.parent, exp.Bracket) and node.parent is not None) or node is expression:
            chain = []
            base: exp.Expr = node
            while isinstance(base, exp.Bracket) and len(base.expressions) == 1:
                chain.append(base.expressions[0])
                base = base.this
            if isinstance(base, exp.Bracket) or not is_variant(base, types):
                continue
            parts = [_path_part(key) for key in reversed(chain)]
            if any(p is None for p in parts):
                continue
            path = exp.JSONPath(expressions=[exp.JSONPathRoot(), *[p for p in parts if p is not None]])
            extract = exp.JSONExtract(this=base, expression=path, variant_extract=True, requires_json=True)
            if node is expression:
                return extract
            node.replace(extract)
    return expression


def variant_semantics(expression: exp.Expr, types: Mapping[int, exp.DataType]) -> exp.Expr:
    expression = bracket_paths(expression, types)

    def text_to_variant(other: exp.Expr) -> exp.Expr:
        return _as_variant(other) if _is_text(other, types) and not is_variant(other, types) else other

    def fix(node: exp.Expr) -> exp.Expr:
        if isinstance(node, (*_COMPARISONS, exp.Nullif)):
            left, right = node.this, node.expression
            if is_variant(left, types) and right is not None:
                node.set("expression", text_to_variant(right))
            elif right is not None and is_variant(right, types):
                node.set("this", text_to_variant(left))
        elif isinstance(node, exp.In) and is_variant(node.this, types) and node.expressions:
            node.set("expressions", [text_to_variant(e) for e in node.expressions])
        elif isinstance(node, exp.Cast) and node.to.this not in _VARIANT_TYPES and is_variant(node.this, types):
            # VARIANT -> scalar: from the value (a string's text, not its JSON with quotes)
            node.set("this", _as_text(node.this))
        elif isinstance(node, exp.Case) and node.this is not None and is_variant(node.this, types):
            for branch in node.args.get("ifs") or []:
                branch.set("this", text_to_variant(branch.this))
        else:
            keys = STRING_ARGUMENTS.get(type(node))
            for key in keys or ():
                value = node.args.get(key)
                if isinstance(value, list):
                    node.set(key, [_as_text(v) if is_variant(v, types) else v for v in value])
                elif isinstance(value, exp.Expr) and is_variant(value, types):
                    node.set(key, _as_text(value))
        return node

    return expression.transform(fix, copy=False)
