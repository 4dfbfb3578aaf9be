"""Issue 13 through the service, CLI and stored metadata: inferences are listed, `_row_id` stays the generator's
business, old stored experiments migrate and still generate."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from typer.testing import CliRunner

from dw_simulator.cli import app
from dw_simulator.metadata.store import _alembic_config
from dw_simulator.service import Simulator

ROOT = Path(__file__).resolve().parent.parent
TPCH = ROOT / "bench" / "realism_schemas" / "tpch_redshift.sql"
TICKIT = ROOT / "bench" / "realism_schemas" / "tickit_redshift.sql"
runner = CliRunner()

COMPOSITE = """
CREATE TABLE orders (order_id INT PRIMARY KEY, order_date DATE);
CREATE TABLE order_lines (order_id INT NOT NULL, line_no INT NOT NULL, qty INT, PRIMARY KEY (order_id, line_no));
"""


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_select_star_and_the_ddl_show_only_the_users_columns(sim: Simulator) -> None:
    sim.import_sql(COMPOSITE, "redshift", name="shop", rows={"orders": 200, "order_lines": 900})
    run_info = sim.generate("shop", seed=1)
    assert run_info.status == "COMPLETED", run_info.error_message
    result = sim.query("shop", "SELECT * FROM order_lines LIMIT 1", dialect="duckdb")
    assert list(result.columns) == ["order_id", "line_no", "qty"]
    assert "_row_id" not in sim.export_ddl("shop", "redshift")
    covered = sim.query("shop", "SELECT count(DISTINCT order_id) FROM order_lines", dialect="duckdb").rows[0][0]
    assert covered == 200  # every order has lines: the key follows its (inferred) parent


def test_import_output_and_experiment_show_list_every_inference(tmp_path: Path) -> None:
    code, out, err = run("experiment", "import-sql", str(TICKIT), "--dialect", "redshift", "--name", "tickit")
    assert code == 0, err
    for expected in ("inferred primary key users.userid", "inferred foreign key sales.buyerid", "seller",
                     "inferred semantic", "inferred time order", "inferred date window"):  # fmt: skip
        assert expected in err, expected
    code, out, err = run("experiment", "show", "tickit")
    assert code == 0, err
    assert "inferred time order sales.saletime" in out and "listing.listtime" in out
    assert "inferred foreign key sales.buyerid" in out
    code, out, _ = run("experiment", "show", "tickit", "--json")
    detail = json.loads(out)
    kinds = {i["kind"] for i in detail["inferences"]}
    assert {"primary_key", "foreign_key", "semantic", "temporal_order", "time_window"} <= kinds
    assert all({"kind", "table", "column", "reason"} <= set(i) for i in detail["inferences"])
    assert [i["reason"] for i in detail["schema"]["inferences"]] == [i["reason"] for i in detail["inferences"]]


def test_no_infer_keys_refuses_key_inference(tmp_path: Path) -> None:
    code, out, err = run("experiment", "import-sql", str(TPCH), "--dialect", "redshift", "--name", "tpch",
                         "--no-infer-keys", "--json")  # fmt: skip
    assert code == 0, err
    outcome = json.loads(out)
    assert not [i for i in outcome["inferences"] if i["kind"] in ("foreign_key", "primary_key")]
    assert [i for i in outcome["inferences"] if i["kind"] == "semantic"]
    columns = {c["name"]: c for t in outcome["schema"]["tables"] for c in t["columns"]}
    assert "foreign_key" not in columns["c_nationkey"]


def test_an_experiment_stored_before_issue_13_migrates_and_generates(sim: Simulator) -> None:
    """A schema stored with the surrogate `_row_id` an import used to add loses it on the metadata migration."""
    outcome = sim.import_sql(COMPOSITE, "redshift", name="legacy", rows={"orders": 50, "order_lines": 120})
    old = outcome.schema.model_dump(mode="json", exclude_none=True)
    for key in ("date_start", "date_end", "inferences"):
        old.pop(key, None)
    lines = old["tables"][1]
    lines["columns"].insert(0, {"name": "_row_id", "data_type": "INT", "is_unique": True, "required": True})
    lines["warnings"] = ["Table 'order_lines' has a composite primary key (order_id, line_no). A surrogate key column "
                         "'_row_id' has been added for generation. Original columns are preserved."]  # fmt: skip
    for column in lines["columns"]:
        column.pop("foreign_key", None)
    config = _alembic_config()
    with sim.metadata.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
        conn.exec_driver_sql("UPDATE experiments SET schema_json = ? WHERE name = 'legacy'", (json.dumps(old),))
    sim.metadata.migrate()
    schema = sim.get_schema("legacy")
    assert [c.name for c in schema.tables[1].columns] == ["order_id", "line_no", "qty"]
    assert schema.tables[1].warnings == []
    run_info = sim.generate("legacy", seed=2)
    assert run_info.status == "COMPLETED", run_info.error_message
    dupes = sim.query("legacy", "SELECT count(*) - count(DISTINCT (order_id, line_no)) FROM order_lines",
                      dialect="duckdb").rows[0][0]  # fmt: skip
    assert dupes == 0
