"""Experiments over HTTP (in-process): create from JSON/YAML, list, show, delete, DDL, profile; the error shape."""

from __future__ import annotations

import copy

import pytest
import yaml
from api_support import SHOP_SCHEMA
from fastapi.testclient import TestClient

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings
from dw_simulator.service import Simulator

ERROR_KEYS = {"error", "message", "details", "request_id"}


def assert_error(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["error"] == kind
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return body


def test_create_list_show_delete(client: TestClient) -> None:
    created = client.post("/api/experiments", json=SHOP_SCHEMA)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "shop" and body["table_count"] == 2
    assert body["target_warehouse"] == "duckdb" and body["dialect"] == "redshift"
    assert body["total_rows"] is None and body["last_run_status"] is None

    listed = client.get("/api/experiments").json()
    assert [e["name"] for e in listed] == ["shop"]
    entry = listed[0]
    for key in ("description", "dialect", "target_warehouse", "table_count", "total_rows", "warnings"):
        assert key in entry
    assert entry["description"] == "customers and orders"
    assert entry["created_at"].endswith("Z") or entry["created_at"].endswith("+00:00")

    detail = client.get("/api/experiments/SHOP").json()  # names are case-insensitive
    assert [t["name"] for t in detail["schema"]["tables"]] == ["customers", "orders"]
    assert detail["profile"] == {}
    assert [t["name"] for t in detail["tables"]] == ["customers", "orders"]

    deleted = client.delete("/api/experiments/shop")
    assert deleted.status_code == 200
    assert deleted.json() == {"experiment": "shop", "deleted": True, "tables_dropped": 2}
    assert client.get("/api/experiments").json() == []
    assert_error(client.get("/api/experiments/shop"), 404, "not_found")


def test_create_from_yaml_with_name_and_replace(client: TestClient) -> None:
    text = yaml.safe_dump(SHOP_SCHEMA)
    headers = {"content-type": "application/yaml"}
    first = client.post("/api/experiments?name=shop_yaml", content=text, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["name"] == "shop_yaml"
    again = client.post("/api/experiments?name=shop_yaml", content=text, headers=headers)
    body = assert_error(again, 409, "already_exists")
    assert "shop_yaml" in body["message"]
    replaced = client.post("/api/experiments?name=shop_yaml&replace=true", content=text, headers=headers)
    assert replaced.status_code == 201


def test_validation_errors_locate_the_problem(client: TestClient) -> None:
    schema = copy.deepcopy(SHOP_SCHEMA)
    schema["tables"][1]["columns"][2]["data_type"] = "MONEYBAGS"
    body = assert_error(client.post("/api/experiments", json=schema), 422, "validation_error")
    assert any(d.get("table") == "orders" and d.get("column") == "amount" for d in body["details"]), body

    broken_yaml = "name: x\ntables: [\n  - {name: a\n"
    body = assert_error(
        client.post("/api/experiments", content=broken_yaml, headers={"content-type": "text/yaml"}),
        422,
        "validation_error",
    )
    assert body["details"][0]["line"] >= 1

    body = assert_error(client.post("/api/experiments/shop/generate", json={"seed": -1}), 422, "validation_error")
    assert body["details"][0]["field"] == "body.seed"
    body = assert_error(client.get("/api/experiments/shop/runs?limit=0"), 422, "validation_error")
    assert body["details"][0]["field"] == "query.limit"


def test_unsupported_and_empty_bodies(client: TestClient) -> None:
    assert_error(
        client.post("/api/experiments", content=b"a=b", headers={"content-type": "application/x-www-form-urlencoded"}),
        415,
        "unsupported_media_type",
    )
    assert_error(
        client.post("/api/experiments", content=b"", headers={"content-type": "application/json"}),
        422,
        "validation_error",
    )
    assert_error(
        client.post("/api/experiments", content=b"\xff\xfe\x00", headers={"content-type": "text/plain"}),
        422,
        "validation_error",
    )


def test_unknown_things_are_404_in_the_error_shape(client: TestClient) -> None:
    for response in (
        client.get("/api/experiments/nope"),
        client.delete("/api/experiments/nope"),
        client.get("/api/experiments/nope/runs"),
        client.get("/api/experiments/nope/profile"),
        client.post("/api/experiments/nope/generate"),
        client.post("/api/experiments/nope/query", json={"sql": "select 1"}),
        client.get("/api/runs/12345"),
        client.post("/api/runs/12345/cancel"),
        client.get("/api/runs/12345/events"),
        client.get("/api/no/such/route"),
    ):
        assert_error(response, 404, "not_found")
    assert_error(client.put("/api/experiments"), 405, "method_not_allowed")


def test_body_size_limit(settings: Settings) -> None:
    app = create_app(settings, api_settings=ApiSettings(api_max_body_bytes=4096))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        big = {"sql": "select 1 -- " + "x" * 5000}
        body = assert_error(client.post("/api/experiments/shop/query", json=big), 413, "payload_too_large")
        assert "4 KiB" in body["message"]

        def chunks():  # no Content-Length: the limit still holds
            for _ in range(10):
                yield b"x" * 1000

        assert_error(
            client.post("/api/experiments", content=chunks(), headers={"content-type": "text/yaml"}),
            413,
            "payload_too_large",
        )
        small = client.post("/api/experiments", json=SHOP_SCHEMA)
        assert small.status_code == 201


def test_unexpected_failure_is_500_with_request_id_and_no_traceback(settings: Settings) -> None:
    class Broken(Simulator):
        def list_experiments(self):  # type: ignore[override]
            raise RuntimeError("secret internals /etc/passwd")

    app = create_app(lambda: Broken(settings))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        response = client.get("/api/experiments", headers={"x-request-id": "req-42"})
        body = assert_error(response, 500, "internal_error")
        assert body["request_id"] == "req-42"
        assert "secret" not in response.text and "passwd" not in response.text
        assert "req-42" in body["message"]


def test_request_ids_are_echoed_or_made(client: TestClient) -> None:
    mine = client.get("/api/experiments", headers={"x-request-id": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    junk = client.get("/api/experiments", headers={"x-request-id": "bad id with spaces; <script>"})
    assert "script" not in junk.headers["x-request-id"]
    assert len(junk.headers["x-request-id"]) == 32


def test_ddl_export(client: TestClient, shop: str) -> None:
    redshift = client.get(f"/api/experiments/{shop}/ddl")
    assert redshift.status_code == 200, redshift.text
    assert redshift.json()["dialect"] == "redshift"
    assert "CREATE TABLE" in redshift.json()["ddl"].upper()
    snowflake = client.get(f"/api/experiments/{shop}/ddl?dialect=snowflake")
    assert snowflake.status_code == 200 and snowflake.json()["dialect"] == "snowflake"
    assert_error(client.get(f"/api/experiments/{shop}/ddl?dialect=oracle"), 422, "validation_error")


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
def test_docs_are_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    if path == "/openapi.json":
        paths = response.json()["paths"]
        for expected in (
            "/api/experiments",
            "/api/experiments/import-sql",
            "/api/experiments/{name}",
            "/api/experiments/{name}/generate",
            "/api/experiments/{name}/runs",
            "/api/experiments/{name}/query",
            "/api/experiments/{name}/ddl",
            "/api/experiments/{name}/profile",
            "/api/runs/{run_id}",
            "/api/runs/{run_id}/cancel",
            "/api/runs/{run_id}/events",
            "/health",
            "/metrics",
        ):
            assert expected in paths


def test_unreachable_warehouse_is_503_and_health_says_so(tmp_path) -> None:
    from api_support import free_port

    settings = Settings(data_root=tmp_path / "data", redshift_url=f"postgresql://u:p@127.0.0.1:{free_port()}/dev")
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        body = assert_error(
            client.post("/api/experiments?target_warehouse=redshift", json=SHOP_SCHEMA), 503, "backend_unavailable"
        )
        assert "127.0.0.1" in body["message"]
        assert client.get("/api/experiments").json() == []  # nothing half-created
        health = client.get("/health")
        assert health.status_code == 503
        report = health.json()
        assert report["status"] == "degraded"
        assert report["backends"]["duckdb"]["ok"] is True
        assert report["backends"]["redshift"]["ok"] is False and report["backends"]["redshift"]["error"]
