"""Shared fixtures: every test gets its own data root, so no state leaks between tests or into the user's."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    monkeypatch.setenv("DW_SIM_SNOWFLAKE_ENDPOINT_PORT", "0")  # tests run side by side: never the stable port
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


@dataclass
class OtlpReceiver:
    """A minimal OTLP/HTTP trace receiver on loopback that keeps every exported request body."""

    endpoint: str
    bodies: list[bytes] = field(default_factory=list)

    @property
    def received(self) -> bytes:
        return b"".join(self.bodies)


@pytest.fixture
def otlp_receiver() -> Iterator[OtlpReceiver]:
    bodies: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if self.path == "/v1/traces":
                bodies.append(body)
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield OtlpReceiver(f"http://127.0.0.1:{server.server_address[1]}", bodies)
    finally:
        server.shutdown()
