"""Helpers shared by the Snowflake tests (imported as a top-level module, like tests/backends/postgres/pg_server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dw_simulator.backends.snowflake.endpoint import EndpointAddress


def connect_kwargs(address: EndpointAddress, **extra: Any) -> dict[str, Any]:
    return {
        "user": "tester",
        "password": "any",
        "account": "dwsim",
        "host": address.host,
        "port": address.port,
        "protocol": address.protocol,
        "network_timeout": 5,
        "login_timeout": 5,
        "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
        **extra,
    }


def write_parquet(path: Path, columns: dict[str, Any]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    return path
