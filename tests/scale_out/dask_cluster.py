"""A real Dask cluster for tests: a scheduler and workers as separate processes on loopback.

Started with the `dask` command line (`python -m dask scheduler` / `python -m dask worker`), as a user starts one by
hand; every wait has a timeout, and teardown terminates (then kills) every process it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

START_TIMEOUT = 90.0


@dataclass
class Cluster:
    address: str
    root: Path
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def client(self) -> Any:
        import distributed

        return distributed.Client(self.address, timeout=30, set_as_default=False)

    def add_worker(self, name: str, *, nanny: bool = False) -> subprocess.Popen[bytes]:
        args = [sys.executable, "-m", "dask", "worker", self.address, "--nthreads", "1", "--name", name,
                "--no-dashboard", "--memory-limit", "0", "--death-timeout", "30",
                "--local-directory", str(self.root / name)]  # fmt: skip
        if not nanny:
            args.append("--no-nanny")
        log = (self.root / f"{name}.log").open("wb")
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(process)
        return process

    def wait_for_workers(self, count: int) -> None:
        with self.client() as client:
            client.wait_for_workers(count, timeout=START_TIMEOUT)

    def worker_pids(self) -> dict[str, int]:
        with self.client() as client:
            return dict(client.run(os.getpid))

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.root.glob("*.log"))


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def dask_cluster(root: Path, workers: int = 2) -> Iterator[Cluster]:
    root.mkdir(parents=True, exist_ok=True)
    scheduler_file = root / "scheduler.json"
    log = (root / "scheduler.log").open("wb")
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    cluster = Cluster("", root, scheduler)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not scheduler_file.is_file() or not scheduler_file.read_text().strip().endswith("}"):
            if scheduler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Dask scheduler did not start:\n{cluster.logs()}")
            time.sleep(0.1)
        import json

        cluster.address = json.loads(scheduler_file.read_text())["address"]
        for i in range(workers):
            cluster.add_worker(f"w{i + 1}")
        cluster.wait_for_workers(workers)
        yield cluster
    finally:
        for process in cluster.workers:
            _stop(process)
        _stop(scheduler)
