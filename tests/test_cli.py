"""The CLI end to end on the real embedded warehouses (DuckDB and SQLite), through Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dw_simulator import __version__
from dw_simulator.cli import app

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out


def test_help_lists_commands() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for command in ("experiment", "query"):
        assert command in out
    code, out, _ = run("experiment", "--help")
    for command in ("create", "list", "show", "delete", "generate", "runs"):
        assert command in out


def test_create_list_show_delete_brief_examples(examples: Path) -> None:
    for file in ("ecommerce_experiment.json", "retail_analytics.json", "sales_experiment.json"):
        code, out, err = run("experiment", "create", str(examples / file))
        assert code == 0, err
        assert "created" in out
    code, out, _ = run("experiment", "list", "--json")
    assert code == 0
    listing = {e["name"]: e for e in json.loads(out)}
    assert {n: e["table_count"] for n, e in listing.items()} == {
        "ecommerce_experiment": 2,
        "retail_analytics": 3,
        "sales_experiment": 1,
    }
    assert all(e["target_warehouse"] == "duckdb" for e in listing.values())
    assert listing["sales_experiment"]["warnings"][0].startswith("Table 'sales' has a composite primary key")

    code, out, _ = run("experiment", "show", "retail_analytics", "--json")
    detail = json.loads(out)
    assert [t["name"] for t in detail["schema"]["tables"]] == ["customers", "orders", "order_items"]

    code, out, _ = run(
        "query",
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'retail_analytics' ORDER BY 1",
        "-e",
        "retail_analytics",
        "--format",
        "csv",
    )
    assert code == 0
    assert out.splitlines() == ["table_name", "customers", "order_items", "orders"]

    code, out, _ = run("experiment", "delete", "retail_analytics", "--yes", "--json")
    assert code == 0
    assert json.loads(out) == {"experiment": "retail_analytics", "deleted": True, "tables_dropped": 3}
    code, out, _ = run(
        "query",
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'retail_analytics'",
        "-e",
        "ecommerce_experiment",
        "--format",
        "csv",
    )
    assert out.splitlines()[1] == "0"
    code, out, _ = run("experiment", "list", "--json")
    assert "retail_analytics" not in {e["name"] for e in json.loads(out)}


def test_list_text_shows_warehouse_and_tables(examples: Path) -> None:
    run("experiment", "create", str(examples / "ecommerce_experiment.json"))
    code, out, _ = run("experiment", "list")
    assert code == 0 and "ecommerce_experiment" in out and "duckdb" in out


def test_sqlite_target(examples: Path) -> None:
    code, _, err = run(
        "experiment", "create", str(examples / "ecommerce_experiment.json"), "--target-warehouse", "sqlite"
    )
    assert code == 0, err
    code, out, _ = run(
        "query",
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        "-e",
        "ecommerce_experiment",
        "--format",
        "json",
    )
    assert [r["name"] for r in json.loads(out)] == ["customers", "orders"]
    code, out, _ = run("experiment", "delete", "ecommerce_experiment", "-y")
    assert code == 0 and "2 table(s) dropped" in out


def test_delete_asks_for_confirmation(examples: Path) -> None:
    run("experiment", "create", str(examples / "ecommerce_experiment.json"))
    code, out, _ = run("experiment", "delete", "ecommerce_experiment", input="n\n")
    assert code == 1  # aborted
    assert "customers, orders" in out
    code, out, _ = run("experiment", "list", "--json")
    assert [e["name"] for e in json.loads(out)] == ["ecommerce_experiment"]
    code, out, _ = run("experiment", "delete", "ecommerce_experiment", input="y\n")
    assert code == 0 and "2 table(s) dropped" in out


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"name": "x; DROP TABLE y", "tables": [{"name": "t", "columns": [{"name": "a", "data_type": "INT"}]}]},
         ["not a safe SQL identifier"]),
        ({"name": "../../etc", "tables": [{"name": "t", "columns": [{"name": "a", "data_type": "INT"}]}]},
         ["not a safe SQL identifier"]),
        ({"name": "e", "tables": [{"name": "t", "columns": [{"name": "a", "data_type": "INT", "min_value": 3,
                                                              "max_value": 1}]}]},
         ["table 't'", "column 'a'", "field 'min_value'"]),
    ],
)  # fmt: skip
def test_invalid_schema_exit_1_with_located_message(
    tmp_path: Path, schema: dict[str, object], words: list[str]
) -> None:
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(schema))
    code, _out, err = run("experiment", "create", str(file))
    assert code == 1
    assert "Traceback" not in err
    for word in words:
        assert word in err
    assert len([line for line in err.splitlines() if line.startswith("error:")]) == 1


def test_errors_and_usage_exit_codes(examples: Path) -> None:
    code, _, err = run("experiment", "show", "missing")
    assert code == 1 and "experiment 'missing' not found" in err
    code, _, err = run("experiment", "create", "/no/such/file.json")
    assert code == 1 and "not found" in err
    code, _, _ = run("experiment", "create")  # missing argument
    assert code == 2
    code, _, _ = run("query", "SELECT 1")  # missing --experiment
    assert code == 2
    run("experiment", "create", str(examples / "ecommerce_experiment.json"))
    code, _, err = run("experiment", "create", str(examples / "ecommerce_experiment.json"))
    assert code == 1 and "already exists" in err
    code, _, err = run("experiment", "create", str(examples / "ecommerce_experiment.json"), "--replace")
    assert code == 0, err


def test_query_formats_limit_and_output(examples: Path, tmp_path: Path) -> None:
    run("experiment", "create", str(examples / "ecommerce_experiment.json"))
    sql = "SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) AS v(id, name) ORDER BY id"
    code, out, err = run("query", sql, "-e", "ecommerce_experiment")
    assert code == 0 and "3 row(s)" in err and " ms" in err
    assert "NULL" in out
    code, out, err = run("query", sql, "-e", "ecommerce_experiment", "--limit", "2", "--format", "csv")
    assert out.splitlines() == ["id,name", "1,a", "2,b"]
    assert "truncated" in err
    code, out, _ = run("query", sql, "-e", "ecommerce_experiment", "--format", "json")
    assert json.loads(out) == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": None}]
    target = tmp_path / "out.csv"
    code, out, err = run("query", sql, "-e", "ecommerce_experiment", "--output", str(target))
    assert code == 0 and target.read_text().splitlines()[0] == "id,name"
    code, _, err = run("query", "SELECT (1 +", "-e", "ecommerce_experiment")
    assert code == 1 and "line 1" in err and "Traceback" not in err
    code, _, err = run("query", "SELECT * FROM no_such_table", "-e", "ecommerce_experiment")
    assert code == 1 and "no_such_table" in err


def test_query_reads_redshift_sql(examples: Path) -> None:
    run("experiment", "create", str(examples / "ecommerce_experiment.json"))
    code, out, err = run(
        "query",
        "SELECT NVL(NULL, 5) AS a, DATEADD(day, 1, '2024-01-31'::date) AS b",
        "-e",
        "ecommerce_experiment",
        "--format",
        "csv",
    )
    assert code == 0, err
    row = out.splitlines()[1].split(",")
    assert row[0] == "5" and row[1].startswith("2024-02-01")


def test_query_reads_snowflake_sql(examples: Path, tmp_path: Path) -> None:
    data = json.loads((examples / "ecommerce_experiment.json").read_text())
    data["dialect"] = "snowflake"
    file = tmp_path / "snow.json"
    file.write_text(json.dumps(data))
    assert run("experiment", "create", str(file))[0] == 0
    code, out, err = run(
        "query",
        "SELECT IFF(1 > 0, 'yes', 'no') AS a, count(*) AS n FROM customers",
        "-e",
        "ecommerce_experiment",
        "--format",
        "csv",
    )
    assert code == 0, err
    assert out.splitlines()[1] == "yes,0"


def test_statements_without_a_result_print_one_status_line(examples: Path) -> None:
    run("experiment", "create", str(examples / "ecommerce_experiment.json"))
    run(
        "experiment", "generate", "ecommerce_experiment", "--rows", "customers=10", "--rows", "orders=20", "--seed", "1"
    )
    exp = ("-e", "ecommerce_experiment")
    code, out, err = run("query", "CREATE TABLE notes (id INT, body VARCHAR(20))", *exp)
    assert code == 0, err
    assert out.startswith("CREATE TABLE: done in ") and len(out.splitlines()) == 1
    code, out, _ = run("query", "INSERT INTO notes VALUES (1, 'a'), (2, 'b')", *exp)
    assert out.startswith("INSERT: 2 row(s) in ")
    code, out, err = run("query", "UNLOAD ('SELECT * FROM customers') TO 's3://cli-bucket/out/c_' FORMAT PARQUET", *exp)
    assert code == 0, err
    assert out.startswith("UNLOAD: ") and "┃" not in out  # no empty table
    code, out, _ = run("query", "/* tidy */ DROP TABLE notes", *exp)
    assert out.startswith("DROP TABLE: done")
    code, out, _ = run("query", "SELECT * FROM customers WHERE customer_id < 0", *exp)
    assert "customer_id" in out  # an empty query result is still a table, with its columns
    code, out, _ = run("query", "CREATE TABLE t2 (a INT)", *exp, "--format", "csv")
    assert "CREATE TABLE:" not in out  # machine formats keep the engine's answer as it is
