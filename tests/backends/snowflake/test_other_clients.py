"""snowflake-sqlalchemy (the URL and connect_args dw-sim prints, pandas' `to_sql(method=pd_writer)`, reflection)
and Snowpark (a session, `write_pandas` with auto_create_table, DataFrame reads, `Session.close`) against the
embedded endpoint. They live in .venv-snowflake (made by scripts/setup.sh): snowflake-sqlalchemy needs SQLAlchemy
below 2.1 and Snowpark installs a `snowflake` namespace hook the main venv must not load at start-up."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dw_simulator.backends.snowflake.connect_info import connection_settings
from dw_simulator.backends.snowflake.endpoint import EndpointAddress
from dw_simulator.config import Settings

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("clients") / "other_clients.py"


def _python() -> Path:
    python = Path(os.environ.get("DW_SIM_TEST_SNOWFLAKE_PYTHON", ROOT / ".venv-snowflake" / "bin" / "python"))
    if not python.exists():
        message = f"{python} is missing (scripts/setup.sh makes .venv-snowflake)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return python


@pytest.fixture(scope="module")
def results(address: EndpointAddress, connect: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    connect().cursor().execute("CREATE DATABASE IF NOT EXISTS CLIENTS_DB")
    settings = Settings(data_root=tmp_path_factory.mktemp("clients"))
    info = connection_settings(settings, host=address.host, port=address.port, database="CLIENTS_DB")
    done = subprocess.run([str(_python()), str(SCRIPT), json.dumps(info)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {line["name"]: line for line in lines}


def test_snowflake_sqlalchemy_with_the_printed_url(results: dict[str, Any]) -> None:
    outcome = results["sqlalchemy"]
    assert "error" not in outcome, outcome.get("error")
    value = outcome["value"]
    assert value["database"] == ["CLIENTS_DB", "PUBLIC"]
    assert value["rows"] == {"id": [1, 2, 3], "label": ["x", "y", None]}
    assert "pd_writer_t" in value["tables"] and value["columns"] == ["id", "label"]


def test_snowpark_session_and_write_pandas(results: dict[str, Any]) -> None:
    outcome = results["snowpark"]
    assert "error" not in outcome, outcome.get("error")
    assert outcome["value"] == {"one": [[1, "x"]], "written": 3, "count": 3, "names": ["b", "c"]}
