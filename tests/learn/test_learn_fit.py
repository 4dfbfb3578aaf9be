"""Learning from a sample and generating from the fit: fidelity within tolerance, privacy, determinism."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from learn_samples import CATEGORIES, RARE, SHARES, orders_table, write_sample

from dw_simulator.generator import build_plan
from dw_simulator.generator.writer import build_batch
from dw_simulator.learn import FitOptions, compare, learn_schema, read_samples, shape_of
from dw_simulator.schema import ExperimentSchema


def _learn(folder: Path, **options: object) -> tuple[dict, ExperimentSchema, dict]:
    learned = learn_schema(read_samples(str(folder)), name="shop", options=FitOptions(**options))  # type: ignore[arg-type]
    return (
        learned.schema,
        ExperimentSchema.model_validate(learned.schema),
        learned.reference | {"report": learned.report},
    )


def _generate(schema: ExperimentSchema, table: str, rows: int, seed: int = 1) -> pa.Table:
    plan = build_plan(schema, seed, {table: rows})
    return build_batch(plan.table(table), 0, rows)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return write_sample(tmp_path / "sample")


def test_skewed_categories_and_correlated_columns_are_reproduced(sample: Path) -> None:
    _, schema, reference = _learn(sample)
    orders = schema.table("orders")
    assert orders is not None and orders.copula is not None
    report = next(t for t in reference["report"]["tables"] if t["table"] == "orders")
    kept = {tuple(p["columns"]) for p in report["kept_pairs"]}
    assert ("amount", "qty") in kept
    generated = _generate(schema, "orders", 100_000)
    fidelity = compare(reference["tables"]["orders"], generated, "orders")
    by_column = {c["column"]: c for c in fidelity["columns"]}
    for column in ("amount", "qty", "ordered_on", "discount"):
        assert by_column[column]["metric"] == "ks" and by_column[column]["distance"] < 0.02, by_column[column]
    for column in ("category", "gift"):
        assert by_column[column]["metric"] == "tvd" and by_column[column]["distance"] < 0.02, by_column[column]
    assert by_column["email"]["metric"] == "length_tvd" and by_column["email"]["distance"] < 0.05
    assert abs(by_column["discount"]["null_rate"]["generated"] - by_column["discount"]["null_rate"]["sample"]) < 0.01
    shares = dict(zip(*np.unique(generated.column("category").to_numpy(zero_copy_only=False), return_counts=True),
                      strict=True))  # fmt: skip
    for value, share in zip(CATEGORIES, SHARES, strict=True):
        assert abs(shares[value] / generated.num_rows - share) < 0.01
    pair = next(p for p in fidelity["pairs"] if p["columns"] == ["amount", "qty"])
    assert pair["sample"] > 0.6 and abs(pair["generated"] - pair["sample"]) < 0.03  # ties corrected for
    amount = generated.column("amount").to_numpy()
    assert np.allclose(amount, np.round(amount, 2))  # the sample's precision (cents) is kept


def test_uncorrelated_columns_stay_independent(sample: Path) -> None:
    _, _, reference = _learn(sample)
    report = next(t for t in reference["report"]["tables"] if t["table"] == "orders")
    kept = {frozenset(p["columns"]) for p in report["kept_pairs"]}
    assert frozenset(("gift", "category")) not in kept and frozenset(("ordered_on", "amount")) not in kept
    assert report["weak_pairs_dropped"] > 0


def test_rare_and_high_cardinality_values_are_never_copied(sample: Path) -> None:
    text, schema, reference = _learn(sample)
    written = json.dumps(text) + json.dumps(reference)
    source = orders_table()
    emails = set(source.column("email").to_pylist())
    names = set(source.column("full_name").to_pylist())
    for rare in RARE:
        assert rare not in written
    assert "example" not in written and "mail" not in written.replace("email", "")
    assert not any(n.split()[0] in written for n in list(names)[:50])
    generated = _generate(schema, "orders", 50_000)
    assert not (set(generated.column("email").to_pylist()) & emails)
    assert not (set(generated.column("full_name").to_pylist()) & names)
    assert not (set(generated.column("category").to_pylist()) & set(RARE))
    # the e-mails keep their shape: letters, digits, the @ and the dots where the sample has them
    assert all("@" in e and "." in e for e in generated.column("email").to_pylist()[:100])


def test_no_values_keeps_only_shapes(sample: Path) -> None:
    text, schema, _ = _learn(sample, keep_values=False)
    written = json.dumps(text)
    for value in [*CATEGORIES, "retail", "pro"]:
        assert f'"{value}"' not in written
    generated = _generate(schema, "orders", 1000)
    assert set(generated.column("category").to_pylist()).isdisjoint(CATEGORIES)
    assert all(shape_of(v) == "a" * len(v) for v in generated.column("category").to_pylist())


def test_min_count_sets_which_values_are_kept(tmp_path: Path) -> None:
    values = ["common"] * 40 + ["seen_three"] * 3 + ["seen_six"] * 6 + [f"u{i}" for i in range(1)]
    table = pa.table({"status": values})
    folder = tmp_path / "s"
    folder.mkdir()
    import pyarrow.parquet as pq

    pq.write_table(table, folder / "t.parquet")
    kept5 = learn_schema(read_samples(str(folder)), name="e").schema["tables"][0]["columns"][0]["distribution"]
    kept2 = learn_schema(read_samples(str(folder)), name="e", options=FitOptions(min_count=2)).schema
    assert kept5["values"] == ["common", "seen_six"]
    assert kept2["tables"][0]["columns"][0]["distribution"]["values"] == ["common", "seen_six", "seen_three"]


def test_keys_and_foreign_keys_by_inclusion(sample: Path) -> None:
    _, schema, _ = _learn(sample)
    orders, customers = schema.table("orders"), schema.table("customers")
    assert orders is not None and customers is not None
    order_id, customer_id = orders.column("order_id"), orders.column("customer_id")
    assert order_id is not None and order_id.is_unique and order_id.required
    assert customer_id is not None and customer_id.foreign_key is not None
    assert customer_id.foreign_key.references_table == "customers"
    assert orders.column("amount").foreign_key is None  # type: ignore[union-attr]
    # both tables were read whole: the share of customers who ordered is kept (here all 500 did)
    assert customer_id.foreign_key.active_share is None
    # row counts keep the tables' proportions
    assert orders.target_rows == 20_000 and customers.target_rows == 500


def test_generation_is_deterministic_across_batches(sample: Path) -> None:
    _, schema, _ = _learn(sample)
    plan = build_plan(schema, 9, {"orders": 3000})
    table = plan.table("orders")
    whole = build_batch(table, 0, 3000)
    assert build_batch(table, 1000, 1700).equals(whole.slice(1000, 700))
    other = build_plan(schema, 10, {"orders": 3000})
    assert not build_batch(other.table("orders"), 0, 3000).column("amount").equals(whole.column("amount"))


def test_string_shapes() -> None:
    assert shape_of("AB-12 cd") == "AA-99 aa"
    assert shape_of("Zoë 7") == "Aaa 9"


def test_awkward_columns_keep_their_type_and_nulls(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    n = 200
    table = pa.table({
        "doc": pa.array([{"a": i} for i in range(n)]),
        "nothing": pa.array([None] * n, pa.string()),
        "stamp": pa.array([1_700_000_000_000_000 + i * 10**9 for i in range(n)], pa.timestamp("us", tz="UTC")),
        "Odd Name!": list(range(n)),
        "sku_code": [f"SKU-{i:06d}" for i in range(n)],
    })  # fmt: skip
    folder = tmp_path / "odd"
    folder.mkdir()
    pq.write_table(table, folder / "odd.parquet")
    pq.write_table(table.slice(0, 0), folder / "empty.parquet")
    learned = learn_schema(read_samples(str(folder)), name="odd")
    schema = ExperimentSchema.model_validate(learned.schema)
    odd = schema.table("odd")
    assert odd is not None
    assert odd.column("doc").data_type == "JSON"  # type: ignore[union-attr]
    assert odd.column("nothing").null_rate == 1.0  # type: ignore[union-attr]
    assert odd.column("stamp").data_type == "TIMESTAMPTZ"  # type: ignore[union-attr]
    assert odd.column("Odd_Name_") is not None
    assert any("empty" in note for note in learned.notes)
    batch = _generate(schema, "odd", 500)
    codes = batch.column("sku_code").to_pylist()
    # the key's shape, with the prefix every value shares
    assert len(set(codes)) == 500 and all(re.fullmatch(r"SKU-[0-9]{6}", c) for c in codes)
    sku = odd.column("sku_code").distribution  # type: ignore[union-attr]
    assert sku is not None and sku.patterns == [r"\S\K\U-\0\0\0999"]  # type: ignore[union-attr]
    assert batch.column("nothing").null_count == 500
    stamps = batch.column("stamp").cast(pa.int64()).to_numpy()
    assert stamps.min() >= 1_700_000_000_000_000 - 10**9 and stamps.max() <= 1_700_000_000_000_000 + n * 10**9


def test_a_key_needing_more_room_than_its_literal_digits_leave(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    folder = tmp_path / "k"
    folder.mkdir()
    pq.write_table(pa.table({"order_code": [f"ORD-{i:05d}" for i in range(300)]}), folder / "k.parquet")
    schema = ExperimentSchema.model_validate(learn_schema(read_samples(str(folder)), name="k").schema)
    codes = _generate(schema, "k", 5000).column("order_code").to_pylist()
    assert len(set(codes)) == 5000 and all(re.fullmatch(r"ORD-[0-9]{5}", c) for c in codes)


def test_same_data_whatever_the_batches_and_worker_processes(sample: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from dw_simulator.generator import generate_experiment

    _, schema, _ = _learn(sample)
    rows = {"orders": 6000, "customers": 300}
    one = generate_experiment(schema, tmp_path / "one", seed=4, row_overrides=rows, batch_size=6000)
    two = generate_experiment(schema, tmp_path / "two", seed=4, row_overrides=rows, batch_size=1000, workers=2)
    for name in rows:
        a = pa.concat_tables([pq.read_table(f) for f in one.tables[name].files])
        b = pa.concat_tables([pq.read_table(f) for f in two.tables[name].files])
        assert a.equals(b), name


def test_share_of_parents_with_children(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    folder = tmp_path / "a"
    folder.mkdir()
    pq.write_table(pa.table({"customer_id": list(range(1, 401))}), folder / "customers.parquet")
    rng = np.random.default_rng(2)
    pq.write_table(pa.table({"order_id": list(range(1, 3001)), "customer_id": rng.integers(1, 101, 3000) * 2}),
                   folder / "orders.parquet")  # fmt: skip
    schema = ExperimentSchema.model_validate(learn_schema(read_samples(str(folder)), name="a").schema)
    fk = schema.table("orders").column("customer_id").foreign_key  # type: ignore[union-attr]
    assert fk is not None and fk.active_share == 0.25
    plan = build_plan(schema, 1)
    orders = build_batch(plan.table("orders"), 0, 3000)
    assert abs(len(set(orders.column("customer_id").to_pylist())) / 400 - 0.25) < 0.02


def test_integers_past_float_precision_are_learned(tmp_path: Path) -> None:
    """BIGINT values above 2**53 (hashed or bijected keys) fit: quantiles are approximate, never an Arrow error."""
    import pyarrow.parquet as pq

    n = 300
    big = 2**53 + 1
    table = pa.table({"amount": pa.array([big + 7 * (i % 40) for i in range(n)], pa.int64())})
    folder = tmp_path / "big"
    folder.mkdir()
    pq.write_table(table, folder / "big.parquet")
    schema = ExperimentSchema.model_validate(learn_schema(read_samples(str(folder)), name="big").schema)
    values = _generate(schema, "big", 200).column("amount").to_numpy()
    assert values.min() >= big - 2**12 and values.max() <= big + 7 * 40 + 2**12
