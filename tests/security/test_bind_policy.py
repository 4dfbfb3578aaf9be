"""Every listener goes through one bind policy: loopback always; any other address only when asked for (an API
token for the HTTP API, --allow-remote / DW_SIM_ALLOW_REMOTE for the wire endpoints), whichever setting chose it."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from typer.testing import CliRunner

from dw_simulator.bind_policy import (
    HTTP_API,
    REDSHIFT_ENDPOINT,
    SNOWFLAKE_ENDPOINT,
    UnsafeBindError,
    check_bind,
    is_loopback,
)
from dw_simulator.cli import app as cli_app
from dw_simulator.config import Settings
from dw_simulator.service import Simulator

REMOTE = ["0.0.0.0", "::", "", "192.168.1.10", "10.0.0.1", "example.com", "my-laptop", "*"]
LOCAL = ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"]


@pytest.mark.parametrize("host", LOCAL)
def test_loopback_is_always_allowed(host: str) -> None:
    assert is_loopback(host)
    for listener in (HTTP_API, REDSHIFT_ENDPOINT, SNOWFLAKE_ENDPOINT):
        check_bind(host, listener)


@pytest.mark.parametrize("host", REMOTE)
def test_every_other_address_needs_an_explicit_yes(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(UnsafeBindError, match="DW_SIM_API_TOKEN"):
        check_bind(host, HTTP_API)
    with pytest.raises(UnsafeBindError, match="DW_SIM_API_TOKEN"):
        check_bind(host, HTTP_API, allow_remote=True)  # the API's own yes is a token
    check_bind(host, HTTP_API, token="a-token")
    for listener in (REDSHIFT_ENDPOINT, SNOWFLAKE_ENDPOINT):
        with pytest.raises(UnsafeBindError, match="--allow-remote"):
            check_bind(host, listener)
        with pytest.raises(UnsafeBindError, match="--allow-remote"):
            check_bind(host, listener, token="an API token does not open a wire endpoint")
        check_bind(host, listener, allow_remote=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_redshift_endpoint_host_setting_cannot_skip_the_check(settings: Settings) -> None:
    from dw_simulator.endpoints.redshift.runner import EndpointThread
    from dw_simulator.endpoints.redshift.server import EndpointConfig

    wide = settings.model_copy(update={"redshift_endpoint_host": "0.0.0.0", "redshift_endpoint_port": 0})
    with Simulator(wide) as sim:
        thread = EndpointThread(sim, EndpointConfig.from_settings(wide))
        try:
            with pytest.raises(UnsafeBindError, match=r"Redshift endpoint.*0\.0\.0\.0"):
                thread.start()
            assert thread.endpoint is None
        finally:
            thread.stop()
    allowed = wide.model_copy(update={"allow_remote": True})
    with Simulator(allowed) as sim, EndpointThread(sim, EndpointConfig.from_settings(allowed)) as running:
        assert running.endpoint is not None and running.host == "0.0.0.0" and running.port > 0


@pytest.fixture
def fake_uvicorn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import uvicorn

    calls: list[str] = []

    def run(server: uvicorn.Server, *args: Any, **kwargs: Any) -> None:
        calls.append(server.config.host)

    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.setenv("DW_SIM_SNOWFLAKE_ENDPOINT_ENABLED", "false")
    return calls


def test_serve_refuses_a_wide_redshift_endpoint_before_listening(
    fake_uvicorn: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DW_SIM_REDSHIFT_ENDPOINT_HOST", "0.0.0.0")
    monkeypatch.setenv("DW_SIM_REDSHIFT_ENDPOINT_PORT", str(_free_port()))
    result = CliRunner().invoke(cli_app, ["serve", "--port", str(_free_port())])
    assert result.exit_code == 1, result.output
    assert "Redshift endpoint" in result.output and "0.0.0.0" in result.output and "--allow-remote" in result.output
    assert fake_uvicorn == []  # the API never started either


def test_redshift_endpoint_command_refuses_remote_without_allow_remote() -> None:
    result = CliRunner().invoke(cli_app, ["redshift-endpoint", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 1, result.output
    assert "not a loopback address" in result.output and "--allow-remote" in result.output


def test_snowflake_endpoint_refuses_remote_unless_allowed(settings: Settings) -> None:
    pytest.importorskip("fakesnow")
    from dw_simulator.backends.snowflake.endpoint import EmbeddedEndpoint, engine_config

    endpoint = EmbeddedEndpoint(engine_config(settings), host="0.0.0.0", port=0)
    try:
        with pytest.raises(UnsafeBindError, match=r"Snowflake endpoint.*--allow-remote"):
            endpoint.start()
    finally:
        endpoint.stop()
    allowed = EmbeddedEndpoint(engine_config(settings), host="0.0.0.0", port=0, allow_remote=True)
    try:
        address = allowed.start()
        assert address.port > 0
    finally:
        allowed.stop()
    result = CliRunner().invoke(cli_app, ["snowflake-endpoint", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 1, result.output
    assert "Snowflake endpoint" in result.output and "--allow-remote" in result.output


def test_api_refuses_remote_without_token(fake_uvicorn: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DW_SIM_REDSHIFT_ENDPOINT_ENABLED", "false")
    monkeypatch.setenv("DW_SIM_ALLOW_REMOTE", "true")  # opens wire endpoints, not the API
    result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 1 and "DW_SIM_API_TOKEN" in result.output
    assert fake_uvicorn == []
