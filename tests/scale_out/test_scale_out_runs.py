"""Runs through the service on a real Dask cluster: parts written by the workers straight to S3 (moto's server)
load into DuckDB and PostgreSQL; a cancelled cluster run leaves the previous data."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import boto3
import pytest
from dask_cluster import Cluster
from scale_out_helpers import digests, shop

from dw_simulator.config import Settings
from dw_simulator.generator import ProgressEvent, generate_experiment
from dw_simulator.generator.dask_executor import _running_units
from dw_simulator.service import Simulator

CHECKS = {
    "orders": "select count(*) from orders o left join customers c on o.customer_id = c.customer_id "
    "where c.customer_id is null",
    "visits": "select count(*) - count(distinct (store, day, customer_id)) from visits",
    "emails": "select count(*) - count(distinct email) from customers",
}


def s3_objects(endpoint: str, bucket: str, prefix: str) -> dict[str, bytes]:
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                          region_name="us-east-1")  # fmt: skip
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for o in page.get("Contents", [])]  # fmt: skip
    return {k: client.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


@pytest.mark.parametrize(("warehouse", "mode"), [("duckdb", "auto"), ("redshift", "auto"), ("redshift", "manifest")])
def test_s3_destination_end_to_end(warehouse: str, mode: str, cluster: Cluster, s3_endpoint: str, pg_url: str,
                                   tmp_path: Path) -> None:  # fmt: skip
    name = f"s3run_{warehouse}_{mode}"
    schema = shop(2, name=name)
    expected = digests(generate_experiment(schema, tmp_path / "local", seed=5, batch_size=1000), tmp_path / "local")
    settings = Settings(data_root=tmp_path / "data", s3_endpoint_url=s3_endpoint, redshift_url=pg_url,
                        run_destination="s3://dw-runs/scale", dask_scheduler=cluster.address,
                        executor="dask", batch_size=1000, redshift_load_mode=mode)  # fmt: skip
    with Simulator(settings) as sim:
        sim.create_experiment(schema.model_copy(update={"target_warehouse": warehouse}))
        run = sim.generate(name, seed=5)
        assert run.status == "COMPLETED", run.error_message
        assert run.workers == 2
        objects = s3_objects(s3_endpoint, "dw-runs", f"scale/{name}/run-{run.id:06d}/")
        got = {k.split(f"run-{run.id:06d}/", 1)[1]: hashlib.sha256(v).hexdigest() for k, v in objects.items()
               if "/part-" in k}  # fmt: skip
        assert got == expected  # the workers' S3 objects are byte-identical to a local run's files
        assert not (settings.generated_dir / name).exists()  # nothing was written locally
        manifests = {k.rsplit("/", 1)[1]: json.loads(v) for k, v in objects.items() if k.endswith(".manifest")}
        if mode == "manifest":  # what a real cluster's COPY ... MANIFEST gets, run here by the COPY emulation
            assert sorted(manifests) == ["customers.manifest", "orders.manifest", "visits.manifest"]
            entries = manifests["visits.manifest"]["entries"]
            assert len(entries) == 12 and all(e["mandatory"] and e["meta"]["content_length"] > 0 for e in entries)
        else:
            assert manifests == {}
        counts = {t.name: t.row_count for t in sim.get_experiment(name).info.tables}
        assert counts["customers"] == 3000 and counts["visits"] == 12000 and counts["orders"] > 3000
        for check, sql in CHECKS.items():
            assert sim.query(name, sql).rows == [(0,)], check
        again = sim.generate(name, seed=6)  # replaces the data; the first run's objects go
        assert again.status == "COMPLETED", again.error_message
        assert not s3_objects(s3_endpoint, "dw-runs", f"scale/{name}/run-{run.id:06d}/")
        assert s3_objects(s3_endpoint, "dw-runs", f"scale/{name}/run-{again.id:06d}/")


def test_cancelled_cluster_run_leaves_the_previous_data(cluster: Cluster, tmp_path: Path) -> None:
    settings = Settings(data_root=tmp_path / "data", executor="dask", dask_scheduler=cluster.address,
                        batch_size=1000)  # fmt: skip
    with Simulator(settings) as sim:
        sim.create_experiment(shop(1, name="cancel_me"))
        first = sim.generate("cancel_me", seed=1)
        assert first.status == "COMPLETED", first.error_message
        before = sim.query("cancel_me", "select count(*), sum(customer_id) from orders").rows
        cancel = threading.Event()
        seen: list[ProgressEvent] = []

        def on_progress(event: ProgressEvent) -> None:
            seen.append(event)
            if len(seen) == 3:
                cancel.set()

        second = sim.generate("cancel_me", seed=2, rows={"customers": 40_000, "visits": 100_000},
                              progress=on_progress, cancel=cancel)  # fmt: skip
        assert second.status == "CANCELLED"
        assert len(seen) < 60
        assert sim.query("cancel_me", "select count(*), sum(customer_id) from orders").rows == before
        assert not Path(str(sim.get_run(second.id).output_path or tmp_path / "gone")).exists()
        assert sorted(p.name for p in (settings.generated_dir / "cancel_me").iterdir()) == [f"run-{first.id:06d}"]
    with cluster.client() as client:
        assert sum(client.run(_running_units).values()) == 0
