"""GET /api/experiments/{name}/connect: the settings users paste into their own clients."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_connect_settings_name_the_experiment(client: TestClient, shop: str) -> None:
    response = client.get(f"/api/experiments/{shop}/connect")
    assert response.status_code == 200, response.text
    body = response.json()
    redshift, snowflake = body["redshift"], body["snowflake"]
    assert redshift["database"] == shop
    assert f"127.0.0.1:{redshift['port']}/{shop}" in redshift["psql"]
    assert redshift["dbt_profile"]["dbname"] == shop and redshift["dbt_profile"]["type"] == "redshift"
    assert "redshift_connector.connect(" in redshift["redshift_connector"]
    assert snowflake["snowflake_connector"]["database"] == shop.upper()
    assert snowflake["dbt_profile"]["type"] == "snowflake"


def test_connect_unknown_experiment_is_404(client: TestClient) -> None:
    response = client.get("/api/experiments/ghost/connect")
    assert response.status_code == 404 and response.json()["error"] == "not_found"
