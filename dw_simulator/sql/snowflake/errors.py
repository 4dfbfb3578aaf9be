"""Errors of the Snowflake layer in Snowflake's words: features the embedded endpoint lacks, and engine (DuckDB)
errors restated as Snowflake states them, so no engine message reaches a user.

https://docs.snowflake.com/en/developer-guide/sql-api/reference#error-codes
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot.dialects.snowflake import Snowflake

UNSUPPORTED = "not supported on the embedded Snowflake endpoint: "


class UnsupportedFeature(Exception):
    """A Snowflake feature the embedded endpoint does not emulate (rather than a different answer)."""

    errno = 2
    sqlstate = "0A000"

    def __init__(self, feature: str) -> None:
        super().__init__(UNSUPPORTED + feature)
        self.feature = feature


@dataclass(frozen=True)
class SnowflakeError:
    message: str
    errno: int
    sqlstate: str


def _known_functions() -> frozenset[str]:
    names = set(Snowflake.Parser.FUNCTIONS)
    names |= {"ENCRYPT", "DECRYPT", "ENCRYPT_RAW", "DECRYPT_RAW", "TRY_DECRYPT", "TRY_DECRYPT_RAW", "PARSE_IP",
              "CONDITIONAL_TRUE_EVENT", "CONDITIONAL_CHANGE_EVENT", "SYSTEM$WAIT", "SYSTEM$STREAM_HAS_DATA",
              "SOUNDEX", "HAVERSINE", "ARRAY_SORT", "ARRAY_FLATTEN", "ARRAY_GENERATE_RANGE", "H3_LATLNG_TO_CELL",
              "ST_MAKEPOINT", "ST_DISTANCE", "ST_GEOGRAPHYFROMWKT", "JAROWINKLER_SIMILARITY", "REGEXP_SUBSTR_ALL",
              "TO_GEOGRAPHY", "HLL", "APPROX_TOP_K", "MINHASH", "KURTOSIS", "SKEW"}  # fmt: skip
    return frozenset(n.upper() for n in names)


SNOWFLAKE_FUNCTIONS = _known_functions()

_MISSING_RELATION = re.compile(r"Catalog Error: (?:Table|View) with name ([^\s!]+) does not exist", re.I)
_MISSING_FUNCTION = re.compile(
    r"Catalog Error: (?:Scalar |Table |Aggregate |)Function with name ([^\s!]+) does not", re.I
)
_MISSING_SCHEMA = re.compile(r"Catalog Error: Schema with name ([^\s!]+) does not exist", re.I)
_MISSING_COLUMN = re.compile(r'Binder Error: Referenced column "([^"]+)" not found', re.I)
_BAD_NUMBER = re.compile(
    r"Conversion Error: Could not convert string '([^']*)' to (?:INT|DECIMAL|DOUBLE|FLOAT|UINT)", re.I
)
_BAD_DATE = re.compile(r"Conversion Error: (?:date|timestamp) field value out of range: \"([^\"]*)\"|"
                       r"Conversion Error: invalid (?:date|timestamp) field format: \"([^\"]*)\"", re.I)  # fmt: skip


_DIVISION_BY_ZERO = re.compile(r"\bDivision by zero\b", re.I)
_ENGINE_KIND = re.compile(r"^(?:[A-Z][A-Za-z]* )*Error: ")  # "Catalog Error: ", "Invalid Input Error: "
_FAKESNOW_TODO = re.compile(
    r"^(.*?) not implemented\. Please raise an issue via https://github\.com/tekumara/fakesnow", re.S
)
_UDF_ERROR = re.compile(r"Python exception occurred while executing the UDF: \w+: (.*)", re.S)
_EXCERPT = re.compile(r"\n\s*LINE \d+:.*", re.S)


def qualified_name(name: str, database: str | None, schema: str | None) -> str:
    """`T`, `S.T` or `D.S.T` completed with the session's database and schema, as Snowflake names objects."""
    parts = [p.strip('"') for p in name.split(".")]
    context = [database or "", schema or ""]
    return ".".join([*context[: max(0, 3 - len(parts))], *parts][-3:]).strip(".")


