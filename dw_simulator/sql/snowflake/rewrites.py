"""Named AST rewrites that close gaps of the embedded Snowflake emulator (fakesnow on DuckDB).

Rewrites in `PRE_REWRITES` receive the user's statement parsed with `read="snowflake"` and return an expression
that fakesnow then transpiles to DuckDB. They build DuckDB functions as `exp.Anonymous` nodes, which sqlglot writes
out unchanged, so the result is what DuckDB evaluates. `POST_REWRITES` run on fakesnow's output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.dialects.snowflake import Snowflake
from sqlglot.tokenizer_core import TokenType

# a marker that PRE rewrites leave on nodes for POST rewrites (sqlglot keeps `meta` through in-place transforms)
EXACT_SUM = "dwsim_exact_sum"
UINT64_SPAN = 2**64
INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class SessionContext:
    """What a session's rewrites may need to know: the names CURRENT_* report and catalog lookups."""

    user: str = "DWSIM"
    role: str = "SYSADMIN"
    warehouse: str = "DWSIM_WH"
    account: str = "DWSIM"
    region: str = "LOCAL"
    # GET_DDL(kind, name, use_fqn) -> the DDL text; raises ValueError with a message for the user
    ddl_lookup: Callable[[str, str, bool], str] | None = field(default=None, compare=False)


Rewrite = Callable[[exp.Expr, SessionContext], exp.Expr]


def _fn(name: str, *args: exp.Expr) -> exp.Anonymous:
    """A DuckDB function call that sqlglot writes out as is."""
    return exp.Anonymous(this=name, expressions=list(args))


