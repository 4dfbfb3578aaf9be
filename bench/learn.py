"""Learning benchmark: fit + generate 1M rows from a 100k-row sample of a 10-column table, next to SDV.

Both fit the same sample (skewed categories, correlated numbers, a date, a flag, NULLs) and generate the same
number of rows in memory, in the same run: dw-sim's `learn_schema` + the generator's batches (one process), SDV's
`GaussianCopulaSynthesizer` with default settings (`.venv-sdv`, made by `make bench-sdv`, as a subprocess). Both
outputs go through the same fidelity report against the same sample. Prints fit seconds, generated rows/s and the
per-column distances side by side; no thresholds.

    python -m bench.learn [--sample-rows 100000] [--rows 1000000] [--sdv-python .venv-sdv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dw_simulator.generator import build_plan
from dw_simulator.generator.writer import build_batch
from dw_simulator.learn import compare, learn_schema, read_samples
from dw_simulator.schema import ExperimentSchema

ROOT = Path(__file__).resolve().parent.parent
BATCH = 100_000


def sample_table(n: int, seed: int = 11) -> pa.Table:
    """10 columns: lognormal amount ~ quantity ~ discount (correlated), skewed category/region/status, region ~
    ship days, a date, a flag, a bounded score with NULLs."""
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0, 0, 0], [[1, 0.7, -0.4], [0.7, 1, -0.2], [-0.4, -0.2, 1]], n)
    amount = np.exp(3 + 0.8 * z[:, 0]).round(2)
    quantity = np.clip(np.round(np.exp(0.9 + 0.5 * z[:, 1])), 1, None).astype(np.int64)
    discount = np.clip(np.round(10 + 6 * z[:, 2]), 0, 40).astype(np.int64)
    categories = np.array(["books", "music", "games", "garden", "toys", "tools", "food", "art"])
    category = categories[np.minimum(rng.zipf(1.6, n) - 1, 7)]
    regions = np.array(["north", "south", "east", "west"])
    region_idx = rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1])
    ship_days = np.clip(np.round(rng.gamma(2 + region_idx, 1.5)), 0, None).astype(np.int64)
    status = np.array(["delivered", "shipped", "pending", "returned", "lost"])[
        rng.choice(5, n, p=[0.62, 0.2, 0.12, 0.05, 0.01])]  # fmt: skip
    ordered = (np.datetime64("2022-01-01") + (rng.beta(2, 1.3, n) * 1000).astype(np.int64)).astype("datetime64[D]")
    score = rng.beta(5, 2, n).round(3)
    score_mask = rng.random(n) < 0.15
    return pa.table({
        "amount": amount, "quantity": quantity, "discount": discount, "category": category,
        "region": regions[region_idx], "ship_days": ship_days, "status": status, "ordered_on": ordered,
        "is_gift": rng.random(n) < 0.12, "score": pa.array(score, mask=score_mask),
    })  # fmt: skip


def run_ours(sample_path: Path, rows: int) -> tuple[dict[str, float], pa.Table, dict]:
    samples = read_samples(str(sample_path), sample_rows=10**9)
    started = time.perf_counter()
    learned = learn_schema(samples, name="bench_learn")
    schema = ExperimentSchema.model_validate(learned.schema)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    plan = build_plan(schema, 1, {"sample": rows})
    table = plan.table("sample")
    batches = [build_batch(table, start, min(start + BATCH, rows)) for start in range(0, rows, BATCH)]
    gen_s = time.perf_counter() - started
    return {"fit_s": fit_s, "sample_s": gen_s}, pa.concat_tables(batches), learned.reference["tables"]["sample"]


def run_sdv(python: Path, sample_path: Path, rows: int, out: Path) -> tuple[dict[str, float] | None, pa.Table | None,
                                                                            str]:  # fmt: skip
    if not python.exists():
        return None, None, f"{python} is missing: run `make bench-sdv`"
    script = Path(__file__).with_name("sdv_baseline.py")
    done = subprocess.run([str(python), str(script), "--sample", str(sample_path), "--rows", str(rows), "--out",
                           str(out)], capture_output=True, text=True, timeout=3600)  # fmt: skip
    if done.returncode != 0:
        return None, None, f"SDV failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else '?'}"
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures, pq.read_table(out), "ok"


def like(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """SDV's output in the sample's Arrow types (it hands dates back as text, counts as floats)."""
    arrays = []
    for field in schema:
        column = table.column(field.name)
        if column.type != field.type:
            if pa.types.is_string(column.type) and pa.types.is_date(field.type):
                column = pc.cast(pc.strptime(pc.utf8_slice_codeunits(column, 0, 10), "%Y-%m-%d", "s"), field.type)
            elif pa.types.is_integer(field.type):
                column = pc.cast(pc.round(column.cast(pa.float64())), field.type)
            else:
                column = column.cast(field.type)
        arrays.append(column)
    return pa.table(arrays, names=schema.names)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample-rows", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sdv-python", type=Path, default=ROOT / ".venv-sdv" / "bin" / "python")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    ns = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        sample_path = Path(tmp) / "sample.parquet"
        pq.write_table(sample_table(ns.sample_rows), sample_path)
        ours, ours_data, reference = run_ours(sample_path, ns.rows)
        sdv, sdv_data, sdv_status = run_sdv(ns.sdv_python, sample_path, ns.rows, Path(tmp) / "sdv.parquet")
    results = {"sample_rows": ns.sample_rows, "rows": ns.rows, "dw_sim": {**ours, "fidelity": compare(reference,
               ours_data, "sample")}, "sdv": {"status": sdv_status}}  # fmt: skip
    if sdv is not None and sdv_data is not None:
        results["sdv"].update(sdv, fidelity=compare(reference, like(sdv_data, ours_data.schema), "sample"))
    if ns.json:
        print(json.dumps(results, indent=2))
        return
    _print(results)


def _print(results: dict) -> None:
    ours, sdv = results["dw_sim"], results["sdv"]
    rows = results["rows"]
    print(f"learning: fit a {results['sample_rows']:,}-row sample of 10 columns, generate {rows:,} rows (in memory)")
    print(f"{'':<22}{'dw-sim':>14}{'SDV GaussianCopula':>22}{'ratio':>10}")
    sdv_fit = sdv.get("fit_s")
    sdv_rate = rows / sdv["sample_s"] if "sample_s" in sdv else None
    our_rate = rows / ours["sample_s"]
    print(f"{'fit seconds':<22}{ours['fit_s']:>14.2f}{_fmt(sdv_fit, '.2f'):>22}"
          f"{_fmt(sdv_fit / ours['fit_s'] if sdv_fit else None, '.1f', 'x'):>10}")  # fmt: skip
    print(f"{'generate rows/s':<22}{our_rate:>14,.0f}{_fmt(sdv_rate, ',.0f'):>22}"
          f"{_fmt(our_rate / sdv_rate if sdv_rate else None, '.1f', 'x'):>10}")  # fmt: skip
    print(f"{'column (distance)':<22}{'dw-sim':>14}{'SDV':>22}")
    theirs = {c["column"]: c for c in sdv.get("fidelity", {}).get("columns", [])}
    for column in ours["fidelity"]["columns"]:
        other = theirs.get(column["column"], {})
        label = f"{column['column']} ({column.get('metric', '-')})"
        print(f"{label:<22}{_fmt(column.get('distance'), '.4f'):>14}{_fmt(other.get('distance'), '.4f'):>22}")
    their_pairs = {tuple(p["columns"]): p for p in sdv.get("fidelity", {}).get("pairs", [])}
    for pair in ours["fidelity"]["pairs"]:
        other = their_pairs.get(tuple(pair["columns"]), {})
        label = f"rho {pair['columns'][0]}~{pair['columns'][1]}"
        print(f"{label:<22}{_fmt(pair['generated'], '+.3f'):>14}{_fmt(other.get('generated'), '+.3f'):>22}"
              f"   sample {pair['sample']:+.3f}")  # fmt: skip
    if sdv.get("status") != "ok":
        print(f"SDV: {sdv['status']}")


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


if __name__ == "__main__":
    sys.exit(main())
