"""Connection settings report the embedded Snowflake endpoint this very process serves (as `dw-sim serve` does)."""

from __future__ import annotations

from pathlib import Path

from dw_simulator.backends.snowflake.endpoint import shared_endpoint, snowflake_dir, stop_shared_endpoints
from dw_simulator.config import Settings
from dw_simulator.service import Simulator


def test_in_process_endpoint_is_reported_running(tmp_path: Path, examples: Path) -> None:
    settings = Settings(data_root=tmp_path / "data")
    with Simulator(settings) as sim:
        sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
        before = sim.connection_settings("ecommerce_experiment")["snowflake"]
        assert before["available"] is True and before["running"] is False
        address = shared_endpoint(settings)
        try:
            info = sim.connection_settings("ecommerce_experiment")["snowflake"]
            assert info["running"] is True
            assert info["snowflake_connector"]["port"] == address.port
            assert info["snowflake_connector"]["database"] == "ECOMMERCE_EXPERIMENT"
        finally:
            stop_shared_endpoints({snowflake_dir(settings)})
