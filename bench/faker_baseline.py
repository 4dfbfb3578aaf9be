"""Baseline: the obvious way to make this data - a Python loop of Faker calls per row, then the same Parquet files.

Faker is called once per string cell (`fake.unique.email()` for the unique column), `random` for numbers, and the
rows are written with pyarrow (same Arrow schema, zstd) one file per table.
"""

from __future__ import annotations

import random
import time
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bench.workload import workload
from dw_simulator.generator import arrow_schema_for


def run(rows: dict[str, int], out_dir: Path, seed: int = 42) -> dict[str, float]:
    from faker import Faker

    started = time.perf_counter()
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    start, end = date(2023, 1, 1), date(2024, 12, 31)
    schema = workload(rows)
    columns: dict[str, dict[str, list[object]]] = {}

    c: dict[str, list[object]] = {n: [] for n in ("customer_id", "first_name", "last_name", "email", "signup_date")}
    for i in range(rows["customers"]):
        c["customer_id"].append(i + 1)
        c["first_name"].append(fake.first_name())
        c["last_name"].append(fake.last_name())
        c["email"].append(fake.unique.email())
        c["signup_date"].append(fake.date_between(start, end))
    columns["customers"] = c

    o: dict[str, list[object]] = {n: [] for n in ("order_id", "customer_id", "order_total", "order_date")}
    for i in range(rows["orders"]):
        o["order_id"].append(i + 1)
        o["customer_id"].append(rng.randint(1, rows["customers"]))
        o["order_total"].append(round(rng.gauss(150, 50), 2))
        o["order_date"].append(fake.date_between(start, end))
    columns["orders"] = o

    it: dict[str, list[object]] = {n: [] for n in ("item_id", "order_id", "product_name", "quantity")}
    for i in range(rows["order_items"]):
        it["item_id"].append(i + 1)
        it["order_id"].append(rng.randint(1, rows["orders"]))
        it["product_name"].append(" ".join(fake.words(nb=3)).title())
        it["quantity"].append(fake.random_int(1, 10))
    columns["order_items"] = it

    written = 0
    for table in schema.tables:
        data = pa.Table.from_pydict(columns[table.name], schema=arrow_schema_for(table))
        path = out_dir / table.name / "part-00000.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(data, path, compression="zstd")
        written += path.stat().st_size
    return {"seconds": time.perf_counter() - started, "bytes": float(written)}
