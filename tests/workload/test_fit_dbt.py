"""`experiment fit --dbt`: a dbt project in the shape of real ones (tests/workload/dbt_shop: sources without
types, staging models, marts with Jinja loops, tests) makes the experiment alone (no seeds, no hand-written
schema); its tests become constraints; and `dbt build` (run + every test) passes on the generated data through
the Redshift endpoint, on DuckDB and on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dw_simulator.config import Settings
from dw_simulator.service import Simulator

PROJECT = Path(__file__).with_name("dbt_shop")
ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "mockuser", "mockpass"


def test_the_project_alone_makes_the_experiment_and_its_tests_become_constraints(sim: Simulator) -> None:
    outcome = sim.fit_workload("jshop", dbt=PROJECT)
    schema = sim.get_schema("jshop")
    assert {t.name for t in schema.tables} == {"raw_customers", "raw_orders", "raw_payments"}
    customers, orders, payments = (schema.table(n) for n in ("raw_customers", "raw_orders", "raw_payments"))
    assert customers and orders and payments
    assert customers.column("id").is_unique and customers.column("id").required  # type: ignore[union-attr]
    status = orders.column("status").distribution  # type: ignore[union-attr]
    assert status is not None and set(status.values) == {"placed", "shipped", "completed", "return_pending",  # type: ignore[union-attr]
                                                          "returned"}  # fmt: skip
    fk = orders.column("user_id").foreign_key  # type: ignore[union-attr]
    assert fk is not None and (fk.references_table, fk.references_column) == ("raw_customers", "id")
    assert payments.column("order_id").required  # type: ignore[union-attr]
    assert {q.name for q in schema.workload} >= {"customers", "completed_orders_2018", "stg_orders"}
    assert any("computed" in n for n in outcome.notes)  # number_of_orders is coalesce(...): left to dbt
    sim.generate("jshop", seed=3)
    assert [c.name for c in sim.check_workload("jshop") if not c.rows] == []
    hit = sim.query("jshop", "SELECT count(*) FROM raw_orders WHERE status = 'completed' AND "
                             "order_date BETWEEN '2018-01-01' AND '2018-12-31'")  # fmt: skip
    assert hit.rows[0][0] > 0


def test_a_query_against_an_accepted_values_test_is_a_contradiction(sim: Simulator) -> None:
    sim.fit_workload("jshop", dbt=PROJECT)
    outcome = sim.fit_workload("jshop", dbt=PROJECT, texts=[("q", "SELECT * FROM raw_orders WHERE status = 'lost'")])
    assert any("'lost'" in line for line in outcome.contradictions)
    status = sim.get_schema("jshop").table("raw_orders").column("status").distribution  # type: ignore[union-attr]
    assert "lost" not in status.values  # type: ignore[union-attr]


def _dbt() -> list[str] | None:
    for candidate in (os.environ.get("DW_SIM_TEST_DBT"), ROOT / ".venv-dbt" / "bin" / "dbt"):
        if candidate and Path(candidate).exists():
            return [str(candidate)]
    beside = Path(sys.executable).with_name("dbt")
    return [str(beside)] if beside.exists() else None


@pytest.fixture(scope="module")
def endpoint_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    from pg_server import postgres_server, scratch_database

    with postgres_server() as admin, scratch_database(admin) as url:
        yield tmp_path_factory.mktemp("fit-dbt"), url


@pytest.mark.timeout(900)
@pytest.mark.parametrize("warehouse", ["duckdb", "redshift"])
def test_dbt_build_passes_on_generated_data(warehouse: str, endpoint_root: tuple[Path, str]) -> None:
    dbt = _dbt()
    if dbt is None:
        pytest.skip("dbt-redshift is not installed (.venv-dbt)")
    from dw_simulator.connections import bundle_path
    from dw_simulator.endpoints.redshift.runner import EndpointThread
    from dw_simulator.endpoints.redshift.server import EndpointConfig

    root, pg_url = endpoint_root
    work = root / warehouse
    settings = Settings(data_root=work / "data", redshift_url=pg_url, default_warehouse="duckdb")
    name = f"jshop_{warehouse}"
    simulator = Simulator(settings)
    simulator.fit_workload(name, dbt=PROJECT)
    if warehouse == "redshift":  # the same project made on the PostgreSQL engine
        schema = simulator.get_schema(name)
        simulator.delete_experiment(name)
        simulator.create_experiment(schema.model_copy(update={"target_warehouse": "redshift"}))
    assert simulator.generate(name, seed=9).status == "COMPLETED"
    simulator.release_backends()
    thread = EndpointThread(simulator, EndpointConfig.from_settings(settings, host="127.0.0.1", port=0)).start()
    try:
        project = work / "project"
        shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
        (work / "profiles.yml").write_text(
            "dwsim:\n  target: local\n  outputs:\n    local:\n      type: redshift\n"
            f"      host: 127.0.0.1\n      port: {thread.port}\n      user: {USER}\n      password: {PASSWORD}\n"
            f"      dbname: {name}\n      schema: {name}_dbt\n      threads: 2\n"
        )
        env = {**os.environ, "DBT_PROFILES_DIR": str(work), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
               "DO_NOT_TRACK": "1", "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs"),
               "SSL_CERT_FILE": str(bundle_path(settings))}  # fmt: skip
        done = subprocess.run([*dbt, "build", "--no-version-check"], cwd=project, env=env, capture_output=True,
                              text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, f"dbt build failed:\n{done.stdout[-5000:]}"
        assert "ERROR=0" in done.stdout and "PASS=" in done.stdout
    finally:
        thread.stop()
        simulator.close()
