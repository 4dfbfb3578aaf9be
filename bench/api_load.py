"""API load benchmark: N concurrent clients against a real `dw-sim serve` on 127.0.0.1.

    python -m bench.api_load [--clients 8] [--requests 400] [--max-seconds 30] [--rows 20000] [--json]

Starts the server in a child process on a free loopback port with a throwaway data root, creates a two-table
experiment and generates `--rows` orders, then runs two scenarios one after the other, each with `--clients`
threads (one HTTP connection each) sharing `--requests` requests, stopped early after `--max-seconds`:

  * list:  GET /api/experiments
  * query: POST /api/experiments/bench/query with a small aggregate

It prints p50/p99 latency, throughput and errors (non-2xx answers and transport failures) per scenario. Nothing
leaves the machine: the server binds 127.0.0.1 and the clients only talk to it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"
QUERY = "select count(*) as n, round(avg(amount), 2) as avg_amount from orders where amount > 100"


def schema(rows: int) -> dict[str, Any]:
    return {
        "name": "bench",
        "tables": [
            {
                "name": "customers",
                "target_rows": max(1, rows // 5),
                "columns": [
                    {"name": "customer_id", "data_type": "INT", "is_unique": True, "required": True},
                    {"name": "email", "data_type": "VARCHAR", "faker_rule": "internet.email"},
                ],
            },
            {
                "name": "orders",
                "target_rows": rows,
                "columns": [
                    {"name": "order_id", "data_type": "INT", "is_unique": True, "required": True},
                    {
                        "name": "customer_id",
                        "data_type": "INT",
                        "required": True,
                        "foreign_key": {"references_table": "customers", "references_column": "customer_id"},
                    },
                    {"name": "amount", "data_type": "DECIMAL(10,2)", "min_value": 1, "max_value": 500},
                ],
            },
        ],
    }


@dataclass
class Scenario:
    name: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)
        return {
            "scenario": self.name,
            "requests": len(lat) + len(self.errors),
            "ok": len(lat),
            "errors": len(self.errors),
            "error_samples": sorted(set(self.errors))[:3],
            "p50_ms": round(_percentile(lat, 50) * 1000, 2) if lat else None,
            "p99_ms": round(_percentile(lat, 99) * 1000, 2) if lat else None,
            "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else None,
            "max_ms": round(lat[-1] * 1000, 2) if lat else None,
            "req_per_s": round(len(lat) / self.seconds, 1) if self.seconds else None,
            "seconds": round(self.seconds, 2),
        }


def _percentile(sorted_values: list[float], pct: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    rank = (len(sorted_values) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(data_root: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "DW_SIM_DATA_ROOT": str(data_root), "DW_SIM_LOG_LEVEL": "WARNING"}
    env.pop("DW_SIM_API_TOKEN", None)
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dw_simulator", "serve", "--host", HOST, "--port", str(port)],
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
        cwd=data_root.parent,
    )
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not come up in 60 s")


def prepare(url: str, rows: int) -> None:
    with httpx.Client(base_url=url, timeout=300) as http:
        http.post("/api/experiments", json=schema(rows)).raise_for_status()
        run_id = http.post("/api/experiments/bench/generate", json={"seed": 1}).json()["run_id"]
        while True:
            status = http.get(f"/api/runs/{run_id}").json()["status"]
            if status not in ("PENDING", "RUNNING"):
                break
            time.sleep(0.1)
        if status != "COMPLETED":
            raise SystemExit(f"generation ended {status}")
        http.post("/api/experiments/bench/query", json={"sql": QUERY}).raise_for_status()  # warm-up, not measured


def run_scenario(url: str, scenario: Scenario, clients: int, requests: int, max_seconds: float) -> None:
    remaining = [requests]
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        with httpx.Client(base_url=url, timeout=max_seconds + 5) as http:
            while time.monotonic() < deadline:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                started = time.perf_counter()
                try:
                    response = http.request(scenario.method, scenario.path, json=scenario.body)
                    elapsed = time.perf_counter() - started
                    if response.is_success:
                        with lock:
                            scenario.latencies.append(elapsed)
                    else:
                        with lock:
                            scenario.errors.append(f"HTTP {response.status_code}")
                except httpx.HTTPError as exc:
                    with lock:
                        scenario.errors.append(type(exc).__name__)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    scenario.seconds = time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (1-64)")
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario (1-100000)")
    parser.add_argument("--max-seconds", type=float, default=30.0, help="time cap per scenario (0.1-600)")
    parser.add_argument("--rows", type=int, default=20_000, help="orders rows to generate (100-10000000)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    clients = min(max(args.clients, 1), 64)
    requests = min(max(args.requests, 1), 100_000)
    max_seconds = min(max(args.max_seconds, 0.1), 600.0)
    rows = min(max(args.rows, 100), 10_000_000)

    tmp = Path(tempfile.mkdtemp(prefix="dwsim-api-load-"))
    proc, url = start_server(tmp / "data", tmp / "server.log")
    try:
        prepare(url, rows)
        scenarios = [
            Scenario("list", "GET", "/api/experiments"),
            Scenario("query", "POST", "/api/experiments/bench/query", {"sql": QUERY}),
        ]
        for scenario in scenarios:
            run_scenario(url, scenario, clients, requests, max_seconds)
        server_errors = [line for line in (tmp / "server.log").read_text().splitlines() if '"level": "error"' in line]
        results = {
            "clients": clients,
            "requests_per_scenario": requests,
            "max_seconds": max_seconds,
            "orders_rows": rows,
            "cpus": os.cpu_count(),
            "scenarios": [s.summary() for s in scenarios],
            "server_errors": server_errors[:3],
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"API load: {clients} clients, {requests} requests per scenario (cap {max_seconds:g} s), {rows:,} orders")
        print(f"{'scenario':<8} {'ok':>6} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>7}")
        for s in results["scenarios"]:
            print(
                f"{s['scenario']:<8} {s['ok']:>6} {s['errors']:>6} {s['p50_ms'] or '-':>8} {s['p99_ms'] or '-':>8} "
                f"{s['max_ms'] or '-':>8} {s['req_per_s'] or '-':>7}"
            )
            if s["error_samples"]:
                print(f"         error samples: {', '.join(s['error_samples'])}")
        for line in results["server_errors"]:
            entry = json.loads(line)
            tail = (entry.get("exception") or "").strip().splitlines()[-3:]
            print(f"server log: {entry.get('message')}: {' | '.join(tail)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
