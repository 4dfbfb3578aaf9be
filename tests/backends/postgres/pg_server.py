"""Find or start a PostgreSQL server for the tests.

Order: `DW_SIM_TEST_PG_URL`; a server on 127.0.0.1:5432 (user postgres, trust auth); else a throwaway cluster made
with initdb/pg_ctl in a temporary folder on a free port (as the `postgres` user when running as root). With
`CI=true` and no server to be had, the tests fail instead of skipping.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest


def _bin_dir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *args]
    return ["su", "postgres", "-c", " ".join(args)]


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    bindir = _bin_dir()
    if bindir is None:
        raise RuntimeError("initdb was not found (install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="dwsim-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    opts = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} -c fsync=off"
    subprocess.run(
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Yields the URL of an administrative database on a running server."""
    explicit = os.environ.get("DW_SIM_TEST_PG_URL")
    if explicit:
        yield explicit
        return
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    if _reachable(local):
        yield local
        return
    try:
        with throwaway_cluster() as url:
            deadline = time.monotonic() + 20
            while not _reachable(url) and time.monotonic() < deadline:
                time.sleep(0.2)
            yield url
    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        message = f"no PostgreSQL server could be found or started: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """A database of its own for this test session, dropped at the end."""
    name = f"dwsim_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = psycopg.conninfo.make_conninfo(admin_url, dbname=name)
    url = admin_url.rsplit("/", 1)[0] + "/" + name if admin_url.startswith("postgresql://") else url
    try:
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
