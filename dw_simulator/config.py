"""Settings, read in the brief's order: defaults -> config file -> .env / environment (DW_SIM_*) -> CLI flags.

The config file is `config/default.yml` in the working directory, or the YAML file named by `DW_SIM_CONFIG`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_path
from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

DEFAULT_CONFIG_FILE = Path("config/default.yml")


def config_file_path() -> Path | None:
    explicit = os.environ.get("DW_SIM_CONFIG")
    if explicit:
        return Path(explicit)
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


class Settings(BaseSettings):
    """Every setting dw-sim reads. Environment variables are the field names upper-cased with `DW_SIM_` before."""

    model_config = SettingsConfigDict(env_prefix="DW_SIM_", env_file=".env", extra="ignore")

    data_root: Path = Field(
        default_factory=lambda: user_data_path("dw-sim"),
        description="where all state lives: metadata.sqlite, warehouse files, generated Parquet",
    )
    default_warehouse: Literal["duckdb", "sqlite", "redshift", "snowflake"] | None = Field(
        default=None,
        description="target for schemas that name none (else: redshift if configured, else "
        "snowflake if configured, else duckdb)",
    )
    redshift_url: str | None = Field(default=None, description="PostgreSQL URL standing in for Redshift")
    snowflake_url: str | None = Field(default=None, description="Snowflake endpoint (embedded when 'embedded')")
    s3_endpoint_url: str | None = Field(default=None, description="S3 API endpoint for staging (LocalStack, moto)")
    s3_bucket: str = Field(default="dw-sim-staging", description="bucket that staged Parquet files go to")
    query_row_limit: int = Field(default=1000, ge=1, description="rows shown by `dw-sim query` unless --limit")
    batch_size: int = Field(default=100_000, ge=1000, description="rows per generated Parquet file")
    workers: int = Field(default=1, ge=1, le=64, description="generator processes")
    log_format: Literal["auto", "json", "text"] = Field(default="auto", description="json when not a TTY in auto")
    log_level: str = Field(default="WARNING", description="DEBUG, INFO, WARNING or ERROR")

    @field_validator("data_root", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings, dotenv_settings]
        path = config_file_path()
        if path is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)

    # -- derived paths ---------------------------------------------------------------------------------------
    @property
    def metadata_path(self) -> Path:
        return self.data_root / "metadata.sqlite"

    @property
    def warehouse_dir(self) -> Path:
        return self.data_root / "warehouse"

    @property
    def generated_dir(self) -> Path:
        return self.data_root / "generated"

    def configured_targets(self) -> list[str]:
        targets = ["duckdb", "sqlite"]
        if self.redshift_url:
            targets.append("redshift")
        if self.snowflake_url:
            targets.append("snowflake")
        return targets

    def resolve_target(self, requested: str | None) -> str:
        """The warehouse for a schema: its own choice, else the configured default, else the brief's priority."""
        if requested:
            return requested
        if self.default_warehouse:
            return self.default_warehouse
        if self.redshift_url:
            return "redshift"
        if self.snowflake_url:
            return "snowflake"
        return "duckdb"


def load_settings(**overrides: Any) -> Settings:
    """Settings with CLI-flag overrides on top (None values are ignored)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
