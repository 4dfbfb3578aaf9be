"""Values of text formats (CSV, delimited text, JSON scalars) checked and converted to the column's type, with
Redshift's STL_LOAD_ERRORS codes and reasons when a value does not fit.

https://docs.aws.amazon.com/redshift/latest/dg/r_Load_Error_Reference.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from dw_simulator.sql.redshift.copy_unload.target import ColumnInfo


class RowError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


_INT_RANGES = {"int2": (-(2**15), 2**15 - 1), "int4": (-(2**31), 2**31 - 1), "int8": (-(2**63), 2**63 - 1)}
_TRUE = {"t", "true", "1", "y", "yes", "on"}
_FALSE = {"f", "false", "0", "n", "no", "off"}
_TYPE_NAMES = {"int2": "Short Integer", "int4": "Integer", "int8": "Long Integer"}


def redshift_format_to_strptime(fmt: str) -> str:
    """'YYYY-MM-DD HH24:MI:SS' -> '%Y-%m-%d %H:%M:%S' (https://docs.aws.amazon.com/redshift/latest/dg/r_DATEFORMAT_and_TIMEFORMAT_strings.html)."""
    out = fmt
    for src, dst in (
        ("YYYY", "%Y"),
        ("HH24", "%H"),
        ("HH12", "%I"),
        ("MONTH", "%B"),
        ("MON", "%b"),
        ("YY", "%y"),
        ("MM", "%m"),
        ("DD", "%d"),
        ("HH", "%H"),
        ("MI", "%M"),
        ("SS", "%S"),
        ("AM", "%p"),
        ("PM", "%p"),
        (".US", ".%f"),
        (".SSSSSS", ".%f"),
    ):
        out = out.replace(src, dst)
    return out


_AUTO_DATE = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d-%b-%Y", "%Y%m%d", "%b %d %Y", "%d %b %Y", "%m-%d-%Y")
_AUTO_TS = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%Y-%m-%d",
)


@dataclass
class Converter:
    dateformat: str | None
    timeformat: str | None

    def date(self, text: str) -> date:
        fmt = self.dateformat
        formats = _AUTO_DATE if fmt is None or fmt.lower() == "auto" else (redshift_format_to_strptime(fmt),)
        if fmt is None:
            formats = ("%Y-%m-%d",)
        for f in formats:
            try:
                return datetime.strptime(text.strip(), f).date()
            except ValueError:
                continue
        raise RowError(
            1205,
            "Invalid Date Format - length must be 10 or more"
            if len(text) < 10
            else "Invalid date format - Invalid digit encountered",
        )

    def timestamp(self, text: str, tz: bool) -> datetime:
        fmt = (self.timeformat or "").lower()
        value = text.strip()
        if fmt in ("epochsecs", "epochmillisecs"):
            try:
                number = float(value)
            except ValueError:
                raise RowError(1206, "Invalid timestamp format or value [epoch]") from None
            seconds = number / 1000 if fmt == "epochmillisecs" else number
            stamp = datetime(1970, 1, 1) + timedelta(seconds=seconds)
            return stamp.replace(tzinfo=UTC) if tz else stamp
        if self.timeformat and fmt != "auto":
            formats: tuple[str, ...] = (redshift_format_to_strptime(self.timeformat),)
        else:
            formats = _AUTO_TS
        offset = None
        match = re.search(r"([+-]\d{2}(:?\d{2})?|Z)$", value) if tz else None
        if match:
            offset = match.group(1)
            value = value[: match.start()].strip()
        for f in formats:
            try:
                stamp = datetime.strptime(value, f)
            except ValueError:
                continue
            if tz:
                if offset and offset != "Z":
                    sign = -1 if offset[0] == "-" else 1
                    digits = offset[1:].replace(":", "")
                    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
                    stamp = (stamp - sign * delta).replace(tzinfo=UTC)
                else:
                    stamp = stamp.replace(tzinfo=UTC)
            return stamp
        raise RowError(1206, "Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS]")

    def value(self, column: ColumnInfo, text: str) -> Any:
        kind = column.kind
        if kind in _INT_RANGES:
            stripped = text.strip()
            if not re.fullmatch(r"[+-]?\d+", stripped):
                bad = next((i for i, ch in enumerate(stripped) if not (ch.isdigit() or (i == 0 and ch in "+-"))), 0)
                raise RowError(
                    1207, f"Invalid digit, Value '{stripped[bad : bad + 1]}', Pos {bad}, Type: {_TYPE_NAMES[kind]}"
                )
            whole = int(stripped)
            low, high = _INT_RANGES[kind]
            if not low <= whole <= high:
                raise RowError(1216, f"Overflow, Value '{stripped}', Type: {_TYPE_NAMES[kind]}")
            return whole
        if kind == "float":
            try:
                return float(text)
            except ValueError:
                raise RowError(1208, f"Invalid digit, Value '{text[:1]}', Pos 0, Type: Double") from None
        if kind == "numeric":
            try:
                number = Decimal(text.strip())
            except InvalidOperation:
                raise RowError(1209, f"Invalid digit, Value '{text[:1]}', Pos 0, Type: Decimal") from None
            if column.precision is not None and number.is_finite():
                scale = column.scale or 0
                number = number.quantize(Decimal(10) ** -scale)
                digits = len(number.as_tuple().digits) if number != 0 else 1
                if digits - scale > column.precision - scale and abs(number) >= Decimal(10) ** (
                    column.precision - scale
                ):
                    raise RowError(1216, f"Numeric data overflow (result precision), Value '{text}'")
            return number
        if kind == "bool":
            lowered = text.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise RowError(1210, f"Invalid boolean value '{text}'")
        if kind == "date":
            return self.date(text)
        if kind in ("timestamp", "timestamptz"):
            return self.timestamp(text, kind == "timestamptz")
        if kind == "time":
            try:
                return time.fromisoformat(text.strip())
            except ValueError:
                raise RowError(1206, "Invalid time format") from None
        if kind == "json":
            return text
        if kind in ("varchar", "char"):
            if column.length is not None and len(text.encode()) > column.length:
                raise RowError(1204, "String length exceeds DDL length")
            return text
        return text
