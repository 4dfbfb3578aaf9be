"""Baseline: DuckDB's native TPC-H generator, `CALL dbgen(sf=...)`, then the tables copied to Parquet (zstd).

Standalone on purpose (imports only duckdb): it may run under another interpreter whose DuckDB has the `tpch`
extension (see `--dbgen-python` in bench/generate.py). Prints one JSON line; `{"unavailable": reason}` when the
extension cannot be loaded offline.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time


def _load_tpch(con: object) -> str:
    """Load `tpch`: already installed, or from the `duckdb-extension-tpch` package of the same DuckDB version."""
    import duckdb

    errors = []
    try:
        con.execute("LOAD tpch")  # type: ignore[attr-defined]
        return "installed extension"
    except duckdb.Error as exc:
        errors.append(str(exc).splitlines()[0])
    try:
        import duckdb_extension_tpch  # type: ignore[import-not-found]

        root = os.path.dirname(duckdb_extension_tpch.__file__)
        version = duckdb.__version__
        for path in glob.glob(os.path.join(root, "extensions", "*", "tpch.duckdb_extension")):
            if os.path.basename(os.path.dirname(path)) == f"v{version}":
                con.execute(f"LOAD '{path}'")  # type: ignore[attr-defined]
                return f"duckdb-extension-tpch package (DuckDB {version})"
        errors.append(f"duckdb-extension-tpch has no build for DuckDB {version}")
    except ImportError:
        errors.append("package duckdb-extension-tpch is not installed")
    raise RuntimeError("; ".join(errors))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sf", type=float, default=0.1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    import duckdb

    con = duckdb.connect()
    try:
        source = _load_tpch(con)
    except RuntimeError as exc:
        print(json.dumps({"unavailable": str(exc), "duckdb": duckdb.__version__}))
        return
    started, cpu_started = time.perf_counter(), time.process_time()
    con.execute(f"CALL dbgen(sf={args.sf})")
    generated, cpu_generated = time.perf_counter(), time.process_time()
    tables = con.execute("select table_name, column_count from duckdb_tables() order by table_name").fetchall()
    rows = cells = 0
    os.makedirs(args.out, exist_ok=True)
    for name, width in tables:
        count = con.execute(f"select count(*) from {name}").fetchone()[0]  # type: ignore[index]
        rows += count
        cells += count * width
    copy_start, copy_cpu_start = time.perf_counter(), time.process_time()
    written = 0
    for name, _ in tables:
        path = os.path.join(args.out, f"{name}.parquet")
        con.execute(f"COPY {name} TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
        written += os.path.getsize(path)
    copied, copy_cpu = time.perf_counter(), time.process_time() - copy_cpu_start
    print(json.dumps({
        "source": source, "duckdb": duckdb.__version__, "threads": con.execute("select current_setting('threads')")
        .fetchone()[0], "rows": rows, "cells": cells, "seconds": generated - started,  # type: ignore[index]
        "copy_seconds": copied - copy_start, "bytes": written, "python": sys.version.split()[0],
        "cpu_seconds": cpu_generated - cpu_started, "copy_cpu": copy_cpu,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
