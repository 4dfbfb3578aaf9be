"""Property-based: schemathesis drives every operation of the OpenAPI schema and finds no 5xx and no response that
breaks the schema (status codes, content types, bodies, headers)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from api_support import SHOP_SCHEMA
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings
from dw_simulator.service import Simulator

DATA_ROOT = Path(tempfile.mkdtemp(prefix="dwsim-schemathesis-"))
_settings = Settings(data_root=DATA_ROOT)
with Simulator(_settings) as _sim:  # something real to find: one experiment with data
    _sim.create_experiment_from_text(__import__("json").dumps(SHOP_SCHEMA))
    _sim.generate("shop", seed=1)

# schemathesis's ASGI client sends `Host: testserver`: name it, as a deployment would name its host
app = create_app(_settings, api_settings=ApiSettings(api_allowed_hosts=["testserver"]))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    app.state.dwsim.close()
    shutil.rmtree(DATA_ROOT, ignore_errors=True)


# This machine runs no Redshift or Snowflake server, and an unreachable warehouse answers 503 by design
# (test_experiments.py covers that); keep generated requests on the local warehouses.
REMOTE = ("redshift", "snowflake")


def _local_only(case: schemathesis.Case) -> None:
    for part in (case.query, case.body):
        if isinstance(part, dict) and part.get("target_warehouse") in REMOTE:
            part["target_warehouse"] = "duckdb"


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    _local_only(case)
    case.call_and_validate(checks=CHECKS)
