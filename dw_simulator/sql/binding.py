"""Bind values of the HTTP APIs, turned into what an engine takes.

* The Redshift Data API's `Parameters` (`:name` in the SQL, every value a string whose type the statement decides,
  as PostgreSQL's untyped parameters): each `:name` outside literals, quoted names and comments becomes a string
  literal (backslashes doubled: Redshift reads escapes in literals), which Redshift and PostgreSQL (and DuckDB)
  coerce by context as an untyped parameter.
* The Snowflake SQL API's `bindings` (`?` or `:1` placeholders, each value typed: FIXED, REAL, TEXT, BOOLEAN, DATE,
  TIME, TIMESTAMP_NTZ/LTZ/TZ, BINARY): read into Python values (`snowflake_value`), then either handed to an engine
  that binds them itself, or written as typed Snowflake literals (`bind_positional`).

No sqlglot: a small masking lexer keeps literals, quoted identifiers and comments out of reach.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from dw_simulator.errors import QueryError

_HIDDEN = re.compile(
    r"""'(?:[^'\\]|''|\\.)*'|"(?:[^"]|"")*"|\$(\w*)\$.*?\$\1\$|--[^\n]*|/\*.*?\*/""",
    re.DOTALL,
)
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")
_POSITIONAL = re.compile(r"\?|(?<![:\w]):([0-9]+)\b")


class BindingError(QueryError):
    """A bind value that does not fit its placeholder or its declared type; names the placeholder."""


