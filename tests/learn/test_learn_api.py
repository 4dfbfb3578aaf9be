"""GET /api/experiments/{name}/fidelity on a learned, generated experiment."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from learn_samples import write_sample

from dw_simulator.api import create_app
from dw_simulator.config import Settings
from dw_simulator.service import Simulator


def test_fidelity_over_the_api(tmp_path: Path, settings: Settings, sim: Simulator) -> None:
    folder = write_sample(tmp_path / "sample")
    sim.learn("shop", [str(folder)], target_warehouse="duckdb")
    sim.create_experiment_from_text('{"name": "plain", "tables": [{"name": "t", "columns": '
                                    '[{"name": "id", "data_type": "INT"}]}]}', target_warehouse="duckdb")  # fmt: skip
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:  # loopback Host
        early = client.get("/api/experiments/shop/fidelity")
        assert early.status_code == 200 and early.json()["learned"] is False
        assert "no completed run yet" in early.json()["reason"]
        sim.generate("shop", rows={"orders": 20_000, "customers": 500}, seed=3)
        sim.release_backends()
        response = client.get("/api/experiments/shop/fidelity", params={"rows": 20_000})
        assert response.status_code == 200, response.text
        body = response.json()
        orders = next(t for t in body["tables"] if t["table"] == "orders")
        amount = next(c for c in orders["columns"] if c["column"] == "amount")
        assert amount["metric"] == "ks" and amount["distance"] < 0.03
        assert any(p["columns"] == ["amount", "qty"] for p in orders["pairs"])
        assert body["sources"] == [str(folder)]
        plain = client.get("/api/experiments/plain/fidelity")
        assert plain.status_code == 200 and plain.json()["learned"] is False
        assert "not learned from a sample" in plain.json()["reason"]
        assert body["learned"] is True
        assert client.get("/api/experiments/ghost/fidelity").status_code == 404
