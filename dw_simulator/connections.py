"""How users' own clients reach dw-sim's endpoints: data the service owns, which the endpoints also read.

Ready-to-paste connection settings (`dw-sim endpoints`, the API's and the web UI's Connect tab): psql URL,
redshift_connector, SQLAlchemy URLs, dbt profiles for the Redshift endpoint, and the Snowflake endpoint's
equivalents. Also the files the Redshift endpoint leaves under the data root for other processes and clients: the
address a running endpoint publishes and its TLS certificate with the CA bundle to trust it.

May import config, errors and the backends' light modules (never a database driver); the service and the front ends
(`endpoints/redshift` writes the files named here) import it.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dw_simulator.backends.snowflake.connect_info import connection_settings as snowflake_connection
from dw_simulator.backends.snowflake.endpoint import STANDALONE_PORT, running_endpoint

if TYPE_CHECKING:
    from dw_simulator.config import Settings

CERT_NAME = "server.crt"
KEY_NAME = "server.key"
BUNDLE_NAME = "ca-bundle.pem"
ADDRESS_NAME = "endpoint.json"
API_ADDRESS = "api/serve.json"
DEFAULT_API_PORT = 8000  # `dw-sim serve --port`
REDSHIFT_DATA_API_PATH = "/redshift-data"


# -- the Redshift endpoint's files under the data root ----------------------------------------------------------------
def tls_dir(settings: Settings) -> Path:
    """Where the Redshift endpoint keeps its self-signed certificate, key and CA bundle (and its address file)."""
    return settings.data_root / "redshift-endpoint"


def bundle_path(settings: Settings) -> Path:
    """The endpoint's certificate plus the system CAs, for clients' `SSL_CERT_FILE`."""
    return tls_dir(settings) / BUNDLE_NAME


def address_file(settings: Settings) -> Path:
    """Where a running Redshift endpoint publishes its address for other processes (`dw-sim endpoints`)."""
    return tls_dir(settings) / ADDRESS_NAME


def find_running(settings: Settings) -> dict[str, Any] | None:
    """The address a live Redshift endpoint on this data root published, or None."""
    try:
        data = json.loads(address_file(settings).read_text())
        os.kill(int(data["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return dict(data)


# -- where `dw-sim serve` (the HTTP API and the warehouses' HTTP APIs) listens ----------------------------------------
def publish_api(settings: Settings, host: str, port: int) -> Path:
    """Write `dw-sim serve`'s address for other processes (`dw-sim endpoints`); returns the file."""
    path = settings.data_root / API_ADDRESS
    path.parent.mkdir(parents=True, exist_ok=True)
    client_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    path.write_text(json.dumps({"host": client_host, "port": port, "pid": os.getpid()}))
    return path


def unpublish_api(settings: Settings) -> None:
    path = settings.data_root / API_ADDRESS
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        return


