"""A shaped SUPER column on the redshift target: stored as jsonb, navigated with Redshift's dot syntax."""

from __future__ import annotations

from pathlib import Path

from dw_simulator.config import Settings
from dw_simulator.schema import load_schema_data
from dw_simulator.service import Simulator

SCHEMA = {
    "name": "shaped_rs",
    "target_warehouse": "redshift",
    "tables": [{"name": "events", "target_rows": 300, "columns": [
        {"name": "event_id", "data_type": "INT", "is_unique": True, "required": True},
        {"name": "payload", "data_type": "SUPER", "json_shape": {"properties": {
            "customer": {"properties": {"id": {"data_type": "INT", "min_value": 1, "max_value": 40}}},
            "amount": {"data_type": "DECIMAL(8,2)", "min_value": 1, "max_value": 100}}}},
    ]}],
}  # fmt: skip


def test_super_shape_on_postgres(pg_url: str, tmp_path: Path) -> None:
    with Simulator(Settings(data_root=tmp_path / "d", redshift_url=pg_url)) as sim:
        sim.create_experiment(load_schema_data(SCHEMA))
        try:
            run = sim.generate("shaped_rs", seed=8)
            assert run.status == "COMPLETED", run.error_message
            rows = sim.query(
                "shaped_rs",
                "SELECT MIN(e.payload.customer.id::int), MAX(e.payload.customer.id::int), "
                "SUM(CASE WHEN e.payload.amount::float BETWEEN 1 AND 100 THEN 1 ELSE 0 END), COUNT(*) FROM events e",
            ).rows
            low, high, in_range, total = rows[0]
            assert 1 <= low <= high <= 40 and in_range == total == 300
        finally:
            sim.delete_experiment("shaped_rs")
