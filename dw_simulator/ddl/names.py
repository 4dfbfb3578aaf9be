"""Identifiers: making warehouse names safe for the schema model, and quoting them on export.

Policy: a table or column name that is not a safe identifier (`schema.validation.IDENTIFIER_RE`: 1-63 letters, digits
or underscores, not starting with a digit) is **sanitised with a warning**, not rejected: every other character
becomes `_`, a leading digit gets a `_` prefix, and the name is cut to 63 characters (`"Order Date"` ->
`Order_Date`, `#temp_sales` -> `_temp_sales`). References to the name (keys, foreign keys, CHECKs, sort keys)
follow it. Two names that sanitise to the same identifier are an error.
"""

from __future__ import annotations

import re

from dw_simulator.schema.validation import IDENTIFIER_RE

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
MAX_IDENTIFIER = 63

# Words that must be quoted when used as identifiers in exported DDL (ANSI, PostgreSQL/Redshift and Snowflake
# reserved words that a column is plausibly named after).
RESERVED_WORDS = frozenset({
    "ALL", "ALTER", "AND", "ANY", "ARRAY", "AS", "ASC", "BETWEEN", "BOTH", "BY", "CASE", "CAST", "CHECK", "COLLATE",
    "COLUMN", "CONSTRAINT", "CREATE", "CROSS", "CURRENT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP",
    "CURRENT_USER", "DEFAULT", "DELETE", "DESC", "DISTINCT", "DROP", "ELSE", "END", "EXCEPT", "EXISTS", "FALSE",
    "FETCH", "FOR", "FOREIGN", "FROM", "FULL", "GRANT", "GROUP", "HAVING", "ILIKE", "IN", "INCREMENT", "INNER",
    "INSERT", "INTERSECT", "INTO", "IS", "JOIN", "LATERAL", "LEADING", "LEFT", "LIKE", "LIMIT", "LOCALTIME",
    "LOCALTIMESTAMP", "MINUS", "NATURAL", "NOT", "NULL", "OF", "OFFSET", "ON", "OR", "ORDER", "OUTER", "PRIMARY",
    "QUALIFY", "REFERENCES", "REGEXP", "REVOKE", "RIGHT", "RLIKE", "ROW", "ROWS", "SAMPLE", "SELECT", "SET", "SOME",
    "START", "TABLE", "TABLESAMPLE", "THEN", "TO", "TRAILING", "TRIGGER", "TRUE", "TRY_CAST", "UNION", "UNIQUE",
    "UPDATE", "USER", "USING", "VALUES", "VIEW", "WHEN", "WHENEVER", "WHERE", "WINDOW", "WITH",
    # Redshift additions
    "ANALYSE", "ANALYZE", "AUTHORIZATION", "BACKUP", "BINARY", "DEFRAG", "DELTA", "DELTA32K", "DISABLE", "DO",
    "ENCODE", "ENCRYPT", "ENCRYPTION", "EXPLICIT", "FREEZE", "GLOBALDICT256", "GLOBALDICT64K", "IDENTITY", "IGNORE",
    "INITIALLY", "ISNULL", "LUN", "LUNS", "NEW", "NOTNULL", "OFF", "OFFLINE", "OID", "OLD", "ONLY", "OPEN",
    "OVERLAPS", "PARALLEL", "PARTITION", "PERCENT", "PERMISSIONS", "PLACING", "RAW", "READRATIO", "RECOVER",
    "RESORT", "RESPECT", "RESTORE", "SIMILAR", "SNAPSHOT", "SYSDATE", "SYSTEM", "TAG", "TDES", "TIMESTAMP", "TOP",
    "TRUNCATECOLUMNS", "VERBOSE", "WALLET", "WITHOUT",
})  # fmt: skip


def is_safe(name: str) -> bool:
    return bool(IDENTIFIER_RE.match(name))


def safe_identifier(raw: str) -> str:
    """A name the schema model accepts, as close to `raw` as possible."""
    name = _UNSAFE.sub("_", raw.strip())
    if not name:
        name = "_"
    if name[0].isdigit():
        name = "_" + name
    return name[:MAX_IDENTIFIER]


def quote(name: str) -> str:
    """`name`, quoted when it is a reserved word (schema names are always otherwise safe)."""
    if name.upper() in RESERVED_WORDS or not is_safe(name):
        return '"' + name.replace('"', '""') + '"'
    return name


def identifier_from(text: str, fallback: str = "imported_experiment") -> str:
    """An experiment name from free text such as a file stem: `tpc-ds schema` -> `tpc_ds_schema`."""
    name = re.sub(r"_+", "_", _UNSAFE.sub("_", text.strip())).strip("_")
    if not name:
        return fallback
    if name[0].isdigit():
        name = "_" + name
    return name[:MAX_IDENTIFIER]
