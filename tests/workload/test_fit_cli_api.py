"""`dw-sim experiment fit` and the API routes: contributions printed per query, a dry run that saves nothing,
stdin, the per-query report after `generate`, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from shop import DDL, QUERIES
from typer.testing import CliRunner

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.cli import app
from dw_simulator.config import Settings
from dw_simulator.service import Simulator

runner = CliRunner()


def _import(tmp_path: Path) -> Path:
    ddl = tmp_path / "shop.sql"
    ddl.write_text(DDL)
    result = runner.invoke(app, ["experiment", "import-sql", str(ddl), "--dialect", "redshift", "--name", "shop",
                                 "--target-warehouse", "duckdb"])  # fmt: skip
    assert result.exit_code == 0, result.output
    queries = tmp_path / "queries"
    queries.mkdir()
    (queries / "shop.sql").write_text(QUERIES)
    return queries


def test_cli_fit_dry_run_then_fit_generate_and_report(tmp_path: Path) -> None:
    folder = _import(tmp_path)
    dry = runner.invoke(app, ["experiment", "fit", "shop", "--queries", str(folder), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "shipped_books" in dry.output and "'shipped'" in dry.output and "dry run" in dry.output
    versions = runner.invoke(app, ["experiment", "show", "shop"])
    assert "from query" not in versions.output  # nothing saved
    saved = runner.invoke(app, ["experiment", "fit", "shop", "--queries", str(folder)])
    assert saved.exit_code == 0 and "schema version 2" in saved.output, saved.output
    show = runner.invoke(app, ["experiment", "show", "shop"])
    assert "from query promo_1995" in show.output and "PROMO" in show.output
    run = runner.invoke(app, ["experiment", "generate", "shop", "--seed", "2"])
    assert run.exit_code == 0, run.output
    assert "workload: 6/6 fitted queries return rows" in run.output


def test_cli_fit_reads_stdin_and_reports_a_starved_query(tmp_path: Path) -> None:
    _import(tmp_path)
    sql = "-- name: impossible\nSELECT * FROM orders WHERE status = 'shipped' AND status = 'paid';\n"
    fitted = runner.invoke(app, ["experiment", "fit", "shop", "--queries", "-", "--json"], input=sql)
    assert fitted.exit_code == 0, fitted.output
    body = json.loads(fitted.output)
    assert body["version"] == 2 and body["queries"][0]["name"] == "impossible"
    assert any("together" in note for note in body["notes"])  # the planned domains cannot satisfy both
    run = runner.invoke(app, ["experiment", "generate", "shop", "--seed", "2"])
    assert "0/1 fitted queries return rows" in run.output
    assert "only their combination" in run.output


def test_cli_fit_errors_name_the_place(tmp_path: Path) -> None:
    _import(tmp_path)
    bad = tmp_path / "bad.sql"
    bad.write_text("SELECT *\nFROM orders WHERE (status = 'x'\n")
    result = runner.invoke(app, ["experiment", "fit", "shop", "--queries", str(bad)])
    assert result.exit_code != 0 and "bad.sql" in result.output and "line" in result.output


def test_api_fit_and_workload_check(settings: Settings) -> None:
    with Simulator(settings) as sim:
        sim.import_sql(DDL, "redshift", name="shop", target_warehouse="duckdb")
    with TestClient(create_app(settings, api_settings=ApiSettings()), base_url="http://127.0.0.1") as client:
        answer = client.post("/api/experiments/shop/fit", json={"queries": [{"name": "all", "sql": QUERIES}]})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["version"] == 2 and {q["name"] for q in body["queries"]} >= {"shipped_books", "loyal"}
        missing = client.post(
            "/api/experiments/shop/fit", json={"queries": [{"name": "x", "sql": "SELECT * FROM nope"}]}
        )
        assert missing.status_code == 400 and "nope" in missing.json()["message"]
        with Simulator(settings) as sim:
            assert sim.generate("shop", seed=4).status == "COMPLETED"
        checks = client.get("/api/experiments/shop/workload-check").json()
        assert [c["name"] for c in checks if not c["rows"]] == []
        assert len(checks) == 6
