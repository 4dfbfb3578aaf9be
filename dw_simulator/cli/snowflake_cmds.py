"""`dw-sim snowflake-endpoint`: serve the embedded Snowflake endpoint for your own code.

The endpoint speaks Snowflake's protocol, so the snowflake-connector-python, snowflake-sqlalchemy and dbt-snowflake
connect to it with a host, a port and `protocol=http`; every snowflake experiment is a database there.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from dw_simulator.cli.common import cli_settings, handle_errors
from dw_simulator.cli.serve import is_loopback
from dw_simulator.errors import DwSimError

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.endpoint import EndpointAddress
    from dw_simulator.config import Settings

# the endpoint's STANDALONE_PORT (a test keeps them equal; importing the endpoint here would load the backends)
DEFAULT_PORT = 8085


class UnsafeEndpointBindError(DwSimError):
    kind = "unsafe_bind"


def register(app: typer.Typer) -> None:
    """Add `snowflake-endpoint` to the dw-sim command line."""
    app.command("snowflake-endpoint")(snowflake_endpoint)


def connection_parameters(address: EndpointAddress, settings: Settings, database: str = "<EXPERIMENT>") -> str:
    """The documented ways to connect, as printed by the command."""
    from dw_simulator.backends.snowflake.connect_info import connection_settings

    info = connection_settings(settings, host=address.host, port=address.port, database=database)
    profile = [f"  {key}: {value}" for key, value in info["dbt_profile"].items()]
    return "\n".join(
        [
            f"Snowflake endpoint listening on http://{address.host}:{address.port}",
            "",
            "snowflake-connector-python:",
            f"  snowflake.connector.connect(**{json.dumps(info['snowflake_connector'])})",
            "",
            "snowflake-sqlalchemy:",
            f"  {info['sqlalchemy']}",
            "",
            "dbt-snowflake (profiles.yml output):",
            *profile,
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

    if not is_loopback(host) and not allow_remote:
        raise UnsafeEndpointBindError(
            f"refusing to serve the Snowflake endpoint on {host}, which is not a loopback address: it accepts any "
            "password; pass --allow-remote to do it anyway"
        )
    settings = cli_settings()

    def ready(address: EndpointAddress) -> None:
        typer.echo(connection_parameters(address, settings))

    serve_standalone(settings, host, port, on_ready=ready)
