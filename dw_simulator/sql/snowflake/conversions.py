"""Conversions to and from text with Snowflake's format models, on columns as on literals, decided by the
argument's type (from `coercion.annotate`): TO_CHAR / TO_VARCHAR of dates, timestamps and numbers, timestamps cast
to VARCHAR in the default output format, TO_NUMBER / TO_DECIMAL with a format.

https://docs.snowflake.com/en/sql-reference/functions/to_char
https://docs.snowflake.com/en/sql-reference/functions/to_decimal
https://docs.snowflake.com/en/sql-reference/parameters#timestamp-ntz-output-format
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from dw_simulator.sql.snowflake.coercion import type_of
from dw_simulator.sql.snowflake.errors import UnsupportedFeature
from dw_simulator.sql.snowflake.format_models import (
    UnsupportedFormat,
    number_format,
    number_text_pattern,
    strftime_format,
)

T = exp.DataType.Type
_TEXT_TYPES = {T.VARCHAR, T.TEXT, T.CHAR, T.NVARCHAR, T.NCHAR}
_TIMESTAMPS = {T.TIMESTAMP, T.TIMESTAMPNTZ, T.DATETIME, T.TIMESTAMP_S, T.TIMESTAMP_MS, T.TIMESTAMP_NS}
_ZONED = {T.TIMESTAMPTZ, T.TIMESTAMPLTZ}
_DATES = {T.DATE}
_NUMBERS = exp.DataType.NUMERIC_TYPES
# TIMESTAMP_*_OUTPUT_FORMAT defaults: YYYY-MM-DD HH24:MI:SS.FF3 (TZHTZM for zoned values)
DEFAULT_TIMESTAMP = "%Y-%m-%d %H:%M:%S.%g"
DEFAULT_ZONED = "%Y-%m-%d %H:%M:%S.%g %z"
# sqlglot's own reading of a format model (done when it parses TO_CHAR(<literal cast>, fmt)) -> DuckDB's:
# Snowflake's elements are case-insensitive and zero-padded (`dd` is DD, `dy` is DY)
_SQLGLOT_FORMAT = {
    "%-d": "%d",
    "%w": "%a",
    "%f_three": "%g",
    "%f_six": "%f",
    "%f_nine": "%n",
    "%:z": "%z",
    "%-z": "%z",
}


def _fn(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _model(node: exp.Expr | None) -> str | None:
    return node.name if isinstance(node, exp.Literal) and node.is_string else None


def strftime_of(value: exp.Expr, pattern: str) -> exp.Expr:
    return _fn("STRFTIME", value, exp.Literal.string(pattern))


def number_text(value: exp.Expr, model: str) -> exp.Expr:
    """`TO_CHAR(<number>, model)` as DuckDB SQL (see `format_models.render`, which this follows)."""
    parsed = number_format(model)
    number = exp.Cast(this=value.copy(), to=exp.DataType.build("DOUBLE"))
    shown: exp.Expr = _fn("ABS", number) if parsed.trailing_sign else number
    if parsed.grouped and not parsed.fill_mode:  # DuckDB's fmt takes no width with `,`: pad afterwards
        spec = "{:," + (f".{parsed.decimals}f" if parsed.decimals else ".0f") + "}"
        text: exp.Expr = _fn(
            "LPAD", _fn("FORMAT", exp.Literal.string(spec), shown), exp.Literal.number(parsed.width + 1),
            exp.Literal.string(" "),
        )  # fmt: skip
    else:
        text = _fn("FORMAT", exp.Literal.string(parsed.spec()), shown)
    if parsed.currency:  # the sign, then $, after any padding
        text = _fn("REGEXP_REPLACE", text, exp.Literal.string(r"^(\s*)(-?)"), exp.Literal.string(r"\1\2$"))
    if parsed.trailing_sign:
        positive = "+" if model.strip().upper().endswith("S") else " "
        sign = exp.Case(ifs=[exp.If(this=exp.LT(this=number.copy(), expression=exp.Literal.number(0)),
                                    true=exp.Literal.string("-"))],
                        default=exp.Literal.string(positive))  # fmt: skip
        text = exp.DPipe(this=text, expression=sign, safe=True)
    return text


def _to_char(node: exp.Expr, types: Mapping[int, exp.DataType]) -> exp.Expr:
    value = node.this
    kind = type_of(value, types)
    if kind is None:
        return node
    model = _model(node.args.get("format"))
    if node.args.get("format") is not None and model is None:
        raise UnsupportedFeature("a format model that is not a constant")
    try:
        if kind.this in _DATES | _TIMESTAMPS | _ZONED:
            if model is None:
                if kind.this in _DATES:
                    return node
                return strftime_of(value, DEFAULT_ZONED if kind.this in _ZONED else DEFAULT_TIMESTAMP)
            return strftime_of(value, strftime_format(model))
        if kind.this in _NUMBERS and model is not None:
            return number_text(value, model)
    except UnsupportedFormat as exc:
        raise UnsupportedFeature(str(exc)) from None
    return node


def _time_to_str(node: exp.TimeToStr) -> exp.Expr:
    fmt = _model(node.args.get("format"))
    if fmt is None:
        return node
    for found, wanted in _SQLGLOT_FORMAT.items():
        fmt = fmt.replace(found, wanted)
    return strftime_of(node.this, fmt)


def _cast_to_text(node: exp.Cast, types: Mapping[int, exp.DataType]) -> exp.Expr:
    kind = type_of(node.this, types)
    if kind is not None and kind.this in _TIMESTAMPS | _ZONED and not node.to.expressions:
        return strftime_of(node.this, DEFAULT_ZONED if kind.this in _ZONED else DEFAULT_TIMESTAMP)
    return node


def _to_number(node: exp.ToNumber) -> exp.Expr:
    model = _model(node.args.get("format"))
    if node.args.get("format") is None:
        return node
    if model is None:
        raise UnsupportedFeature("a numeric format that is not a constant")
    try:
        pattern = number_text_pattern(model)
        parsed = number_format(model)
    except UnsupportedFormat as exc:
        raise UnsupportedFeature(str(exc)) from None
    text: exp.Expr = _fn(
        "REGEXP_REPLACE", exp.Cast(this=node.this, to=exp.DataType.build("VARCHAR")), exp.Literal.string(pattern),
        exp.Literal.string(""), exp.Literal.string("g"),
    )  # fmt: skip
    if parsed.trailing_sign:  # 12.3- -> -12.3
        text = _fn("REGEXP_REPLACE", text, exp.Literal.string(r"^(.*)-$"), exp.Literal.string(r"-\1"))
    precision = node.args.get("precision")
    scale = node.args.get("scale")
    target = exp.DataType.build(
        f"DECIMAL({precision.name if precision is not None else 38}, {scale.name if scale is not None else 0})"
    )
    cast = exp.TryCast if node.args.get("safe") else exp.Cast
    return cast(this=text, to=target)


def format_conversions(expression: exp.Expr, types: Mapping[int, exp.DataType]) -> exp.Expr:
    """Apply Snowflake's format models to TO_CHAR/TO_VARCHAR/TO_NUMBER and timestamp-to-text casts."""

    def fix(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.ToChar):
            return _to_char(node, types)
        if isinstance(node, exp.TimeToStr):
            return _time_to_str(node)
        if isinstance(node, exp.ToNumber):
            return _to_number(node)
        if isinstance(node, exp.Cast) and not isinstance(node, exp.TryCast) and node.to.this in _TEXT_TYPES:
            return _cast_to_text(node, types)
        return node

    return expression.transform(fix, copy=False)
