"""Shared fixtures: every test gets its own data root, so no state leaks between tests or into the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dw_simulator.config import Settings
from dw_simulator.service import Simulator

EXAMPLES = Path(__file__).resolve().parent.parent / "dw_simulator" / "examples"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("DW_SIM_") and key not in ("DW_SIM_TEST_PG_URL",):
            monkeypatch.delenv(key)
    monkeypatch.setenv("DW_SIM_DATA_ROOT", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no config/default.yml or .env from the repo is picked up


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings(data_root: Path) -> Settings:
    return Settings(data_root=data_root)


@pytest.fixture
def sim(settings: Settings) -> Iterator[Simulator]:
    simulator = Simulator(settings)
    yield simulator
    simulator.close()


@pytest.fixture
def examples() -> Path:
    return EXAMPLES