def restate(message: str, *, database: str | None, schema: str | None) -> SnowflakeError | None:
    """The engine's `message` as Snowflake's error, when it is one Snowflake has; None when it is not known."""
    text = " ".join(message.split())
    if found := _MISSING_RELATION.search(text):
        name = qualified_name(found.group(1), database, schema).upper()
        return SnowflakeError(
            f"SQL compilation error:\nObject '{name}' does not exist or not authorized.", 2003, "42S02"
        )
    if found := _MISSING_SCHEMA.search(text):
        name = qualified_name(found.group(1), None, database).upper()
        return SnowflakeError(
            f"SQL compilation error:\nSchema '{name}' does not exist or not authorized.", 2003, "02000"
        )
    if found := _MISSING_FUNCTION.search(text):
        function = found.group(1).strip('"').upper()
        if function in SNOWFLAKE_FUNCTIONS:
            return SnowflakeError(UNSUPPORTED + f"function {function}", UnsupportedFeature.errno, "0A000")
        return SnowflakeError(f"SQL compilation error:\nUnknown function {function}", 2140, "42601")
    if found := _MISSING_COLUMN.search(text):
        return SnowflakeError(f"SQL compilation error:\ninvalid identifier '{found.group(1).upper()}'", 904, "42000")
    if found := _BAD_NUMBER.search(text):
        return SnowflakeError(f"Numeric value '{found.group(1)}' is not recognized", 100038, "22018")
    if found := _BAD_DATE.search(text):
        value = found.group(1) or found.group(2)
        return SnowflakeError(f"Date '{value}' is not recognized", 100040, "22007")
    if _DIVISION_BY_ZERO.search(text):
        return SnowflakeError("Division by zero", 100051, "22012")
    return None


def engine_error(message: str, *, database: str | None, schema: str | None) -> SnowflakeError | None:
    """Any error text from the engine or the emulator as the user gets it: Snowflake's error when there is one
    (`restate`); an engine message that Snowflake has no counterpart for as "not supported ...: this statement",
    with the engine's sentence as the detail; None when the text is already Snowflake's (leave it as it is)."""
    if message.startswith(UNSUPPORTED):
        return None
    if UNSUPPORTED in message:  # raised inside a function the engine ran
        feature = message[message.index(UNSUPPORTED) + len(UNSUPPORTED) :].splitlines()[0]
        return SnowflakeError(UNSUPPORTED + feature, UnsupportedFeature.errno, "0A000")
    if found := _UDF_ERROR.search(message):  # a Snowflake error raised by one of dw-sim's functions
        return SnowflakeError(found.group(1).splitlines()[0], 100311, "22000")
    if (known := restate(message, database=database, schema=schema)) is not None:
        return known
    if found := _FAKESNOW_TODO.match(message):
        return SnowflakeError(UNSUPPORTED + " ".join(found.group(1).split()), UnsupportedFeature.errno, "0A000")
    text = _EXCERPT.sub("", message).strip()
    if _ENGINE_KIND.match(text):
        detail = " ".join(_ENGINE_KIND.sub("", text, count=1).split())
        return SnowflakeError(
            UNSUPPORTED + f"this statement as written (the emulator's engine reports: {detail[:300]})",
            UnsupportedFeature.errno,
            "0A000",
        )
    return None


_MODIFIERS = {"OR", "REPLACE", "IF", "NOT", "EXISTS", "SECURE", "TEMPORARY", "TEMP", "TRANSIENT", "VOLATILE", "LOCAL",
              "GLOBAL", "RECURSIVE", "TERSE"}  # fmt: skip
_KINDS_OF_TWO_WORDS = {"DYNAMIC", "MATERIALIZED", "EXTERNAL", "EVENT", "ICEBERG", "HYBRID", "NETWORK", "FILE"}


def statement_kind(sql: str) -> str:
    """The leading keywords naming a statement (`CREATE STREAM`, `INSERT ALL`, `SHOW DYNAMIC TABLES`), for a
    statement the emulator cannot read."""
    text = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql[:400], flags=re.S)
    words = [w.upper() for w in re.findall(r"[A-Za-z_$]+", text)]
    if not words:
        return "this statement"
    kind = [words[0]]
    rest = [w for w in words[1:6] if w not in _MODIFIERS]
    if rest:
        kind.append(rest[0])
        if rest[0] in _KINDS_OF_TWO_WORDS and len(rest) > 1:
            kind.append(rest[1])
    return " ".join(kind)
