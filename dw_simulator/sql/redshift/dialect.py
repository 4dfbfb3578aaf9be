"""The Redshift dialect as dw-sim reads it: sqlglot's `Redshift` with Redshift's own functions routed to dw-sim's
SQL library (`dwsim_redshift.<fn>`), which exists on both engines with Redshift's documented semantics.

sqlglot maps several Redshift functions onto generic nodes whose meaning differs (ADD_MONTHS and
DATEADD(month) become the same node; DATEDIFF becomes an elapsed-time difference instead of a boundary count), so
the parser builds library calls directly for those functions instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot import exp
from sqlglot.dialects.redshift import Redshift

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.library_schema import LIBRARY_SCHEMA

# Redshift date parts and their abbreviations -> canonical name
# https://docs.aws.amazon.com/redshift/latest/dg/r_Dateparts_for_datetime_functions.html
DATE_PARTS: dict[str, tuple[str, ...]] = {
    "millennium": ("millennium", "millennia", "mil", "mils"),
    "century": ("century", "centuries", "c", "cent", "cents"),
    "decade": ("decade", "decades", "dec", "decs"),
    "epoch": ("epoch",),
    "year": ("year", "years", "y", "yr", "yrs"),
    "quarter": ("quarter", "quarters", "qtr", "qtrs", "q"),
    "month": ("month", "months", "mon", "mons"),
    "week": ("week", "weeks", "w"),
    "dow": ("dayofweek", "dow", "dw", "weekday"),
    "doy": ("dayofyear", "doy", "dy", "yearday"),
    "day": ("day", "days", "d"),
    "hour": ("hour", "hours", "h", "hr", "hrs"),
    "minute": ("minute", "minutes", "m", "min", "mins"),
    "second": ("second", "seconds", "s", "sec", "secs"),
    "millisecond": (
        "millisecond",
        "milliseconds",
        "ms",
        "msec",
        "msecs",
        "msecond",
        "mseconds",
        "millisec",
        "millisecs",
        "millisecon",
    ),
    "microsecond": (
        "microsecond",
        "microseconds",
        "microsec",
        "microsecs",
        "usecond",
        "useconds",
        "us",
        "usec",
        "usecs",
    ),
    "timezone": ("timezone",),
    "timezone_hour": ("timezone_hour",),
    "timezone_minute": ("timezone_minute",),
}
_PART_LOOKUP = {alias: canonical for canonical, aliases in DATE_PARTS.items() for alias in aliases}
INTERVAL_PARTS = (
    "millennium",
    "century",
    "decade",
    "year",
    "quarter",
    "month",
    "week",
    "day",
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
)


def lib(name: str, *args: exp.Expression) -> exp.Expression:
    """A call of dw-sim's Redshift SQL library: `dwsim_redshift.<name>(args)` on either engine."""
    return exp.Dot(this=exp.to_identifier(LIBRARY_SCHEMA), expression=exp.Anonymous(this=name, expressions=list(args)))


def lib_name(node: exp.Expression) -> str | None:
    """The library function a node calls, or None."""
    if (
        isinstance(node, exp.Dot)
        and isinstance(node.this, exp.Identifier)
        and node.this.name == LIBRARY_SCHEMA
        and isinstance(node.expression, exp.Anonymous)
    ):
        return str(node.expression.name).lower()
    return None


def lib_args(node: exp.Expression) -> list[exp.Expression]:
    return list(node.expression.expressions)


def date_part(arg: exp.Expression, function: str, *, allowed: Sequence[str] | None = None) -> str:
    """The canonical date part named by a function's first argument (`year`, `'day'`, `yrs`...)."""
    text = arg.name if isinstance(arg, exp.Column | exp.Var | exp.Literal | exp.Identifier) else arg.sql()
    canonical = _PART_LOOKUP.get(text.strip().lower())
    if canonical is None or (allowed is not None and canonical not in allowed):
        raise QueryError(f"{function}: '{text}' is not a Redshift date part it accepts")
    return canonical


def as_timestamp(arg: exp.Expression) -> exp.Expression:
    """String literals become TIMESTAMPs, as Redshift resolves them; other arguments keep their own type."""
    if isinstance(arg, exp.Literal) and arg.is_string:
        return exp.cast(arg, exp.DataType.build("TIMESTAMP"))
    return arg


def as_date(arg: exp.Expression) -> exp.Expression:
    if isinstance(arg, exp.Literal) and arg.is_string:
        return exp.cast(arg, exp.DataType.build("DATE"))
    return arg


