"""A page on another site cannot drive a local dw-sim: cross-origin state-changing requests and unknown Host headers
(DNS rebinding) are refused; same-origin pages, configured origins and non-browser clients work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "dw_simulator" / "examples"
LOCAL = "http://127.0.0.1:8000"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=LOCAL) as test_client:
        yield test_client


def _schema(name: str) -> str:
    data = json.loads((EXAMPLES / "ecommerce_experiment.json").read_text())
    data["name"] = name
    return json.dumps(data)


def _create(client: TestClient, name: str, **headers: str) -> int:
    response = client.post(
        "/api/experiments", content=_schema(name), headers={"content-type": "application/json", **headers}
    )
    return response.status_code


def _names(client: TestClient) -> list[str]:
    return [e["name"] for e in client.get("/api/experiments").json()]


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://evil.example"},
        {"origin": "http://127.0.0.1:9999"},  # another local port is another origin
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
    ],
)
def test_cross_origin_post_is_refused_and_changes_nothing(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/api/experiments", content=_schema("csrf_target"), headers={"content-type": "application/json", **headers}
    )
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "cross_origin"
    assert "csrf_target" not in _names(client)
    assert client.post("/api/experiments/anything/generate", headers=headers).status_code == 403
    assert client.delete("/api/experiments/anything", headers=headers).status_code == 403


def test_same_origin_and_plain_clients_may_change_things(client: TestClient) -> None:
    assert _create(client, "from_the_ui", origin=LOCAL, **{"sec-fetch-site": "same-origin"}) == 201
    assert _create(client, "from_curl") == 201  # no Origin: not a browser page
    assert {"from_the_ui", "from_curl"} <= set(_names(client))
    # reads stay open to any origin (CORS decides what a page may read)
    assert client.get("/api/experiments", headers={"origin": "http://evil.example"}).status_code == 200


def test_configured_origins_may_post(settings: Settings) -> None:
    api = ApiSettings(api_cors_origins=["http://localhost:5173"])
    with TestClient(create_app(settings, api_settings=api), base_url=LOCAL) as client:
        assert _create(client, "from_vite", origin="http://localhost:5173") == 201
        assert _create(client, "from_evil", origin="http://evil.example") == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "192.168.1.10:8000", "0.0.0.0:8000"])
def test_unknown_host_is_refused_without_a_token(settings: Settings, host: str) -> None:
    with TestClient(create_app(settings), base_url=f"http://{host}") as client:
        response = client.get("/api/experiments")
        assert response.status_code == 421
        assert response.json()["error"] == "bad_host" and "DW_SIM_API_ALLOWED_HOSTS" in response.json()["message"]
        assert _create(client, "rebound") == 421
        assert client.get("/").status_code == 421  # the web UI too


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "127.5.6.7:1234", "[::1]:8000", "app.localhost"])
def test_loopback_hosts_are_answered(settings: Settings, host: str) -> None:
    with TestClient(create_app(settings), base_url=f"http://{host}") as client:
        assert client.get("/api/experiments").status_code == 200


def test_allowed_hosts_and_tokens(settings: Settings) -> None:
    named = ApiSettings(api_allowed_hosts=["dw-sim.internal"])
    with TestClient(create_app(settings, api_settings=named), base_url="http://dw-sim.internal:8000") as client:
        assert client.get("/api/experiments").status_code == 200
    # with a token (a remote deployment) the Host is not checked: the token is what guards it
    token = ApiSettings(api_token="t0ken")
    with TestClient(create_app(settings, api_settings=token), base_url="http://10.1.2.3:8000") as client:
        auth = {"authorization": "Bearer t0ken"}
        assert client.get("/api/experiments", headers=auth).status_code == 200
        # ...but a cross-site page still cannot post, even if it had the token
        assert _create(client, "x", origin="http://evil.example", **auth) == 403


def test_concurrent_runs_are_capped(tmp_path: Path) -> None:
    """More runs at once than DW_SIM_MAX_CONCURRENT_RUNS are refused at once (429), not queued behind each other."""
    settings = Settings(data_root=tmp_path / "data", max_concurrent_runs=1)
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        for name in ("first", "second"):
            assert _create(client, name) == 201
        runs = client.app.state.dwsim.runs  # type: ignore[attr-defined]
        runs._starting = 1  # one run is starting (its thread is up, its id not known yet)
        refused = client.post("/api/experiments/second/generate", json={"seed": 1})
        assert refused.status_code == 429 and refused.json()["error"] == "too_many_runs"
        assert "DW_SIM_MAX_CONCURRENT_RUNS" in refused.json()["message"]
        runs._starting = 0
        assert client.post("/api/experiments/second/generate", json={"seed": 1}).status_code == 202


DATA_API = {"content-type": "application/x-amz-json-1.1", "x-amz-target": "RedshiftData.ListDatabases"}
SQL_API = {"content-type": "application/json"}


def test_the_http_apis_have_the_same_guards(client: TestClient, settings: Settings) -> None:
    """The Redshift Data API (`/redshift-data`) and the Snowflake SQL API (`/api/v2/statements`) are on the same
    server: a cross-site page cannot post statements to them, a rebound Host is refused; plain clients work."""
    statement = json.dumps({"statement": "select 1", "database": "nothing"})
    for path, headers, body in (("/redshift-data/", DATA_API, "{}"), ("/api/v2/statements", SQL_API, statement)):
        refused = client.post(path, content=body, headers={**headers, "origin": "http://evil.example"})
        assert refused.status_code == 403 and refused.json()["error"] == "cross_origin", (path, refused.text)
        assert client.post(path, content=body, headers={**headers, "sec-fetch-site": "cross-site"}).status_code == 403
        answered = client.post(path, content=body, headers=headers)  # no Origin: a client library, not a page
        assert answered.status_code not in (403, 421), (path, answered.text)
    with TestClient(create_app(settings), base_url="http://evil.example:8000") as rebound:
        for path, headers, body in (("/redshift-data/", DATA_API, "{}"), ("/api/v2/statements", SQL_API, statement)):
            assert rebound.post(path, content=body, headers=headers).status_code == 421, path
