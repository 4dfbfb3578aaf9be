"""The engine as a whole: determinism across batch sizes and workers, progress, errors, cancellation, cleanup."""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from generator_helpers import col, experiment, fk, table

from dw_simulator.errors import SchemaValidationError
from dw_simulator.generator import (
    GenerationCancelled,
    ProgressEvent,
    arrow_schema_for,
    generate_experiment,
)


def shop(rows: int = 3000):
    return experiment(
        table(
            "customers",
            rows // 3,
            col("customer_id", is_unique=True, required=True),
            col("email", "VARCHAR(80)", is_unique=True),
            col("first_name", "VARCHAR(30)"),
            col("signup", "TIMESTAMP"),
            col("score", "FLOAT", distribution={"type": "normal", "mean": 10, "stddev": 2}),
            col("code", "CHAR(6)", is_unique=True),
        ),
        table(
            "orders",
            rows,
            col("order_id", "BIGINT", is_unique=True, min_value=1, max_value=10**12),
            col("customer_id", foreign_key=fk("customers", "customer_id"), required=True),
            col("total", "DECIMAL(10,2)", distribution={"type": "lognormal", "mean": 4, "sigma": 0.5}),
            col("status", "VARCHAR(10)", distribution={"type": "categorical", "values": ["new", "paid"]}),
            col("meta", "VARIANT"),
            col("ship_email", "VARCHAR(80)", foreign_key=fk("customers", "email")),
        ),
    )


def test_same_seed_same_content_whatever_batch_size_and_workers(generate) -> None:
    schema = shop()
    base = generate(schema, seed=11, batch_size=100_000)
    small = generate(schema, seed=11, batch_size=257)
    pooled = generate(schema, seed=11, batch_size=700, workers=2)
    assert len(small.result.tables["orders"].files) == 12
    assert len(pooled.result.tables["orders"].files) == 5
    assert base.fingerprints() == small.fingerprints() == pooled.fingerprints()


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_workers_started_either_way_give_the_same_data(generate, monkeypatch, method: str) -> None:
    schema = shop(1200)
    expected = generate(schema, seed=4).fingerprints()
    monkeypatch.setenv("DW_SIM_GENERATOR_START_METHOD", method)  # forkserver pickles the plan to the workers
    assert generate(schema, seed=4, workers=2, batch_size=300).fingerprints() == expected


def test_same_seed_twice_gives_identical_files(generate) -> None:
    schema = shop(600)
    first = generate(schema, seed=5)
    second = generate(schema, seed=5)
    for name, output in first.result.tables.items():
        for a, b in zip(output.files, second.result.tables[name].files, strict=True):
            assert pq.read_table(a).equals(pq.read_table(b))


def test_different_seed_gives_different_data(generate) -> None:
    schema = shop(600)
    a = generate(schema, seed=1).fingerprints()
    b = generate(schema, seed=2).fingerprints()
    assert all(a[name] != b[name] for name in a)


def test_result_describes_the_files(tmp_path: Path) -> None:
    schema = shop(900)
    result = generate_experiment(schema, tmp_path / "out", seed=3, batch_size=400)
    assert list(result.tables) == ["customers", "orders"]
    orders = result.tables["orders"]
    assert orders.rows == 900
    assert orders.columns == ["order_id", "customer_id", "total", "status", "meta", "ship_email"]
    assert [f.name for f in orders.files] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    assert all(f.parent == tmp_path / "out" / "orders" for f in orders.files)
    assert sum(pq.read_metadata(f).num_rows for f in orders.files) == 900
    assert pq.read_schema(orders.files[0]).remove_metadata() == arrow_schema_for(schema.tables[1])
    assert pq.read_metadata(orders.files[0]).row_group(0).column(0).compression == "ZSTD"
    assert result.seconds > 0
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_arrow_type_mapping() -> None:
    types = ["SMALLINT", "INT", "BIGINT", "FLOAT", "DECIMAL(12,3)", "VARCHAR(5)", "CHAR(2)", "BOOLEAN", "DATE",
             "TIME", "TIMESTAMP", "TIMESTAMPTZ", "BINARY", "JSON", "VARIANT", "OBJECT", "ARRAY", "SUPER"]  # fmt: skip
    schema = experiment(table("t", 1, *[col(f"c{i}", t) for i, t in enumerate(types)]))
    got = [f.type for f in arrow_schema_for(schema.tables[0])]
    assert got == [
        pa.int16(), pa.int32(), pa.int64(), pa.float64(), pa.decimal128(12, 3), pa.string(), pa.string(),
        pa.bool_(), pa.date32(), pa.time64("us"), pa.timestamp("us"), pa.timestamp("us", tz="UTC"), pa.binary(),
        pa.string(), pa.string(), pa.string(), pa.string(), pa.string(),
    ]  # fmt: skip


