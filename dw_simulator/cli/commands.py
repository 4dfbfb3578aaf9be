"""The `dw-sim` Typer application: its command groups and the global options.

Importing this builds the command tree only; each command imports what it runs on when it is called.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from dw_simulator import __version__
from dw_simulator.cli import ddl_cmds, experiment, query, redshift_cmds, serve, snowflake_cmds
from dw_simulator.cli.common import boot, state
from dw_simulator.logs import configure_logging

app = typer.Typer(
    name="dw-sim",
    help="dw-sim: a local simulator of Amazon Redshift and Snowflake. Describe tables once, generate realistic "
    "synthetic data, and query it with your Redshift or Snowflake SQL — no cloud account needed.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(experiment.app, name="experiment")
app.command("query")(query.query)

ddl_cmds.register(experiment.app)
serve.register(app)
snowflake_cmds.register(app)
redshift_cmds.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dw-sim {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    data_root: Annotated[
        Path | None, typer.Option("--data-root", envvar="DW_SIM_DATA_ROOT", help="Where dw-sim keeps its state.")
    ] = None,
    log_format: Annotated[
        str | None, typer.Option("--log-format", help="auto (JSON when not a TTY), json or text.")
    ] = None,
    log_level: Annotated[str | None, typer.Option("--log-level", help="DEBUG, INFO, WARNING, ERROR.")] = None,
) -> None:
    state.debug = debug
    state.overrides = {"data_root": data_root, "log_format": log_format, "log_level": log_level}
    settings = boot()
    # logs go to stderr for CLI commands so that --json / --format csv output on stdout stays clean
    configure_logging(settings.log_level if not debug else "DEBUG", settings.log_format, stream=sys.stderr)
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):  # spans of CLI runs too, exported when configured
        from dw_simulator import observability

        if observability.configure_tracing():
            atexit.register(observability.shutdown_tracing)


def main() -> None:
    app()
