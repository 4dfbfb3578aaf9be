"""Generation runs through the service: load, atomic replacement, failures, cancellation, determinism."""

from __future__ import annotations

import errno
import json
import os
import threading
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dw_simulator.cli import app
from dw_simulator.errors import RunInProgressError, SchemaValidationError
from dw_simulator.service import Simulator


def _fingerprint(sim: Simulator, name: str, table: str) -> list[Any]:
    return sim.query(name, f"SELECT * FROM {table} ORDER BY 1", limit=0).rows


@pytest.mark.parametrize("warehouse", ["duckdb", "sqlite"])
def test_generate_loads_every_table_with_integrity(sim: Simulator, examples: Path, warehouse: str) -> None:
    sim.create_experiment_from_file(examples / "retail_analytics.json", target_warehouse=warehouse)
    run = sim.generate("retail_analytics", seed=7, rows={"order_items": 3000})
    assert run.status == "COMPLETED", run.error_message
    assert run.row_counts == {"customers": 100, "orders": 500, "order_items": 3000}
    orphans = sim.query(
        "retail_analytics",
        "SELECT count(*) FROM order_items i LEFT JOIN orders o ON o.order_id = i.order_id "
        "WHERE i.order_id IS NOT NULL AND o.order_id IS NULL",
    ).rows
    assert orphans == [(0,)]
    nulls = sim.query("retail_analytics", "SELECT count(*) FROM orders WHERE customer_id IS NULL").rows[0][0]
    assert 20 <= nulls <= 80  # nullable FK: ~10% of 500
    info = sim.get_experiment("retail_analytics")
    assert info.info.total_rows == 3600
    assert info.info.last_run is not None and info.info.last_run.status == "COMPLETED"
    profile = {p["column"]: p for p in info.profile["orders"]}
    assert profile["order_id"]["distinct"] == 500 and profile["order_id"]["nulls"] == 0
    assert profile["customer_id"]["nulls"] == nulls
    assert profile["order_id"]["histogram"] and sum(b["count"] for b in profile["order_id"]["histogram"]) == 500


def test_same_seed_same_data_and_new_run_replaces_old(sim: Simulator, examples: Path) -> None:
    sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    sim.generate("ecommerce_experiment", seed=11)
    first = _fingerprint(sim, "ecommerce_experiment", "orders")
    sim.generate("ecommerce_experiment", seed=11, workers=2, batch_size=1000)
    assert _fingerprint(sim, "ecommerce_experiment", "orders") == first
    third = sim.generate("ecommerce_experiment", seed=12, rows={"orders": 50})
    assert third.row_counts["orders"] == 50
    assert len(_fingerprint(sim, "ecommerce_experiment", "orders")) == 50
    # only the latest run's files are kept on disk
    runs_dir = sim.settings.generated_dir / "ecommerce_experiment"
    assert [p.name for p in runs_dir.iterdir()] == [f"run-{third.id:06d}"]


