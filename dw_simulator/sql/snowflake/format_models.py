"""Snowflake's format models, as an embedded engine's formats: date/time formats (`YYYY-MM-DD HH24:MI:SS.FF3`,
`mon dd, yyyy`, `"T"` literals) as strftime/strptime patterns, and numeric formats (`FM9,999.99`, `$999`, `000`)
as fmt-style specs and as the characters to strip before reading a number.

https://docs.snowflake.com/en/sql-reference/functions-conversion#date-and-time-formats-in-conversion-functions
https://docs.snowflake.com/en/sql-reference/sql-format-models
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class UnsupportedFormat(ValueError):
    """A format element the embedded engine cannot reproduce; the message names it."""


# longest first: elements are matched case-insensitively at each position
_DATETIME_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("YYYY", "%Y"),
    ("MMMM", "%B"),
    ("HH24", "%H"),
    ("HH12", "%I"),
    ("TZH:TZM", "%z"),
    ("FF9", "%n"),
    ("FF6", "%f"),
    ("FF3", "%g"),
    ("MON", "%b"),
    ("DY", "%a"),
    ("YY", "%y"),
    ("MM", "%m"),
    ("DD", "%d"),
    ("HH", "%H"),
    ("MI", "%M"),
    ("SS", "%S"),
    ("AM", "%p"),
    ("PM", "%p"),
    ("FF", "%n"),
)
_SEPARATORS = set(" -/.,:;_T")


def strftime_format(model: str) -> str:
    """A Snowflake date/time format model as a strftime/strptime pattern (DuckDB's, Python's)."""
    out: list[str] = []
    i = 0
    upper = model.upper()
    while i < len(model):
        char = model[i]
        if char == '"':
            end = model.find('"', i + 1)
            if end < 0:
                raise UnsupportedFormat(f"unterminated quoted text in the format '{model}'")
            out.append(model[i + 1 : end].replace("%", "%%"))
            i = end + 1
            continue
        for element, pattern in _DATETIME_ELEMENTS:
            if upper.startswith(element, i):
                out.append(pattern)
                i += len(element)
                break
        else:
            if char.isalpha() and char.upper() != "T":
                raise UnsupportedFormat(f"the format element at '{model[i:]}' in '{model}'")
            if not char.isalpha() and char not in _SEPARATORS and not char.isdigit():
                out.append(char.replace("%", "%%"))
            else:
                out.append(char)
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class NumberFormat:
    """A parsed numeric format model."""

    fill_mode: bool  # FM: no padding
    currency: bool  # a leading $
    integer_digits: int  # 9s and 0s before the decimal point
    leading_zeros: int  # 0s among them (the minimum number of integer digits printed)
    grouped: bool  # , separators
    decimals: int  # digits after the point
    trailing_sign: bool  # MI or S at the end
    width: int  # characters of the model without FM

    def spec(self) -> str:
        """An fmt-style spec (DuckDB `format` of a DOUBLE, Python `str.format`) printing a number as the model
        does, except the currency sign, which `render` adds."""
        group = "," if self.grouped else ""
        precision = f".{self.decimals}f" if self.decimals else ".0f"
        if self.fill_mode:
            if self.leading_zeros:
                digits = self.leading_zeros + (self.decimals + 1 if self.decimals else 0)
                return "{:0" + str(digits) + group + precision + "}"
            return "{:" + group + precision + "}"
        return "{:>" + str(self.width + 1) + group + precision + "}"


_NUMBER_MODEL = re.compile(r"^(?P<fm>FM)?(?P<cur>\$)?(?P<int>[90,]*)(?:[.D](?P<dec>[90]*))?(?P<sign>MI|S)?$", re.I)


def number_format(model: str) -> NumberFormat:
    """Parse a numeric format model (`FM9,999.99`, `$999`, `000`, `99.9MI`)."""
    found = _NUMBER_MODEL.match(model.strip())
    if not found or not (found.group("int") or found.group("dec")):
        raise UnsupportedFormat(f"the numeric format '{model}'")
    integer = found.group("int") or ""
    decimals = found.group("dec") or ""
    body = model.strip()[2:] if found.group("fm") else model.strip()
    return NumberFormat(
        fill_mode=bool(found.group("fm")),
        currency=bool(found.group("cur")),
        integer_digits=sum(1 for c in integer if c in "90"),
        leading_zeros=integer.count("0"),
        grouped="," in integer,
        decimals=len(decimals),
        trailing_sign=bool(found.group("sign")),
        width=len(body),
    )


def render(value: float | int, model: str) -> str:
    """`TO_CHAR(<number>, model)` computed in Python (for constants, and as the reference the SQL follows)."""
    parsed = number_format(model)
    text = parsed.spec().format(abs(value) if parsed.trailing_sign else value)
    if parsed.currency:
        stripped = text.lstrip()
        sign = "-" if stripped.startswith("-") else ""
        text = text[: len(text) - len(stripped)] + sign + "$" + stripped.lstrip("-")
    if parsed.trailing_sign:
        text += "-" if value < 0 else ("+" if model.strip().upper().endswith("S") else " ")
    return text


def number_text_pattern(model: str) -> str:
    """A regular expression of the characters to remove from text read with `TO_NUMBER(text, model)`: group
    separators and the currency sign (the sign and decimal point are kept)."""
    parsed = number_format(model)
    strip = "," if parsed.grouped else ""
    if parsed.currency:
        strip += "$"
    return f"[{re.escape(strip)}\\s]" if strip else r"\s"
