"""`dw-sim snowflake-endpoint`: serve the embedded Snowflake endpoint for your own code.

The endpoint speaks Snowflake's protocol, so the snowflake-connector-python, snowflake-sqlalchemy and dbt-snowflake
connect to it with a host, a port and `protocol=http`; every snowflake experiment is a database there.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from dw_simulator.backends.snowflake.endpoint import STANDALONE_PORT
from dw_simulator.cli.common import handle_errors, state
from dw_simulator.cli.serve import is_loopback
from dw_simulator.errors import DwSimError

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.endpoint import EndpointAddress
    from dw_simulator.config import Settings

DEFAULT_PORT = STANDALONE_PORT


class UnsafeEndpointBindError(DwSimError):
    kind = "unsafe_bind"


def register(app: typer.Typer) -> None:
    """Add `snowflake-endpoint` to the dw-sim command line."""
    app.command("snowflake-endpoint")(snowflake_endpoint)


def connection_parameters(address: EndpointAddress, settings: Settings, database: str = "<EXPERIMENT>") -> str:
    """The documented ways to connect, as printed by the command."""
    host, port = address.host, address.port
    schema = settings.snowflake_schema.upper()
    user, account = settings.snowflake_user, settings.snowflake_account
    warehouse, role = settings.snowflake_warehouse_name, settings.snowflake_role
    python_kwargs = {
        "account": account,
        "user": user,
        "password": "dwsim",
        "host": host,
        "port": port,
        "protocol": "http",
        "database": database,
        "schema": schema,
        "warehouse": warehouse,
        "role": role,
    }
    return "\n".join(
        [
            f"Snowflake endpoint listening on http://{host}:{port}",
            "",
            "snowflake-connector-python:",
            f"  snowflake.connector.connect(**{json.dumps(python_kwargs)})",
            "",
            "snowflake-sqlalchemy:",
            f"  snowflake://{user}:dwsim@{account}/{database}/{schema}?host={host}&port={port}&protocol=http"
            f"&warehouse={warehouse}&role={role}",
            "",
            "dbt-snowflake (profiles.yml output):",
            "  type: snowflake",
            f"  account: {account}",
            f"  user: {user}",
            "  password: dwsim",
            f"  host: {host}",
            f"  port: {port}",
            "  protocol: http",
            f"  database: {database}",
            f"  schema: {schema}",
            f"  warehouse: {warehouse}",
            f"  role: {role}",
            "",
            "Other dw-sim commands on this data root use this endpoint while it runs. Any password is accepted;",
            "every snowflake experiment is a database. Press Ctrl-C to stop.",
        ]
    )


@handle_errors
def snowflake_endpoint(
    host: Annotated[str, typer.Option(help="Address to bind (loopback unless --allow-remote).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on (0 = any free port).")] = DEFAULT_PORT,
    allow_remote: Annotated[
        bool,
        typer.Option("--allow-remote", help="Allow a non-loopback address: the endpoint accepts any password."),
    ] = False,
) -> None:
    """Serve the embedded Snowflake endpoint so your own code (the Python connector, snowflake-sqlalchemy,
    dbt-snowflake) can connect to the experiments' data. Prints the connection parameters."""
    from dw_simulator.backends.snowflake.endpoint import serve_standalone
    from dw_simulator.config import load_settings

    if not is_loopback(host) and not allow_remote:
        raise UnsafeEndpointBindError(
            f"refusing to serve the Snowflake endpoint on {host}, which is not a loopback address: it accepts any "
            "password; pass --allow-remote to do it anyway"
        )
    settings = load_settings(**{k: v for k, v in state.overrides.items() if v is not None})

    def ready(address: EndpointAddress) -> None:
        typer.echo(connection_parameters(address, settings))

    serve_standalone(settings, host, port, on_ready=ready)