def _str(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def _anonymous_name(node: exp.Expr) -> str | None:
    return node.name.upper() if isinstance(node, exp.Anonymous) else None


# -- session context functions ----------------------------------------------------------------------------------------
def current_context_functions(node: exp.Expr, ctx: SessionContext) -> exp.Expr:
    """CURRENT_WAREHOUSE/ROLE/USER/ACCOUNT/REGION return the configured names instead of DuckDB's 'duckdb'.

    https://docs.snowflake.com/en/sql-reference/functions-context
    """
    if isinstance(node, exp.CurrentWarehouse):
        return _str(ctx.warehouse)
    if isinstance(node, exp.CurrentRole):
        return _str(ctx.role)
    if isinstance(node, exp.CurrentUser):
        return _str(ctx.user)
    if isinstance(node, exp.CurrentAccount):
        return _str(ctx.account)
    if isinstance(node, exp.CurrentRegion):
        return _str(ctx.region)
    name = _anonymous_name(node)
    if name in ("CURRENT_ACCOUNT_NAME", "CURRENT_ORGANIZATION_NAME"):
        return _str(ctx.account)
    if name == "CURRENT_AVAILABLE_ROLES":
        return _fn("TO_JSON", exp.Array(expressions=[_str(ctx.role)]))
    if name == "CURRENT_SECONDARY_ROLES":
        return _str('{"roles":"","value":""}')
    return node


# -- HASH --------------------------------------------------------------------------------------------------------------
def hash_signed(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """HASH returns a signed 64-bit integer; DuckDB's hash() is unsigned and overflows the result transfer.

    The values differ from Snowflake's (its algorithm is not published) but are deterministic and in range.
    https://docs.snowflake.com/en/sql-reference/functions/hash
    """
    if _anonymous_name(node) != "HASH" or node.meta.get("dwsim_done"):
        return node
    raw = _fn("hash", *[a.copy() for a in node.expressions])
    raw.meta["dwsim_done"] = True
    wrapped = exp.Case(
        ifs=[
            exp.If(
                this=exp.GT(this=raw.copy(), expression=exp.Literal.number(INT64_MAX)),
                true=exp.Sub(this=raw.copy(), expression=exp.Literal.number(UINT64_SPAN)),
            )
        ],
        default=raw,
    )
    return exp.Cast(this=exp.Paren(this=wrapped), to=exp.DataType.build("BIGINT"))


# -- semi-structured ---------------------------------------------------------------------------------------------------
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
        inner = _fn("json_keys", _fn("TO_JSON", node.this))
        return exp.Cast(this=_fn("TO_JSON", inner), to=exp.DataType.build("JSON"))
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
    elements = _fn("from_json", _fn("TO_JSON", array), _str('["JSON"]'))
    needle = exp.Cast(this=_fn("TO_JSON", value), to=exp.DataType.build("JSON"))
    return _fn("list_contains", elements, needle)


def typeof_variant(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """TYPEOF reports Snowflake's VARIANT type names (INTEGER, DECIMAL, VARCHAR, OBJECT...), not DuckDB's 'JSON'.

    https://docs.snowflake.com/en/sql-reference/functions/typeof
    """
    if not isinstance(node, exp.Typeof):
        return node
    value = node.this
    engine_type = _fn("typeof", value.copy())
    as_json = _fn("TO_JSON", value.copy())
    json_type = _fn("json_type", as_json.copy())
    is_double = _fn("regexp_matches", exp.Cast(this=as_json.copy(), to=exp.DataType.build("VARCHAR")), _str("[eE]"))

    def when(condition: exp.Expr, result: exp.Expr) -> exp.If:
        return exp.If(this=condition, true=result)

    def eq(left: exp.Expr, text: str) -> exp.EQ:
        return exp.EQ(this=left.copy(), expression=_str(text))

    return exp.Case(
        ifs=[
            when(exp.Is(this=value.copy(), expression=exp.Null()), exp.Null()),
            when(eq(engine_type, "DATE"), _str("DATE")),
            when(eq(engine_type, "TIME"), _str("TIME")),
            when(eq(engine_type, "TIMESTAMP"), _str("TIMESTAMP_NTZ")),
            when(eq(engine_type, "TIMESTAMP WITH TIME ZONE"), _str("TIMESTAMP_TZ")),
            when(eq(engine_type, "BLOB"), _str("BINARY")),
            when(eq(json_type, "NULL"), _str("NULL_VALUE")),
            when(
                exp.In(this=json_type.copy(), expressions=[_str("BIGINT"), _str("UBIGINT")]),
                _str("INTEGER"),
            ),
            when(
                eq(json_type, "DOUBLE"),
                exp.Case(ifs=[when(is_double, _str("DOUBLE"))], default=_str("DECIMAL")),
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
    name = _anonymous_name(node)
    if name not in _JSON_TYPE_TESTS or len(node.expressions) != 1:
        return node
    kind = _fn("json_type", _fn("TO_JSON", node.expressions[0]))
    return exp.Paren(this=exp.In(this=kind, expressions=[_str(t) for t in _JSON_TYPE_TESTS[name]]))


def object_insert(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """OBJECT_INSERT(obj, key, value [, update]) adds a key to an OBJECT (DuckDB's STRUCT_INSERT rejects JSON); it
    fails when the key exists unless `update` is TRUE, and a NULL value leaves the object as it is.

    https://docs.snowflake.com/en/sql-reference/functions/object_insert
    """
    if not isinstance(node, exp.ObjectInsert):
        return node
    obj = _fn("TO_JSON", node.this)
    key = node.args["key"]
    value = node.args["value"]
    update = node.args.get("update_flag")
    patched = _fn("json_merge_patch", obj.copy(), _fn("json_object", key.copy(), _fn("TO_JSON", value.copy())))
    ifs = [exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()), true=obj.copy())]
    if not (isinstance(update, exp.Boolean) and update.this):
        path = exp.DPipe(this=_str('$."'), expression=exp.DPipe(this=key.copy(), expression=_str('"')))
        exists = exp.Not(this=exp.Is(this=_fn("json_extract", obj.copy(), path), expression=exp.Null()))
        ifs.insert(0, exp.If(this=exists, true=_fn("error", _str("OBJECT_INSERT: the key already exists"))))
    return exp.Cast(this=exp.Case(ifs=ifs, default=patched), to=exp.DataType.build("JSON"))


def object_delete_pick(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """OBJECT_DELETE(obj, k...) drops keys; OBJECT_PICK(obj, k...) keeps only them.

    https://docs.snowflake.com/en/sql-reference/functions/object_delete
    https://docs.snowflake.com/en/sql-reference/functions/object_pick
    """
    name = _anonymous_name(node)
    if name not in ("OBJECT_DELETE", "OBJECT_PICK") or len(node.expressions) < 2:
        return node
    obj = _fn("TO_JSON", node.expressions[0])
    keys = node.expressions[1:]
    if name == "OBJECT_DELETE":
        nulls: list[exp.Expr] = []
        for key in keys:
            nulls += [key.copy(), exp.Null()]
        result = _fn("json_merge_patch", obj, _fn("json_object", *nulls))
    else:
        pairs: list[exp.Expr] = []
        for key in keys:
            path = exp.DPipe(this=_str('$."'), expression=exp.DPipe(this=key.copy(), expression=_str('"')))
            pairs += [key.copy(), _fn("json_extract", obj.copy(), path)]
        result = _fn("json_merge_patch", _str("{}"), _fn("json_object", *pairs))
    return exp.Cast(this=result, to=exp.DataType.build("JSON"))


# -- strings and numbers -----------------------------------------------------------------------------------------------
def trim_characters(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """LTRIM/RTRIM/TRIM(s, chars) remove the given characters (fakesnow drops the second argument).

    https://docs.snowflake.com/en/sql-reference/functions/ltrim
    """
    if not isinstance(node, exp.Trim) or node.expression is None:
        return node
    position = str(node.args.get("position") or "").upper()
    name = {"LEADING": "ltrim", "TRAILING": "rtrim"}.get(position, "trim")
    return _fn(name, exp.Cast(this=node.this, to=exp.DataType.build("VARCHAR")), node.expression)


def width_bucket(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """WIDTH_BUCKET(x, min, max, n): the 1-based bucket of x in n equal-width buckets, 0 below and n + 1 above.

    https://docs.snowflake.com/en/sql-reference/functions/width_bucket
    """
    if not isinstance(node, exp.WidthBucket) or node.args.get("num_buckets") is None:
        return node
    value, low, high, buckets = (node.this, node.args["min_value"], node.args["max_value"], node.args["num_buckets"])
    width = exp.Paren(
        this=exp.Div(
            this=exp.Paren(this=exp.Sub(this=high.copy(), expression=low.copy())),
            expression=exp.Cast(this=buckets.copy(), to=exp.DataType.build("DOUBLE")),
        )
    )
    inside = exp.Add(
        this=_fn(
            "floor", exp.Div(this=exp.Paren(this=exp.Sub(this=value.copy(), expression=low.copy())), expression=width)
        ),
        expression=exp.Literal.number(1),
    )
    case = exp.Case(
        ifs=[
            exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()), true=exp.Null()),
            exp.If(this=exp.LT(this=value.copy(), expression=low.copy()), true=exp.Literal.number(0)),
            exp.If(
                this=exp.GTE(this=value.copy(), expression=high.copy()),
                true=exp.Add(this=buckets.copy(), expression=exp.Literal.number(1)),
            ),
        ],
        default=inside,
    )
    return exp.Cast(this=case, to=exp.DataType.build("BIGINT"))


_DATE_UNITS = {"YEAR": "1 year", "QUARTER": "3 months", "MONTH": "1 month", "WEEK": "1 week", "DAY": "1 day"}
_DATE_UNIT_ALIASES = {
    "Y": "YEAR", "YY": "YEAR", "YYY": "YEAR", "YYYY": "YEAR", "YR": "YEAR", "YEARS": "YEAR", "YRS": "YEAR",
    "Q": "QUARTER", "QTR": "QUARTER", "QTRS": "QUARTER", "QUARTERS": "QUARTER",
    "MM": "MONTH", "MON": "MONTH", "MONS": "MONTH", "MONTHS": "MONTH",
    "W": "WEEK", "WK": "WEEK", "WEEKOFYEAR": "WEEK", "WOY": "WEEK", "WY": "WEEK", "WEEKS": "WEEK",
    "D": "DAY", "DD": "DAY", "DAYS": "DAY", "DAYOFMONTH": "DAY",
}  # fmt: skip


def date_trunc_keeps_type(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """DATE_TRUNC of a DATE is a DATE (DuckDB returns a TIMESTAMP); a TIMESTAMP stays a TIMESTAMP.

    https://docs.snowflake.com/en/sql-reference/functions/date_trunc
    """
    if not isinstance(node, exp.DateTrunc) or node.args.get("zone") is not None:
        return node
    unit = node.args.get("unit")
    name = unit.name.upper() if isinstance(unit, exp.Literal | exp.Var) else ""
    name = _DATE_UNIT_ALIASES.get(name, name)
    if name not in _DATE_UNITS:
        return node
    interval = exp.Cast(this=_str(_DATE_UNITS[name]), to=exp.DataType.build("INTERVAL"))
    value = node.this
    if isinstance(value, exp.Literal) and value.is_string:
        value = exp.Cast(this=value, to=exp.DataType.build("TIMESTAMP"))
    return _fn("time_bucket", interval, value)


# -- window functions --------------------------------------------------------------------------------------------------
def ratio_to_report(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """RATIO_TO_REPORT(x) OVER (PARTITION BY p) = x / SUM(x) OVER (PARTITION BY p); NULL when the sum is 0.

    https://docs.snowflake.com/en/sql-reference/functions/ratio_to_report
    """
    if not (isinstance(node, exp.Window) and _anonymous_name(node.this) == "RATIO_TO_REPORT"):
        return node
    args = node.this.expressions
    if len(args) != 1:
        return node
    value = args[0]
    total = node.copy()
    total.set("this", exp.Sum(this=value.copy()))
    total.set("order", None)
    ratio = exp.Div(
        this=exp.Cast(this=value.copy(), to=exp.DataType.build("DOUBLE")),
        expression=_fn("NULLIF", total, exp.Literal.number(0)),
    )
    return exp.Paren(this=ratio)


# -- catalog functions -------------------------------------------------------------------------------------------------
def get_ddl(node: exp.Expr, ctx: SessionContext) -> exp.Expr:
    """GET_DDL('table'|'view', 'name' [, use_fqn]) returns the object's DDL, built from the catalog.

    https://docs.snowflake.com/en/sql-reference/functions/get_ddl
    """
    if _anonymous_name(node) != "GET_DDL" or ctx.ddl_lookup is None:
        return node
    args = node.expressions
    if len(args) not in (2, 3) or not all(isinstance(a, exp.Literal) and a.is_string for a in args[:2]):
        return node
    use_fqn = len(args) == 3 and isinstance(args[2], exp.Boolean) and bool(args[2].this)
    return _str(ctx.ddl_lookup(args[0].name, args[1].name, use_fqn))


# -- aggregates --------------------------------------------------------------------------------------------------------
_VARIANT_VALUES = (exp.JSONExtract, exp.JSONExtractScalar, exp.GetExtract, exp.ParseJSON, exp.Bracket, exp.ToVariant)


def mark_exact_sum(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """Remember which SUMs add plain numbers (see `exact_sum`). SUMs of VARIANT paths (`SUM(v:amount)`) and
    strings keep fakesnow's numeric cast, as Snowflake casts those implicitly."""
    if (
        isinstance(node, exp.Sum)
        and not isinstance(node.this, exp.Cast | exp.TryCast)
        and node.this.find(*_VARIANT_VALUES) is None
        and not (isinstance(node.this, exp.Literal) and node.this.is_string)
    ):
        node.meta[EXACT_SUM] = True
    return node


def exact_sum(node: exp.Expr) -> exp.Expr:
    """SUM keeps its argument's type (NUMBER sums stay exact); fakesnow casts every SUM argument to DOUBLE.

    https://docs.snowflake.com/en/sql-reference/functions/sum
    """
    if (
        isinstance(node, exp.Sum)
        and node.meta.get(EXACT_SUM)
        and isinstance(node.this, exp.TryCast)
        and node.this.to.this == exp.DataType.Type.DOUBLE
    ):
        node.set("this", node.this.this)
    return node


# -- result column names -----------------------------------------------------------------------------------------------
_ITEM_END = frozenset(
    {
        TokenType.FROM,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.ORDER_BY,
        TokenType.HAVING,
        TokenType.QUALIFY,
        TokenType.LIMIT,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.SEMICOLON,
        TokenType.WINDOW,
        TokenType.INTO,
    }
)


def select_item_texts(sql: str) -> list[str] | None:
    """The text of each item of the first top-level SELECT list of `sql`, as written; None if it cannot tell."""
    try:
        tokens = Snowflake().tokenize(sql)
    except Exception:
        return None
    depth = 0
    index = None
    for i, token in enumerate(tokens):
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        elif token.token_type == TokenType.SELECT and depth == 0:
            index = i + 1
            break
    if index is None:
        return None
    while index < len(tokens) and tokens[index].token_type in (TokenType.DISTINCT, TokenType.ALL):
        index += 1
    if index < len(tokens) and tokens[index].token_type == TokenType.TOP:
        index += 2
    items: list[str] = []
    start: int | None = None
    end = 0
    depth = 0
    for token in tokens[index:]:
        kind = token.token_type
        if depth == 0 and (kind in _ITEM_END or kind == TokenType.COMMA):
            if start is None:
                return None
            items.append(sql[start : end + 1].strip())
            start = None
            if kind != TokenType.COMMA:
                break
            continue
        if kind in (TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE):
            depth += 1
        elif kind in (TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE):
            depth -= 1
        if start is None:
            start = token.start
        end = token.end
    else:
        if start is not None:
            items.append(sql[start : end + 1].strip())
    return items


def snowflake_column_name(expression: exp.Expr, text: str | None = None) -> str:
    """The name Snowflake gives an unaliased select item: its text as written, upper-cased (`COUNT(*)`,
    `V:CUSTOMER.ID::STRING`); regenerated from the AST when the text is not known."""
    if text:
        return text.upper()

    def colon_path(node: exp.Expr) -> exp.Expr:
        if (
            isinstance(node, exp.JSONExtract)
            and node.args.get("variant_extract")
            and isinstance(node.expression, exp.JSONPath)
        ):
            return exp.Var(this=f"{node.this.sql(dialect='snowflake')}:{_path_text(node.expression)}")
        return node

    return expression.transform(colon_path).sql(dialect="snowflake").upper()


def _path_text(path: exp.JSONPath) -> str:
    text = ""
    for part in path.expressions:
        if isinstance(part, exp.JSONPathKey):
            key = str(part.this)
            text += ("." if text else "") + (f'"{key}"' if part.args.get("quoted") else key)
        elif isinstance(part, exp.JSONPathSubscript):
            text += f"[{part.this}]"
    return text


def name_columns(node: exp.Expr, source_sql: str | None = None) -> exp.Expr:
    """Unaliased expressions of the outermost SELECT are named the way Snowflake names them (`COUNT(*)`).

    https://docs.snowflake.com/en/sql-reference/constructs/select
    """
    select = node
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return node
    texts = select_item_texts(source_sql) if source_sql else None
    if texts is not None and len(texts) != len(select.expressions):
        texts = None
    named: list[exp.Expr] = []
    for i, item in enumerate(select.expressions):
        if isinstance(item, exp.Alias | exp.Column | exp.Star | exp.Literal):
            named.append(item)
            continue
        name = snowflake_column_name(item, texts[i] if texts else None)
        named.append(exp.alias_(item, name, quoted=True))
    select.set("expressions", named)
    return node


# -- DDL ---------------------------------------------------------------------------------------------------------------
def char_is_varchar(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """In table definitions CHAR(n) is VARCHAR(n), and CHAR alone is VARCHAR(1) (DESCRIBE shows VARCHAR(1)).

    https://docs.snowflake.com/en/sql-reference/data-types-text#char-character-nchar
    """
    if (
        isinstance(node, exp.DataType)
        and node.this in (exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR)
        and isinstance(node.parent, exp.ColumnDef)
    ):
        length = node.expressions[0].copy() if node.expressions else exp.DataTypeParam(this=exp.Literal.number(1))
        return exp.DataType(this=exp.DataType.Type.VARCHAR, expressions=[length], nested=False)
    return node


# -- VALUES ------------------------------------------------------------------------------------------------------------
def values_alias_columns(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """`FROM VALUES (...) AS v` still names its columns COLUMN1, COLUMN2... (fakesnow only names them when the
    VALUES has no alias at all; DuckDB would call them col0, col1).

    https://docs.snowflake.com/en/sql-reference/constructs/values
    """
    if not isinstance(node, exp.Values):
        return node
    alias = node.args.get("alias")
    first = node.find(exp.Tuple)
    if isinstance(alias, exp.TableAlias) and not alias.columns and first is not None:
        alias.set(
            "columns",
            [exp.Identifier(this=f"COLUMN{i + 1}", quoted=True) for i in range(len(first.expressions))],
        )
    return node


# -- the chains --------------------------------------------------------------------------------------------------------
PRE_REWRITES: tuple[Rewrite, ...] = (
    current_context_functions,
    get_ddl,
    hash_signed,
    cast_to_variant,
    get_as_path,
    object_keys,
    array_contains,
    typeof_variant,
    is_type_functions,
    object_insert,
    object_delete_pick,
    trim_characters,
    width_bucket,
    date_trunc_keeps_type,
    ratio_to_report,
    values_alias_columns,
    char_is_varchar,
    mark_exact_sum,
)
POST_REWRITES: tuple[Callable[[exp.Expr], exp.Expr], ...] = (exact_sum,)


def apply_pre(expression: exp.Expr, ctx: SessionContext, source_sql: str | None = None) -> exp.Expr:
    """Apply every PRE rewrite to the statement (in place where possible) and name its result columns like
    Snowflake does (from `source_sql`, the statement as the user wrote it, when given)."""
    expression = name_columns(expression, source_sql)
    for rewrite in PRE_REWRITES:
        expression = expression.transform(lambda node, r=rewrite: r(node, ctx), copy=False)  # type: ignore[misc]
    return expression


def apply_post(expression: exp.Expr) -> exp.Expr:
    for rewrite in POST_REWRITES:
        expression = expression.transform(rewrite, copy=False)
    return expression
