"""A small dbt project (tests/endpoints/dbt_project) run with dbt-redshift through the endpoint against generated
data, on both engines: models with DATEADD, LISTAGG, NVL and GETDATE, an incremental model run twice (the second
run takes the incremental path), and `dbt test` with not_null, unique and relationships. One dbt session per engine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from endpoint_support import EXPERIMENTS, PASSWORD, USER, Endpoint, require

PROJECT = Path(__file__).with_name("dbt_project")


ROOT = Path(__file__).resolve().parents[2]


def _dbt() -> list[str]:
    """dbt lives in its own venv (`.venv-dbt`, made by scripts/setup.sh: dbt-core pins pathspec below what mypy 2
    needs), or $DW_SIM_TEST_DBT, or beside this interpreter."""
    for candidate in (os.environ.get("DW_SIM_TEST_DBT"), ROOT / ".venv-dbt" / "bin" / "dbt"):
        if candidate and Path(candidate).exists():
            return [str(candidate)]
    require("dbt.adapters.redshift")
    beside = Path(sys.executable).with_name("dbt")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "dbt.cli.main"]


@pytest.fixture(scope="session", params=["duckdb", "postgres"])
def dbt_run(request: pytest.FixtureRequest, endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> dict:
    engine = str(request.param)
    database = EXPERIMENTS[engine]
    work = tmp_path_factory.mktemp(f"dbt-{engine}")
    project = work / "project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    (work / "profiles.yml").write_text(
        "dwsim:\n  target: local\n  outputs:\n    local:\n      type: redshift\n"
        f"      host: {endpoint.host}\n      port: {endpoint.port}\n      user: {USER}\n      password: {PASSWORD}\n"
        f"      dbname: {database}\n      schema: {database}_dbt\n      threads: 2\n"
    )
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(work),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "SSL_CERT_FILE": str(endpoint.bundle),  # dbt-redshift connects with redshift_connector's default ssl
    }
    outputs = {}
    for step, args in (
        ("run", ["run"]),
        ("incremental", ["run", "--select", "orders_incremental"]),
        ("test", ["test"]),
    ):
        done = subprocess.run(
            [*_dbt(), *args, "--no-version-check"], cwd=project, env=env, capture_output=True, text=True, timeout=300
        )
        outputs[step] = done
        if step == "incremental":
            outputs["incremental_results"] = json.loads((work / "target" / "run_results.json").read_text())
    return {"engine": engine, "database": database, "outputs": outputs}


@pytest.mark.timeout(1500)  # its fixture runs three dbt commands of up to 300 s each (the default is 300 s in all)
def test_dbt_run_and_test_pass(dbt_run: dict) -> None:
    for step in ("run", "incremental", "test"):
        done = dbt_run["outputs"][step]
        assert done.returncode == 0, f"dbt {step} on {dbt_run['engine']} failed:\n{done.stdout[-4000:]}"
    assert "PASS=3" in dbt_run["outputs"]["run"].stdout
    assert "PASS=7" in dbt_run["outputs"]["test"].stdout


def test_incremental_model_took_the_incremental_path(dbt_run: dict) -> None:
    (result,) = dbt_run["outputs"]["incremental_results"]["results"]
    assert result["status"] == "success"
    assert "coalesce(max(order_id), 0) - 50" in result["compiled_code"]


def test_models_hold_redshift_answers(dbt_run: dict, endpoint: Endpoint) -> None:
    database = dbt_run["database"]
    schema = f"{database}_dbt"
    with psycopg.connect(endpoint.url(database), autocommit=True) as conn:
        assert conn.execute(f"SELECT count(*), sum(order_count) FROM {schema}.customer_orders").fetchone() == (100, 500)
        assert conn.execute(
            f"SELECT count(*), count(DISTINCT order_id) FROM {schema}.orders_incremental"
        ).fetchone() == (
            500,
            500,
        )
        listagg = conn.execute(
            f"SELECT order_ids FROM {schema}.customer_orders WHERE order_count > 1 ORDER BY customer_id LIMIT 1"
        ).fetchone()
        customer = conn.execute(
            f"SELECT customer_id FROM {schema}.customer_orders WHERE order_count > 1 ORDER BY customer_id LIMIT 1"
        ).fetchone()
        assert listagg is not None and customer is not None
        expected = conn.execute(
            "SELECT order_id FROM orders WHERE customer_id = %s ORDER BY order_id", [customer[0]]
        ).fetchall()
        assert listagg[0] == ",".join(str(r[0]) for r in expected)
        dated = conn.execute(f"SELECT order_id, ordered_at FROM {schema}.stg_orders WHERE order_id = 45").fetchone()
        assert dated is not None and str(dated[1])[:10] == "2024-01-16"  # DATEADD(day, 45 % 30, '2024-01-01')
