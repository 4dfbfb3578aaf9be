"""Snowflake functions an embedded engine lacks, as calls of dw-sim's DuckDB macros (`library_fn`) and Python
functions (`dwsim_*`, registered by the endpoint): event windows, epoch timestamps by magnitude, TRY_TO_TIMESTAMP,
SOUNDEX, PARSE_IP, ENCRYPT/DECRYPT (passphrase and raw), ARRAY_SORT of VARIANTs, AS_BINARY.

https://docs.snowflake.com/en/sql-reference/functions/conditional_true_event
https://docs.snowflake.com/en/sql-reference/functions/to_timestamp
https://docs.snowflake.com/en/sql-reference/functions/encrypt
"""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.snowflake.errors import UnsupportedFeature
from dw_simulator.sql.snowflake.rewrites.context import SessionContext
from dw_simulator.sql.snowflake.rewrites.nodes import fn, library_fn, lit

T = exp.DataType.Type
_NTZ = (T.TIMESTAMP, T.TIMESTAMPNTZ)
_ZONED = (T.TIMESTAMPTZ, T.TIMESTAMPLTZ)


def _null() -> exp.Expr:
    return exp.Null()


def _json(node: exp.Expr) -> exp.Expr:
    return exp.Cast(this=node, to=exp.DataType.build("JSON"))


def _blob(node: exp.Expr | None) -> exp.Expr:
    if node is None:
        return exp.Cast(this=exp.Null(), to=exp.DataType.build("BLOB"))
    return exp.Cast(this=node, to=exp.DataType.build("BLOB"))


def _text(node: exp.Expr | None) -> exp.Expr:
    return exp.Cast(this=node if node is not None else exp.Null(), to=exp.DataType.build("VARCHAR"))


def _running_frame(window: exp.Window, value: exp.Expr) -> exp.Window:
    spec = exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW")
    return exp.Window(
        this=value,
        partition_by=[p.copy() for p in window.args.get("partition_by") or []],
        order=window.args["order"].copy() if window.args.get("order") else None,
        spec=spec,
    )


