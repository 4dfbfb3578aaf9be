"""The service layer on the real embedded warehouses: create, delete atomicity, target resolution."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from dw_simulator.config import Settings
from dw_simulator.errors import AlreadyExistsError, NotFoundError
from dw_simulator.metadata.store import MetadataStore
from dw_simulator.schema import load_schema_file
from dw_simulator.service import Simulator
from dw_simulator.service_runs import PhaseEvent


@pytest.mark.parametrize("warehouse", ["duckdb", "sqlite"])
def test_delete_failure_midway_leaves_tables_and_metadata(
    sim: Simulator, examples: Path, monkeypatch: pytest.MonkeyPatch, warehouse: str
) -> None:
    sim.create_experiment_from_file(examples / "retail_analytics.json", target_warehouse=warehouse)
    backend = sim.backend(warehouse)
    assert sorted(backend.existing_tables("retail_analytics")) == ["customers", "order_items", "orders"]

    def boom(self: MetadataStore, session: Any, experiment: Any) -> None:
        raise RuntimeError("disk full while deleting metadata")

    monkeypatch.setattr(MetadataStore, "delete_experiment", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        sim.delete_experiment("retail_analytics")
    monkeypatch.undo()

    # both sides intact: the warehouse drop was rolled back with the metadata failure
    assert sorted(backend.existing_tables("retail_analytics")) == ["customers", "order_items", "orders"]
    assert [e.name for e in sim.list_experiments()] == ["retail_analytics"]
    assert sim.delete_experiment("retail_analytics") == 3
    assert backend.existing_tables("retail_analytics") == []
    assert sim.list_experiments() == []


def test_create_rolls_back_tables_when_metadata_fails(
    sim: Simulator, examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: MetadataStore, session: Any, **kwargs: Any) -> None:
        raise RuntimeError("metadata write failed")

    monkeypatch.setattr(MetadataStore, "add_experiment", boom)
    with pytest.raises(RuntimeError):
        sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    monkeypatch.undo()
    assert sim.backend("duckdb").existing_tables("ecommerce_experiment") == []
    assert sim.list_experiments() == []


def test_unknown_experiment_is_not_found(sim: Simulator) -> None:
    with pytest.raises(NotFoundError, match="'ghost' not found"):
        sim.delete_experiment("ghost")
    with pytest.raises(NotFoundError):
        sim.query("ghost", "SELECT 1")


def test_names_are_unique_ignoring_case(sim: Simulator, examples: Path) -> None:
    sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    with pytest.raises(AlreadyExistsError):
        sim.create_experiment_from_file(examples / "ecommerce_experiment.json", name="ECOMMERCE_EXPERIMENT")
    assert sim.get_experiment("Ecommerce_Experiment").info.name == "ecommerce_experiment"


def test_physical_tables_have_warehouse_types(sim: Simulator, tmp_path: Path) -> None:
    schema = tmp_path / "types.yaml"
    schema.write_text(
        "name: typed\ntables:\n  - name: t\n    columns:\n"
        "      - {name: a, data_type: BIGINT, required: true}\n"
        "      - {name: b, data_type: 'DECIMAL(10,2)'}\n"
        "      - {name: c, data_type: 'CHAR(2)'}\n"
        "      - {name: d, data_type: TIMESTAMPTZ}\n"
        "      - {name: e, data_type: BOOLEAN}\n"
        "      - {name: f, data_type: 'VARCHAR(40)'}\n"
        "      - {name: g, data_type: SMALLINT}\n"
    )
    sim.create_experiment_from_file(schema)
    result = sim.query(
        "typed",
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'typed' ORDER BY ordinal_position",
        dialect="duckdb",
    )
    assert result.rows == [
        ("a", "BIGINT", "NO"),
        ("b", "DECIMAL(10,2)", "YES"),
        ("c", "VARCHAR", "YES"),
        ("d", "TIMESTAMP WITH TIME ZONE", "YES"),
        ("e", "BOOLEAN", "YES"),
        ("f", "VARCHAR", "YES"),
        ("g", "SMALLINT", "YES"),
    ]


def test_target_resolution_follows_the_brief(data_root: Path) -> None:
    assert Settings(data_root=data_root).resolve_target(None) == "duckdb"
    assert Settings(data_root=data_root, snowflake_url="embedded").resolve_target(None) == "snowflake"
    both = Settings(data_root=data_root, snowflake_url="embedded", redshift_url="postgresql://x")
    assert both.resolve_target(None) == "redshift"
    assert both.resolve_target("sqlite") == "sqlite"
    assert Settings(data_root=data_root, default_warehouse="sqlite").resolve_target(None) == "sqlite"


def test_resolved_target_is_stored_and_listed(data_root: Path, examples: Path) -> None:
    with Simulator(Settings(data_root=data_root, default_warehouse="sqlite")) as sim:
        info = sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
        assert info.target_warehouse == "sqlite"
        stored = sim.get_schema("ecommerce_experiment")
        assert stored.target_warehouse == "sqlite"
    # a later process with other defaults still finds the data where it was created
    with Simulator(Settings(data_root=data_root)) as sim:
        assert [e.target_warehouse for e in sim.list_experiments()] == ["sqlite"]
        assert sim.query("ecommerce_experiment", "SELECT count(*) FROM customers").rows == [(0,)]


def test_unavailable_warehouse_is_a_clear_error(sim: Simulator, examples: Path) -> None:
    schema = load_schema_file(examples / "ecommerce_experiment.json")
    schema = schema.model_copy(update={"target_warehouse": "nosuch"})
    from dw_simulator.errors import BackendUnavailableError

    with pytest.raises(BackendUnavailableError, match="warehouse 'nosuch' is not available"):
        sim.create_experiment(schema)


def test_interrupt_cancels_a_running_duckdb_query(sim: Simulator, examples: Path) -> None:
    import threading
    import time

    from dw_simulator.errors import QueryError

    sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    sim.query("ecommerce_experiment", "SELECT 1")  # opens the connection
    errors: list[BaseException] = []

    def long_query() -> None:
        try:
            sim.query(
                "ecommerce_experiment",
                "SELECT count(*) FROM range(1000000000) a, range(100) b WHERE (a.range * b.range) % 7 = 3",
                dialect="duckdb",
            )
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=long_query)
    worker.start()
    time.sleep(0.5)
    assert sim.interrupt() is True
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert errors and isinstance(errors[0], QueryError) and "interrupt" in str(errors[0]).lower()


def test_target_flag_derives_the_dialect_afresh(sim: Simulator, examples: Path) -> None:
    info = sim.create_experiment_from_file(examples / "ecommerce_experiment.json", target_warehouse="sqlite")
    assert (info.target_warehouse, info.dialect) == ("sqlite", "redshift")
    schema = load_schema_file(examples / "ecommerce_experiment.json", overrides={"target_warehouse": "snowflake"})
    assert schema.dialect == "snowflake"  # derived from the new target, not kept from the file's default
    explicit = load_schema_file(
        examples / "ecommerce_experiment.json", overrides={"target_warehouse": "snowflake", "dialect": "redshift"}
    )
    assert explicit.dialect == "redshift"


def test_generate_reports_its_phases_and_leaves_profiling_to_the_first_read(sim: Simulator, examples: Path) -> None:
    sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    seen: list[tuple[str, int, int, str | None]] = []

    def on_phase(event: PhaseEvent) -> None:
        # what the API's event stream reads: the run's progress in the metadata, already updated
        progress = sim.list_runs("ecommerce_experiment", limit=1)[0].progress
        seen.append((event.phase, event.done, event.total, progress.get("phase")))

    run = sim.generate("ecommerce_experiment", rows={"customers": 40, "orders": 90}, seed=3, on_phase=on_phase)
    assert run.status == "COMPLETED"
    assert seen == [("generate", 0, 2, "generate"), ("load", 0, 2, "load"), ("load", 2, 2, "load")]
    assert run.progress["phase"] == "done" and run.progress["phase_total"] == 2

    stored = sqlite3.connect(sim.metadata_path).execute("SELECT profile FROM generation_runs").fetchall()
    assert stored == [(None,)]  # the run did not pay for profiling
    steps: list[tuple[int, int]] = []
    profile = sim.get_experiment(
        "ecommerce_experiment", on_profile=lambda done, total: steps.append((done, total))
    ).profile
    assert steps == [(0, 2), (1, 2), (2, 2)]
    orders = {p["column"]: p for p in profile["orders"]}
    assert orders["order_id"]["distinct"] == 90 and orders["order_id"]["null_fraction"] == 0
    stored = sqlite3.connect(sim.metadata_path).execute("SELECT profile FROM generation_runs").fetchall()
    assert json.loads(stored[0][0]) == profile  # kept for the next read
    steps.clear()
    assert sim.get_experiment("ecommerce_experiment", on_profile=lambda d, t: steps.append((d, t))).profile == profile
    assert steps == []  # nothing to compute the second time