def find_api(settings: Settings) -> dict[str, Any] | None:
    """The address a live `dw-sim serve` on this data root published, or None."""
    try:
        data = json.loads((settings.data_root / API_ADDRESS).read_text())
        os.kill(int(data["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return dict(data)


def http_api_settings(settings: Settings) -> dict[str, Any]:
    """The Redshift Data API and Snowflake SQL API URLs of `dw-sim serve`, with copy-paste client settings."""
    published = find_api(settings)
    host = published["host"] if published else "127.0.0.1"
    port = published["port"] if published else DEFAULT_API_PORT
    where = "[" + host + "]" if ":" in host else host
    base = f"http://{where}:{port}"
    data_api = base + REDSHIFT_DATA_API_PATH
    return {
        "running": published is not None,
        "redshift_data_api_url": data_api,
        "snowflake_sql_api_url": base,
        "boto3": f"boto3.client('redshift-data', endpoint_url={data_api!r}, region_name='us-east-1', "
        "aws_access_key_id='dwsim', aws_secret_access_key='<DW_SIM_API_TOKEN, or anything on loopback>')",
        "snowflake_sql_api": f"POST {base}/api/v2/statements with Authorization: Bearer <token> "
        "(any JWT/OAuth token on loopback; DW_SIM_API_TOKEN when the server has one)",
    }


# -- ready-to-paste settings ------------------------------------------------------------------------------------------
def connection_settings(
    settings: Settings,
    *,
    database: str | None = None,
    host: str | None = None,
    port: int | None = None,
    running: bool | None = None,
) -> dict[str, Any]:
    """Everything `dw-sim endpoints` prints, as data."""
    published = find_running(settings) if host is None else None
    host = host or (published["host"] if published else settings.redshift_endpoint_host)
    port = port if port is not None else (published["port"] if published else settings.redshift_endpoint_port)
    running = running if running is not None else published is not None
    db = database or "<experiment>"
    user = settings.redshift_endpoint_user
    password = settings.redshift_endpoint_password.get_secret_value()
    cert = settings.redshift_endpoint_cert or tls_dir(settings) / CERT_NAME
    bundle = bundle_path(settings)
    tls = settings.redshift_endpoint_tls
    sslmode = "require" if tls else "disable"
    redshift = {
        "running": running,
        "host": host,
        "port": port,
        "database": db,
        "user": user,
        "password": password,
        "credentials": "local mock credentials, set by DW_SIM_REDSHIFT_USER / DW_SIM_REDSHIFT_PASSWORD",
        "tls": tls,
        "certificate": str(cert),
        "ca_bundle": str(bundle),
        "psql": f'psql "postgresql://{user}:{password}@{host}:{port}/{db}?sslmode={sslmode}"',
        "redshift_connector": (
            f"SSL_CERT_FILE={bundle}  # lets its default ssl=True, sslmode='verify-ca' trust the local certificate\n"
            f"redshift_connector.connect(host={host!r}, port={port}, database={db!r}, user={user!r}, "
            f"password={password!r})"
            if tls
            else f"redshift_connector.connect(host={host!r}, port={port}, database={db!r}, user={user!r}, "
            f"password={password!r}, ssl=False)"
        ),
        "sqlalchemy": (
            f"redshift+psycopg2://{user}:{password}@{host}:{port}/{db}"
            + (f"?sslrootcert={cert}" if tls else "?sslmode=disable")
        ),
        "sqlalchemy_redshift_connector": f"redshift+redshift_connector://{user}:{password}@{host}:{port}/{db}"
        + ("" if tls else "?ssl=false"),
        "dbt_profile": {
            "type": "redshift",
            "host": host,
            "port": port,
            "user": user,
            "password": password,
            "dbname": db,
            "schema": f"{db}_dbt" if database else "<experiment>_dbt",
            "threads": 4,
            "sslmode": "prefer" if tls else "disable",
        },
        "dbt_note": f"run dbt with SSL_CERT_FILE={bundle} (or sslmode: disable); sources live in the schema named "
        "after the experiment",
    }
    apis = http_api_settings(settings)
    return {
        "redshift": redshift,
        "snowflake": _snowflake_settings(settings, database),
        "redshift_data_api_url": apis["redshift_data_api_url"],
        "snowflake_sql_api_url": apis["snowflake_sql_api_url"],
        "http_apis": apis,
    }


def _snowflake_settings(settings: Settings, database: str | None) -> dict[str, Any]:
    """The Snowflake endpoint's documented parameters (`dw-sim snowflake-endpoint`)."""
    if importlib.util.find_spec("fakesnow") is None:  # the `snowflake` extra is not installed
        return {"available": False}
    address = running_endpoint(settings)
    host = address.host if address else "127.0.0.1"
    port = address.port if address else STANDALONE_PORT

    return {
        "available": True,
        "running": address is not None,
        "start": "dw-sim snowflake-endpoint (or dw-sim serve)",
        **snowflake_connection(settings, host=host, port=port, database=(database or "<experiment>").upper()),
    }
