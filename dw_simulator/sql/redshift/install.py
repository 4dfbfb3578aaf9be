"""Install the Redshift SQL library into an engine, once per library version.

The version lives in `dwsim_redshift.library_version`; installing is skipped when the installed version is the
current one, and the whole script runs in one transaction (PostgreSQL: under an advisory lock, so concurrent
installers wait for each other instead of colliding).
"""

from __future__ import annotations

import threading
from typing import Any

from dw_simulator.sql.redshift.library_duckdb import SCRIPT as DUCKDB_SCRIPT
from dw_simulator.sql.redshift.library_postgres import SCRIPT as POSTGRES_SCRIPT

# Bump when either library script changes: every engine re-installs on its next redshift-dialect query.
LIBRARY_VERSION = 9
_ADVISORY_LOCK = 0x64777369  # "dwsi"
_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS dwsim_redshift.library_version (version INTEGER NOT NULL, installed_at TIMESTAMP)"
)


def install_postgres(conn: Any) -> bool:
    """Install into a psycopg connection (autocommit or not); returns True when it (re)installed."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK,))
        cur.execute("SELECT to_regclass('dwsim_redshift.library_version') IS NOT NULL")
        row = cur.fetchone()
        if row and row[0]:
            cur.execute("SELECT max(version) FROM dwsim_redshift.library_version")
            current = cur.fetchone()
            if current and current[0] == LIBRARY_VERSION:
                return False
        cur.execute("SET LOCAL check_function_bodies = off")
        cur.execute(POSTGRES_SCRIPT)
        cur.execute(_VERSION_DDL)
        cur.execute("DELETE FROM dwsim_redshift.library_version")
        cur.execute(
            "INSERT INTO dwsim_redshift.library_version VALUES (%s, now() AT TIME ZONE 'UTC')", (LIBRARY_VERSION,)
        )
    return True


_DUCKDB_INSTALL_LOCK = threading.Lock()


def install_duckdb(con: Any) -> bool:
    """Install into a DuckDB connection; returns True when it (re)installed.

    Two connections of one process installing at once would conflict in DuckDB's catalog ("write-write
    conflict"), so installs are serialised and the version is checked again under the lock.
    """
    if _duckdb_current(con):
        return False
    with _DUCKDB_INSTALL_LOCK:
        if _duckdb_current(con):
            return False
        return _install_duckdb_locked(con)


def _duckdb_current(con: Any) -> bool:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'dwsim_redshift' AND table_name = 'library_version'"
    ).fetchone()
    if exists and exists[0]:
        current = con.execute("SELECT max(version) FROM dwsim_redshift.library_version").fetchone()
        if current and current[0] == LIBRARY_VERSION:
            return True
    return False


def _install_duckdb_locked(con: Any) -> bool:
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(DUCKDB_SCRIPT)
        con.execute(_VERSION_DDL)
        con.execute("DELETE FROM dwsim_redshift.library_version")
        con.execute(
            "INSERT INTO dwsim_redshift.library_version VALUES (?, current_localtimestamp())", [LIBRARY_VERSION]
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True
