"""Scale-out benchmark: the generator on the local process pool and on Dask, same schema and seed.

    python -m bench.scale_out [--rows 5000000] [--scaling-rows 100000000] [--big-rows 1000000000]
                              [--batch-size 1000000] [--skip-scaling] [--skip-big] [--json]

1. Five runners on the issue-3 workload (customers 100k -> orders 500k -> order_items `--rows`), each in a fresh
   child process: local 1 worker, local 2 workers, Dask LocalCluster 1 and 2 workers, and a scheduler + 2 workers
   started as separate processes on loopback (`python -m dask scheduler` / `dask worker`). Printed: seconds, rows/s,
   peak RSS per process (client, each worker, scheduler), and whether the sha256 of every part is equal across all
   five (the parts are compared file by file).
2. Scaling 1 -> 2 workers at `--scaling-rows` on Dask (separate scheduler and worker processes; the client only
   submits), with the local pool beside it.
3. `--big-rows` rows through Dask (scheduler + 2 workers) to Parquet, with each worker's peak RSS; the run is sized
   to the disk (it refuses when the estimate does not fit in `df` of the output folder, and says so).

Peak RSS is each process's own VmHWM, read from /proc while it runs (the high-water mark, so sampling cannot miss
a peak), for every process of the runner's tree and of the cluster. The machine is shared: wall-clock figures move
between runs; ratios measured in the same run are the steadier numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.workload import table_rows  # noqa: E402

SEED = 20260419
BYTES_PER_ROW = 6.5  # order_items Parquet bytes per row, measured (100M rows ~ 650 MB); for the disk check


# -- per-process peak memory --------------------------------------------------------------------------------------


def _status(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    with contextlib.suppress(OSError):
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(p) for p in fh.read().split())
    return out


def _role(pid: int, client: int) -> str:
    """client (the runner's own process), scheduler, worker (pool or Dask worker processes), or helper
    (multiprocessing's resource tracker / fork server, a Dask nanny)."""
    if pid == client:
        return "client"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "helper"
    if "dask scheduler" in cmd:
        return "scheduler"
    if "resource_tracker" in cmd or "forkserver" in cmd:
        return "helper"
    if _status(pid, "VmHWM") < 40 * 2**20 and "spawn_main" not in cmd:
        return "helper"
    return "worker"


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """User + system CPU seconds of the process so far."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


class PeakMemory:
    """Samples VmHWM (and CPU time) of every process under the given roots (and the roots) until stopped."""

    def __init__(self, roots: list[int], every: float = 0.1) -> None:
        self.roots = roots
        self.every = every
        self.peaks: dict[int, tuple[str, int]] = {}
        self.cpu: dict[int, tuple[float, float]] = {}  # pid -> (first seen, last seen) CPU seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            stack, seen = list(self.roots), set()
            while stack:
                pid = stack.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                hwm = _status(pid, "VmHWM")
                used = _cpu(pid)
                first = self.cpu.get(pid, (used if pid in self.roots[1:] else 0.0, used))[0]
                self.cpu[pid] = (first, used)
                if hwm:
                    role = self.peaks.get(pid, (_role(pid, self.roots[0]), 0))[0]
                    self.peaks[pid] = (role, max(hwm, self.peaks.get(pid, (role, 0))[1]))
                stack.extend(_children(pid))
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds used while sampling, per role (a cluster's processes: only what this run used)."""
        out: dict[str, float] = {}
        for pid, (first, last) in self.cpu.items():
            role = self.peaks.get(pid, ("helper", 0))[0]
            out[role] = out.get(role, 0.0) + last - first
        return out

    def by_role(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for role, peak in self.peaks.values():
            out.setdefault(role, []).append(peak)
        return {role: sorted(values, reverse=True) for role, values in out.items()}


# -- a cluster of separate processes ------------------------------------------------------------------------------


@contextlib.contextmanager
def process_cluster(root: Path, workers: int) -> Iterator[tuple[str, list[int]]]:
    """`python -m dask scheduler` + `workers` x `python -m dask worker` (1 thread, no nanny) on loopback."""
    root.mkdir(parents=True, exist_ok=True)
    sfile = root / "scheduler.json"
    procs: list[subprocess.Popen[bytes]] = []
    common = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    procs.append(subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                                   "--no-dashboard", "--scheduler-file", str(sfile)], **common))  # type: ignore[call-overload]  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (sfile.is_file() and sfile.read_text().strip().endswith("}")):
            if time.monotonic() > deadline:
                raise RuntimeError("the Dask scheduler did not start")
            time.sleep(0.1)
        address = json.loads(sfile.read_text())["address"]
        for i in range(workers):
            args = [sys.executable, "-m", "dask", "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                    "--memory-limit", "0", "--name", f"w{i}", "--local-directory", str(root / f"w{i}")]  # fmt: skip
            procs.append(subprocess.Popen(args, **common))  # type: ignore[call-overload]
        import distributed

        with distributed.Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address, [p.pid for p in procs]
    finally:
        for p in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


# -- children -------------------------------------------------------------------------------------------------


def child(ns: argparse.Namespace) -> None:
    from bench.workload import workload
    from dw_simulator.generator import generate_experiment
    from dw_simulator.generator.run import executor_for

    schema = workload(table_rows(order_items=ns.rows))
    startup = 0.0
    cluster: Any = None
    if ns.runner.startswith("local"):
        executor = executor_for("local", workers=ns.workers)
    elif ns.scheduler:
        executor = executor_for("dask", scheduler=ns.scheduler)
    else:
        import logging

        import distributed

        started = time.perf_counter()
        cluster = distributed.LocalCluster(n_workers=ns.workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)  # fmt: skip
        startup = time.perf_counter() - started
        executor = executor_for("dask", scheduler=cluster.scheduler_address)
    started = time.perf_counter()
    result = generate_experiment(schema, Path(ns.out), seed=SEED, batch_size=ns.batch_size, executor=executor)
    seconds = time.perf_counter() - started
    if cluster is not None:
        cluster.close()
    size = sum(Path(p).stat().st_size for t in result.tables.values() for p in t.parts)
    parts = sum(len(t.parts) for t in result.tables.values())
    print(json.dumps({"seconds": seconds, "startup": startup, "rows": result.rows, "bytes": size, "parts": parts,
                      "workers": result.workers}))  # fmt: skip


def run_runner(runner: str, workers: int, rows: int, out: Path, batch_size: int,
               scheduler: str | None = None, cluster_pids: list[int] | None = None) -> dict[str, Any]:  # fmt: skip
    cmd = [sys.executable, "-m", "bench.scale_out", "--child", runner, "--workers", str(workers), "--rows", str(rows),
           "--out", str(out), "--batch-size", str(batch_size)]  # fmt: skip
    if scheduler:
        cmd += ["--scheduler", scheduler]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakMemory([proc.pid, *(cluster_pids or [])]) as memory:
        stdout, stderr = proc.communicate(timeout=6 * 3600)
    if proc.returncode:
        raise RuntimeError(f"{runner} failed ({proc.returncode}):\n{stderr[-3000:]}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result["runner"] = runner
    result["memory"] = memory.by_role()
    result["cpu"] = memory.cpu_by_role()
    result["rows_per_s"] = result["rows"] / result["seconds"]
    busy = result["cpu"].get("worker", 0.0) or result["cpu"].get("client", 0.0)
    result["rows_per_cpu_s"] = result["rows"] / busy if busy else 0.0
    return result


def part_digests(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*.parquet"))}


# -- report ---------------------------------------------------------------------------------------------------


def mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB"


def describe_memory(memory: dict[str, list[int]]) -> str:
    order = ["client", "worker", "scheduler"]
    return "; ".join(f"{role} {', '.join(mib(v) for v in memory[role])}" for role in order if role in memory)


def row(result: dict[str, Any]) -> str:
    cpu = result["cpu"]
    return (f"| {result['runner']} | {result['workers']} | {result['seconds']:.1f} | {result['startup']:.1f} | "
            f"{result['rows_per_s'] / 1e6:.2f}M | {cpu.get('worker', 0):.1f} / {cpu.get('client', 0):.1f} | "
            f"{result['rows_per_cpu_s'] / 1e6:.2f}M | {describe_memory(result['memory'])} |")  # fmt: skip


HEADER = (
    "| runner | workers | seconds | cluster start s | rows/s | CPU s workers / client | rows per worker CPU-s | "
    "peak RSS per process |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
)


def compare(ns: argparse.Namespace, work: Path) -> dict[str, Any]:
    runners = [("local-1", 1, None), ("local-2", 2, None), ("dask-localcluster-1", 1, None),
               ("dask-localcluster-2", 2, None), ("dask-processes-2", 2, "cluster")]  # fmt: skip
    results, digests = [], {}
    for name, workers, cluster in runners:
        out = work / name
        if cluster:
            with process_cluster(work / "cluster", workers) as (address, pids):
                result = run_runner(name, workers, ns.rows, out, ns.batch_size, address, pids)
        else:
            result = run_runner(name, workers, ns.rows, out, ns.batch_size)
        digests[name] = part_digests(out)
        shutil.rmtree(out)
        results.append(result)
        print(row(result), flush=True)
    reference = digests["local-1"]
    equal = all(d == reference for d in digests.values())
    print(f"\nsha256 of every part equal across all five: {'yes' if equal else 'NO'} ({len(reference)} parts, "
          f"{results[0]['rows']:,} rows)")  # fmt: skip
    if not equal:
        for name, d in digests.items():
            print(f"  {name}: {sum(1 for k in reference if d.get(k) != reference[k])} parts differ")
    return {"runs": results, "parts": len(reference), "equal": equal}


def scaling(ns: argparse.Namespace, work: Path) -> dict[str, Any]:
    results = {}
    for workers in (1, 2):
        with process_cluster(work / f"scale-cluster-{workers}", workers) as (address, pids):
            result = run_runner(f"dask-processes-{workers}", workers, ns.scaling_rows, work / "scale", ns.batch_size,
                                address, pids)  # fmt: skip
        shutil.rmtree(work / "scale")
        results[f"dask-{workers}"] = result
        print(row(result), flush=True)
    for workers in (1, 2):
        result = run_runner(f"local-{workers}", workers, ns.scaling_rows, work / "scale", ns.batch_size)
        shutil.rmtree(work / "scale")
        results[f"local-{workers}"] = result
        print(row(result), flush=True)
    dask_ratio = results["dask-2"]["rows_per_s"] / results["dask-1"]["rows_per_s"]
    local_ratio = results["local-2"]["rows_per_s"] / results["local-1"]["rows_per_s"]
    print(f"\nscaling 1 -> 2 workers at {results['dask-1']['rows']:,} rows: dask {dask_ratio:.2f}x, "
          f"local pool {local_ratio:.2f}x (goal >= 1.7x on 2 cores)")  # fmt: skip
    return {"runs": results, "dask_ratio": dask_ratio, "local_ratio": local_ratio}


def big(ns: argparse.Namespace, work: Path) -> dict[str, Any]:
    free = shutil.disk_usage(work).free
    rows = ns.big_rows
    needed = rows * BYTES_PER_ROW * 1.2
    if needed > free:
        rows = int(free / (BYTES_PER_ROW * 1.2) // 10_000_000 * 10_000_000)
        print(f"{ns.big_rows:,} rows need ~{needed / 1e9:.0f} GB, {free / 1e9:.0f} GB free: running {rows:,} rows")
    with process_cluster(work / "big-cluster", 2) as (address, pids):
        result = run_runner("dask-processes-2", 2, rows, work / "big", ns.batch_size, address, pids)
    shutil.rmtree(work / "big")
    print(row(result), flush=True)
    worst = max(result["memory"].get("worker", [0]))
    print(f"\n{result['rows']:,} rows ({result['bytes'] / 1e9:.1f} GB of Parquet, {result['parts']} parts) "
          f"through Dask in {result['seconds']:.0f} s; peak RSS per worker {mib(worst)} (goal < 1 GiB: "
          f"{'met' if worst < 2**30 else 'NOT met'})")  # fmt: skip
    return {"run": result, "rows": rows, "worker_peak": worst}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000_000, help="order_items rows of the five-runner comparison")
    parser.add_argument("--scaling-rows", type=int, default=100_000_000)
    parser.add_argument("--big-rows", type=int, default=1_000_000_000)
    parser.add_argument("--batch-size", type=int, default=1_000_000, help="rows per part (work unit)")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--work-dir", type=Path, default=None, help="where parts are written (default: a temp dir)")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this file")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--scheduler", default=None, help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.child:
        ns.runner = ns.child
        child(ns)
        return
    work = Path(tempfile.mkdtemp(prefix="dwsim-scale-", dir=ns.work_dir))
    figures: dict[str, Any] = {"cpus": os.cpu_count(), "load": os.getloadavg(), "batch_size": ns.batch_size}
    try:
        print(f"# Scale-out benchmark (batch {ns.batch_size:,} rows per part, {os.cpu_count()} cores, "
              f"load {os.getloadavg()[0]:.1f})\n")  # fmt: skip
        print(f"## Five runners, {ns.rows:,} order_items\n\n{HEADER}")
        figures["compare"] = compare(ns, work)
        if not ns.skip_scaling:
            print(f"\n## Scaling, {ns.scaling_rows:,} order_items\n\n{HEADER}")
            figures["scaling"] = scaling(ns, work)
        if not ns.skip_big:
            print(f"\n## {ns.big_rows:,} rows through Dask\n\n{HEADER}")
            figures["big"] = big(ns, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if ns.json:
        ns.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
