"""The `dw-sim` command line: thin Typer commands over `dw_simulator.service.Simulator`.

Owns: the commands (`app`: Typer groups in `experiment`, `query`, `ddl_cmds`, `serve`, the endpoint commands),
rendering results for a terminal or a pipe, progress bars, exit codes.
May import: the service layer (`service`, `results`, `service_runs` events), `boot_settings`/`config`, `errors`,
`logs`, `observability`, and the other front ends it starts (`api` and `endpoints` for `serve`). Never a
database driver, sqlglot or boto3, and never a domain package directly.

Start-up is kept short: `dw-sim --version` is answered here before Typer is imported, and the command modules
import the service (and through it SQLAlchemy, DuckDB, sqlglot, ...) only inside the commands that use it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from dw_simulator import __version__

if TYPE_CHECKING:
    import typer

    app: typer.Typer

__all__ = ["app", "main"]


def main() -> None:
    if sys.argv[1:] == ["--version"]:  # the one answer that needs no command machinery
        sys.stdout.write(f"dw-sim {__version__}\n")
        return
    from dw_simulator.cli.commands import app as typer_app

    typer_app()


def __getattr__(name: str) -> Any:
    if name == "app":  # `from dw_simulator.cli import app` (tests, embedding) without paying for it on --version
        from dw_simulator.cli.commands import app as typer_app

        return typer_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
