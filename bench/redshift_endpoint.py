"""Redshift endpoint benchmark: the round-trip latency of a trivial query and the rows/s of fetching a 1M-row result
through the endpoint, against the same through a direct PostgreSQL connection, in the same run. Target: the
endpoint's rows/s >= 0.7x the direct connection's.

    .venv/bin/python -m bench.redshift_endpoint [--rows 1000000] [--url postgresql://postgres@127.0.0.1:5432/postgres]

The endpoint runs in a process of its own (as under `dw-sim serve`), serving a `redshift` experiment (PostgreSQL)
and an embedded-DuckDB experiment holding the same table. The client is psycopg 3 (text format) for every side;
TLS is off everywhere so the figures compare the protocol paths. Each fetch runs --rounds times; the best is kept.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

SCHEMA = """
name: {name}
target_warehouse: {warehouse}
tables:
  - name: facts
    target_rows: 1
    columns:
      - {{name: id, data_type: BIGINT}}
      - {{name: label, data_type: VARCHAR, varchar_length: 32}}
      - {{name: amount, data_type: "DECIMAL(12,2)"}}
      - {{name: created_at, data_type: TIMESTAMP}}
"""


def _serve(data_root: str, url: str) -> None:
    """Child process: the endpoint on a free port; prints the port."""
    from dw_simulator.config import Settings
    from dw_simulator.endpoints.redshift.runner import serve_standalone
    from dw_simulator.endpoints.redshift.server import EndpointConfig
    from dw_simulator.service import Simulator

    settings = Settings(data_root=Path(data_root), redshift_url=url)
    config = EndpointConfig.from_settings(settings, host="127.0.0.1", port=0, tls=False)

    def ready(endpoint: object) -> None:
        print(endpoint.address[1], flush=True)  # type: ignore[attr-defined]

    serve_standalone(Simulator(settings), config, on_ready=ready)


def _prepare(data_root: Path, url: str, rows: int) -> None:
    from dw_simulator.backends.duckdb import DuckDBBackend
    from dw_simulator.config import Settings
    from dw_simulator.service import Simulator

    settings = Settings(data_root=data_root, redshift_url=url)
    with Simulator(settings) as sim:
        sim.create_experiment_from_text(SCHEMA.format(name="bench_pg", warehouse="redshift"))
        sim.create_experiment_from_text(SCHEMA.format(name="bench_duck", warehouse="duckdb"))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO bench_pg.facts SELECT g, 'label ' || g, (g %% 100000) * 0.01, "
            "timestamp '2020-01-01' + g * interval '1 second' FROM generate_series(1, %s) g",
            [rows],
        )
        conn.execute("VACUUM ANALYZE bench_pg.facts")
    duck = DuckDBBackend(settings)
    duck.execute_raw(
        "bench_duck",
        "INSERT INTO bench_duck.facts SELECT g, 'label ' || g, CAST((g % 100000) * 0.01 AS DECIMAL(12,2)), "
        "TIMESTAMP '2020-01-01' + to_seconds(g) FROM range(1, ? + 1) t(g)",
        [rows],
    )
    duck.close()


def _latency(url: str, n: int) -> tuple[float, float]:
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(20):
            conn.execute("SELECT 1").fetchall()
        samples = []
        for _ in range(n):
            started = time.perf_counter()
            conn.execute("SELECT 1").fetchall()
            samples.append(time.perf_counter() - started)
    samples.sort()
    return statistics.median(samples) * 1e3, samples[int(len(samples) * 0.95)] * 1e3


def _fetch(url: str, sql: str, rounds: int) -> tuple[float, int]:
    best = float("inf")
    count = 0
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(rounds):
            started = time.perf_counter()
            with conn.cursor() as cur:
                cur.execute(sql)
                count = len(cur.fetchall())
            best = min(best, time.perf_counter() - started)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the fetched result")
    parser.add_argument("--rounds", type=int, default=3, help="fetches per side (the best is kept)")
    parser.add_argument("--pings", type=int, default=500, help="trivial queries for the latency figures")
    parser.add_argument(
        "--url", default=os.environ.get("DW_SIM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--serve", nargs=2, metavar=("DATA_ROOT", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(*args.serve)
        return

    database = f"dwsim_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    url = args.url.rsplit("/", 1)[0] + "/" + database
    server = None
    try:
        with tempfile.TemporaryDirectory(prefix="dwsim-bench-") as tmp:
            data_root = Path(tmp)
            print(f"preparing {args.rows:,} rows on PostgreSQL and DuckDB ...", flush=True)
            _prepare(data_root, url, args.rows)
            server = subprocess.Popen(
                [sys.executable, "-m", "bench.redshift_endpoint", "--serve", str(data_root), url],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert server.stdout is not None
            port = int(server.stdout.readline())
            endpoint = "postgresql://mockuser:mockpass@127.0.0.1:{port}/{db}?sslmode=disable"
            sides = {
                "direct PostgreSQL": (url, "SELECT * FROM bench_pg.facts"),
                "endpoint -> PostgreSQL": (endpoint.format(port=port, db="bench_pg"), "SELECT * FROM facts"),
                "endpoint -> DuckDB": (endpoint.format(port=port, db="bench_duck"), "SELECT * FROM facts"),
            }
            results = {}
            for name, (side_url, sql) in sides.items():
                median, p95 = _latency(side_url, args.pings)
                elapsed, count = _fetch(side_url, sql, args.rounds)
                assert count == args.rows, f"{name}: fetched {count} rows, expected {args.rows}"
                results[name] = (median, p95, elapsed, count / elapsed)
            print(
                f"\n{'':24} {'SELECT 1 median':>16} {'p95':>9} {'fetch ' + format(args.rows, ','):>14} {'rows/s':>12}"
            )
            for name, (median, p95, elapsed, rate) in results.items():
                print(f"{name:24} {median:13.3f} ms {p95:6.3f} ms {elapsed:11.2f} s {rate:12,.0f}")
            direct = results["direct PostgreSQL"][3]
            ratio = results["endpoint -> PostgreSQL"][3] / direct
            duck_ratio = results["endpoint -> DuckDB"][3] / direct
            verdict = "meets" if ratio >= 0.7 else "MISSES"
            print(f"\nendpoint -> PostgreSQL rows/s = {ratio:.2f}x direct ({verdict} the 0.7x target)")
            print(f"endpoint -> DuckDB rows/s = {duck_ratio:.2f}x direct PostgreSQL")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(args.url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
