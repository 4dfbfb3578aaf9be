"""`dw-sim redshift-endpoint` (serve the local Redshift endpoint) and `dw-sim endpoints` (how to connect to it and to
the Snowflake endpoint: psql, redshift_connector, SQLAlchemy, dbt profiles)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dw_simulator.cli.common import cli_settings, handle_errors, open_simulator
from dw_simulator.errors import DwSimError

if TYPE_CHECKING:
    pass


class UnsafeEndpointBindError(DwSimError):
    kind = "unsafe_bind"


def register(app: typer.Typer) -> None:
    """Add `redshift-endpoint` and `endpoints` to the dw-sim command line."""
    app.command("redshift-endpoint")(redshift_endpoint)
    app.command("endpoints")(endpoints)


@handle_errors
def redshift_endpoint(
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default 127.0.0.1; loopback unless --allow-remote).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            min=0, max=65535, help="Port to listen on (default 5439, DW_SIM_REDSHIFT_ENDPOINT_PORT; 0 = any)."
        ),
    ] = None,
    tls: Annotated[
        bool | None,
        typer.Option("--tls/--no-tls", help="Offer TLS with a self-signed certificate (default on)."),
    ] = None,
    allow_remote: Annotated[
        bool,
        typer.Option("--allow-remote", help="Allow a non-loopback address (the credentials are local mock ones)."),
    ] = False,
) -> None:
    """Serve the local Redshift endpoint (PostgreSQL wire protocol speaking as Redshift) so psql, redshift_connector,
    SQLAlchemy and dbt-redshift can query the experiments: each experiment is a database. Prints how to connect."""
    from dw_simulator.cli.serve import is_loopback
    from dw_simulator.connections import connection_settings
    from dw_simulator.endpoints.redshift.runner import serve_standalone
    from dw_simulator.endpoints.redshift.server import EndpointConfig
    from dw_simulator.service import Simulator

    settings = cli_settings()
    config = EndpointConfig.from_settings(settings, host=host, port=port, tls=tls)
    if not is_loopback(config.host) and not allow_remote:
        raise UnsafeEndpointBindError(
            f"refusing to serve the Redshift endpoint on {config.host}, which is not a loopback address: its "
            "credentials are local mock ones; pass --allow-remote to do it anyway"
        )
    simulator = Simulator(settings)

    def ready(endpoint: Any) -> None:
        host_, port_ = endpoint.address
        typer.echo(f"Redshift endpoint listening on {host_}:{port_} (TLS {'on' if config.tls else 'off'})\n")
        info = connection_settings(settings, host=host_, port=port_, running=True)
        typer.echo(render_text(info, only="redshift"))
        typer.echo("\nEach experiment (on duckdb or redshift) is a database. Press Ctrl-C to stop.")

    try:
        serve_standalone(simulator, config, on_ready=ready)
    finally:
        simulator.close()


@handle_errors
def endpoints(
    as_json: Annotated[bool, typer.Option("--json", help="Print the settings as JSON.")] = False,
    experiment: Annotated[
        str | None,
        typer.Option("--experiment", "-e", help="Experiment to put in the examples (default: a placeholder)."),
    ] = None,
) -> None:
    """Print ready-to-paste connection settings for the local Redshift and Snowflake endpoints: psql URL,
    redshift_connector.connect(...), SQLAlchemy URLs and dbt profiles.yml entries; and the URLs of the Redshift Data
    API and the Snowflake SQL API that `dw-sim serve` answers (`redshift_data_api_url`, `snowflake_sql_api_url`)."""
    info = open_simulator().connection_settings(experiment)
    if as_json:
        typer.echo(json.dumps(info, indent=2))
    else:
        typer.echo(render_text(info))


def _yaml(profile: dict[str, Any], indent: str) -> str:
    return "\n".join(f"{indent}{k}: {v}" for k, v in profile.items())


def render_text(info: dict[str, Any], *, only: str | None = None) -> str:
    rs = info["redshift"]
    lines = []
    if only in (None, "redshift"):
        state_ = (
            "running" if rs["running"] else "not running: start it with `dw-sim serve` or `dw-sim redshift-endpoint`"
        )
        lines += [
            f"Redshift endpoint ({rs['host']}:{rs['port']}, {state_})",
            f"  user / password: {rs['user']} / {rs['password']} ({rs['credentials']})",
            "",
            "psql:",
            f"  {rs['psql']}",
            "",
            "redshift_connector:",
            *[f"  {line}" for line in rs["redshift_connector"].splitlines()],
            "",
            "SQLAlchemy (sqlalchemy-redshift):",
            f"  {rs['sqlalchemy']}",
            f"  {rs['sqlalchemy_redshift_connector']}",
            "",
            "dbt-redshift (profiles.yml):",
            "  dwsim:",
            "    target: local",
            "    outputs:",
            "      local:",
            _yaml(rs["dbt_profile"], "        "),
            f"  ({rs['dbt_note']})",
        ]
    apis = info.get("http_apis")
    if only is None and apis:
        state_ = "running" if apis["running"] else "not running: start it with `dw-sim serve`"
        lines += [
            "",
            f"HTTP APIs of dw-sim serve ({state_})",
            f"  Redshift Data API:    {apis['redshift_data_api_url']}",
            f"    {apis['boto3']}",
            f"  Snowflake SQL API v2: {apis['snowflake_sql_api_url']}/api/v2/statements",
            f"    {apis['snowflake_sql_api']}",
        ]
    sf = info["snowflake"]
    if only in (None, "snowflake") and sf.get("available"):
        conn = sf["snowflake_connector"]
        state_ = "running" if sf["running"] else f"not running: start it with `{sf['start']}`"
        lines += [
            "",
            f"Snowflake endpoint ({conn['host']}:{conn['port']}, {state_})",
            "",
            "snowflake-connector-python:",
            f"  snowflake.connector.connect(**{json.dumps(conn)})",
            "",
            "snowflake-sqlalchemy:",
            f"  {sf['sqlalchemy']}",
            "",
            "dbt-snowflake (profiles.yml output):",
            _yaml(sf["dbt_profile"], "  "),
        ]
    return "\n".join(lines)
