"""Generation on a real Dask cluster (a scheduler and two workers, separate processes on loopback): the parts are
byte-identical to a local run, constraints hold across parts, cancel stops the cluster's work, a killed worker is
survived."""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from dask_cluster import Cluster, dask_cluster
from scale_out_helpers import digests, shop

sys.path.insert(0, str(Path(__file__).parents[1] / "generator"))
from generator_helpers import col, experiment, fk, table

from dw_simulator.errors import BackendUnavailableError, MissingDependencyError
from dw_simulator.generator import GenerationCancelled, ProgressEvent, generate_experiment
from dw_simulator.generator.dask_executor import _running_units
from dw_simulator.generator.destination import FolderDestination
from dw_simulator.generator.plan import build_plan
from dw_simulator.generator.run import executor_for
from dw_simulator.generator.units import iter_units


def test_parts_are_byte_identical_to_a_local_run_and_constraints_hold(cluster: Cluster, tmp_path: Path) -> None:
    schema = shop()
    local = generate_experiment(schema, tmp_path / "local", seed=21, batch_size=700, workers=2)
    events: list[ProgressEvent] = []
    remote = generate_experiment(schema, tmp_path / "dask", seed=21, batch_size=700, progress=events.append,
                                 executor=executor_for("dask", scheduler=cluster.address))  # fmt: skip
    assert remote.executor == "dask" and remote.workers == 2
    expected = digests(local, tmp_path / "local")
    assert len(expected) > 15
    assert digests(remote, tmp_path / "dask") == expected
    last = {e.table: e for e in events}
    assert {name: (e.rows_done, e.batches_done) for name, e in last.items()} == {
        name: (out.rows, len(out.parts)) for name, out in remote.tables.items()
    }
    con = duckdb.connect()
    for name, out in remote.tables.items():
        con.execute(f"create view {name} as select * from read_parquet({[str(p) for p in out.parts]})")

    def one(sql: str) -> int:
        row = con.execute(sql).fetchone()
        assert row is not None
        return int(row[0])

    assert one("select count(*) - count(distinct customer_id) from customers") == 0
    assert one("select count(*) - count(distinct email) from customers") == 0
    assert one("select count(*) - count(distinct order_id) from orders") == 0
    assert one("select count(*) - count(distinct (customer_id, line_no)) from orders") == 0
    assert one("select count(*) - count(distinct (store, day, customer_id)) from visits") == 0
    assert one("select count(*) from orders o anti join customers c using (customer_id)") == 0
    assert one("select count(*) from orders o anti join customers c on o.ship_email = c.email "
               "where o.ship_email is not null") == 0  # fmt: skip
    assert one("select count(*) from visits v anti join customers c using (customer_id) "
               "where v.customer_id is not null") == 0  # fmt: skip
    assert remote.tables["orders"].rows == one("select count(*) from orders") > 1500


def test_cancel_stops_the_cluster_work_and_removes_the_parts(cluster: Cluster, tmp_path: Path) -> None:
    cancel = threading.Event()
    seen: list[ProgressEvent] = []

    def on_progress(event: ProgressEvent) -> None:
        seen.append(event)
        if len(seen) == 3:
            cancel.set()

    out = tmp_path / "cancelled"
    with pytest.raises(GenerationCancelled):
        generate_experiment(shop(20), out, seed=3, batch_size=1000, progress=on_progress, cancel=cancel,
                            executor=executor_for("dask", scheduler=cluster.address))  # fmt: skip
    assert 3 <= len(seen) < 60  # of ~170 units
    assert not out.exists()
    with cluster.client() as client:
        queued = [k for keys in client.processing().values() for k in keys if str(k).startswith("dw-sim-unit-")]
        assert queued == []
        assert sum(client.run(_running_units).values()) == 0
        assert not [k for k in client.who_has() if str(k).startswith("dw-sim-unit-")]
    time.sleep(0.5)
    assert not out.exists()  # no unit wrote anything after the cancel returned


def test_a_killed_worker_is_survived_and_the_output_is_byte_identical(tmp_path: Path) -> None:
    schema = shop(6)
    expected = digests(generate_experiment(schema, tmp_path / "local", seed=8, batch_size=1500), tmp_path / "local")
    with dask_cluster(tmp_path / "cluster", workers=2) as own:
        pids = own.worker_pids()
        killed: list[int] = []
        seen: list[ProgressEvent] = []

        def on_progress(event: ProgressEvent) -> None:
            seen.append(event)
            if len(seen) >= 4 and not killed:  # the first moment after a few units that a worker holds work
                with own.client() as client:
                    busy = [w for w, keys in client.processing().items() if keys]
                if not busy:
                    return
                os.kill(pids[busy[0]], signal.SIGKILL)  # it dies holding units: the scheduler must run them again
                killed.append(pids[busy[0]])

        result = generate_experiment(schema, tmp_path / "dask", seed=8, batch_size=1500, progress=on_progress,
                                     executor=executor_for("dask", scheduler=own.address))  # fmt: skip
        assert killed, "the worker was never killed"
        with own.client() as client:
            assert len(client.scheduler_info()["workers"]) == 1
    assert digests(result, tmp_path / "dask") == expected
    assert not list((tmp_path / "dask").rglob("*.tmp"))


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    executor = executor_for("dask", scheduler="tcp://127.0.0.1:9", connect_timeout=2)
    with pytest.raises(BackendUnavailableError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        generate_experiment(shop(), tmp_path / "o", seed=1, executor=executor)
    assert not (tmp_path / "o").exists()


def test_without_the_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now raises ImportError
    with pytest.raises(MissingDependencyError, match=r"dw-sim\[dask\]"):
        executor_for("dask")


def test_planning_does_not_grow_with_rows() -> None:
    """What the client builds and sends (the plan) and the unit list it walks are the same size for a thousand
    rows as for ten billion: no table is materialised, key spaces stay arithmetic, units are listed lazily.
    (A foreign key's `cardinality` is the exception: its layout sums children per block of parents, see
    docs/scale-out.md.)"""
    schema = experiment(
        table("customers", 1, col("customer_id", is_unique=True, required=True),
              col("email", "VARCHAR(80)", is_unique=True), col("name", "VARCHAR(30)", faker_rule="first_name")),
        table("visits", 1, col("visit_id", "BIGINT", is_unique=True),
              col("customer_id", foreign_key=fk("customers", "customer_id")),
              col("store", "SMALLINT", min_value=1, max_value=40), col("day", "DATE"),
              composite_keys=[["visit_id", "store"]]),
    )  # fmt: skip
    small = build_plan(schema, seed=1, row_overrides={"customers": 1_000, "visits": 1_000})
    huge = build_plan(schema, seed=1, row_overrides={"customers": 10**9, "visits": 10**10})
    assert huge.table("visits").rows == 10**10
    assert abs(len(pickle.dumps(huge)) - len(pickle.dumps(small))) < 256
    units = iter_units(huge, FolderDestination("/nowhere"), batch_size=1_000_000)
    first = [next(units) for _ in range(3)]
    assert [(u.table, u.start, u.stop) for u in first] == [
        (0, 0, 10**6),
        (0, 10**6, 2 * 10**6),
        (0, 2 * 10**6, 3 * 10**6),
    ]
