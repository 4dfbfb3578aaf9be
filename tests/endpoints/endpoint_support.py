"""Shared pieces of the endpoint tests: the experiments, the mock credentials, the running endpoint's handle."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dw_simulator.config import Settings
from dw_simulator.endpoints.redshift.runner import EndpointThread
from dw_simulator.service import Simulator

EXAMPLE = Path(__file__).parents[2] / "dw_simulator" / "examples" / "ecommerce_experiment.json"
EXPERIMENTS = {"duckdb": "shop_duck", "postgres": "shop_pg"}
WAREHOUSES = {"duckdb": "duckdb", "postgres": "redshift"}
USER, PASSWORD = "mockuser", "mockpass"


@dataclass
class Endpoint:
    host: str
    port: int
    settings: Settings
    simulator: Simulator
    thread: EndpointThread
    cert: Path
    bundle: Path
    pg_url: str

    def url(self, database: str, sslmode: str = "require") -> str:
        return f"postgresql://{USER}:{PASSWORD}@{self.host}:{self.port}/{database}?sslmode={sslmode}"


def require(module: str) -> None:
    """Import `module` or skip -- but fail under CI, where every client must be installed."""
    import importlib
    import os

    try:
        importlib.import_module(module)
    except ImportError:
        message = f"{module} is not installed (pip install dw-sim[endpoint])"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