def test_disk_error_fails_the_run_and_keeps_previous_data(
    sim: Simulator, examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    good = sim.generate("ecommerce_experiment", seed=1)
    before = _fingerprint(sim, "ecommerce_experiment", "customers")
    calls = {"n": 0}
    real_write = pq.ParquetWriter.write_table

    def failing_write(self: pq.ParquetWriter, table: Any, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] >= 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", failing_write)
    run = sim.generate("ecommerce_experiment", seed=2, rows={"customers": 5000, "orders": 20000}, batch_size=1000)
    monkeypatch.undo()
    assert run.status == "FAILED"
    assert "No space left on device" in (run.error_message or "")
    assert run.error_traceback and "OSError" in run.error_traceback
    assert _fingerprint(sim, "ecommerce_experiment", "customers") == before  # the previous data still answers
    assert not (sim.settings.generated_dir / "ecommerce_experiment" / f"run-{run.id:06d}").exists()
    assert (sim.settings.generated_dir / "ecommerce_experiment" / f"run-{good.id:06d}").exists()
    assert sim.get_experiment("ecommerce_experiment").info.total_rows == 600
    assert sim.generate("ecommerce_experiment", seed=3).status == "COMPLETED"  # nothing is left locked


def test_load_failure_rolls_back_every_table(sim: Simulator, examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sim.create_experiment_from_file(examples / "retail_analytics.json")
    sim.generate("retail_analytics", seed=1)
    before = {t: _fingerprint(sim, "retail_analytics", t) for t in ("customers", "orders", "order_items")}
    backend = sim.backend("duckdb")
    real_execute_count = {"n": 0}
    original = backend.open_load_target  # type: ignore[attr-defined]

    class Flaky:
        def __init__(self, con: Any) -> None:
            self._con = con

        def __getattr__(self, name: str) -> Any:
            return getattr(self._con, name)

        def execute(self, sql: str, *args: Any) -> Any:
            if sql.startswith("INSERT INTO") and "order_items" in sql:
                real_execute_count["n"] += 1
                raise OSError(errno.EIO, "I/O error while loading order_items")
            return self._con.execute(sql, *args)

    monkeypatch.setattr(backend, "open_load_target", lambda path: Flaky(original(path)))
    run = sim.generate("retail_analytics", seed=2, rows={"customers": 10, "orders": 20, "order_items": 30})
    monkeypatch.undo()
    assert run.status == "FAILED" and real_execute_count["n"] == 1
    after = {t: _fingerprint(sim, "retail_analytics", t) for t in ("customers", "orders", "order_items")}
    assert after == before  # customers and orders were loaded in the same transaction and rolled back too


def test_cancel_leaves_previous_data(sim: Simulator, examples: Path) -> None:
    sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    sim.generate("ecommerce_experiment", seed=1)
    before = _fingerprint(sim, "ecommerce_experiment", "orders")
    cancel = threading.Event()

    def on_progress(event: Any) -> None:
        cancel.set()

    run = sim.generate(
        "ecommerce_experiment", seed=2, rows={"customers": 20000, "orders": 200000}, batch_size=1000,
        progress=on_progress, cancel=cancel,
    )  # fmt: skip
    assert run.status == "CANCELLED"
    assert _fingerprint(sim, "ecommerce_experiment", "orders") == before
    assert not (sim.settings.generated_dir / "ecommerce_experiment" / f"run-{run.id:06d}").exists()


def test_one_run_at_a_time(sim: Simulator, examples: Path) -> None:
    sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    with sim.metadata.session() as session:
        experiment = sim.metadata.get_experiment(session, "ecommerce_experiment")
        run = sim.metadata.create_run(session, experiment, seed=1, workers=1, row_overrides={})
        run.status, run.owner_pid = "RUNNING", os.getpid()  # a live run owned by this process
    with pytest.raises(RunInProgressError):
        sim.generate("ecommerce_experiment", seed=2)


def test_bad_overrides_are_refused_before_any_work(sim: Simulator, examples: Path) -> None:
    sim.create_experiment_from_file(examples / "sales_experiment.json")
    with pytest.raises(SchemaValidationError, match="does not have"):
        sim.generate("sales_experiment", rows={"nope": 3})
    with pytest.raises(SchemaValidationError, match=">= 0"):
        sim.generate("sales_experiment", rows={"sales": -1})
    assert sim.list_runs("sales_experiment") == []


def test_composite_key_example_loads_with_unique_tuples(sim: Simulator, examples: Path) -> None:
    sim.create_experiment_from_file(examples / "sales_experiment.json")
    run = sim.generate("sales_experiment", seed=5)
    assert run.status == "COMPLETED"
    rows = sim.query(
        "sales_experiment",
        "SELECT count(*), count(DISTINCT (region_id, store_id)), min(_row_id), max(_row_id) FROM sales",
        dialect="duckdb",
    ).rows
    assert rows == [(1000, 1000, 1, 1000)]


def test_cli_generate_and_runs(examples: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["experiment", "create", str(examples / "ecommerce_experiment.json")]).exit_code == 0
    result = runner.invoke(app, ["experiment", "generate", "ecommerce_experiment", "--rows", "orders=42",
                                 "--seed", "9", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    run = json.loads(result.stdout)
    assert run["status"] == "COMPLETED" and run["row_counts"] == {"customers": 100, "orders": 42}
    assert run["seed"] == 9
    result = runner.invoke(app, ["experiment", "runs", "ecommerce_experiment", "--json"])
    assert [r["status"] for r in json.loads(result.stdout)] == ["COMPLETED"]
    result = runner.invoke(app, ["experiment", "generate", "ecommerce_experiment", "--rows", "orders"])
    assert result.exit_code == 2 and "TABLE=ROWS" in result.stderr
    result = runner.invoke(app, ["experiment", "show", "ecommerce_experiment"])
    assert result.exit_code == 0 and "null %" in result.stdout


@pytest.mark.parametrize("warehouse", ["duckdb", "sqlite"])
def test_backend_row_counts_leave_out_missing_tables(sim: Simulator, examples: Path, warehouse: str) -> None:
    sim.create_experiment_from_file(examples / "ecommerce_experiment.json", target_warehouse=warehouse)
    sim.generate("ecommerce_experiment", seed=1, rows={"orders": 77})
    counts = sim.backend(warehouse).row_counts("ecommerce_experiment", ["customers", "orders", "nope"])
    assert counts == {"customers": 100, "orders": 77}
