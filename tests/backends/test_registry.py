"""The backend registry holds light factories: importing it (or an endpoint package) loads no driver, and each
factory makes the backend it describes, with the same name and capabilities.

Each import check runs in a fresh interpreter, so what another test imported does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dw_simulator.backends import REGISTRY, WarehouseBackend, backend_for
from dw_simulator.config import Settings
from dw_simulator.errors import BackendUnavailableError

HEAVY = ("duckdb", "psycopg", "snowflake", "fakesnow", "pyarrow", "numpy", "sqlglot", "boto3", "botocore", "sqlalchemy")
LIGHT = (
    "dw_simulator.backends",
    "dw_simulator.backends.duckdb",
    "dw_simulator.backends.postgres",
    "dw_simulator.backends.snowflake",
    "dw_simulator.backends.sqlite",
    "dw_simulator.endpoints",
    "dw_simulator.endpoints.redshift",
    "dw_simulator.connections",
)


@pytest.mark.parametrize("module", LIGHT)
def test_importing_loads_no_driver(module: str) -> None:
    code = (
        f"import json, sys, {module}\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout) == []


def test_the_driver_loads_when_a_backend_is_made(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from dw_simulator.backends import backend_for\n"
        "from dw_simulator.config import Settings\n"
        f"backend_for('duckdb', Settings(data_root={str(tmp_path)!r}))\n"
        "print(json.dumps('duckdb' in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout) is True


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_factory_describes_its_backend(name: str) -> None:
    factory = REGISTRY[name]
    cls = factory.backend_class()
    assert issubclass(cls, WarehouseBackend)
    assert cls.name == factory.name == name
    assert cls.capabilities == factory.capabilities


def test_registry_lists_the_built_in_warehouses() -> None:
    assert sorted(REGISTRY) == ["duckdb", "redshift", "snowflake", "sqlite"]


def test_an_unknown_warehouse_names_the_available_ones(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match=r"'oracle'.*available: duckdb, redshift, snowflake, sqlite"):
        backend_for("oracle", Settings(data_root=tmp_path))


def test_backend_classes_still_import_from_their_packages() -> None:
    from dw_simulator.backends.duckdb import DuckDBBackend
    from dw_simulator.backends.postgres import PostgresBackend, RedshiftBackend
    from dw_simulator.backends.snowflake import SnowflakeBackend
    from dw_simulator.backends.sqlite import SQLiteBackend

    assert [DuckDBBackend.name, RedshiftBackend.name, SnowflakeBackend.name, SQLiteBackend.name] == [
        "duckdb",
        "redshift",
        "snowflake",
        "sqlite",
    ]
    assert issubclass(RedshiftBackend, PostgresBackend)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        from dw_simulator.backends import duckdb as package

        _ = package.Nope
