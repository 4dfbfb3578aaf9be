"""Planning cost against the number of parent rows, the current code next to a baseline commit, in one run.

    python -m bench.planning [--rows 1e6,1e8,1e9,1e10] [--baseline REV] [--baseline-max 1e9] [--timeout 900]
                             [--generate 1e6] [--repeat 3] [--json]

Schema: `customers` (N rows) -> `orders` (foreign key with a cardinality, poisson(0.9) orders per customer: its row
count comes from the layout) -> `order_lines` (composite key (order_id, line_no) following `orders`, min(2N, 10^10)
rows: a layout that gives every order its lines). For each N, a fresh child process imports the package, builds
the plan (`build_plan`) and lists the work units (`unit_parts` and the first 1,000 of `iter_units`); printed:
plan seconds, unit-listing seconds, and the child's peak RSS (VmHWM) less its RSS after the imports.

The baseline is the same measurement on the package as it was at `--baseline` (default: the commit before the
arithmetic layouts), extracted with `git archive` into a temporary folder and put first on PYTHONPATH. It walks
every block of parents, so it is run only up to `--baseline-max` rows (and stopped after `--timeout` seconds).

Last, the whole schema is generated at `--generate` parents (one worker, into a temporary folder), current and
baseline alternating `--repeat` times: rows/s through the layouts (a layout block is rebalanced per batch now).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "1c3d1be"

CHILD = r"""
import itertools, json, sys, time
import dw_simulator
from dw_simulator.generator.plan import build_plan
from dw_simulator.generator.destination import destination_for
from dw_simulator.generator.units import iter_units, unit_parts
from dw_simulator.schema import load_schema_data

def rss(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0

n = int(sys.argv[1])
lines = min(2 * n, 10_000_000_000)
schema = load_schema_data({"name": "planning", "tables": [
    {"name": "customers", "target_rows": n, "columns": [
        {"name": "customer_id", "data_type": "BIGINT", "is_unique": True, "required": True}]},
    {"name": "orders", "target_rows": 1, "columns": [
        {"name": "order_id", "data_type": "BIGINT", "is_unique": True, "required": True},
        {"name": "customer_id", "data_type": "BIGINT", "required": True, "foreign_key": {
            "references_table": "customers", "references_column": "customer_id",
            "cardinality": {"type": "poisson", "lam": 0.9}}}]},
    {"name": "order_lines", "target_rows": lines, "composite_keys": [["order_id", "line_no"]], "columns": [
        {"name": "order_id", "data_type": "BIGINT", "required": True, "foreign_key": {
            "references_table": "orders", "references_column": "order_id"}},
        {"name": "line_no", "data_type": "INT", "required": True},
        {"name": "quantity", "data_type": "INT", "min_value": 1, "max_value": 10}]},
]})
base = rss("VmRSS")
t0 = time.perf_counter()
plan = build_plan(schema, 20260419)
t1 = time.perf_counter()
dest = destination_for("/tmp/bench-planning-unused")
parts = unit_parts(plan, dest, 1_000_000)
units = iter_units(plan, dest, 1_000_000)
first = list(itertools.islice(units, 1000))
t2 = time.perf_counter()
out = {"rows": {t.name: t.rows for t in plan.tables}, "plan_s": t1 - t0, "units_s": t2 - t1,
       "parts": sum(len(p) for p in parts.values()), "peak_rss": rss("VmHWM") - base,
       "package": dw_simulator.__file__}
if len(sys.argv) > 2:  # also generate the tables (one worker): rows/s through the layouts
    import tempfile
    from dw_simulator.generator import generate_experiment
    with tempfile.TemporaryDirectory() as tmp:
        t3 = time.perf_counter()
        result = generate_experiment(schema, tmp, seed=20260419, batch_size=100_000)
        out["generate_s"] = time.perf_counter() - t3
        out["generated_rows"] = result.rows
print(json.dumps(out))
"""


def _measure(n: int, pythonpath: str | None, timeout: float, generate: bool = False) -> dict[str, object]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    try:
        cmd = [sys.executable, "-P", "-c", CHILD, str(n), *(["generate"] if generate else [])]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True,
                             timeout=timeout, cwd=ROOT)  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s"}
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _baseline_tree(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "dw_simulator"], capture_output=True,
                             check=True)  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def _row(label: str, n: int, m: dict[str, object]) -> str:
    if "error" in m:
        return f"{label:<9} {n:>14,}  {m['error']}"
    mib = float(m["peak_rss"]) / 2**20  # type: ignore[arg-type]
    return (f"{label:<9} {n:>14,}  plan {float(m['plan_s']):>9.3f} s   units {float(m['units_s']):>7.3f} s   "  # type: ignore[arg-type]
            f"peak RSS +{mib:>7.1f} MiB   parts {m['parts']:>7}")  # fmt: skip


def _generation(n: int, old: str, timeout: float, repeat: int, rev: str) -> dict[str, object]:
    """Rows/s of generating the whole schema (layouts included), current and baseline alternating."""
    rates: dict[str, list[float]] = {"current": [], "baseline": []}
    for _ in range(repeat):
        for side, path in (("current", None), ("baseline", old)):
            m = _measure(n, path, timeout, generate=True)
            if "generate_s" in m:
                rates[side].append(float(m["generated_rows"]) / float(m["generate_s"]))  # type: ignore[arg-type]
    med = {side: statistics.median(r) if r else float("nan") for side, r in rates.items()}
    print(
        f"generate N={n:,} (1 worker, median of {repeat}): current {med['current']:,.0f} rows/s, "
        f"@{rev} {med['baseline']:,.0f} rows/s, ratio {med['current'] / med['baseline']:.3f}",
        flush=True,
    )
    return {"generate_parents": n, "rows_per_s": med, "runs": rates}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.planning")
    ap.add_argument("--rows", default="1e6,1e8,1e9,1e10", help="parent rows, comma-separated")
    ap.add_argument("--baseline", default=BASELINE, help="git revision measured as the baseline")
    ap.add_argument("--baseline-max", type=float, default=1e9, help="largest N the baseline is run at")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds before a measurement is stopped")
    ap.add_argument("--generate", type=float, default=1e6, help="also generate the schema at this N (0: skip)")
    ap.add_argument("--repeat", type=int, default=3, help="generation runs per side (alternating; medians)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(float(x)) for x in args.rows.split(",")]
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="bench-planning-") as tmp:
        old = _baseline_tree(args.baseline, Path(tmp))
        for n in sizes:
            now = _measure(n, None, args.timeout)
            print(_row("current", n, now), flush=True)
            before: dict[str, object] = {"error": f"not run (above --baseline-max {args.baseline_max:.0e})"}
            if n <= args.baseline_max:
                before = _measure(n, str(old), args.timeout)
            print(_row(f"@{args.baseline}", n, before), flush=True)
            results.append({"parents": n, "current": now, "baseline": before})
        if args.generate:
            results.append(_generation(int(args.generate), str(old), args.timeout, args.repeat, args.baseline))
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
