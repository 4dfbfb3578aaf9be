"""Session commands the endpoint answers itself, whatever the engine: transaction control, SET/RESET/SHOW, and the
functions whose answer must be Redshift's (`version()`, `current_database()`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dw_simulator.sql.redshift.split import mask

REDSHIFT_VERSION = (
    "PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), "
    "Redshift 1.0.77467"
)
SERVER_VERSION = "8.0.2"

# What SHOW answers for settings a session has not set (Redshift's defaults).
DEFAULT_SETTINGS = {
    "search_path": "$user, public",
    "timezone": "UTC",
    "datestyle": "ISO, MDY",
    "server_version": SERVER_VERSION,
    "server_encoding": "UTF8",
    "client_encoding": "UTF8",
    "standard_conforming_strings": "on",
    "integer_datetimes": "on",
    "transaction_isolation": "serializable",
    "transaction isolation level": "serializable",
    "default_transaction_isolation": "serializable",
    "extra_float_digits": "0",
    "max_identifier_length": "127",
    "statement_timeout": "0",
    "query_group": "default",
    "enable_case_sensitive_identifier": "off",
    "enable_result_cache_for_session": "on",
    "describe_field_name_in_uppercase": "off",
    "application_name": "",
    "is_superuser": "off",
}
# Redshift-only settings PostgreSQL does not know: accepted and remembered, never sent to the engine.
REDSHIFT_ONLY = {
    "query_group",
    "enable_case_sensitive_identifier",
    "enable_result_cache_for_session",
    "describe_field_name_in_uppercase",
    "analyze_threshold_percent",
    "auto_analyze",
    "wlm_query_slot_count",
    "json_parse_dedupe_duplicate_keys",
    "spectrum_query_maxerror",
    "mv_enable_aqmv_for_session",
    "use_fips_ssl",
    "downcase_delimited_identifier",
    "enable_numeric_rounding",
}


@dataclass
class Command:
    kind: str  # begin | commit | rollback | set | reset | show
    name: str = ""
    value: str = ""


_TX = re.compile(
    r"\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT)(\s+(WORK|TRANSACTION))?\b(?P<rest>[^;]*?)\s*;?\s*$",
    re.I,
)
_SET = re.compile(
    r"\s*SET\s+(SESSION\s+|LOCAL\s+)?(?P<name>[\w.]+)\s*(\bTO\b|=)\s*(?P<value>.*?)\s*;?\s*$", re.I | re.S
)
_SET_TZ = re.compile(r"\s*SET\s+(SESSION\s+)?TIME\s+ZONE\s+(?P<value>.*?)\s*;?\s*$", re.I | re.S)
_RESET = re.compile(r"\s*RESET\s+(?P<name>[\w.]+|ALL)\s*;?\s*$", re.I)
_SHOW = re.compile(r"\s*SHOW\s+(?P<name>[\w.]+(\s+[\w.]+)*)\s*;?\s*$", re.I)


def classify(sql: str) -> Command | None:
    """The session command `sql` is, or None for an ordinary statement (comments and literals are masked first)."""
    masked = mask(sql)
    text = masked.text
    match = _TX.match(text)
    if match:
        word = match.group(1).upper().split()[0]
        rest = match.group("rest").strip().upper()
        if word in ("BEGIN", "START") and rest and not rest.startswith(("ISOLATION", "READ")):
            return None  # BEGIN ... END of a procedure body, not a transaction
        kind = {"BEGIN": "begin", "START": "begin", "COMMIT": "commit", "END": "commit"}.get(word, "rollback")
        return Command(kind)
    match = _SET_TZ.match(text)
    if match:
        return Command("set", "timezone", _value(masked.unmask(match.group("value"))))
    match = _SET.match(text)
    if match:
        return Command("set", match.group("name").lower(), _value(masked.unmask(match.group("value"))))
    match = _RESET.match(text)
    if match:
        return Command("reset", match.group("name").lower())
    match = _SHOW.match(text)
    if match:
        return Command("show", " ".join(match.group("name").lower().split()))
    return None


def _value(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return text


def command_tag(kind: str) -> str:
    return {"begin": "BEGIN", "commit": "COMMIT", "rollback": "ROLLBACK", "set": "SET", "reset": "RESET"}[kind]


_FUNCTIONS = re.compile(
    r"\b(?:pg_catalog\s*\.\s*)?(version|current_database)\s*\(\s*\)|\bcurrent_catalog\b",
    re.I,
)


def redshift_functions(sql: str, database: str) -> str:
    """`version()` and `current_database()` answer as Redshift would for this session's database."""
    masked = mask(sql, drop_comments=False)
    if not _FUNCTIONS.search(masked.text):
        return sql

    def repl(match: re.Match[str]) -> str:
        name = (match.group(1) or "current_database").lower()
        value = REDSHIFT_VERSION if name == "version" else database
        return "'" + value.replace("'", "''") + "'"

    return masked.unmask(_FUNCTIONS.sub(repl, masked.text))


def statement_tag(sql: str, rows: int | None) -> str:
    """The CommandComplete tag PostgreSQL would send for a statement."""
    words = mask(sql).text.split()
    first = words[0].upper() if words else ""
    if first in ("SELECT", "WITH", "VALUES", "TABLE", "SHOW"):
        if first == "SELECT" and len(words) > 1 and " INTO " in " " + " ".join(words).upper() + " ":
            return f"SELECT {rows or 0}"
        return f"SELECT {rows or 0}"
    if first == "INSERT":
        return f"INSERT 0 {rows or 0}"
    if first in ("UPDATE", "DELETE", "MERGE", "COPY", "FETCH", "MOVE"):
        return f"{first} {rows or 0}"
    if first in ("CREATE", "DROP", "ALTER") and len(words) > 1:
        second = words[1].upper()
        if second in ("OR", "TEMP", "TEMPORARY", "LOCAL", "EXTERNAL", "MATERIALIZED", "UNIQUE"):
            rest = [w.upper() for w in words[1:5]]
            for noun in ("TABLE", "VIEW", "FUNCTION", "PROCEDURE", "INDEX", "SCHEMA"):
                if noun in rest:
                    second = "MATERIALIZED VIEW" if "MATERIALIZED" in rest and noun == "VIEW" else noun
                    break
        return f"{first} {second}"
    if first == "TRUNCATE":
        return "TRUNCATE TABLE"
    return first or "SELECT 0"


_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)'


def strip_database(sql: str, database: str) -> str:
    """`database.schema.table` -> `schema.table` for this session's own database (dbt writes three-part names;
    each experiment is one database here, and the engines address tables by schema)."""
    masked = mask(sql, drop_comments=False)
    text = masked.text
    if database.lower() not in text.lower() and "\x00" not in text:
        return sql
    pattern = re.compile(
        rf"(?<![\w.\"\x00])({_IDENT}|\x00\d+\x00)\s*\.\s*(?=({_IDENT}|\x00\d+\x00)\s*\.\s*({_IDENT}|\x00\d+\x00))"
    )

    def repl(match: re.Match[str]) -> str:
        token = masked.token(match.group(1)) if match.group(1).startswith("\x00") else match.group(1)
        name = token[1:-1].replace('""', '"') if token.startswith('"') else token.lower()
        return "" if name.lower() == database.lower() else match.group(0)

    return masked.unmask(pattern.sub(repl, text))
