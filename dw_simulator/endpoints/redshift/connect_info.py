"""Ready-to-paste connection settings for the local endpoints (`dw-sim endpoints`, and for the API/web UI):
psql URL, redshift_connector, SQLAlchemy URLs, dbt profiles -- and the Snowflake endpoint's equivalents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dw_simulator.config import Settings


def _running_redshift(settings: Settings) -> dict[str, Any] | None:
    from dw_simulator.endpoints.redshift.server import find_running

    return find_running(settings)


def connection_settings(
    settings: Settings,
    *,
    database: str | None = None,
    host: str | None = None,
    port: int | None = None,
    running: bool | None = None,
) -> dict[str, Any]:
    """Everything `dw-sim endpoints` prints, as data."""
    from dw_simulator.endpoints.redshift.tls import bundle_path, tls_dir

    published = _running_redshift(settings) if host is None else None
    host = host or (published["host"] if published else settings.redshift_endpoint_host)
    port = port if port is not None else (published["port"] if published else settings.redshift_endpoint_port)
    running = running if running is not None else published is not None
    db = database or "<experiment>"
    user = settings.redshift_endpoint_user
    password = settings.redshift_endpoint_password.get_secret_value()
    cert = settings.redshift_endpoint_cert or tls_dir(settings) / "server.crt"
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
    import importlib.util

    if importlib.util.find_spec("fakesnow") is None:  # the `snowflake` extra is not installed
        return {"available": False}
    from dw_simulator.backends.snowflake.connect_info import connection_settings as snowflake_connection
    from dw_simulator.backends.snowflake.endpoint import STANDALONE_PORT, running_endpoint

    address = running_endpoint(settings)
    host = address.host if address else "127.0.0.1"
    port = address.port if address else STANDALONE_PORT

    return {
        "available": True,
        "running": address is not None,
        "start": "dw-sim snowflake-endpoint (or dw-sim serve)",
        **snowflake_connection(settings, host=host, port=port, database=(database or "<experiment>").upper()),
    }
