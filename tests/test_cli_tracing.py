"""A CLI run exports its spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (a real receiver here)."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import ClassVar


class _Receiver(http.server.BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/v1/traces":
            self.bodies.append(body)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_cli_generate_exports_spans(tmp_path: Path, examples: Path) -> None:
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        env = {
            **os.environ,
            "DW_SIM_DATA_ROOT": str(tmp_path / "data"),
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.server_address[1]}",
        }
        cli = [sys.executable, "-m", "dw_simulator"]
        for args in (["experiment", "create", str(examples / "ecommerce_experiment.json")],
                     ["experiment", "generate", "ecommerce_experiment", "--seed", "1"]):  # fmt: skip
            done = subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, done.stderr
        received = b"".join(_Receiver.bodies)
        for name in (b"dwsim.generate", b"dwsim.generation", b"dwsim.load", b"dwsim.table"):
            assert name in received, name
    finally:
        receiver.shutdown()
