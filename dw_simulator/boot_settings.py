"""The three settings every command needs before it knows what it will do: where state lives and how to log.

`config.Settings` (pydantic-settings) is the one definition of every setting and of where settings come from.
Importing it costs about 0.15 s (pydantic-settings pulls in asyncio and pydantic's machinery), more than a
read-only command such as `dw-sim experiment list` takes for its own work. So commands start from `BootSettings`,
resolved here with the standard library by the same rules (command-line flags, then `DW_SIM_*` environment
variables, case-insensitively, then the `.env` file, then defaults), and load the full `Settings` only when they
use a setting beyond these three.

`boot_settings` answers only when it is sure to agree with `Settings`: with a config file (`config/default.yml` or
`DW_SIM_CONFIG`), or a value it would not accept, it returns None and the caller reads `Settings` instead (a test
compares the two over many inputs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CONFIG_FILE = Path("config/default.yml")
ENV_PREFIX = "dw_sim_"
ENV_FILE = Path(".env")
LOG_FORMATS = ("auto", "json", "text")
DEFAULT_LOG_FORMAT = "auto"
DEFAULT_LOG_LEVEL = "WARNING"


def config_file_path() -> Path | None:
    """The YAML config file that applies: `DW_SIM_CONFIG`, else `config/default.yml` in the working directory."""
    explicit = os.environ.get("DW_SIM_CONFIG")
    if explicit:
        return Path(explicit)
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def default_data_root() -> Path:
    from platformdirs import user_data_path

    return user_data_path("dw-sim")


@dataclass(frozen=True)
class BootSettings:
    data_root: Path
    log_format: str = DEFAULT_LOG_FORMAT
    log_level: str = DEFAULT_LOG_LEVEL

    @property
    def metadata_path(self) -> Path:
        return self.data_root / "metadata.sqlite"

    @classmethod
    def of(cls, settings: Any) -> BootSettings:
        """The boot part of a full `config.Settings`."""
        return cls(settings.data_root, settings.log_format, settings.log_level)


def _env_values() -> dict[str, str | None]:
    """DW_SIM_* values from the environment over the `.env` file, keys lower-cased (as pydantic-settings does)."""
    values: dict[str, str | None] = {}
    if ENV_FILE.is_file():
        from dotenv import dotenv_values  # the parser pydantic-settings uses for .env

        values.update({k.lower(): v for k, v in dotenv_values(ENV_FILE, encoding=None).items()})
    values.update({k.lower(): v for k, v in os.environ.items()})
    return {k[len(ENV_PREFIX) :]: v for k, v in values.items() if k.startswith(ENV_PREFIX)}


def boot_settings(**overrides: Any) -> BootSettings | None:
    """BootSettings from flags (`overrides`; None means "not given") and the environment, or None when only the
    full `Settings` can tell (a config file applies, or a value needs pydantic's validation and error)."""
    if config_file_path() is not None:
        return None
    env = _env_values()
    given = {k: v for k, v in overrides.items() if v is not None}

    def pick(name: str) -> Any:
        return given[name] if name in given else env.get(name)

    if any(
        name not in given and name in env and env[name] is None for name in ("data_root", "log_format", "log_level")
    ):
        return None  # a bare `KEY` line in .env: let pydantic-settings decide what it means

    data_root, log_format, log_level = pick("data_root"), pick("log_format"), pick("log_level")
    if data_root is not None and (not isinstance(data_root, str | Path) or str(data_root) == ""):
        return None
    if log_format is not None and log_format not in LOG_FORMATS:
        return None
    if log_level is not None and (not isinstance(log_level, str) or not log_level):
        return None
    return BootSettings(
        data_root=Path(data_root).expanduser() if data_root is not None else default_data_root(),
        log_format=log_format or DEFAULT_LOG_FORMAT,
        log_level=log_level or DEFAULT_LOG_LEVEL,
    )
