"""The CLI's light coercers answer as Typer's own (pydantic) coercers do, for every parameter of `dw-sim`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer._click import Context
from typer._coercion import build_runtime_param
from typer.main import get_command

from dw_simulator.cli.commands import app
from dw_simulator.cli.light_coercion import LightRuntimeParam, install


def command_tree() -> Any:
    root = get_command(app)
    ctx = Context(root, info_name="dw-sim", help_option_names=["-h", "--help"])
    install(root, ctx)
    stack, found = [root], []
    while stack:
        command = stack.pop()
        install(command, ctx)
        found.append(command)
        stack.extend(getattr(command, "commands", {}).values())
    return ctx, found


def answer(coercer: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        return "value", coercer.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # the same error, with the same message
        return type(exc).__name__, str(getattr(exc, "message", exc))


def test_every_parameter_gets_the_light_coercer() -> None:
    _ctx, commands = command_tree()
    params = [p for c in commands for p in [*c.params, c._help_option] if p is not None]
    assert len(params) > 40
    assert all(isinstance(p._runtime_param, LightRuntimeParam) for p in params)


def test_light_answers_are_typers(tmp_path: Path) -> None:
    existing_file = tmp_path / "schema.json"
    existing_file.write_text("{}", encoding="utf-8")
    values: list[Any] = [
        None, "", "abc", " abc ", "-", "~/x", "rel/dir", str(tmp_path), str(existing_file),
        str(tmp_path / "missing"), "0", "05", "7", "-3", "1_000", " 8", "99999999999999999999", "1.5",
        "true", 0, 1, 20, 5439, -1, True, ("a", "b"), [], Path("p"),
    ]  # fmt: skip
    ctx, commands = command_tree()
    checked = 0
    for command in commands:
        for param in [*command.params, command._help_option]:
            if param is None:
                continue
            typer_own = build_runtime_param(param.type_descriptor)
            for value in values:
                light = answer(param._runtime_param, value, param, ctx)
                assert light == answer(typer_own, value, param, ctx), (command.name, param.name, value)
                checked += 1
    assert checked > 1000


@pytest.mark.parametrize("args", [["query", "select 1", "-e", "x", "--limit", "0"], ["experiment", "list"]])
def test_the_light_coercers_leave_typers_errors_alone(args: list[str]) -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, [*args, "--no-such-option"])
    assert result.exit_code == 2 and "No such option" in result.output
