"""Shaped VARIANT/ARRAY columns end to end on the snowflake target: generated, loaded natively, and queried with
Snowflake's path syntax and FLATTEN."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dw_simulator.backends.snowflake.endpoint import snowflake_dir, stop_shared_endpoints
from dw_simulator.config import Settings
from dw_simulator.schema import load_schema_data
from dw_simulator.service import Simulator

SCHEMA = {
    "name": "shaped_sf",
    "target_warehouse": "snowflake",
    "tables": [{"name": "events", "target_rows": 500, "columns": [
        {"name": "event_id", "data_type": "INT", "is_unique": True, "required": True},
        {"name": "v", "data_type": "VARIANT", "json_shape": {"properties": {
            "customer": {"properties": {"id": {"data_type": "INT", "min_value": 1, "max_value": 40},
                                        "email": {"faker_rule": "internet.email"}}},
            "tags": {"items": {"data_type": "VARCHAR(8)", "distribution": {"type": "categorical",
                                                                           "values": ["red", "green", "blue"]}},
                     "min_items": 1, "max_items": 3}}}},
        {"name": "scores", "data_type": "ARRAY", "json_shape": {"items": {"data_type": "INT", "min_value": 0,
                                                                          "max_value": 9}, "max_items": 2}},
    ]}],
}  # fmt: skip


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = Simulator(Settings(data_root=tmp_path_factory.mktemp("sf-shape")))
    sim.create_experiment(load_schema_data(SCHEMA))
    run = sim.generate("shaped_sf", seed=3)
    assert run.status == "COMPLETED", run.error_message
    yield sim
    sim.close()
    stop_shared_endpoints({snowflake_dir(sim.settings)})


def test_paths_and_casts(simulator: Simulator) -> None:
    rows = simulator.query(
        "shaped_sf",
        "SELECT MIN(v:customer.id::int), MAX(v:customer.id::int), COUNT_IF(v:customer.email::string LIKE '%@%'), "
        "COUNT(*) FROM events",
    ).rows
    low, high, emails, total = rows[0]
    assert 1 <= low <= high <= 40 and emails == total == 500


def test_flatten_tags(simulator: Simulator) -> None:
    rows = simulator.query(
        "shaped_sf",
        "SELECT f.value::string AS tag, COUNT(*) FROM events, LATERAL FLATTEN(input => v:tags) f GROUP BY 1 ORDER BY 1",
    ).rows
    assert [r[0] for r in rows] == ["blue", "green", "red"]
    per_event = simulator.query("shaped_sf", "SELECT MIN(ARRAY_SIZE(v:tags)), MAX(ARRAY_SIZE(v:tags)) FROM events")
    assert per_event.rows == [(1, 3)]


def test_array_column_is_native(simulator: Simulator) -> None:
    rows = simulator.query("shaped_sf", "SELECT MAX(ARRAY_SIZE(scores)), COUNT(*) FROM events").rows
    assert rows[0][0] <= 2 and rows[0][1] == 500
