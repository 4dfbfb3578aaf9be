"""Errors as the snowflake-connector-python reports them to users' clients (errno and SQLSTATE)."""

from __future__ import annotations

import snowflake.connector.errors as sf_errors


def programming_error(message: str, errno: int = 2003, sqlstate: str = "42000") -> sf_errors.ProgrammingError:
    return sf_errors.ProgrammingError(msg=message, errno=errno, sqlstate=sqlstate)
