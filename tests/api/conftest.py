"""Fixtures for the API tests: an in-process app and client, and a real `dw-sim serve` subprocess."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import SHOP_SCHEMA, Server
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings


@pytest.fixture
def api_settings() -> ApiSettings:
    return ApiSettings()


@pytest.fixture
def app(settings: Settings, api_settings: ApiSettings) -> FastAPI:
    return create_app(settings, api_settings=api_settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def shop(client: TestClient) -> str:
    response = client.post("/api/experiments", json=SHOP_SCHEMA)
    assert response.status_code == 201, response.text
    return "shop"


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[type[Server]]:
    started: list[Server] = []

    class _Server(Server):
        def start(self) -> Server:
            started.append(self)
            return super().start()

    yield _Server
    for server in started:
        server.kill()


@pytest.fixture
def server(server_factory: type[Server], tmp_path: Path) -> Server:
    return server_factory(data_root=tmp_path / "data", log_path=tmp_path / "server.log").start()
