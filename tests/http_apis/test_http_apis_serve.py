"""The HTTP APIs on a real `dw-sim serve` process: its token rules (SigV4 with the token as the secret key for the
Data API, the bearer token for the SQL API) and the URLs `dw-sim endpoints --json` prints while it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from http_api_support import make_shop

from dw_simulator.config import Settings
from dw_simulator.service import Simulator

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from api_support import Server

TOKEN = "local-test-token-0123456789"  # a LOCAL MOCK CREDENTIAL of this test


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve-token")
    settings = Settings(data_root=root / "data")
    make_shop(settings)
    with Simulator(settings) as sim:
        sim.import_sql("CREATE TABLE t (k INT);", "snowflake", name="sfduck", target_warehouse="duckdb")
        sim.query("sfduck", "INSERT INTO t VALUES (1), (2)")
    server = Server(
        data_root=root / "data",
        log_path=root / "server.log",
        env={"DW_SIM_API_TOKEN": TOKEN, "DW_SIM_SNOWFLAKE_ENDPOINT_ENABLED": "false"},
    ).start()
    yield server
    server.kill()


def client(server: Server, **kwargs: Any) -> Any:
    return boto3.client(
        "redshift-data",
        endpoint_url=server.url + "/redshift-data",
        region_name="eu-west-1",
        aws_access_key_id="ANYKEYID",
        config=Config(retries={"max_attempts": 1}, **kwargs.pop("config", {})),
        **kwargs,
    )


def test_the_data_api_takes_the_token_as_the_secret_access_key(token_server: Server) -> None:
    rsd = client(token_server, aws_secret_access_key=TOKEN)
    started = rsd.execute_statement(Database="shop", Sql="SELECT COUNT(*) FROM customers")
    deadline = time.monotonic() + 60
    while (described := rsd.describe_statement(Id=started["Id"]))["Status"] not in ("FINISHED", "FAILED"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert described["Status"] == "FINISHED"
    assert rsd.get_statement_result(Id=started["Id"])["Records"] == [[{"longValue": 5}]]


def test_the_data_api_refuses_other_secrets_and_unsigned_requests(token_server: Server) -> None:
    with pytest.raises(ClientError) as wrong:
        client(token_server, aws_secret_access_key="not-the-token").list_statements()
    assert wrong.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert "signature does not match" in wrong.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as unsigned:
        client(token_server, aws_secret_access_key="x", config={"signature_version": UNSIGNED}).list_statements()
    assert unsigned.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_the_sql_api_takes_the_token_as_the_bearer(token_server: Server) -> None:
    body = {"statement": "SELECT COUNT(*) FROM t", "database": "sfduck"}
    with token_server.client() as http:
        ok = http.post(
            "/api/v2/statements",
            json=body,
            headers={"Authorization": f"Bearer {TOKEN}", "X-Snowflake-Authorization-Token-Type": "OAUTH"},
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["data"] == [["2"]]
        refused = http.post("/api/v2/statements", json=body, headers={"Authorization": "Bearer some.other.jwt"})
        assert refused.status_code == 401


def test_endpoints_json_gives_the_running_servers_api_urls(token_server: Server) -> None:
    env = {**os.environ, "DW_SIM_DATA_ROOT": str(token_server.data_root)}
    out = subprocess.run(
        [sys.executable, "-m", "dw_simulator", "endpoints", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    info = json.loads(out.stdout)
    assert info["redshift_data_api_url"] == f"{token_server.url}/redshift-data"
    assert info["snowflake_sql_api_url"] == token_server.url
    assert info["http_apis"]["running"] is True
    assert httpx.get(info["snowflake_sql_api_url"] + "/health", timeout=10).status_code == 200
