"""The metadata store: migrations, the one-active-run rule enforced by the database, and logging."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from pathlib import Path

import pytest
from alembic import command

from dw_simulator.errors import RunInProgressError
from dw_simulator.logs import configure_logging, log_context
from dw_simulator.metadata.store import MetadataStore, _alembic_config
from dw_simulator.service import Simulator


def test_migrations_create_tables_and_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    MetadataStore(path).close()
    MetadataStore(path).close()  # reopening applies nothing twice
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"experiments", "experiment_tables", "generation_runs", "schema_versions", "alembic_version"} <= tables
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("0002",)]


def test_downgrade_then_upgrade_round_trips(tmp_path: Path) -> None:
    store = MetadataStore(tmp_path / "m.sqlite")
    config = _alembic_config()
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    con = sqlite3.connect(tmp_path / "m.sqlite")
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'experiments'").fetchone() == (0,)
    store.migrate()
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'experiments'").fetchone() == (1,)


def test_one_active_run_per_experiment_is_enforced_by_the_database(sim: Simulator, examples: Path) -> None:
    sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    with sim.metadata.session() as session:
        experiment = sim.metadata.get_experiment(session, "ecommerce_experiment")
        sim.metadata.create_run(session, experiment, seed=1, workers=1, row_overrides={})
    with (
        pytest.raises(RunInProgressError, match="already has a generation run in progress"),
        sim.metadata.session() as session,
    ):
        experiment = sim.metadata.get_experiment(session, "ecommerce_experiment")
        sim.metadata.create_run(session, experiment, seed=2, workers=1, row_overrides={})


def test_interrupted_runs_are_recovered(sim: Simulator, examples: Path, tmp_path: Path) -> None:
    sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    partial = tmp_path / "partial-run"
    partial.mkdir()
    (partial / "part-00000.parquet").write_bytes(b"half")
    with sim.metadata.session() as session:
        experiment = sim.metadata.get_experiment(session, "ecommerce_experiment")
        run = sim.metadata.create_run(session, experiment, seed=1, workers=1, row_overrides={})
        run.status, run.owner_pid, run.output_path = "RUNNING", 2**22 + 12345, str(partial)  # a pid that is gone
        run_id = run.id
    assert sim.recover_interrupted_runs(only_dead_owners=True) == [run_id]
    recovered = sim.get_run(run_id)
    assert recovered.status == "FAILED" and "interrupted" in (recovered.error_message or "")
    assert not partial.exists()


def test_json_logs_carry_context() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    token = log_context.set({"run_id": 7})
    try:
        logging.getLogger("dw_simulator.test").info("hello", extra={"rows": 3})
    finally:
        log_context.reset(token)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["message"] == "hello" and line["run_id"] == 7 and line["rows"] == 3 and line["level"] == "info"


def test_text_logs_are_readable() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "text", stream=stream)
    logging.getLogger("dw_simulator.test").warning("careful", extra={"table": "t"})
    assert "careful" in stream.getvalue() and "table=t" in stream.getvalue()
