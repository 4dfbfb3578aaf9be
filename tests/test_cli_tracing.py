"""A CLI run exports its spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (a real receiver here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def test_cli_generate_exports_spans(tmp_path: Path, examples: Path, otlp_receiver: Any) -> None:
    env = {
        **os.environ,
        "DW_SIM_DATA_ROOT": str(tmp_path / "data"),
        "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_receiver.endpoint,
    }
    cli = [sys.executable, "-m", "dw_simulator"]
    for args in (["experiment", "create", str(examples / "ecommerce_experiment.json")],
                 ["experiment", "generate", "ecommerce_experiment", "--seed", "1"]):  # fmt: skip
        done = subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
    for name in (b"dwsim.generate", b"dwsim.generation", b"dwsim.load", b"dwsim.table"):
        assert name in otlp_receiver.received, name
