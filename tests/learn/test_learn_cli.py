"""`dw-sim experiment learn` / `fidelity` end to end on the embedded DuckDB warehouse, and the service calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from learn_samples import write_sample
from typer.testing import CliRunner

from dw_simulator.cli import app
from dw_simulator.errors import AlreadyExistsError, NotFoundError
from dw_simulator.service import Simulator

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_learn_generate_and_fidelity(tmp_path: Path) -> None:
    folder = write_sample(tmp_path / "sample")
    code, out, err = run("experiment", "learn", "shop", "--from", str(folder), "--target-warehouse", "duckdb",
                         "--generate", "--rows", "orders=30000", "--rows", "customers=500")  # fmt: skip
    assert code == 0, err
    assert "learned experiment shop" in out and "copula keeps" in out and "amount~qty" in out
    assert "foreign key orders.customer_id -> customers.customer_id" in out
    assert "fidelity of orders: 30,000 generated rows vs 20,000 sampled" in out
    code, out, err = run("experiment", "fidelity", "shop", "--json")
    assert code == 0, err
    report = json.loads(out)
    orders = next(t for t in report["tables"] if t["table"] == "orders")
    assert orders["generated_rows"] == 30_000 and orders["max_distance"] < 0.05
    code, out, _ = run("query", "-e", "shop", "SELECT count(*) AS n FROM orders o JOIN customers c USING (customer_id)")
    assert code == 0 and "30000" in out.replace(",", "")  # every foreign key finds its parent


def test_learn_refuses_an_existing_name_then_updates_it(tmp_path: Path, sim: Simulator) -> None:
    folder = write_sample(tmp_path / "sample")
    first = sim.learn("shop", [str(folder)], tables=["customers"], target_warehouse="duckdb")
    assert first.version == 1 and [t.name for t in first.schema.tables] == ["customers"]
    with pytest.raises(AlreadyExistsError, match="use --update"):
        sim.learn("shop", [str(folder)])
    second = sim.learn("shop", [str(folder)], update=True)
    assert second.version == 2 and {t.name for t in sim.get_schema("shop").tables} == {"customers", "orders"}
    assert [v.version for v in sim.schema_versions("shop")][:2] == [2, 1]


def test_dry_run_saves_nothing_and_fidelity_needs_a_learned_run(tmp_path: Path, sim: Simulator) -> None:
    folder = write_sample(tmp_path / "sample")
    code, out, err = run("experiment", "learn", "shop", "--from", str(folder), "--dry-run")
    assert code == 0, err
    assert json.loads(out)["name"] == "shop"
    assert sim.list_experiments() == []
    sim.learn("shop", [str(folder)], target_warehouse="duckdb")
    with pytest.raises(NotFoundError, match="no completed run yet"):
        sim.fidelity("shop")
    whole = sim.learn("all", [str(folder)], tables=["orders"], sample_rows=0, dry_run=True)
    assert whole.report["tables"][0]["sampled_rows"] == 20_000
    code, _, err = run("experiment", "learn", "other", "--from", str(tmp_path / "missing.parquet"))
    assert code == 1 and "missing.parquet" in err and "no such file" in err


def test_deleting_forgets_the_reference(tmp_path: Path, sim: Simulator) -> None:
    folder = write_sample(tmp_path / "sample")
    sim.learn("shop", [str(folder)], tables=["customers"], target_warehouse="duckdb")
    reference = sim.data_root / "learned" / "shop.json"
    assert reference.is_file()
    sim.delete_experiment("shop")
    assert not reference.exists()
    sim.create_experiment_from_text('{"name": "shop", "tables": [{"name": "t", "columns": '
                                    '[{"name": "id", "data_type": "INT"}]}]}', target_warehouse="duckdb")  # fmt: skip
    assert sim.fidelity("shop", strict=False)["learned"] is False