def _arity(name: str, args: list[exp.Expression], low: int, high: int) -> None:
    if not low <= len(args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise QueryError(f"{name} takes {expected} arguments, got {len(args)}")


def _dateadd(args: list[exp.Expression]) -> exp.Expression:
    _arity("DATEADD", args, 3, 3)
    part = date_part(args[0], "DATEADD", allowed=INTERVAL_PARTS)
    return lib("dateadd", exp.Literal.string(part), args[1], as_timestamp(args[2]))


def _datediff(args: list[exp.Expression]) -> exp.Expression:
    _arity("DATEDIFF", args, 3, 3)
    part = date_part(args[0], "DATEDIFF", allowed=INTERVAL_PARTS)
    return lib("datediff", exp.Literal.string(part), as_timestamp(args[1]), as_timestamp(args[2]))


def _date_part(args: list[exp.Expression]) -> exp.Expression:
    _arity("DATE_PART", args, 2, 2)
    part = date_part(args[0], "DATE_PART")
    return lib("date_part", exp.Literal.string(part), as_timestamp(args[1]))


def _convert_timezone(args: list[exp.Expression]) -> exp.Expression:
    _arity("CONVERT_TIMEZONE", args, 2, 3)
    if len(args) == 2:
        args = [exp.Literal.string("UTC"), *args]
    return lib("convert_timezone", args[0], args[1], as_timestamp(args[2]))


def _trunc(args: list[exp.Expression]) -> exp.Expression:
    if len(args) == 1:
        return lib("trunc", as_timestamp(args[0]))
    return exp.Anonymous(this="TRUNC", expressions=args)


def _simple(
    name: str, low: int, high: int, convert: Callable[[exp.Expression], exp.Expression] | None = None
) -> Callable[[list[exp.Expression]], exp.Expression]:
    def build(args: list[exp.Expression]) -> exp.Expression:
        _arity(name.upper(), args, low, high)
        if convert is not None and args:
            args = [convert(args[0]), *args[1:]]
        return lib(name, *args)

    return build


def _dated(name: str, low: int, high: int) -> Callable[[list[exp.Expression]], exp.Expression]:
    return _simple(name, low, high, as_date)


def _timed(name: str, low: int, high: int) -> Callable[[list[exp.Expression]], exp.Expression]:
    return _simple(name, low, high, as_timestamp)


def _months_between(args: list[exp.Expression]) -> exp.Expression:
    _arity("MONTHS_BETWEEN", args, 2, 2)
    return lib("months_between", as_date(args[0]), as_date(args[1]))


LIBRARY_FUNCTIONS: dict[str, Callable[[list[exp.Expression]], exp.Expression]] = {
    "DATEADD": _dateadd,
    "DATE_ADD": _dateadd,
    "DATEDIFF": _datediff,
    "DATE_DIFF": _datediff,
    "DATE_PART": _date_part,
    "PGDATE_PART": _date_part,
    "ADD_MONTHS": _timed("add_months", 2, 2),
    "MONTHS_BETWEEN": _months_between,
    "NEXT_DAY": _dated("next_day", 2, 2),
    "LAST_DAY": _dated("last_day", 1, 1),
    "CONVERT_TIMEZONE": _convert_timezone,
    "TRUNC": _trunc,
    "GETDATE": _simple("getdate", 0, 0),
    "STRTOL": _simple("strtol", 2, 2),
    "JSON_EXTRACT_PATH_TEXT": _simple("json_extract_path_text", 2, 9),
    "JSON_EXTRACT_ARRAY_ELEMENT_TEXT": _simple("json_extract_array_element_text", 2, 3),
    "JSON_ARRAY_LENGTH": _simple("json_array_length", 1, 2),
    "IS_VALID_JSON": _simple("is_valid_json", 1, 1),
    "IS_VALID_JSON_ARRAY": _simple("is_valid_json_array", 1, 1),
    "JSON_PARSE": _simple("json_parse", 1, 1),
    "JSON_SERIALIZE": _simple("json_serialize", 1, 1),
    "INITCAP": _simple("initcap", 1, 1),
    "REGEXP_SUBSTR": _simple("regexp_substr", 2, 5),
    "REGEXP_COUNT": _simple("regexp_count", 2, 4),
    "REGEXP_INSTR": _simple("regexp_instr", 2, 6),
    "REGEXP_REPLACE": _simple("regexp_replace", 2, 5),
}


class DwsimRedshift(Redshift):
    """Redshift as dw-sim reads it (registered with sqlglot as `dwsimredshift`)."""

    class Parser(Redshift.Parser):  # type: ignore[valid-type,misc]
        FUNCTIONS = {**Redshift.Parser.FUNCTIONS, **LIBRARY_FUNCTIONS}
        # functions sqlglot parses specially (e.g. INITCAP, DATE_PART) go to the library builders instead
        FUNCTION_PARSERS = {k: v for k, v in Redshift.Parser.FUNCTION_PARSERS.items() if k not in LIBRARY_FUNCTIONS}
