"""Load benchmark: the generator issue's 1.6M-row workload (customers 100k / orders 500k / order_items 1M) loaded
into PostgreSQL by dw-sim (Parquet -> Arrow CSV -> COPY FROM STDIN, one transaction) against `psql \\copy` of the
same rows from CSV files, in the same run, on the same server. Prints rows/s, MB/s, peak RSS and the ratio.

    .venv/bin/python -m bench.load_postgres [--scale 1.0] [--url postgresql://postgres@127.0.0.1:5432/postgres]

Both sides load into freshly truncated tables inside one transaction with COPY ... FREEZE; the loaders
alternate for --rounds rounds and each one's best time is reported.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bench.workload import table_rows, workload_data
from dw_simulator.schema import load_schema_data


def _psql() -> str:
    found = shutil.which("psql")
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"), reverse=True):
        return str(candidate)
    raise SystemExit("psql was not found")


def _dwsim_load(url: str, data_root: str, schema_json: str, files: dict[str, list[str]], out: mp.Queue) -> None:
    from dw_simulator.backends.postgres import RedshiftBackend
    from dw_simulator.config import Settings
    from dw_simulator.schema import ExperimentSchema

    schema = ExperimentSchema.model_validate_json(schema_json)
    backend = RedshiftBackend(Settings(data_root=Path(data_root)), url=url)
    backend.ping()
    started = time.perf_counter()
    loaded = backend.load_tables(schema, {t: [Path(p) for p in ps] for t, ps in files.items()})
    elapsed = time.perf_counter() - started
    backend.close()
    out.put((loaded, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 1.6M-row workload")
    parser.add_argument(
        "--url", default=os.environ.get("DW_SIM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each loader; the best is reported")
    args = parser.parse_args()

    from dw_simulator.generator import generate_experiment

    rows = table_rows(args.scale)
    schema = load_schema_data(workload_data(rows))
    work = Path(tempfile.mkdtemp(prefix="dwsim-bench-pg-"))
    dbname = f"dwsim_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{dbname}"')
    url = args.url.rsplit("/", 1)[0] + "/" + dbname
    try:
        print(f"generating {sum(rows.values()):,} rows ({rows}) ...", flush=True)
        t0 = time.perf_counter()
        result = generate_experiment(schema, work / "generated" / "run-000001", seed=args.seed, batch_size=100_000)
        print(f"  generated in {time.perf_counter() - t0:.1f}s", flush=True)
        files = {name: [str(p) for p in out.files] for name, out in result.tables.items()}

        # the same rows as CSV for psql (not timed)
        csv_files: dict[str, Path] = {}
        csv_bytes = 0
        for name, paths in files.items():
            target = work / f"{name}.csv"
            with pacsv.CSVWriter(
                str(target), pq.read_schema(paths[0]), write_options=pacsv.WriteOptions(include_header=False)
            ) as writer:
                for path in paths:
                    writer.write_table(pq.read_table(path))
            csv_files[name] = target
            csv_bytes += target.stat().st_size
        total_rows = sum(rows.values())
        mb = csv_bytes / 1e6

        from dw_simulator.backends.postgres import RedshiftBackend
        from dw_simulator.config import Settings

        setup = RedshiftBackend(Settings(data_root=work), url=url)
        setup.create_experiment(schema)
        setup.close()

        # psql \copy: TRUNCATE + COPY FREEZE per table in one transaction, as dw-sim does
        script = work / "load.psql"
        lines = ["\\set ON_ERROR_STOP on", "BEGIN;"]
        for name, path in csv_files.items():
            lines.append(f'TRUNCATE "bench"."{name}";')
            lines.append(f'\\copy "bench"."{name}" FROM \'{path}\' WITH (FORMAT csv, FREEZE)')
        lines.append("COMMIT;")
        script.write_text("\n".join(lines) + "\n")
        timer = work / "time.txt"

        def run_psql() -> tuple[float, float]:
            t0 = time.perf_counter()
            subprocess.run(
                ["/usr/bin/time", "-f", "%M", "-o", str(timer), _psql(), "-q", "-d", url, "-f", str(script)], check=True
            )
            return time.perf_counter() - t0, int(timer.read_text().strip().splitlines()[-1]) / 1024

        def run_dwsim() -> tuple[float, float]:
            # in a child process so that its peak RSS is its own
            ctx = mp.get_context("spawn")
            queue: mp.Queue = ctx.Queue()
            child = ctx.Process(target=_dwsim_load, args=(url, str(work), schema.model_dump_json(), files, queue))
            child.start()
            loaded, seconds, rss = queue.get(timeout=3600)
            child.join(timeout=60)
            assert sum(loaded.values()) == total_rows, loaded
            return seconds, rss

        # alternate the two loaders and keep each one's best of --rounds (the machine is shared and noisy)
        psql_runs, dwsim_runs = [], []
        for _ in range(args.rounds):
            psql_runs.append(run_psql())
            dwsim_runs.append(run_dwsim())
        psql_s, psql_rss = min(psql_runs)
        dwsim_s, dwsim_rss = min(dwsim_runs)
        print("psql runs (s):   " + ", ".join(f"{r[0]:.2f}" for r in psql_runs))
        print("dw-sim runs (s): " + ", ".join(f"{r[0]:.2f}" for r in dwsim_runs))

        print(f"\nrows: {total_rows:,}   CSV volume: {mb:.1f} MB   server: {url.rsplit('@', 1)[-1]}")
        print(f"{'loader':<10} {'seconds':>8} {'rows/s':>12} {'MB/s':>8} {'peak RSS':>10}")
        print(f"{'psql':<10} {psql_s:>8.2f} {total_rows / psql_s:>12,.0f} {mb / psql_s:>8.1f} {psql_rss:>8.0f}MB")
        print(f"{'dw-sim':<10} {dwsim_s:>8.2f} {total_rows / dwsim_s:>12,.0f} {mb / dwsim_s:>8.1f} {dwsim_rss:>8.0f}MB")
        print(f"dw-sim / psql rows/s ratio: {psql_s / dwsim_s:.2f}x (target >= 0.8x)")
    finally:
        with psycopg.connect(args.url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