def test_progress_events_reach_the_totals(tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    generate_experiment(shop(1000), tmp_path / "o", seed=1, batch_size=300, progress=events.append)
    last = {e.table: e for e in events}
    assert last["customers"] == ProgressEvent("customers", 333, 333, 2, 2)
    assert last["orders"] == ProgressEvent("orders", 1000, 1000, 4, 4)
    assert [e.rows_done for e in events if e.table == "orders"] == [300, 600, 900, 1000]


def test_progress_with_workers_is_reported_in_the_parent(tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    caller = threading.get_ident()
    threads: set[int] = set()

    def record(event: ProgressEvent) -> None:
        threads.add(threading.get_ident())
        events.append(event)

    generate_experiment(shop(1000), tmp_path / "o", seed=1, batch_size=250, workers=2, progress=record)
    assert threads == {caller}
    assert sorted(e.rows_done for e in events if e.table == "orders") == [250, 500, 750, 1000]


def test_row_overrides_are_case_insensitive(generate) -> None:
    g = generate(shop(300), row_overrides={"ORDERS": 42, "Customers": 7})
    assert g.one("select count(*) from orders") == 42
    assert g.one("select count(*) from customers") == 7


def test_unknown_override_table_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaValidationError, match="nope"):
        generate_experiment(shop(), tmp_path / "o", seed=1, row_overrides={"nope": 5})
    with pytest.raises(SchemaValidationError, match="whole number"):
        generate_experiment(shop(), tmp_path / "o", seed=1, row_overrides={"orders": -1})
    assert not (tmp_path / "o").exists()


def test_capacity_exceeded_fails_before_any_file(tmp_path: Path) -> None:
    schema = experiment(
        table("small", 10, col("id", is_unique=True, min_value=1, max_value=100)),
        table("big", 10, col("x")),
    )
    with pytest.raises(SchemaValidationError) as info:
        generate_experiment(schema, tmp_path / "o", seed=1, row_overrides={"small": 300})
    assert "300 unique values" in str(info.value)
    assert info.value.details[0]["table"] == "small" and info.value.details[0]["column"] == "id"
    assert not (tmp_path / "o").exists()


def test_several_capacity_problems_are_each_listed_once(tmp_path: Path) -> None:
    schema = experiment(
        table("small", 10, col("id", is_unique=True, min_value=1, max_value=100)),
        table("tiny", 10, col("code", "CHAR(1)", is_unique=True)),
    )
    with pytest.raises(SchemaValidationError) as info:
        generate_experiment(schema, tmp_path / "o", seed=1, row_overrides={"small": 300, "tiny": 50})
    error = info.value
    assert [(d["table"], d["column"]) for d in error.details] == [("small", "id"), ("tiny", "code")]
    assert "300 unique values" in error.message and error.message.endswith("(and 1 more problem)")
    assert error.details[1]["message"] not in error.message  # front ends list it from the details


def test_zero_rows_writes_an_empty_file_with_the_schema(generate) -> None:
    g = generate(shop(30), row_overrides={"orders": 0})
    assert g.result.tables["orders"].rows == 0
    assert g.one("select count(*) from orders") == 0
    assert len(g.result.tables["orders"].files) == 1


def test_cancel_before_start(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(GenerationCancelled):
        generate_experiment(shop(), tmp_path / "o", seed=1, cancel=cancel)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_cancel_midway_removes_everything(tmp_path: Path, workers: int) -> None:
    cancel = threading.Event()
    seen: list[ProgressEvent] = []

    def on_progress(event: ProgressEvent) -> None:
        seen.append(event)
        if len(seen) == 3:
            cancel.set()

    out = tmp_path / "o"
    with pytest.raises(GenerationCancelled):
        generate_experiment(shop(6000), out, seed=1, batch_size=200, workers=workers, progress=on_progress,
                            cancel=cancel)  # fmt: skip
    assert 3 <= len(seen) < 40
    assert not out.exists()


def test_failure_removes_written_files_but_keeps_existing_ones(tmp_path: Path) -> None:
    out = tmp_path / "o"
    (out / "customers").mkdir(parents=True)
    keep = out / "customers" / "keep.txt"
    keep.write_text("not ours")

    def explode(event: ProgressEvent) -> None:
        if event.table == "orders":
            raise OSError("disk full (injected)")

    with pytest.raises(OSError, match="injected"):
        generate_experiment(shop(900), out, seed=1, batch_size=100, progress=explode)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["customers", "customers/keep.txt"]


def test_invalid_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="workers"):
        generate_experiment(shop(), tmp_path, seed=1, workers=0)
    with pytest.raises(ValueError, match="batch_size"):
        generate_experiment(shop(), tmp_path, seed=1, batch_size=0)
