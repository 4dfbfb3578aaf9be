"""Benchmark of the generator against two baselines, all in one process tree and one run.

    python -m bench.generate [--scale 1] [--repeat 3] [--workers 1,2] [--rows-order-items N] [--json]

Workload (issue 3): customers 100k (customer_id unique, first_name, last_name, email unique, signup_date
2023-2024), orders 500k (order_id unique, customer_id FK, order_total normal(150, 50), order_date), order_items 1M
(item_id unique, order_id FK, product_name, quantity 1-10); `--scale` multiplies every table.

Runners, each in a fresh child process (repeated, medians reported):
  * dw-sim's engine (`generate_experiment`) with 1 and 2 workers;
  * a plain Python loop of Faker calls writing the same Parquet files, on a `--faker-fraction` subset of the rows
    (its rows/s is extrapolated from the subset, and the output says so);
  * DuckDB's TPC-H generator `CALL dbgen(sf=0.1)` (in memory, and then copied to Parquet) when the `tpch`
    extension can be loaded offline: installed already, from the `duckdb-extension-tpch` package of the same
    DuckDB version, or under the interpreter named by `--dbgen-python` / $DW_SIM_BENCH_DBGEN_PYTHON, e.g.

        make bench-dbgen      # creates .venv-dbgen with duckdb==1.5.5 + duckdb-extension-tpch==1.5.5
        python -m bench.generate   # picks up .venv-dbgen/bin/python when it exists

    (PyPI has no tpch build for the project's DuckDB 2.x and `INSTALL tpch` needs the extension server.)
    Otherwise the output says it was not measurable.

Peak RSS is the largest sum of resident memory over the child's whole process tree (worker processes included,
pages they share counted once per process), sampled from /proc every few milliseconds, and never less than the
child's own VmHWM. "CPU s" is the CPU time of the measured section (workers included): on a shared machine it
moves less than wall-clock time, so rows per CPU-second is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/generate.py` as well as `python -m bench.generate`
    sys.path.insert(0, str(ROOT))

from bench.workload import cells, table_rows  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.005


# -- measuring a child process tree ---------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(p) for p in fh.read().split())
        except OSError:
            continue
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> int:
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _rss(current)
        stack.extend(_children(current))
    return total


def run_child(args: list[str], python: str | None = None, script: bool = False) -> dict[str, Any]:
    """Run a child (`-m bench.generate --child ...` or a script), sample its tree's RSS, return its JSON line."""
    cmd = [python or sys.executable, *(args if script else ["-m", "bench.generate", *args])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate(timeout=3600)
    stop.set()
    sampler.join(timeout=10)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_rss"] = max(peak, int(result.get("hwm_kib", 0)) * 1024)
    return result


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the engine's worker processes)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _own_hwm_kib() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


# -- children -------------------------------------------------------------------------------------------------


def child_engine(ns: argparse.Namespace) -> None:
    from bench.workload import workload
    from dw_simulator.generator import generate_experiment

    rows = json.loads(ns.rows)
    schema = workload(rows)
    cpu = _cpu_seconds()
    result = generate_experiment(schema, Path(ns.out), seed=42, workers=ns.child_workers, batch_size=ns.batch_size)
    cpu = _cpu_seconds() - cpu
    written = sum(f.stat().st_size for f in result.files)
    print(json.dumps({"rows": result.rows, "cells": cells(rows), "seconds": result.seconds, "bytes": written,
                      "cpu_seconds": cpu, "hwm_kib": _own_hwm_kib()}))  # fmt: skip


def child_faker(ns: argparse.Namespace) -> None:
    from bench import faker_baseline

    rows = json.loads(ns.rows)
    cpu = _cpu_seconds()
    measured = faker_baseline.run(rows, Path(ns.out))
    cpu = _cpu_seconds() - cpu
    print(json.dumps({"rows": sum(rows.values()), "cells": cells(rows), **measured, "cpu_seconds": cpu,
                      "hwm_kib": _own_hwm_kib()}))  # fmt: skip


# -- the driver -----------------------------------------------------------------------------------------------


@dataclass
class Runner:
    name: str
    runs: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    extrapolated: bool = False

    def median(self, key: str) -> float:
        return statistics.median(float(r[key]) for r in self.runs)

    def rate(self, key: str, seconds_key: str = "seconds") -> float:
        return statistics.median(float(r[key]) / float(r[seconds_key]) for r in self.runs)


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:,.2f}{suffix}{unit}"
    return f"{value:,.2f}{unit}"


