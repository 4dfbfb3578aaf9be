"""The warehouses' HTTP APIs against the direct paths: latency of one small statement and rows/s of a large result.

    python -m bench.http_apis [--repeat 30] [--rows 100000] [--json]

Runs `dw-sim serve`'s app under uvicorn on a free 127.0.0.1 port (in this process) over a throwaway data root with a
Redshift-dialect experiment on DuckDB, then measures, in the same run, medians of `--repeat`:

  * small statement: `Simulator.query` (baseline; also on the Snowflake-dialect copy, the SQL API's own baseline),
    POST /api/experiments/{name}/query (dw-sim's own HTTP API),
    the Redshift Data API through boto3 (execute_statement, describe_statement polled every 5 ms,
    get_statement_result), the Snowflake SQL API v2 (one synchronous POST, on the same DuckDB experiment read as
    Snowflake SQL);
  * large result (`--rows` rows, 3 columns): rows/s of `Simulator.query` against the Data API's paged
    GetStatementResult and the SQL API's partitions (both 1000 rows a page).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import httpx
import uvicorn

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings
from dw_simulator.service import Simulator

SMALL = "SELECT COUNT(*) AS n, SUM(amount) AS total FROM sales WHERE region = 'north'"
LARGE = "SELECT id, region, amount FROM sales ORDER BY id"
SF_HEADERS = {"Authorization": "Bearer bench", "X-Snowflake-Authorization-Token-Type": "OAUTH"}


def median_s(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def prepare(root: Path, rows: int) -> Settings:
    settings = Settings(data_root=root / "data")
    with Simulator(settings) as sim:
        for name, dialect in (("bench", "redshift"), ("bench_sf", "snowflake")):
            sim.import_sql(
                "CREATE TABLE sales (id INT, region VARCHAR(10), amount DECIMAL(10,2));",
                dialect,
                name=name,
                target_warehouse="duckdb",
            )
            sim.query(
                name,
                f"INSERT INTO sales SELECT n, CASE WHEN n % 2 = 0 THEN 'north' ELSE 'south' END, (n % 1000) / 10.0 "
                f"FROM (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < {rows}) "
                "SELECT n FROM r) t",
            )
    return settings


def serve(settings: Settings) -> tuple[str, uvicorn.Server, threading.Thread]:
    app = create_app(settings, api_settings=ApiSettings())
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    # accepted connections inherit it; without it each response waits ~40 ms for a delayed ACK (Nagle). `dw-sim serve`,
    # where uvicorn binds the socket itself, does not need this
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread


def data_api_rows(rsd: Any, sql: str) -> int:
    started = rsd.execute_statement(Database="bench", Sql=sql)
    while rsd.describe_statement(Id=started["Id"])["Status"] not in ("FINISHED", "FAILED", "ABORTED"):
        time.sleep(0.005)
    count = 0
    for page in rsd.get_paginator("get_statement_result").paginate(Id=started["Id"]):
        count += len(page["Records"])
    return count


def sql_api_rows(http: httpx.Client, sql: str) -> int:
    body = http.post("/api/v2/statements", json={"statement": sql, "database": "bench_sf"}).json()
    count = len(body["data"])
    url = f"/api/v2/statements/{body['statementHandle']}"
    for index in range(1, len(body["resultSetMetaData"]["partitionInfo"])):
        count += len(http.get(url, params={"partition": index}).json()["data"])
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dwsim-bench-http-") as tmp:
        settings = prepare(Path(tmp), args.rows)
        url, server, thread = serve(settings)
        rsd = boto3.client(
            "redshift-data", endpoint_url=url + "/redshift-data", region_name="us-east-1",
            aws_access_key_id="bench", aws_secret_access_key="bench",
        )  # fmt: skip
        sim = Simulator(settings)
        try:
            with httpx.Client(base_url=url, headers=SF_HEADERS, timeout=300) as http:
                small = {
                    "Simulator.query (baseline)": median_s(lambda: sim.query("bench", SMALL), args.repeat),
                    "Simulator.query, Snowflake dialect": median_s(lambda: sim.query("bench_sf", SMALL), args.repeat),
                    "POST /api/.../query": median_s(
                        lambda: http.post("/api/experiments/bench/query", json={"sql": SMALL}), args.repeat
                    ),
                    "Redshift Data API (boto3)": median_s(lambda: data_api_rows(rsd, SMALL), args.repeat),
                    "Snowflake SQL API (sync POST)": median_s(lambda: sql_api_rows(http, SMALL), args.repeat),
                }
                repeat = max(3, args.repeat // 10)
                large = {
                    "Simulator.query (baseline)": median_s(lambda: sim.query("bench", LARGE, limit=0), repeat),
                    "Simulator.query, Snowflake dialect": median_s(
                        lambda: sim.query("bench_sf", LARGE, limit=0), repeat
                    ),
                    "Redshift Data API (boto3)": median_s(lambda: data_api_rows(rsd, LARGE), repeat),
                    "Snowflake SQL API": median_s(lambda: sql_api_rows(http, LARGE), repeat),
                }
        finally:
            sim.close()
            server.should_exit = True
            thread.join(timeout=30)
    result = {
        "small_statement_ms": {k: round(v * 1000, 2) for k, v in small.items()},
        "large_result_rows_per_s": {k: round(args.rows / v) for k, v in large.items()},
        "rows": args.rows,
        "repeat": args.repeat,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    base = small["Simulator.query (baseline)"]
    print(f"small statement (median of {args.repeat}):")
    for name, seconds in small.items():
        print(f"  {name:34s} {seconds * 1000:8.2f} ms  {seconds / base:6.1f}x the baseline")
    base_rate = args.rows / large["Simulator.query (baseline)"]
    print(f"large result ({args.rows} rows, 3 columns):")
    for name, seconds in large.items():
        rate = args.rows / seconds
        print(f"  {name:34s} {rate:10.0f} rows/s  {rate / base_rate:6.2f}x the baseline")


if __name__ == "__main__":
    main()
