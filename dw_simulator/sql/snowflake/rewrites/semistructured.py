"""VARIANT, OBJECT and ARRAY functions with Snowflake's semantics: casts to VARIANT, OBJECT_KEYS, ARRAY_CONTAINS,
TYPEOF, GET, IS_<type>, OBJECT_INSERT, OBJECT_DELETE/OBJECT_PICK.

https://docs.snowflake.com/en/sql-reference/functions-semistructured
"""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.snowflake.rewrites.context import SessionContext
from dw_simulator.sql.snowflake.rewrites.nodes import anonymous_name, fn, lit


def cast_to_variant(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """`x::VARIANT` keeps x's value as a VARIANT (a string stays a string); DuckDB's CAST(x AS JSON) parses it.

    https://docs.snowflake.com/en/sql-reference/data-types-semistructured#variant
    """
    if (
        isinstance(node, exp.Cast)
        and node.to.this == exp.DataType.Type.VARIANT
        and not isinstance(node.this, exp.ParseJSON)
    ):
        return exp.ToVariant(this=node.this)
    return node


def object_keys(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """OBJECT_KEYS returns an ARRAY (a VARIANT), not a DuckDB list.

    https://docs.snowflake.com/en/sql-reference/functions/object_keys
    """
    if isinstance(node, exp.JSONKeys):
        inner = fn("json_keys", fn("TO_JSON", node.this))
        return exp.Cast(this=fn("TO_JSON", inner), to=exp.DataType.build("JSON"))
    return node


def array_contains(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """ARRAY_CONTAINS(value, array) compares the VARIANT value with each element.

    https://docs.snowflake.com/en/sql-reference/functions/array_contains
    """
    if not isinstance(node, exp.ArrayContains):
        return node
    array, value = node.this, node.expression
    if isinstance(value, exp.ToVariant) or (isinstance(value, exp.Cast) and value.to.this == exp.DataType.Type.VARIANT):
        value = value.this
    # elements and the value are compared as JSON text: 1 and 1.0 differ there, as they do in Snowflake's VARIANT
    elements = fn("from_json", fn("TO_JSON", array), lit('["JSON"]'))
    needle = exp.Cast(this=fn("TO_JSON", value), to=exp.DataType.build("JSON"))
    return fn("list_contains", elements, needle)


def typeof_variant(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """TYPEOF reports Snowflake's VARIANT type names (INTEGER, DECIMAL, VARCHAR, OBJECT...), not DuckDB's 'JSON'.

    https://docs.snowflake.com/en/sql-reference/functions/typeof
    """
    if not isinstance(node, exp.Typeof):
        return node
    value = node.this
    engine_type = fn("typeof", value.copy())
    as_json = fn("TO_JSON", value.copy())
    json_type = fn("json_type", as_json.copy())
    is_double = fn("regexp_matches", exp.Cast(this=as_json.copy(), to=exp.DataType.build("VARCHAR")), lit("[eE]"))

    def when(condition: exp.Expr, result: exp.Expr) -> exp.If:
        return exp.If(this=condition, true=result)

    def eq(left: exp.Expr, text: str) -> exp.EQ:
        return exp.EQ(this=left.copy(), expression=lit(text))

    return exp.Case(
        ifs=[
            when(exp.Is(this=value.copy(), expression=exp.Null()), exp.Null()),
            when(eq(engine_type, "DATE"), lit("DATE")),
            when(eq(engine_type, "TIME"), lit("TIME")),
            when(eq(engine_type, "TIMESTAMP"), lit("TIMESTAMP_NTZ")),
            when(eq(engine_type, "TIMESTAMP WITH TIME ZONE"), lit("TIMESTAMP_TZ")),
            when(eq(engine_type, "BLOB"), lit("BINARY")),
            when(eq(json_type, "NULL"), lit("NULL_VALUE")),
            when(
                exp.In(this=json_type.copy(), expressions=[lit("BIGINT"), lit("UBIGINT")]),
                lit("INTEGER"),
            ),
            when(
                eq(json_type, "DOUBLE"),
                exp.Case(ifs=[when(is_double, lit("DOUBLE"))], default=lit("DECIMAL")),
            ),
        ],
        default=json_type,
    )


def get_as_path(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """GET(v, 'key') / GET(v, 0) behave like the path `v:key` / `v[0]`, so `::string` unquotes the value.

    https://docs.snowflake.com/en/sql-reference/functions/get
    """
    if not isinstance(node, exp.GetExtract) or not isinstance(node.expression, exp.Literal):
        return node
    key = node.expression
    part: exp.Expr = exp.JSONPathKey(this=key.name) if key.is_string else exp.JSONPathSubscript(this=int(key.name))
    return exp.JSONExtract(
        this=node.this,
        expression=exp.JSONPath(expressions=[exp.JSONPathRoot(), part]),
        variant_extract=True,
        requires_json=True,
    )


_JSON_TYPE_TESTS: dict[str, tuple[str, ...]] = {
    "IS_OBJECT": ("OBJECT",),
    "IS_ARRAY": ("ARRAY",),
    "IS_INTEGER": ("BIGINT", "UBIGINT"),
    "IS_DECIMAL": ("BIGINT", "UBIGINT", "DOUBLE"),
    "IS_DOUBLE": ("BIGINT", "UBIGINT", "DOUBLE"),
    "IS_REAL": ("BIGINT", "UBIGINT", "DOUBLE"),
    "IS_VARCHAR": ("VARCHAR",),
    "IS_CHAR": ("VARCHAR",),
    "IS_BOOLEAN": ("BOOLEAN",),
    "IS_NULL_VALUE": ("NULL",),
}


def is_type_functions(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """IS_OBJECT, IS_INTEGER, IS_VARCHAR... test the type of the value held in a VARIANT.

    https://docs.snowflake.com/en/sql-reference/functions-semistructured#type-predicates
    """
    name = anonymous_name(node)
    if name not in _JSON_TYPE_TESTS or len(node.expressions) != 1:
        return node
    kind = fn("json_type", fn("TO_JSON", node.expressions[0]))
    return exp.Paren(this=exp.In(this=kind, expressions=[lit(t) for t in _JSON_TYPE_TESTS[name]]))


def object_insert(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """OBJECT_INSERT(obj, key, value [, update]) adds a key to an OBJECT (DuckDB's STRUCT_INSERT rejects JSON); it
    fails when the key exists unless `update` is TRUE, and a NULL value leaves the object as it is.

    https://docs.snowflake.com/en/sql-reference/functions/object_insert
    """
    if not isinstance(node, exp.ObjectInsert):
        return node
    obj = fn("TO_JSON", node.this)
    key = node.args["key"]
    value = node.args["value"]
    update = node.args.get("update_flag")
    patched = fn("json_merge_patch", obj.copy(), fn("json_object", key.copy(), fn("TO_JSON", value.copy())))
    ifs = [exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()), true=obj.copy())]
    if not (isinstance(update, exp.Boolean) and update.this):
        path = exp.DPipe(this=lit('$."'), expression=exp.DPipe(this=key.copy(), expression=lit('"')))
        exists = exp.Not(this=exp.Is(this=fn("json_extract", obj.copy(), path), expression=exp.Null()))
        ifs.insert(0, exp.If(this=exists, true=fn("error", lit("OBJECT_INSERT: the key already exists"))))
    return exp.Cast(this=exp.Case(ifs=ifs, default=patched), to=exp.DataType.build("JSON"))


def object_delete_pick(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """OBJECT_DELETE(obj, k...) drops keys; OBJECT_PICK(obj, k...) keeps only them.

    https://docs.snowflake.com/en/sql-reference/functions/object_delete
    https://docs.snowflake.com/en/sql-reference/functions/object_pick
    """
    name = anonymous_name(node)
    if name not in ("OBJECT_DELETE", "OBJECT_PICK") or len(node.expressions) < 2:
        return node
    obj = fn("TO_JSON", node.expressions[0])
    keys = node.expressions[1:]
    if name == "OBJECT_DELETE":
        nulls: list[exp.Expr] = []
        for key in keys:
            nulls += [key.copy(), exp.Null()]
        result = fn("json_merge_patch", obj, fn("json_object", *nulls))
    else:
        pairs: list[exp.Expr] = []
        for key in keys:
            path = exp.DPipe(this=lit('$."'), expression=exp.DPipe(this=key.copy(), expression=lit('"')))
            pairs += [key.copy(), fn("json_extract", obj.copy(), path)]
        result = fn("json_merge_patch", lit("{}"), fn("json_object", *pairs))
    return exp.Cast(this=result, to=exp.DataType.build("JSON"))


def parse_json_empty_is_null(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """PARSE_JSON of an empty (or blank) string is NULL, not an error.

    https://docs.snowflake.com/en/sql-reference/functions/parse_json
    """
    if isinstance(node, exp.ParseJSON) and not node.args.get("safe") and not isinstance(node.this, exp.Nullif):
        node.set("this", exp.Nullif(this=exp.Trim(this=node.this), expression=exp.Literal.string("")))
    return node
