"""Fixture `generate`: run the generator into tmp_path and get a DuckDB view per generated table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from generator_helpers import Generated

from dw_simulator.generator import generate_experiment
from dw_simulator.schema import ExperimentSchema

Generate = Callable[..., Generated]


@pytest.fixture
def generate(tmp_path: Path) -> Generate:
    counter = iter(range(1_000_000))

    def run(schema: ExperimentSchema, *, seed: int = 7, **kwargs: Any) -> Generated:
        root = tmp_path / f"run{next(counter)}"
        result = generate_experiment(schema, root, seed=seed, **kwargs)
        return Generated(result, root)

    return run
