"""Opening an experiment's DuckDB file for users' SQL, inside the sandbox.

Users' SQL reaches only its experiment and the staging area: each connection opens one experiment's file, and
DuckDB's `enable_external_access` is switched off (after `allowed_directories` names the local staging folder), so
`read_csv('/etc/passwd')`, `COPY ... TO '/anywhere'`, `ATTACH` of another experiment's file and extension installs
fail with a clear error. DuckDB refuses to switch either setting back while the database is open. The setting
`sql_sandbox` (env `DW_SIM_SQL_SANDBOX=false`) lifts it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from dw_simulator.errors import BackendUnavailableError, QueryError

if TYPE_CHECKING:
    from dw_simulator.config import Settings

LOCK_WAIT_S = 15.0


def connect_file(path: Path, *, read_only: bool = False, wait_s: float = LOCK_WAIT_S) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file, waiting up to `wait_s` while another process holds its lock."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise BackendUnavailableError(
                    f"cannot open the embedded warehouse {path}: {exc}".splitlines()[0]
                ) from None
            time.sleep(0.1)


def sandbox_roots(settings: Settings) -> list[str]:
    """Folders users' DuckDB SQL may read and write: the local staging folder (`s3://` without an endpoint)."""
    root = (settings.data_root / "s3").resolve()
    return [str(root) + "/"]


def apply_sandbox(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Switch off file access beyond the staging folder for this database (all its connections)."""
    if not settings.sql_sandbox:
        return
    row = con.execute("SELECT current_setting('enable_external_access')").fetchone()
    if row is None or not row[0]:
        return  # already sandboxed (another connection of this process opened the file first)
    (settings.data_root / "s3").mkdir(parents=True, exist_ok=True)
    roots = ", ".join("'" + r.replace("'", "''") + "'" for r in sandbox_roots(settings))
    try:
        con.execute(f"SET allowed_directories = [{roots}]")
        con.execute("SET enable_external_access = false")
    except duckdb.Error:
        if sandboxed(con):  # another connection to this database sandboxed it between the check and the SET
            return
        raise


def sandboxed(con: Any) -> bool:
    row = con.execute("SELECT current_setting('enable_external_access')").fetchone()
    return bool(row is not None and not row[0])


def sandbox_message(message: str) -> str:
    """DuckDB's permission errors, said in dw-sim's terms (with the setting that lifts the sandbox)."""
    if "disabled by configuration" in message or "Permission Error" in message:
        first = message.split("\n", 1)[0].replace("Permission Error: ", "")
        return (
            f"{first}: users' SQL may read and write only its experiment and the staging folder (the SQL sandbox; "
            "DW_SIM_SQL_SANDBOX=false lifts it)"
        )
    return message


def raise_sandboxed(exc: duckdb.Error) -> None:
    """Re-raise a permission error as a QueryError naming the sandbox."""
    if isinstance(exc, duckdb.PermissionException):
        raise QueryError(sandbox_message(str(exc))) from None
