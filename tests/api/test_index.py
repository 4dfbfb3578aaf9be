"""GET /api: an index of the API instead of a 404."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_api_index_links_the_docs_and_every_resource(client: TestClient) -> None:
    response = client.get("/api")
    assert response.status_code == 200
    body = response.json()
    assert body["docs"] == "/docs" and body["openapi"] == "/openapi.json"
    assert client.get(body["docs"]).status_code == 200
    paths = {link["path"]: link for link in body["resources"]}
    assert "/api/experiments" in paths and {"GET", "POST"} <= set(paths["/api/experiments"]["methods"])
    assert "/api/runs/{run_id}/events" in paths
    # every route the OpenAPI document lists under /api/ is in the index, and nothing else
    documented = {p for p in client.get("/openapi.json").json()["paths"] if p.startswith("/api/")}
    assert set(paths) == documented