def _substitute(sql: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> str:
    """Apply `replace` to the matches of `pattern` that are outside literals, quoted names and comments."""
    out: list[str] = []
    pos = 0
    for hidden in _HIDDEN.finditer(sql):
        out.append(pattern.sub(replace, sql[pos : hidden.start()]))
        out.append(hidden.group(0))
        pos = hidden.end()
    out.append(pattern.sub(replace, sql[pos:]))
    return "".join(out)


def placeholders_named(sql: str) -> list[str]:
    """The `:name` parameters the SQL uses, in order of first use."""
    found: list[str] = []

    def note(match: re.Match[str]) -> str:
        if match.group(1) not in found:
            found.append(match.group(1))
        return match.group(0)

    _substitute(sql, _NAMED, note)
    return found


def bind_named(sql: str, values: Mapping[str, str]) -> str:
    """The Data API's `:name` parameters as string literals (Redshift's untyped parameter values)."""
    missing = [name for name in placeholders_named(sql) if name not in values]
    if missing:
        raise BindingError(f"no value was given for the parameter :{missing[0]} (Parameters)")
    return _substitute(sql, _NAMED, lambda m: redshift_literal(values[m.group(1)]))


def redshift_literal(value: str) -> str:
    """A string literal that Redshift reads back as `value` (it reads backslash escapes inside literals)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def bind_positional(sql: str, values: Sequence[Any], render: Callable[[Any], str]) -> str:
    """`?` (in order) and `:N` placeholders replaced by `render(value)`."""
    counter = iter(range(len(values) + 1))

    def replace(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1 if match.group(1) else next(counter)
        if not 0 <= index < len(values):
            raise BindingError(f"the statement has a placeholder ({match.group(0)}) beyond the {len(values)} bound")
        return render(values[index])

    return _substitute(sql, _POSITIONAL, replace)


def count_positional(sql: str) -> int:
    """How many values the `?` / `:N` placeholders of the SQL need."""
    seen: list[int] = []
    counter = iter(range(10_000))

    def note(match: re.Match[str]) -> str:
        seen.append(int(match.group(1)) if match.group(1) else next(counter) + 1)
        return match.group(0)

    _substitute(sql, _POSITIONAL, note)
    return max(seen, default=0)


# -- Snowflake typed bind values -------------------------------------------------------------------------------------
SNOWFLAKE_BIND_TYPES = (
    "FIXED",
    "REAL",
    "TEXT",
    "BOOLEAN",
    "DATE",
    "TIME",
    "TIMESTAMP_NTZ",
    "TIMESTAMP_LTZ",
    "TIMESTAMP_TZ",
    "BINARY",
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def snowflake_value(name: str, binding: Any) -> Any:
    """A SQL API binding (`{"type": "FIXED", "value": "1"}`) as a Python value. Dates and times are read as ISO text
    (`2024-01-31`, `13:45:00`, `2024-01-31T13:45:00+01:00`) or as the connectors' epoch forms (DATE in
    milliseconds, TIME and TIMESTAMP in nanoseconds, TIMESTAMP_TZ with `<offset minutes + 1440>` after a space)."""
    if not isinstance(binding, Mapping) or "type" not in binding:
        raise BindingError(f"binding {name}: expected an object with a type and a value")
    kind = str(binding["type"]).upper()
    value = binding.get("value")
    if kind not in SNOWFLAKE_BIND_TYPES:
        raise BindingError(f"binding {name}: unsupported type {kind!r}; use one of {', '.join(SNOWFLAKE_BIND_TYPES)}")
    if value is None:
        return None
    if isinstance(value, list):
        raise BindingError(f"binding {name}: array bindings (several rows in one request) are not supported")
    text = str(value)
    try:
        return _READERS[kind](text)
    except (ValueError, InvalidOperation, OverflowError):
        raise BindingError(f"binding {name}: {text!r} is not a valid {kind} value") from None


def _fixed(text: str) -> int | Decimal:
    number = Decimal(text.strip())
    if not number.is_finite():
        raise ValueError(text)
    return int(number) if number == number.to_integral_value() and "." not in text else number


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "t", "yes", "y", "on"):
        return True
    if lowered in ("false", "0", "f", "no", "n", "off"):
        return False
    raise ValueError(text)


def _date(text: str) -> dt.date:
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        return (_EPOCH + dt.timedelta(milliseconds=int(text))).date()
    return dt.date.fromisoformat(text[:10])


def _time(text: str) -> dt.time:
    text = text.strip()
    if re.fullmatch(r"\d+", text):
        return (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=int(text) // 1000)).time()
    return dt.time.fromisoformat(text)


def _timestamp(aware: bool) -> Callable[[str], dt.datetime]:
    def read(text: str) -> dt.datetime:
        text = text.strip()
        epoch, _, offset = text.partition(" ")
        if re.fullmatch(r"-?\d+", epoch):
            at = _EPOCH + dt.timedelta(microseconds=int(epoch) // 1000)
            if offset and aware:
                return at.astimezone(dt.timezone(dt.timedelta(minutes=int(offset) - 1440)))
            return at if aware else at.replace(tzinfo=None)
        parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
        if aware and parsed.tzinfo is None:
            return parsed.replace(tzinfo=dt.UTC)
        return parsed if aware else parsed.replace(tzinfo=None)

    return read


_READERS: dict[str, Callable[[str], Any]] = {
    "FIXED": _fixed,
    "REAL": lambda t: float(t),
    "TEXT": lambda t: t,
    "BOOLEAN": _boolean,
    "DATE": _date,
    "TIME": _time,
    "TIMESTAMP_NTZ": _timestamp(aware=False),
    "TIMESTAMP_LTZ": _timestamp(aware=True),
    "TIMESTAMP_TZ": _timestamp(aware=True),
    "BINARY": lambda t: bytes.fromhex(t),
}


def snowflake_literal(value: Any) -> str:
    """A Python bind value as a typed Snowflake literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return f"{value!r}::FLOAT"
    if isinstance(value, bytes):
        return f"TO_BINARY('{value.hex().upper()}', 'HEX')"
    if isinstance(value, dt.datetime):
        kind = "TIMESTAMP_TZ" if value.tzinfo is not None else "TIMESTAMP_NTZ"
        return f"'{value.isoformat(sep=' ')}'::{kind}"
    if isinstance(value, dt.date):
        return f"'{value.isoformat()}'::DATE"
    if isinstance(value, dt.time):
        return f"'{value.isoformat()}'::TIME"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "''") + "'"


# -- statements of a script -------------------------------------------------------------------------------------------
_BLOCK = re.compile(r"^\s*(?:DECLARE\b|BEGIN\b(?!\s*(?:TRANSACTION|WORK|NAME)?\s*(?:;|$))|EXECUTE\s+IMMEDIATE\b)", re.I)


def is_block(sql: str) -> bool:
    """A Snowflake Scripting block (DECLARE/BEGIN ... END, EXECUTE IMMEDIATE): one statement, whatever its `;`s."""
    return bool(_BLOCK.match(_HIDDEN.sub(" ", sql)))


def split_statements(sql: str) -> list[str]:
    """The statements of a script, split on `;` outside literals, quoted names and comments (a scripting block is
    kept whole)."""
    if is_block(sql):
        return [sql.strip().rstrip(";").strip()]
    parts: list[str] = []
    current: list[str] = []
    pos = 0

    def cut(text: str) -> None:
        pieces = text.split(";")
        current.append(pieces[0])
        for piece in pieces[1:]:
            parts.append("".join(current))
            current.clear()
            current.append(piece)

    for hidden in _HIDDEN.finditer(sql):
        cut(sql[pos : hidden.start()])
        current.append(hidden.group(0))
        pos = hidden.end()
    cut(sql[pos:])
    parts.append("".join(current))
    return [p.strip() for p in parts if _HIDDEN.sub("", p).strip()]
