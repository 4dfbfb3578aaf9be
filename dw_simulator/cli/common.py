"""Shared pieces of the CLI: global state, consoles, error handling, rendering helpers."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from dw_simulator.boot_settings import BootSettings, boot_settings
from dw_simulator.errors import DwSimError

if TYPE_CHECKING:
    from dw_simulator.config import Settings
    from dw_simulator.service import Simulator

P = ParamSpec("P")
R = TypeVar("R")

# piped output is not squeezed to 80 columns; a terminal uses its own width
console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, soft_wrap=True)

EXIT_USER_ERROR = 1
EXIT_INTERNAL_ERROR = 3
EXIT_INTERRUPTED = 130


@dataclass
class CliState:
    debug: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)
    simulator: Simulator | None = None


state = CliState()


def cli_settings(**extra: Any) -> Settings:
    """Settings with the global flags (and a command's own `extra` flags) on top; None means "not given"."""
    from dw_simulator.config import load_settings

    return load_settings(**{**state.overrides, **extra})


def boot() -> BootSettings:
    """The data root and log settings under the global flags: without pydantic-settings when that is exact."""
    return boot_settings(**state.overrides) or BootSettings.of(cli_settings())


def open_simulator() -> Simulator:
    """The command's simulator: it reads the full settings only if the command needs more than the data root."""
    if state.simulator is None:
        from dw_simulator.service import Simulator

        state.simulator = Simulator(data_root=boot().data_root, load_settings=cli_settings)
    return state.simulator


def close_simulator() -> None:
    if state.simulator is not None:
        state.simulator.close()
        state.simulator = None


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn errors into one-line messages and exit codes: 1 user error, 3 internal error, 130 interrupted."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # exits and usage errors (exit code 2) are Typer's to report
        except DwSimError as exc:
            if state.debug:
                err_console.print_exception()
            err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
            for detail in exc.details[1:6]:
                err_console.print(f"  - {_detail_text(detail)}", highlight=False)
            raise typer.Exit(EXIT_USER_ERROR) from None
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            if state.debug:
                raise
            err_console.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n(run with --debug for the traceback)",
                highlight=False,
            )
            raise typer.Exit(EXIT_INTERNAL_ERROR) from None
        finally:
            close_simulator()

    return wrapper


def _detail_text(detail: dict[str, Any]) -> str:
    where = ", ".join(
        f"{k} {detail[k]!r}" if k in ("table", "column", "field") else f"{k} {detail[k]}"
        for k in ("line", "col", "table", "column", "field")
        if detail.get(k) is not None
    )
    return f"{where}: {detail.get('message')}" if where else str(detail.get("message"))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def parse_rows(values: list[str] | None) -> dict[str, int]:
    """`--rows customers=50000 --rows orders=10` -> {"customers": 50000, "orders": 10}."""
    rows: dict[str, int] = {}
    for value in values or []:
        table, sep, count = value.partition("=")
        if not sep or not table.strip() or not count.strip().lstrip("-").isdigit():
            raise typer.BadParameter(f"expected TABLE=ROWS (e.g. customers=50000), got {value!r}", param_hint="--rows")
        rows[table.strip()] = int(count.replace("_", ""))
    return rows


def fmt_rows(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"
