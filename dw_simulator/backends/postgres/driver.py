"""psycopg 3, imported on first use (with the `dw-sim[postgres]` install hint), and what its errors, type OIDs and
URLs say in dw-sim's messages."""

from __future__ import annotations

import re
from typing import Any

from dw_simulator.errors import MissingDependencyError


def q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def psycopg_module() -> Any:
    try:
        import psycopg
    except ImportError:
        raise MissingDependencyError("the PostgreSQL/Redshift warehouse", "postgres", "psycopg") from None
    return psycopg


def error_message(exc: Exception) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"PostgreSQL: {text}"


def type_name(conn: Any, oid: int) -> str:
    try:
        from psycopg.postgres import types as registry

        info = registry.get(oid)
        return info.name if info is not None else str(oid)
    except Exception:
        return str(oid)


def redact(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)
