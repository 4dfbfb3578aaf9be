"""The `observability` compose profile: its files exist, stay local, and the dashboard shows metrics dw-sim exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "observability"


def test_compose_snippet_services_are_optional_and_local() -> None:
    snippet = yaml.safe_load((DEPLOY / "compose-snippet.yml").read_text())
    services = snippet["services"]
    assert set(services) == {"prometheus", "grafana", "jaeger"}
    for name, service in services.items():
        assert service["profiles"] == ["observability"], name
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert (ROOT / source).exists(), f"{name} mounts missing {source}"
    assert any("4318" in p for p in services["jaeger"]["ports"])  # OTLP/HTTP, what dw-sim exports to


def test_prometheus_scrapes_dw_sim_metrics() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "dw-sim")
    assert job["metrics_path"] == "/metrics"
    assert any(t.endswith(":8000") for c in job["static_configs"] for t in c["targets"])


def test_dashboard_queries_only_exported_metrics(client: TestClient) -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "dw-sim.json").read_text())
    datasources = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uids = {d["uid"] for d in datasources["datasources"]}
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert all(p["datasource"]["uid"] in uids for p in dashboard["panels"])
    used = {re.sub(r"_(total|bucket|count|sum)$", "", m) for e in exprs for m in re.findall(r"\bdwsim_[a-z_]+", e)}
    types = re.findall(r"^# TYPE (dwsim_[a-z_]+) ", client.get("/metrics").text, re.MULTILINE)
    exported = {re.sub(r"_total$", "", name) for name in types}
    assert used <= exported, used - exported
    wanted = {
        "dwsim_rows_generated",
        "dwsim_generation_duration_seconds",
        "dwsim_load_duration_seconds",
        "dwsim_query_duration_seconds",
        "dwsim_errors",
        "dwsim_active_runs",
    }
    assert wanted <= used  # the metrics are all on the dashboard
