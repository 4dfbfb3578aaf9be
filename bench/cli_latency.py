"""CLI latency benchmark: how long `dw-sim` takes to answer, next to `python -c "import duckdb, pyarrow"`.

    python -m bench.cli_latency [--runs 10] [--json]

Each round runs every command once, in turn (so a noisy neighbour slows all of them alike), in a throwaway
data root holding one small experiment on embedded DuckDB. It prints the median wall time of each command over
`--runs` rounds and its ratio to the baseline measured in the same rounds, next to the goal of issue 12:

  * `dw-sim --version`                      <= 0.3x
  * `dw-sim --help`                         (no goal; imports nothing heavy, like --version)
  * `dw-sim experiment list`                <= 1.0x
  * `dw-sim query "select 1" -e bench`      <= 1.3x  (embedded DuckDB)

The baseline is `python -c "import duckdb, pyarrow"` with the same interpreter. No thresholds: figures only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCHEMA = {
    "name": "bench",
    "target_warehouse": "duckdb",
    "tables": [
        {
            "name": "customers",
            "target_rows": 100,
            "columns": [
                {"name": "customer_id", "data_type": "INT", "is_unique": True, "required": True},
                {"name": "email", "data_type": "VARCHAR", "faker_rule": "internet.email"},
            ],
        }
    ],
}

# (label, goal ratio or None, argv after the dw-sim command)
CASES: list[tuple[str, float | None, list[str]]] = [
    ("dw-sim --version", 0.3, ["--version"]),
    ("dw-sim --help", None, ["--help"]),
    ("dw-sim experiment list", 1.0, ["experiment", "list"]),
    ('dw-sim query "select 1" -e bench', 1.3, ["query", "select 1", "-e", "bench"]),
]
BASELINE = 'python -c "import duckdb, pyarrow"'


def dw_sim_command() -> list[str]:
    script = Path(sys.executable).parent / "dw-sim"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "dw_simulator"]


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="rounds; medians are over these (default 10)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="dw-sim-cli-latency-"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DW_SIM_", "OTEL_"))}
        env["DW_SIM_DATA_ROOT"] = str(root / "data")
        schema_file = root / "bench.json"
        schema_file.write_text(json.dumps(SCHEMA), encoding="utf-8")
        dw = dw_sim_command()
        timed([*dw, "experiment", "create", str(schema_file)], env, root)  # also runs the first migration
        timed([*dw, "experiment", "generate", "bench", "--seed", "1"], env, root)

        commands = {BASELINE: [sys.executable, "-c", "import duckdb, pyarrow"]}
        commands.update({label: [*dw, *rest] for label, _goal, rest in CASES})
        for command in commands.values():  # warm the OS file cache and .pyc files once
            timed(command, env, root)
        samples: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(args.runs):
            for label, command in commands.items():
                samples[label].append(timed(command, env, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    base = statistics.median(samples[BASELINE])
    rows = []
    for label, goal, _rest in [(BASELINE, None, []), *CASES]:
        median = statistics.median(samples[label])
        rows.append({"command": label, "median_s": round(median, 4), "ratio": round(median / base, 2), "goal": goal})
    if args.json:
        print(json.dumps({"runs": args.runs, "python": sys.version.split()[0], "results": rows}, indent=2))
        return 0
    print(f"CLI latency, medians of {args.runs} rounds (python {sys.version.split()[0]})")
    print(f"{'command':<36} {'median s':>9} {'ratio':>7} {'goal':>7}")
    for row in rows:
        goal = f"<={row['goal']}x" if row["goal"] is not None else "-"
        ratio = "1.00x" if row["command"] == BASELINE else f"{row['ratio']:.2f}x"
        print(f"{row['command']:<36} {row['median_s']:>9.3f} {ratio:>7} {goal:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
