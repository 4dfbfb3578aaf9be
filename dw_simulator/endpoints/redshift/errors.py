"""Errors the endpoint reports to clients, with the SQLSTATE codes drivers understand."""

from __future__ import annotations

import re

UNDEFINED_TABLE = "42P01"
UNDEFINED_COLUMN = "42703"
UNDEFINED_FUNCTION = "42883"
SYNTAX_ERROR = "42601"
DUPLICATE_TABLE = "42P07"
INVALID_PASSWORD = "28P01"
INVALID_AUTHORIZATION = "28000"
UNKNOWN_DATABASE = "3D000"
QUERY_CANCELED = "57014"
IN_FAILED_TRANSACTION = "25P02"
FEATURE_NOT_SUPPORTED = "0A000"
PROTOCOL_VIOLATION = "08P01"
INVALID_PREPARED_STATEMENT = "26000"
INVALID_CURSOR = "34000"
DIVISION_BY_ZERO = "22012"
INVALID_TEXT = "22P02"
NOT_NULL_VIOLATION = "23502"
UNIQUE_VIOLATION = "23505"
SERIALIZATION_FAILURE = "40001"
INTERNAL = "XX000"


class EndpointError(Exception):
    """An error for the client: an ErrorResponse with this SQLSTATE and message."""

    def __init__(self, code: str, message: str, *, detail: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail
        self.hint = hint


_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"interrupt|cancel", QUERY_CANCELED),
    (r"Table with name .* does not exist|relation .* does not exist|Table .* does not exist", UNDEFINED_TABLE),
    (
        r"Referenced column .* not found|column .* does not exist|Values list .* does not have a column",
        UNDEFINED_COLUMN,
    ),
    (r"not found in FROM clause|Referenced table .* not found", UNDEFINED_TABLE),
    (r"(Scalar|Aggregate|Table) Function with name .* does not exist|function .* does not exist", UNDEFINED_FUNCTION),
    (r"cannot parse|Parser Error|syntax error|cannot read the redshift SQL", SYNTAX_ERROR),
    (r"already exists", DUPLICATE_TABLE),
    (r"division by zero|Division by zero", DIVISION_BY_ZERO),
    (r"NOT NULL constraint|null value in column", NOT_NULL_VIOLATION),
    (r"duplicate key|PRIMARY KEY or UNIQUE constraint", UNIQUE_VIOLATION),
    (r"Conversion Error|Could not convert|invalid input syntax", INVALID_TEXT),
    (r"Not implemented|not supported", FEATURE_NOT_SUPPORTED),
    (r"Transaction conflict|Conflict on", SERIALIZATION_FAILURE),
)


def sqlstate_for(message: str) -> str:
    """The SQLSTATE of an engine or translation error message."""
    for pattern, code in _PATTERNS:
        if re.search(pattern, message, re.I):
            return code
    return INTERNAL


def from_message(message: str) -> EndpointError:
    text = message.strip()
    for prefix in ("DuckDB: ", "PostgreSQL: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    code = sqlstate_for(text)
    # DuckDB prefixes its messages with the error class ("Catalog Error: ..."); drivers show the message itself
    first, _, rest = text.partition("\n")
    first = re.sub(r"^[A-Z][A-Za-z ]* Error: ", "", first)
    return EndpointError(code, first, detail=rest.strip() or None)
