"""The psql binary through the endpoint over TLS (sslmode=require), on both engines, including its \\d queries."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from endpoint_support import EXPERIMENTS, Endpoint

PSQL = shutil.which("psql") or "/usr/bin/psql"


def psql(endpoint: Endpoint, database: str, *commands: str) -> subprocess.CompletedProcess[str]:
    args = [PSQL, endpoint.url(database), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
    for command in commands:
        args += ["-c", command]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


def test_query_over_tls(endpoint: Endpoint, database: str) -> None:
    done = psql(
        endpoint,
        database,
        "SELECT count(*) FROM orders",
        "SELECT NVL(NULL, 'x') || DATEADD(month, 1, '2008-01-31')::date",
        "SHOW server_version",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["500", "x2008-02-29", "8.0.2"]


def test_describe_commands(endpoint: Endpoint, database: str) -> None:
    done = psql(endpoint, database, r"\dt", r"\d customers")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    tables = {line.rsplit("|", 1)[0] for line in lines if line.count("|") == 3}
    assert {f"{database}|customers|table", f"{database}|orders|table"} <= tables
    assert any(line.startswith("customer_id|") and "not null" in line for line in lines)


def test_list_databases_schemas_functions(endpoint: Endpoint, database: str) -> None:
    done = psql(endpoint, database, r"\l", r"\dn", r"\df")
    assert done.returncode == 0, done.stderr
    rows = [line.split("|") for line in done.stdout.splitlines() if "|" in line]
    databases = [r[0] for r in rows if len(r) >= 8]  # \l: only the experiments the endpoint serves
    served = {e.name for e in endpoint.simulator.list_experiments() if e.target_warehouse in ("duckdb", "redshift")}
    assert set(EXPERIMENTS.values()) <= set(databases) and set(databases) == served
    assert database in [r[0] for r in rows if len(r) == 2]  # \dn: the experiment's schema


def test_error_reaches_psql_with_sqlstate(endpoint: Endpoint, database: str) -> None:
    done = psql(endpoint, database, r"\set VERBOSITY verbose", "SELECT * FROM no_such_table")
    assert done.returncode != 0
    assert "42P01" in done.stderr


@pytest.mark.parametrize("password", ["mockpass", "wrong"])
def test_md5_authentication(endpoint: Endpoint, password: str) -> None:
    url = f"postgresql://mockuser:{password}@{endpoint.host}:{endpoint.port}/shop_duck?sslmode=disable"
    done = subprocess.run([PSQL, url, "-X", "-A", "-t", "-c", "SELECT 1"], capture_output=True, text=True, timeout=60)
    if password == "mockpass":
        assert done.returncode == 0 and done.stdout.strip() == "1", done.stderr
    else:
        assert done.returncode != 0 and "password authentication failed" in done.stderr
