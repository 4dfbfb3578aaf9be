"""generate -> load -> query -> delete through the service layer on the snowflake target, for the brief's three
example schemas, with aggregates equal to the embedded DuckDB target for the same seed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dw_simulator.backends.snowflake.endpoint import snowflake_dir, stop_shared_endpoints
from dw_simulator.config import Settings
from dw_simulator.schema import load_schema_data
from dw_simulator.service import Simulator

EXAMPLES = Path(__file__).resolve().parents[3] / "dw_simulator" / "examples"
SEED = 20240501

AGGREGATES: dict[str, list[str]] = {
    "ecommerce_experiment.json": [
        "SELECT COUNT(*), COUNT(DISTINCT customer_id), ROUND(SUM(order_total), 2) FROM orders",
        "SELECT COUNT(*), MIN(customer_id), MAX(customer_id), COUNT(DISTINCT email) FROM customers",
        "SELECT COUNT(*) FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
    ],
    "retail_analytics.json": [
        "SELECT COUNT(*), SUM(quantity), COUNT(DISTINCT order_id) FROM order_items",
        "SELECT c.customer_id, COUNT(DISTINCT o.order_id) AS orders, COUNT(i.item_id) AS items FROM customers c "
        "JOIN orders o ON o.customer_id = c.customer_id JOIN order_items i ON i.order_id = o.order_id "
        "GROUP BY c.customer_id ORDER BY items DESC, c.customer_id LIMIT 5",
    ],
    "sales_experiment.json": [
        "SELECT COUNT(*), SUM(amount), MIN(sale_date), MAX(sale_date) FROM sales",
        "SELECT region_id, COUNT(*), SUM(amount) FROM sales GROUP BY region_id ORDER BY region_id LIMIT 5",
    ],
}


def normalise(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Numbers as rounded floats: the engines agree on values, not on Decimal vs float vs int."""
    return [
        tuple(
            round(float(v), 6) if isinstance(v, int | float | Decimal) and not isinstance(v, bool) else v for v in row
        )
        for row in rows
    ]


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = Simulator(Settings(data_root=tmp_path_factory.mktemp("sf-service")))
    yield sim
    sim.close()
    stop_shared_endpoints({snowflake_dir(sim.settings)})


@pytest.mark.parametrize("example", sorted(AGGREGATES))
def test_example_end_to_end_matches_duckdb(simulator: Simulator, example: str) -> None:
    path = EXAMPLES / example
    data = json.loads(path.read_text())
    data.pop("dialect", None)
    snow = simulator.create_experiment(
        load_schema_data({**data, "name": f"sf_{path.stem}", "target_warehouse": "snowflake"})
    )
    duck = simulator.create_experiment(
        load_schema_data({**data, "name": f"dk_{path.stem}", "target_warehouse": "duckdb"})
    )
    assert snow.target_warehouse == "snowflake" and snow.dialect == "snowflake"
    for name in (snow.name, duck.name):
        run = simulator.generate(name, seed=SEED)
        assert run.status == "COMPLETED", run.error_message
    detail = simulator.get_experiment(snow.name)
    assert all(t.row_count == t.target_rows or t.row_count for t in detail.info.tables)
    assert detail.profile, "the load profiled every table"
    for sql in AGGREGATES[example]:
        on_snowflake = simulator.query(snow.name, sql)
        on_duckdb = simulator.query(duck.name, sql, dialect="snowflake")
        assert on_snowflake.rows, sql
        assert normalise(on_snowflake.rows) == normalise(on_duckdb.rows), sql
    database = snow.name.upper()
    db_file = simulator.settings.warehouse_dir / "snowflake" / "databases" / f"{database}.db"
    assert db_file.exists()
    assert simulator.delete_experiment(snow.name) == len(detail.info.tables)
    assert not db_file.exists()
    simulator.delete_experiment(duck.name)


def test_snowflake_is_chosen_by_settings(tmp_path: Path) -> None:
    settings = Settings(data_root=tmp_path, snowflake_url="embedded")
    assert settings.resolve_target(None) == "snowflake"
    assert Settings(data_root=tmp_path, snowflake_url="embedded", redshift_url="postgresql://x").resolve_target(
        None
    ) == ("redshift")
    assert Settings(data_root=tmp_path).resolve_target(None) == "duckdb"
    assert Settings(data_root=tmp_path).resolve_target("snowflake") == "snowflake"
