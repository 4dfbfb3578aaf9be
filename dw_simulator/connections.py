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


# -- the Redshift endpoint's files under the data root ------------------------------------------------------------
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
    return {"redshift": redshift, "snowflake": _snowflake_settings(settings, database)}


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