def drive(ns: argparse.Namespace) -> dict[str, Any]:
    """Run every runner `--repeat` times, interleaved (A B C A B C...) so that load from other processes on the
    machine spreads over all runners alike."""
    rows = table_rows(ns.scale, ns.rows_order_items)
    total_rows, total_cells = sum(rows.values()), cells(rows)
    work = Path(tempfile.mkdtemp(prefix="dwsim-bench-", dir=ns.tmp))
    dbgen_note = ""

    def engine(workers: int) -> Callable[[str], dict[str, Any]]:
        args = ["--child", "engine", "--rows", json.dumps(rows), "--child-workers", str(workers), "--batch-size",
                str(ns.batch_size)]  # fmt: skip
        return lambda out: run_child([*args, "--out", out])

    jobs: list[tuple[list[Runner], Callable[[str], dict[str, Any] | None]]] = [
        ([Runner(f"dw-sim engine, {workers} worker{'s' if workers > 1 else ''}")], engine(workers))
        for workers in ns.workers
    ]
    if not ns.skip_faker:
        subset = {name: max(1, round(count * ns.faker_fraction)) for name, count in rows.items()}
        faker = Runner(f"Faker loop ({ns.faker_fraction:.0%} subset)", extrapolated=True,
                       note=f"measured on {sum(subset.values()):,} rows, rates extrapolated")  # fmt: skip
        jobs.append(([faker], lambda out: run_child(["--child", "faker", "--rows", json.dumps(subset), "--out", out])))
    if not ns.skip_dbgen:
        memory = Runner(f"DuckDB dbgen sf={ns.dbgen_sf} (in memory)")
        parquet = Runner(f"DuckDB dbgen sf={ns.dbgen_sf} + COPY to Parquet", note="zstd")

        def dbgen(out: str) -> dict[str, Any] | None:
            nonlocal dbgen_note
            result = run_child([str(ROOT / "bench" / "dbgen_baseline.py"), "--sf", str(ns.dbgen_sf), "--out", out],
                               python=ns.dbgen_python, script=True)  # fmt: skip
            if "unavailable" in result:
                dbgen_note = (f"DuckDB dbgen not measurable offline (DuckDB {result.get('duckdb')}): "
                              f"{result['unavailable']}")  # fmt: skip
                return None
            memory.note = f"{result['source']}, {result['threads']} threads"
            memory.runs.append({**result, "bytes": 0})
            both = result["seconds"] + result["copy_seconds"]
            parquet.runs.append({**result, "seconds": both, "cpu_seconds": result["cpu_seconds"] + result["copy_cpu"]})
            return None

        jobs.append(([memory, parquet], dbgen))
    try:
        for _ in range(ns.repeat):
            for runners_of_job, job in list(jobs):
                out = str(work / "out")
                shutil.rmtree(out, ignore_errors=True)
                result = job(out)
                if result is not None:
                    runners_of_job[0].runs.append(result)
                elif dbgen_note:
                    jobs.remove((runners_of_job, job))
                shutil.rmtree(out, ignore_errors=True)
    finally:
        if not ns.keep:
            shutil.rmtree(work, ignore_errors=True)
    runners = [r for runners_of_job, _ in jobs for r in runners_of_job if r.runs]

    table = [
        {
            "runner": r.name, "rows": r.median("rows"), "cells": r.median("cells"), "seconds": r.median("seconds"),
            "rows_per_s": r.rate("rows"), "cells_per_s": r.rate("cells"),
            "mb_per_s": r.rate("bytes") / 1e6 if r.median("bytes") else None, "peak_rss": r.median("peak_rss"),
            "cpu_seconds": r.median("cpu_seconds"), "rows_per_cpu_s": r.rate("rows", "cpu_seconds"),
            "note": r.note, "repeats": len(r.runs), "extrapolated": r.extrapolated,
        }
        for r in runners
    ]  # fmt: skip
    summary: dict[str, Any] = {"rows": rows, "total_rows": total_rows, "total_cells": total_cells, "results": table,
                               "dbgen_note": dbgen_note}  # fmt: skip
    engine = [t for t in table if t["runner"].startswith("dw-sim")]
    faker = next((t for t in table if t["runner"].startswith("Faker")), None)
    dbgen = [t for t in table if t["runner"].startswith("DuckDB")]
    ratios = []
    for e in engine:
        if faker:
            ratios.append((f"{e['runner']} vs Faker loop, rows/s", e["rows_per_s"] / faker["rows_per_s"], 50.0))
        ratios.extend(
            (f"{e['runner']} vs {d['runner']}, cells/s", e["cells_per_s"] / d["cells_per_s"], 1.0) for d in dbgen
        )
    summary["ratios"] = [{"what": w, "ratio": r, "target": t} for w, r, t in ratios]
    return summary


