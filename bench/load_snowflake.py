"""Load benchmark: the same Parquet files through the snowflake backend vs a plain DuckDB `read_parquet` insert.

The snowflake side is what `dw-sim experiment generate` does for a snowflake experiment: the real
snowflake-connector-python talks to the embedded endpoint on 127.0.0.1, PUTs the files to an internal stage and
runs `COPY INTO ... FILE_FORMAT = (TYPE = PARQUET)` inside a transaction that replaces the table's rows (or, with
`--s3`, uploads them to a moto S3 server and copies from an external stage). The baseline creates the same table
in a fresh DuckDB file and runs `INSERT INTO t SELECT ... FROM read_parquet([...])`. Both run in this process, in
alternating order, `--repeat` times; the medians are compared. Target: snowflake <= 1.5x the DuckDB time.

    .venv/bin/python -m bench.load_snowflake --rows 1000000 --files 4
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dw_simulator.backends.snowflake import SnowflakeBackend
from dw_simulator.backends.snowflake.endpoint import stop_shared_endpoints
from dw_simulator.config import Settings
from dw_simulator.schema import load_schema_data

COLUMNS = [
    {"name": "order_id", "data_type": "BIGINT", "required": True},
    {"name": "customer_id", "data_type": "INT"},
    {"name": "amount", "data_type": "DECIMAL(12,2)"},
    {"name": "score", "data_type": "FLOAT"},
    {"name": "status", "data_type": "VARCHAR(16)"},
    {"name": "email", "data_type": "VARCHAR"},
    {"name": "order_date", "data_type": "DATE"},
    {"name": "created_at", "data_type": "TIMESTAMP"},
    {"name": "is_gift", "data_type": "BOOLEAN"},
]
JSON_COLUMN = {"name": "attributes", "data_type": "VARIANT"}


def write_files(directory: Path, rows: int, files: int, with_json: bool) -> list[Path]:
    rng = np.random.default_rng(7)
    statuses = np.array(["new", "paid", "shipped", "returned"])
    paths: list[Path] = []
    per_file = rows // files
    for index in range(files):
        n = per_file if index < files - 1 else rows - per_file * (files - 1)
        start = index * per_file
        ids = np.arange(start + 1, start + n + 1, dtype=np.int64)
        columns = {
            "order_id": pa.array(ids),
            "customer_id": pa.array(rng.integers(1, 50_000, n, dtype=np.int32)),
            "amount": pa.array(
                [None if i % 50 == 0 else round(float(v), 2) for i, v in enumerate(rng.random(n) * 1000)]
            ).cast(pa.decimal128(12, 2)),
            "score": pa.array(rng.normal(50, 10, n)),
            "status": pa.array(statuses[rng.integers(0, 4, n)]),
            "email": pa.array([f"user{i}@example.com" for i in ids]),
            "order_date": pa.array((rng.integers(0, 3650, n) + 14610).astype("datetime64[D]")),
            "created_at": pa.array(
                (rng.integers(0, 10**9, n) * 1_000_000 + 1_262_304_000_000_000).astype("datetime64[us]")
            ),
            "is_gift": pa.array(rng.random(n) < 0.1),
        }
        if with_json:
            columns["attributes"] = pa.array([f'{{"channel":"web","items":{i % 7}}}' for i in ids])
        path = directory / f"part-{index:05d}.parquet"
        pq.write_table(pa.table(columns), path, compression="zstd")
        paths.append(path)
    return paths


def duckdb_load(directory: Path, files: list[Path], ddl: str, columns: list[str]) -> float:
    path = directory / f"baseline-{time.time_ns()}.duckdb"
    started = time.perf_counter()
    con = duckdb.connect(str(path))
    con.execute(ddl)
    file_list = "[" + ", ".join(f"'{p}'" for p in files) + "]"
    cols = ", ".join(f'"{c}"' for c in columns)
    con.execute(f"INSERT INTO orders ({cols}) SELECT {cols} FROM read_parquet({file_list})")
    con.close()
    elapsed = time.perf_counter() - started
    path.unlink(missing_ok=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="add a VARIANT column (COPY with a transformation)")
    parser.add_argument("--s3", action="store_true", help="stage on a moto S3 server (external stage)")
    args = parser.parse_args()

    columns = COLUMNS + ([JSON_COLUMN] if args.json else [])
    schema = load_schema_data(
        {
            "name": "bench_load",
            "target_warehouse": "snowflake",
            "tables": [{"name": "orders", "target_rows": args.rows, "columns": columns}],
        }
    )
    duck_types = {
        "BIGINT": "BIGINT",
        "INT": "INTEGER",
        "DECIMAL(12,2)": "DECIMAL(12,2)",
        "FLOAT": "DOUBLE",
        "VARCHAR(16)": "VARCHAR",
        "VARCHAR": "VARCHAR",
        "DATE": "DATE",
        "TIMESTAMP": "TIMESTAMP",
        "BOOLEAN": "BOOLEAN",
        "VARIANT": "JSON",
    }
    ddl = "CREATE TABLE orders (" + ", ".join(f'"{c["name"]}" {duck_types[c["data_type"]]}' for c in columns) + ")"
    names = [c["name"] for c in columns]

    moto = None
    with tempfile.TemporaryDirectory(prefix="dwsim-bench-") as tmp:
        root = Path(tmp)
        data = root / "parquet"
        data.mkdir()
        files = write_files(data, args.rows, args.files, args.json)
        size_mb = sum(p.stat().st_size for p in files) / 1e6
        s3_url = None
        if args.s3:
            from moto.server import ThreadedMotoServer

            moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            moto.start()
            host, port = moto.get_host_and_port()
            s3_url = f"http://{host}:{port}"
        settings = Settings(data_root=root / "dwsim", s3_endpoint_url=s3_url)
        backend = SnowflakeBackend(settings)
        started = time.perf_counter()
        backend.create_experiment(schema)
        startup = time.perf_counter() - started
        duck_times: list[float] = []
        snow_times: list[float] = []
        loaded = {}
        for round_ in range(args.repeat):
            order = ("duck", "snow") if round_ % 2 == 0 else ("snow", "duck")
            for which in order:
                if which == "duck":
                    duck_times.append(duckdb_load(root, files, ddl, names))
                else:
                    started = time.perf_counter()
                    loaded = backend.load_tables(schema, {"orders": files})
                    snow_times.append(time.perf_counter() - started)
        backend.close()
        stop_shared_endpoints()
        if moto is not None:
            moto.stop()
    duck = statistics.median(duck_times)
    snow = statistics.median(snow_times)
    report = {
        "rows": args.rows,
        "files": args.files,
        "parquet_mb": round(size_mb, 1),
        "staging": "s3 (moto)" if args.s3 else "internal stage (PUT)",
        "variant_column": args.json,
        "rows_loaded": loaded.get("orders"),
        "endpoint_start_and_create_s": round(startup, 3),
        "duckdb_read_parquet_s": round(duck, 3),
        "snowflake_put_copy_s": round(snow, 3),
        "duckdb_rows_per_s": round(args.rows / duck),
        "snowflake_rows_per_s": round(args.rows / snow),
        "ratio": round(snow / duck, 2),
        "target_ratio": 1.5,
        "all_duckdb_s": [round(t, 3) for t in duck_times],
        "all_snowflake_s": [round(t, 3) for t in snow_times],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