def event_windows(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """CONDITIONAL_TRUE_EVENT(e) OVER (...): how many rows so far had e true; CONDITIONAL_CHANGE_EVENT(e): how many
    times e changed so far (NULLs skipped). Both count in the window's order, from 0."""
    if not isinstance(node, exp.Window) or not isinstance(node.this, exp.Anonymous):
        return node
    name = node.this.name.upper()
    if name not in ("CONDITIONAL_TRUE_EVENT", "CONDITIONAL_CHANGE_EVENT") or len(node.this.expressions) != 1:
        return node
    value = node.this.expressions[0]
    if name == "CONDITIONAL_TRUE_EVENT":
        flag = exp.Case(
            ifs=[exp.If(this=exp.Cast(this=value, to=exp.DataType.build("BOOLEAN")), true=exp.Literal.number(1))],
            default=exp.Literal.number(0),
        )
        return exp.Coalesce(this=_running_frame(node, exp.Sum(this=flag)), expressions=[exp.Literal.number(0)])
    return library_fn("change_events", _running_frame(node, fn("list", value)))


def epoch_timestamps(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """TO_TIMESTAMP(<number>) reads epoch seconds, milliseconds, microseconds or nanoseconds by the value's
    magnitude (TO_TIMESTAMP(n, scale) by the scale); TRY_TO_TIMESTAMP gives NULL for text it cannot read."""
    if isinstance(node, exp.UnixToTime):
        target = node.args.get("target_type")
        scale = node.args.get("scale") or exp.Literal.number(0)
        value = library_fn("sf_to_timestamp", node.this, scale)
        if isinstance(target, exp.DataType) and target.this in _ZONED:
            return exp.Cast(this=value, to=exp.DataType.build("TIMESTAMPTZ"))
        return value
    if isinstance(node, exp.TryCast) and node.to.this in _NTZ and not node.to.expressions:
        return library_fn("sf_try_to_timestamp", node.this, exp.Literal.number(0))
    zoned = ("TO_TIMESTAMP_LTZ", "TO_TIMESTAMP_TZ")
    if isinstance(node, exp.Anonymous) and node.name.upper() in zoned and len(node.expressions) == 1:
        inner = library_fn("sf_to_timestamp", node.expressions[0], exp.Literal.number(0))
        return exp.Cast(this=inner, to=exp.DataType.build("TIMESTAMPTZ"))
    if isinstance(node, exp.Anonymous) and node.name.upper() == "TRY_TO_TIMESTAMP" and len(node.expressions) == 1:
        return library_fn("sf_try_to_timestamp", node.expressions[0], exp.Literal.number(0))
    return node


def fakesnow_to_timestamp(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """(POST) fakesnow's `_fs_to_timestamp` reads every number as seconds and drops fractions: use dw-sim's."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "_fs_to_timestamp" and len(node.expressions) == 2:
        return library_fn("sf_to_timestamp", *node.expressions)
    return node


def python_functions(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """SOUNDEX, PARSE_IP, ENCRYPT/DECRYPT/TRY_DECRYPT, ENCRYPT_RAW/DECRYPT_RAW, ARRAY_SORT and AS_BINARY."""
    a = node.args
    if isinstance(node, exp.Soundex):
        return fn("dwsim_soundex", _text(node.this))
    if isinstance(node, exp.ParseIp):
        permissive = a.get("permissive") or exp.Literal.number(0)
        return _json(fn("dwsim_parse_ip", _text(node.this), _text(a.get("type")), permissive))
    if isinstance(node, exp.Encrypt):
        return fn("dwsim_encrypt", _blob(node.this), _text(a.get("passphrase")), _blob(a.get("aad")),
                  _text(a.get("encryption_method")))  # fmt: skip
    if isinstance(node, exp.Decrypt):
        name = "dwsim_try_decrypt" if a.get("safe") else "dwsim_decrypt"
        return fn(name, _blob(node.this), _text(a.get("passphrase")), _blob(a.get("aad")),
                  _text(a.get("encryption_method")))  # fmt: skip
    if isinstance(node, exp.EncryptRaw):
        return _json(fn("dwsim_encrypt_raw", _blob(node.this), _blob(a.get("key")), _blob(a.get("iv")),
                        _blob(a.get("aad")), _text(a.get("encryption_method"))))  # fmt: skip
    if isinstance(node, exp.DecryptRaw):
        return fn("dwsim_decrypt_raw", _blob(node.this), _blob(a.get("key")), _blob(a.get("iv")),
                  _blob(a.get("aad")), _text(a.get("encryption_method")), _blob(a.get("aead")))  # fmt: skip
    if isinstance(node, exp.SortArray) and not isinstance(node.this, exp.Array):
        ascending = a.get("asc")
        nulls = a.get("nulls_first")
        no_order = exp.Cast(this=_null(), to=exp.DataType.build("BOOLEAN"))
        arguments = (ascending if ascending is not None else exp.true(), nulls if nulls is not None else no_order)
        return _json(fn("dwsim_array_sort", _text(fn("TO_JSON", node.this)), *arguments))
    if isinstance(node, exp.Anonymous) and node.name.upper() == "AS_BINARY" and len(node.expressions) == 1:
        # a VARIANT holding BINARY is its hex text here (as a JSON string, or plain text from GET/->>)
        return fn("unhex", fn("trim", _text(node.expressions[0]), lit('"')))
    return node


_FLATTEN_ARGUMENTS = ("input", "path", "outer", "recursive", "mode")


def _json_path(path: str) -> str:
    """FLATTEN's PATH (`b`, `a.b[0]`, `['k']`) as a JSON path."""
    return "$" if not path else ("$" + path if path.startswith("[") else "$." + path)


def flatten_table(node: exp.Expr, _ctx: SessionContext) -> exp.Expr:
    """FLATTEN (in TABLE(...) or LATERAL) with all its arguments: PATH, OUTER => TRUE (one row of NULLs for an
    empty input), RECURSIVE => TRUE (every level) and MODE, as dw-sim's table macro.

    https://docs.snowflake.com/en/sql-reference/functions/flatten
    """
    if not (isinstance(node, exp.Lateral | exp.TableFromRows) and isinstance(node.this, exp.Explode)):
        return node
    explode = node.this
    given: dict[str, exp.Expr] = {}
    positional = [explode.this, *explode.expressions]
    for index, argument in enumerate(positional):
        if isinstance(argument, exp.Kwarg):
            given[argument.this.name.lower()] = argument.expression
        elif index < len(_FLATTEN_ARGUMENTS):
            given[_FLATTEN_ARGUMENTS[index]] = argument
    if "input" not in given:
        return node
    path = given.get("path")
    if path is not None and not (isinstance(path, exp.Literal) and path.is_string):
        raise UnsupportedFeature("FLATTEN with a PATH that is not a constant")
    prefix = path.name if path is not None else ""
    call = library_fn(
        "sf_flatten",
        given["input"],
        lit(_json_path(prefix)),
        lit(prefix),
        given.get("outer") or exp.false(),
        given.get("recursive") or exp.false(),
        given.get("mode") or lit("BOTH"),
    )
    return exp.Table(this=call, alias=node.args.get("alias"))
