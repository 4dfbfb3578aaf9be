"""The domain packages import only what their layer allows: `dw-sim --version` and friends stay fast.

Each import runs in a fresh interpreter, so what another test imported does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "pyarrow", "faker", "sqlglot", "duckdb", "yaml", "sqlalchemy", "fakesnow", "boto3", "psycopg")
ALLOWED = {
    "dw_simulator.schema": set(),
    "dw_simulator.ddl": {"sqlglot"},
    "dw_simulator.generator": {"numpy", "pyarrow"},
}


def _heavy_modules_after_import(module: str) -> set[str]:
    code = (
        f"import json, sys, {module}\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_importing_a_domain_loads_only_its_allowed_libraries(module: str) -> None:
    assert _heavy_modules_after_import(module) == ALLOWED[module]
