"""Helpers for the API tests: a schema to work with, SSE parsing, and a real `dw-sim serve` in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

SHOP_SCHEMA: dict[str, Any] = {
    "name": "shop",
    "description": "customers and orders",
    "tables": [
        {
            "name": "customers",
            "target_rows": 200,
            "columns": [
                {"name": "customer_id", "data_type": "INT", "is_unique": True, "required": True},
                {"name": "email", "data_type": "VARCHAR", "faker_rule": "internet.email"},
                {"name": "signup", "data_type": "DATE"},
            ],
        },
        {
            "name": "orders",
            "target_rows": 500,
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

SALES_SQL = """\
CREATE TABLE sales (
  region_id INT NOT NULL,
  store_id INT NOT NULL,
  sale_date DATE,
  amount DECIMAL(10,2),
  PRIMARY KEY (region_id, store_id)
);
"""

# Big enough that a run is still going when the test acts on it (cancel, race, kill); it never runs to the end.
BIG_RUN = {"rows": {"customers": 20_000_000, "orders": 20_000_000}, "batch_size": 2000}


@dataclass
class Event:
    name: str
    data: dict[str, Any]


def parse_sse(lines: list[str]) -> list[Event]:
    events: list[Event] = []
    name, data = "message", []
    for line in [*lines, ""]:
        if line == "":
            if data:
                events.append(Event(name, json.loads("\n".join(data))))
            name, data = "message", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
    return events


def read_events(client: Any, run_id: int, *, until_progress: bool = False, headers: Any = None) -> list[Event]:
    """Follow /api/runs/{id}/events (TestClient or httpx.Client) to its end, or to the first progress event."""
    lines: list[str] = []
    with client.stream("GET", f"/api/runs/{run_id}/events", headers=headers) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        current = ""
        for line in response.iter_lines():
            lines.append(line)
            if line.startswith("event:"):
                current = line[6:].strip()
            elif line == "" and until_progress and current == "progress":
                break
    return parse_sse(lines)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """`dw-sim serve` on 127.0.0.1 and a free port, in its own process, with its stdout in a file."""

    data_root: Path
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "OTEL_EXPORTER_OTLP_ENDPOINT"}
        # the wire endpoints have their own tests; here they would only compete for their fixed default ports
        env.update({"DW_SIM_DATA_ROOT": str(self.data_root), "DW_SIM_REDSHIFT_ENDPOINT_ENABLED": "false", **self.env})
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dw_simulator", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.data_root.parent,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dw-sim serve exited with {self.proc.returncode}:\n{self.log_path.read_text()}")
            try:
                if httpx.get(self.url + "/health", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"dw-sim serve did not come up:\n{self.log_path.read_text()}")
            time.sleep(0.1)

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)

    def stop(self) -> int:
        """Graceful stop (SIGTERM), as a user's Ctrl-C or `docker stop`."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to record anything."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)  # reap it, so its pid is really gone

    def log_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line.startswith("{")]
