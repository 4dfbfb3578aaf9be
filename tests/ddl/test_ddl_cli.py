"""`dw-sim experiment import-sql` and `dw-sim experiment ddl` through Typer's runner (the service layer is real)."""

from __future__ import annotations

import json
from pathlib import Path

from ddl_support import FIXTURES
from typer.testing import CliRunner

from dw_simulator.cli import app
from dw_simulator.cli.ddl_cmds import default_name

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_prints_the_schema_and_warnings_and_stores_nothing(tmp_path: Path) -> None:
    sql = FIXTURES / "redshift" / "composite_key.sql"
    code, out, err = run(
        "experiment", "import-sql", str(sql), "--dialect", "redshift", "--name", "sales_experiment", "--dry-run"
    )
    assert code == 0, err
    schema = json.loads(out)
    assert schema["name"] == "sales_experiment"
    assert schema["tables"][0]["composite_keys"] == [["region_id", "store_id"]]
    assert schema["tables"][0]["target_rows"] == 1000
    assert "composite primary key (region_id, store_id)" in err and "dry run" in err
    code, out, _ = run("experiment", "list", "--json")
    assert code == 0 and json.loads(out) == []


def test_import_stores_and_ddl_exports(tmp_path: Path) -> None:
    sql = tmp_path / "my-shop.sql"
    sql.write_text((FIXTURES / "redshift" / "foreign_keys.sql").read_text())
    code, out, err = run("experiment", "import-sql", str(sql), "-d", "redshift", "--rows", "orders=50", "--json")
    assert code == 0, err
    outcome = json.loads(out)
    assert outcome["experiment"]["name"] == "my_shop"
    assert any("currencies" in w for w in outcome["warnings"])
    code, out, err = run("experiment", "ddl", "my_shop", "--dialect", "snowflake")
    assert code == 0, err
    assert "CREATE TABLE orders (" in out and "REFERENCES customers (customer_id)" in out
    target = tmp_path / "out.sql"
    code, _, err = run("experiment", "ddl", "my_shop", "-d", "redshift", "-o", str(target))
    assert code == 0 and "wrote" in err
    assert "PRIMARY KEY (order_id, line_no)" in target.read_text()


def test_import_errors_exit_1_with_line_and_column(tmp_path: Path) -> None:
    sql = tmp_path / "bad.sql"
    sql.write_text("CREATE TABLE t (\n  id INT,\n  doc VARIANT\n);\n")
    code, _, err = run("experiment", "import-sql", str(sql), "--dialect", "redshift")
    assert code == 1
    assert "line 3, column 7" in err and "did you mean --dialect snowflake?" in err
    code, _, err = run("experiment", "import-sql", str(tmp_path / "missing.sql"), "--dialect", "redshift")
    assert code == 1 and "not found" in err


def test_import_reads_stdin() -> None:
    code, out, err = run(
        "experiment",
        "import-sql",
        "-",
        "-d",
        "snowflake",
        "--dry-run",
        "--json",
        input="CREATE TABLE t (id NUMBER(38,0) PRIMARY KEY);",
    )
    assert code == 0, err
    assert json.loads(out)["schema"]["name"] == "stdin"


def test_default_name_is_the_file_stem_as_an_identifier() -> None:
    assert default_name(Path("tpc-ds.sql")) == "tpc_ds"
    assert default_name(Path("2024 sales.sql")) == "_2024_sales"
    assert default_name(Path("-")) == "stdin"


def test_import_prints_a_short_summary_not_the_schema(tmp_path: Path) -> None:
    sql = FIXTURES / "redshift" / "foreign_keys.sql"
    code, out, err = run("experiment", "import-sql", str(sql), "-d", "redshift", "--name", "shop")
    assert code == 0, err
    assert out == ""  # the schema JSON is for --dry-run and --json
    summary = next(line for line in err.splitlines() if line.startswith("read "))
    assert "table(s)" in summary and "foreign key(s)" in summary and "inferred" in summary
    code, out, _ = run("experiment", "import-sql", str(sql), "-d", "redshift", "--name", "shop2", "--json")
    outcome = json.loads(out)
    tables = outcome["schema"]["tables"]
    foreign = sum(1 for t in tables for c in t["columns"] if c.get("foreign_key"))
    assert f"read {len(tables)} table(s)" in summary and f"{foreign} foreign key(s)" in summary
    assert f"{len(outcome['inferences'])} setting(s) inferred" in summary
    assert "created experiment shop" in err.replace("\n", " ")
    assert len(err.splitlines()) < 15
