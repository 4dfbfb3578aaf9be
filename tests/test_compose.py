"""docker-compose.yml, .env.example and the Dockerfile checked against the settings dw-sim reads, so the stack
cannot drift from the code (no Docker engine is needed)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

from dw_simulator.api.settings import ApiSettings
from dw_simulator.backends.postgres.backend import DEFAULT_URL
from dw_simulator.config import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
SETTING_NAMES = {f"DW_SIM_{name.upper()}" for name in (*Settings.model_fields, *ApiSettings.model_fields)}


def _ports(service: dict) -> dict[int, int]:
    """container port -> host port"""
    out = {}
    for mapping in service.get("ports", []):
        parts = str(mapping).split(":")
        out[int(parts[-1])] = int(parts[-2])
    return out


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_the_briefs_three_services_with_healthchecks_and_volumes() -> None:
    assert set(SERVICES) >= {"local-redshift-mock", "local-s3-staging", "synthetic-data-generator"}
    declared = set(COMPOSE.get("volumes", {}))
    for name, service in SERVICES.items():
        if not service.get("profiles"):  # the always-on stack must report health
            assert "healthcheck" in service and service["healthcheck"]["test"], f"{name} has no healthcheck"
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists() if source.startswith(".") else True, f"{name} mounts missing {source}"
                continue
            assert source in declared, f"{name} mounts undeclared volume {source}"


def test_observability_profile_is_opt_in_and_local_only() -> None:
    for name in ("prometheus", "grafana", "jaeger"):
        service = SERVICES[name]
        assert service.get("profiles") == ["observability"], name
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_generator_service_requires_a_token_and_checks_a_real_route() -> None:
    service = SERVICES["synthetic-data-generator"]
    assert "DW_SIM_API_TOKEN" in _env(service) and ":?" in str(_env(service)["DW_SIM_API_TOKEN"])
    probe = " ".join(service["healthcheck"]["test"])
    from dw_simulator.api import create_app

    paths = set(create_app().openapi()["paths"])
    path = probe.split("8000", 1)[1].split("'", 1)[0]
    assert path in paths, f"healthcheck probes {path}, which the API does not serve"


def test_redshift_mock_matches_the_backend_default_url() -> None:
    service = SERVICES["local-redshift-mock"]
    assert service["image"] == "postgres:15-alpine"
    default = urlparse(DEFAULT_URL)
    env = _env(service)
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("mockuser", "mockpass")  # the brief's mock credentials
    assert (default.username, default.password) == (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"])
    assert default.path.lstrip("/") == env["POSTGRES_DB"]
    assert _ports(service) == {5432: 5439} and default.port == 5439


def test_s3_staging_is_localstack_s3() -> None:
    service = SERVICES["local-s3-staging"]
    assert service["image"].startswith("localstack/localstack")
    assert "s3" in _env(service)["SERVICES"].split(",")
    assert 4566 in _ports(service)


def test_generator_environment_names_real_settings_and_services() -> None:
    service = SERVICES["synthetic-data-generator"]
    assert service["build"]["dockerfile"] == "Dockerfile" and (ROOT / "Dockerfile").is_file()
    env = _env(service)
    unknown = set(env) - SETTING_NAMES
    assert not unknown, f"docker-compose sets variables dw-sim does not read: {unknown}"
    for required in (
        "DW_SIM_REDSHIFT_URL",
        "DW_SIM_S3_ENDPOINT_URL",
        "DW_SIM_S3_BUCKET",
        "DW_SIM_S3_ACCESS_KEY_ID",
        "DW_SIM_S3_SECRET_ACCESS_KEY",
        "DW_SIM_DATA_ROOT",
    ):
        assert required in env
    redshift = urlparse(env["DW_SIM_REDSHIFT_URL"])
    mock_env = _env(SERVICES["local-redshift-mock"])
    assert redshift.hostname == "local-redshift-mock" and redshift.port in _ports(SERVICES["local-redshift-mock"])
    assert (redshift.username, redshift.password) == (mock_env["POSTGRES_USER"], mock_env["POSTGRES_PASSWORD"])
    s3 = urlparse(env["DW_SIM_S3_ENDPOINT_URL"])
    assert s3.hostname == "local-s3-staging" and s3.port in _ports(SERVICES["local-s3-staging"])
    assert set(service["depends_on"]) == {"local-redshift-mock", "local-s3-staging"}
    # every value parses as the setting it feeds
    settings = Settings(
        **{k[len("DW_SIM_") :].lower(): v for k, v in env.items() if k[7:].lower() in Settings.model_fields}
    )
    assert settings.resolve_target(None) == "redshift"
    exposed = re.findall(r"^EXPOSE\s+(\d+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert [int(p) for p in exposed] == list(_ports(service))


def test_env_example_uses_real_settings_pointing_at_the_published_ports() -> None:
    lines = [ln for ln in (ROOT / ".env.example").read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    values = dict(line.split("=", 1) for line in lines)
    assert set(values) <= SETTING_NAMES
    redshift = urlparse(values["DW_SIM_REDSHIFT_URL"])
    assert redshift.port == _ports(SERVICES["local-redshift-mock"])[5432]
    assert urlparse(values["DW_SIM_S3_ENDPOINT_URL"]).port == _ports(SERVICES["local-s3-staging"])[4566]
    assert values["DW_SIM_REDSHIFT_URL"] == DEFAULT_URL


def test_snowflake_profile_is_opt_in_with_a_token() -> None:
    service = SERVICES["localstack-snowflake"]
    assert service.get("profiles") == ["snowflake"]
    env = _env(service)
    assert env["SERVICES"].split(",") == ["snowflake", "s3"]
    assert ":?" in env["LOCALSTACK_AUTH_TOKEN"]  # compose refuses to start it without the token
    published = {str(p).split(":")[1] for p in service["ports"]}
    others = {str(p).split(":")[-2] for name, s in SERVICES.items() if name != "localstack-snowflake"
              for p in s.get("ports", [])}  # fmt: skip
    assert not published & others, "the snowflake profile must not clash with another service's host port"
