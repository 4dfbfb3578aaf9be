"""Local-only by default: loopback bind, bearer token, CORS off unless configured."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_experiments import assert_error
from typer.testing import CliRunner

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.cli import app as cli_app
from dw_simulator.cli import serve as serve_module
from dw_simulator.config import Settings


@pytest.fixture
def fake_uvicorn(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record what `serve` would bind instead of binding it (tests stay on loopback)."""
    calls: list[dict[str, Any]] = []
    import uvicorn

    def run(server: uvicorn.Server, *args: Any, **kwargs: Any) -> None:
        calls.append({"app": server.config.app, "host": server.config.host, "port": server.config.port})

    monkeypatch.setattr(uvicorn.Server, "run", run)
    # the embedded Snowflake endpoint is served by uvicorn too: with `run` faked it could not start
    monkeypatch.setenv("DW_SIM_SNOWFLAKE_ENDPOINT_ENABLED", "false")
    monkeypatch.setenv("DW_SIM_REDSHIFT_ENDPOINT_ENABLED", "false")
    return calls


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
def test_serve_refuses_non_loopback_without_token(host: str, fake_uvicorn: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--host", host, "--port", "8123"])
    assert result.exit_code == 1, result.output
    assert "DW_SIM_API_TOKEN" in result.output and host in result.output
    assert fake_uvicorn == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_serve_binds_loopback_without_token(host: str, fake_uvicorn: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--host", host, "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert fake_uvicorn[0]["host"] == host and fake_uvicorn[0]["port"] == 8123


def test_serve_with_token_may_bind_any_address(
    fake_uvicorn: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DW_SIM_API_TOKEN", "s3cret-token")
    result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert fake_uvicorn[0]["host"] == "0.0.0.0" and fake_uvicorn[0]["port"] == 8000
    with TestClient(
        fake_uvicorn[0]["app"], base_url="http://127.0.0.1"
    ) as client:  # the app it would serve wants the token
        assert client.get("/api/experiments").status_code == 401


def test_bearer_token_guards_every_api_call(settings: Settings) -> None:
    app = create_app(settings, api_settings=ApiSettings(api_token="s3cret-token"))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        response = client.get("/api/experiments")
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
        assert_error(client.get("/api/experiments", headers={"authorization": "Bearer wrong"}), 401, "unauthorized")
        assert_error(client.get("/api/experiments", headers={"authorization": "s3cret-token"}), 401, "unauthorized")
        assert_error(client.post("/api/experiments/x/generate"), 401, "unauthorized")
        ok = client.get("/api/experiments", headers={"authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200 and ok.json() == []
        assert client.get("/health").status_code == 200  # probes and scrapers stay open
        assert client.get("/metrics").status_code == 200


def test_blank_token_means_no_token(settings: Settings) -> None:
    assert ApiSettings(api_token="  ").token is None


def test_cors_is_off_by_default(client: TestClient) -> None:
    origin = {"origin": "http://evil.example"}
    preflight = client.options("/api/experiments", headers={**origin, "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in client.get("/api/experiments", headers=origin).headers


def test_cors_when_configured(settings: Settings) -> None:
    app = create_app(settings, api_settings=ApiSettings(api_cors_origins=["http://localhost:5173"]))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        allowed = client.get("/api/experiments", headers={"origin": "http://localhost:5173"})
        assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
        other = client.get("/api/experiments", headers={"origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_companions_run_for_the_life_of_serve(
    fake_uvicorn: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib

    events: list[str] = []

    @contextlib.contextmanager
    def companion(settings: Settings):
        events.append(f"start {settings.data_root.name}")
        yield
        events.append(f"stop (served: {len(fake_uvicorn)})")

    monkeypatch.setattr(serve_module, "COMPANIONS", [companion])
    result = CliRunner().invoke(cli_app, ["serve"])
    assert result.exit_code == 0, result.output
    assert events == ["start data", "stop (served: 1)"]
