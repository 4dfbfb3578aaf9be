"""Typer's coercion of command-line values, without pydantic for the values that need none.

Typer (0.2x) turns each parameter's value into its Python type with a pydantic `TypeAdapter` that it builds when
the parameter is first processed, even for an option that was not given; building the first one imports pydantic,
about a tenth of a second of every command's start-up. `install(command)` gives each parameter of a command tree a
coercer that answers the common cases the way that adapter does, and builds Typer's own coercer for anything else:

  * an omitted value (None) -> None, or () for a multi-value option: Typer's own `RuntimeParam.coerce` does this
    before any adapter runs;
  * a `str` parameter's text -> the same text (the adapter's `_parse_cli_str` is `str(value)` for a str);
  * a `Path` parameter's text -> `Path(text)`, then Typer's own path checks (`coerce_cli_path`, which skips pydantic
    for a value that is a Path already);
  * an `int` parameter's int (a default) or plain digits, within its `min`/`max` -> that int.

Parameters with a custom parser, another type, or a value of another kind go to Typer's coercer unchanged, and
where Typer's internals are not the ones this expects `install` does nothing. `tests/test_cli_startup.py` checks
the answers against Typer's own coercer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.core import TyperGroup

try:  # Typer's coercion internals (0.2x): without them, Typer coerces every value itself
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer._param_types import coerce_cli_path
    from typer.core import _TyperParameter
except ImportError:  # pragma: no cover - another Typer
    RuntimeParam = None  # type: ignore[assignment,misc]

_DIGITS = re.compile(r"[0-9]{1,18}")

if RuntimeParam is not None:

    @dataclass(frozen=True)
    class LightRuntimeParam(RuntimeParam):
        descriptor: TypeDescriptor = field(compare=False)
        built: dict[str, RuntimeParam] = field(default_factory=dict, compare=False)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            info = self.parameter_info
            if info.parser is None:
                if self.annotation is str and isinstance(value, str):
                    return value
                if self.annotation is Path and isinstance(value, str) and _plain_path(value, info):
                    return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
                if self.annotation is int and not info.clamp:
                    number = _plain_int(value)
                    if number is not None and _in_range(number, info.min, info.max):
                        return number
            return self.typer_coercer()._coerce_value(value, param=param, ctx=ctx)

        def typer_coercer(self) -> RuntimeParam:
            if "typer" not in self.built:
                self.built["typer"] = build_runtime_param(self.descriptor)
            return self.built["typer"]


def _plain_path(value: str, info: Any) -> bool:
    return info.path_type is None and value != "" and "\0" not in value


def _plain_int(value: Any) -> int | None:
    """An int as given (not a bool), or the int written as 1-18 plain digits; None for anything else."""
    if type(value) is int:
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    return None


def _in_range(number: int, low: Any, high: Any) -> bool:
    return (low is None or number >= low) and (high is None or number <= high)


def install(command: Any, ctx: Any) -> None:
    """Give every parameter of `command` (a Click command or group), its `--help` included, the light coercer.

    `ctx` is the context the command's own context will inherit its help option names from (its own, or its
    parent's): Click makes the help option on first use and keeps it, so making it here changes nothing when the
    command sets no help option names of its own."""
    if RuntimeParam is None:
        return
    settings = getattr(command, "context_settings", None) or {}
    if ctx is not None and ("help_option_names" not in settings or ctx.command is command):
        command.get_help_option(ctx)
    for param in [*getattr(command, "params", ()), getattr(command, "_help_option", None)]:
        if isinstance(param, _TyperParameter) and getattr(param, "_runtime_param", "?") is None:
            descriptor = param.type_descriptor
            if descriptor.file_annotation is None:
                param._runtime_param = LightRuntimeParam(
                    parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, descriptor=descriptor
                )


class LightCoercionGroup(TyperGroup):
    """A `dw-sim` command group: gives its own parameters, and each subcommand's as it is chosen, the light
    coercers before they are parsed (`typer.Typer(cls=LightCoercionGroup)`)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        install(self, ctx)
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not isinstance(command, LightCoercionGroup):
            install(command, ctx)
        return name, command, rest
