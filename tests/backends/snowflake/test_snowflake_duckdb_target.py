"""The Snowflake session layer over the embedded DuckDB warehouse (a Snowflake-dialect experiment on duckdb):
transactions span the layer's statements, as the Snowflake SQL API and `dw-sim query` sessions use them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dw_simulator.config import Settings
from dw_simulator.schema import load_schema_data
from dw_simulator.service import Simulator


@pytest.fixture()
def sim(tmp_path: object) -> Iterator[Simulator]:
    simulator = Simulator(Settings(data_root=tmp_path))  # type: ignore[arg-type]
    schema = load_schema_data(
        {
            "name": "sfduck",
            "target_warehouse": "duckdb",
            "dialect": "snowflake",
            "tables": [{"name": "t", "target_rows": 1, "columns": [{"name": "id", "data_type": "INT"}]}],
        }
    )
    simulator.create_experiment(schema)
    simulator.query("sfduck", "CREATE TABLE items (k INT)")
    yield simulator
    simulator.close()


def count(sim: Simulator) -> int:
    return int(sim.query("sfduck", "SELECT COUNT(*) AS n FROM items").rows[0][0])


def test_rollback_undoes_the_layers_statements(sim: Simulator) -> None:
    backend = sim.backend("duckdb")
    backend.begin()  # type: ignore[attr-defined]
    sim.query("sfduck", "INSERT INTO items VALUES (1), (2)")
    assert count(sim) == 2  # the transaction's own work is seen inside it
    backend.rollback()  # type: ignore[attr-defined]
    assert count(sim) == 0


def test_commit_keeps_them(sim: Simulator) -> None:
    backend = sim.backend("duckdb")
    backend.begin()  # type: ignore[attr-defined]
    sim.query("sfduck", "INSERT INTO items VALUES (1)")
    backend.commit()  # type: ignore[attr-defined]
    assert count(sim) == 1


def test_results_are_named_and_typed_as_snowflake(sim: Simulator) -> None:
    result = sim.query("sfduck", "SELECT 1.50::NUMBER(10,2) AS price, k AS n FROM items")
    assert result.columns == ["PRICE", "N"]
    assert result.types == ["FIXED(10,2)", "FIXED(38,0)"]  # INT is NUMBER(38,0)


def test_a_statement_sqlglot_cannot_write_is_named_as_not_supported(sim: Simulator) -> None:
    from dw_simulator.errors import QueryError

    sim.query("sfduck", "DROP TABLE items")
    with pytest.raises(QueryError) as caught:
        sim.query("sfduck", "UNDROP TABLE items")
    assert caught.value.message == "Snowflake: not supported on the embedded Snowflake endpoint: UNDROP"
