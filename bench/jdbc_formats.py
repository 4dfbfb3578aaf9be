"""pgjdbc result formats through the Redshift endpoint: the rows/s of fetching a result in the binary format
(pgjdbc's `binaryTransfer`, used for server-prepared statements) against the text format, on both engines, in the
same run. The issue's target: binary at least as fast as text on the DuckDB engine (it was 5x slower).

    .venv/bin/python -m bench.jdbc_formats [--rows 300000] [--rounds 3]

Needs Java 17 and Debian's libpostgresql-jdbc-java (scripts/setup.sh installs them). The endpoint runs in a
process of its own, as in bench.redshift_endpoint, which this reuses to prepare the same table on both engines.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg

from bench.redshift_endpoint import _prepare

JAR = os.environ.get("DW_SIM_TEST_PGJDBC", "/usr/share/java/postgresql.jar")
CLIENT = Path(__file__).with_name("JdbcFetch.java")


def _fetch(port: int, database: str, rounds: int, binary: bool) -> tuple[float, int, float]:
    url = f"jdbc:postgresql://127.0.0.1:{port}/{database}?sslmode=disable"
    sql = "SELECT id, label, amount, created_at FROM facts"
    done = subprocess.run(
        ["java", "-cp", JAR, str(CLIENT), url, "mockuser", "mockpass", sql, str(rounds), str(binary).lower()],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    seconds, rows, checksum = done.stdout.split()
    return float(seconds), int(rows), float(checksum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=3, help="fetches per side (the best is kept)")
    parser.add_argument(
        "--url", default=os.environ.get("DW_SIM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args()
    database = f"dwsim_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    url = args.url.rsplit("/", 1)[0] + "/" + database
    server = None
    try:
        with tempfile.TemporaryDirectory(prefix="dwsim-bench-") as tmp:
            print(f"preparing {args.rows:,} rows on PostgreSQL and DuckDB ...", flush=True)
            _prepare(Path(tmp), url, args.rows)
            server = subprocess.Popen(
                [sys.executable, "-m", "bench.redshift_endpoint", "--serve", tmp, url],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert server.stdout is not None
            port = int(server.stdout.readline())
            print(f"\n{'engine':10} {'format':7} {'seconds':>8} {'rows/s':>12}")
            rates: dict[tuple[str, str], float] = {}
            checks: dict[str, set[float]] = {}
            for engine, db in (("DuckDB", "bench_duck"), ("PostgreSQL", "bench_pg")):
                for fmt in ("text", "binary"):
                    seconds, rows, checksum = _fetch(port, db, args.rounds, fmt == "binary")
                    assert rows == args.rows, f"{engine} {fmt}: {rows} rows"
                    rates[(engine, fmt)] = rows / seconds
                    checks.setdefault(engine, set()).add(round(checksum, 2))
                    print(f"{engine:10} {fmt:7} {seconds:8.2f} {rows / seconds:12,.0f}")
            for engine in ("DuckDB", "PostgreSQL"):
                ratio = rates[(engine, "binary")] / rates[(engine, "text")]
                same = "same values" if len(checks[engine]) == 1 else "VALUES DIFFER"
                print(f"{engine}: binary = {ratio:.2f}x text ({same})")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(args.url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