def report(summary: dict[str, Any], ns: argparse.Namespace) -> None:
    rows = summary["rows"]
    print(f"dw-sim generator benchmark: scale {ns.scale}, " + ", ".join(f"{k} {v:,}" for k, v in rows.items())
          + f" = {summary['total_rows']:,} rows, {summary['total_cells']:,} cells; "
          f"medians of {ns.repeat} run(s), {os.cpu_count()} CPUs")  # fmt: skip
    header = (f"{'runner':44} {'rows/s':>10} {'cells/s':>10} {'MB/s':>8} {'peak RSS':>10} {'seconds':>8} "
              f"{'CPU s':>7} {'rows/CPU-s':>10}  note")  # fmt: skip
    print(header)
    print("-" * len(header))
    for t in summary["results"]:
        print(f"{t['runner']:44} {_fmt(t['rows_per_s']):>10} {_fmt(t['cells_per_s']):>10} "
              f"{_fmt(t['mb_per_s']):>8} {_fmt(t['peak_rss'], 'B'):>10} {t['seconds']:>8.3f} {t['cpu_seconds']:>7.3f} "
              f"{_fmt(t['rows_per_cpu_s']):>10}  {t['note']}")  # fmt: skip
    if summary["dbgen_note"]:
        print(summary["dbgen_note"])
    for r in summary["ratios"]:
        verdict = "meets" if r["ratio"] >= r["target"] else "BELOW"
        print(f"  {r['what']}: {r['ratio']:.1f}x ({verdict} target >= {r['target']:g}x)")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every table's row count")
    parser.add_argument("--rows-order-items", type=int, default=None, help="order_items rows (e.g. 100000000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=100_000)
    parser.add_argument("--faker-fraction", type=float, default=0.02)
    parser.add_argument("--skip-faker", action="store_true")
    parser.add_argument("--skip-dbgen", action="store_true")
    parser.add_argument("--dbgen-sf", type=float, default=0.1)
    parser.add_argument(
        "--dbgen-python",
        default=os.environ.get("DW_SIM_BENCH_DBGEN_PYTHON")
        or (".venv-dbgen/bin/python" if os.path.exists(".venv-dbgen/bin/python") else None),
        help="interpreter whose duckdb loads tpch (default: $DW_SIM_BENCH_DBGEN_PYTHON or this one)",
    )
    parser.add_argument("--tmp", default=None, help="where outputs go (a temporary directory inside it)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--child", choices=["engine", "faker"], help=argparse.SUPPRESS)
    parser.add_argument("--rows", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--child-workers", type=int, default=1, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    ns = parse(argv)
    if ns.child == "engine":
        child_engine(ns)
        return
    if ns.child == "faker":
        child_faker(ns)
        return
    summary = drive(ns)
    if ns.json:
        print(json.dumps(summary, indent=2))
    else:
        report(summary, ns)


if __name__ == "__main__":
    main()
