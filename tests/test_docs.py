"""Docs drift: every CLI command explains itself, and the README's commands exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from dw_simulator.cli import app

ROOT = Path(__file__).resolve().parent.parent


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    """Every (sub)command of a Typer/click group (Typer may vendor click, so no isinstance checks)."""
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        found[f"{prefix}{name}"] = command
        if hasattr(command, "commands"):
            found.update(_commands(command, f"{prefix}{name} "))
    return found


def test_every_command_and_option_has_help() -> None:
    root = typer.main.get_command(app)
    for name, command in _commands(root).items():
        assert (command.help or "").strip(), f"`dw-sim {name}` has no help text"
        for param in command.params:
            if param.param_type_name == "option" and param.name not in ("help",):
                assert (param.help or "").strip(), f"`dw-sim {name}` option {param.opts} has no help text"


def test_readme_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert "exec make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_cli_examples_use_real_commands() -> None:
    root = typer.main.get_command(app)
    known = set(_commands(root))
    readme = (ROOT / "README.md").read_text()
    for match in re.finditer(r"^\$ dw-sim ((?:[a-z-]+ ?){1,2})", readme, re.MULTILINE):
        words = match.group(1).split()
        candidates = {" ".join(words[:2]), words[0]}
        assert candidates & known, f"README uses unknown command: dw-sim {match.group(1)}"


def test_readme_schema_examples_validate() -> None:
    import json

    from dw_simulator.schema import load_schema_data

    blocks = re.findall(r"```json\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert blocks, "the README shows a schema"
    for block in blocks:
        assert load_schema_data(json.loads(block)).tables
