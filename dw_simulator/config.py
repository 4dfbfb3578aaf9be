"""Settings, read in the brief's order: defaults -> config file -> .env / environment (DW_SIM_*) -> CLI flags.

The config file is `config/default.yml` in the working directory, or the YAML file named by `DW_SIM_CONFIG`.
Commands that need only the data root and the log settings start from `boot_settings` (the same rules on the
standard library) and import this module only when they use more.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_path
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from dw_simulator.boot_settings import DEFAULT_CONFIG_FILE, config_file_path

__all__ = ["DEFAULT_CONFIG_FILE", "Settings", "config_file_path", "load_settings"]


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
    snowflake_url: str | None = Field(
        default=None,
        description="Snowflake endpoint for the snowflake warehouse: unset or 'embedded' = the built-in endpoint "
        "(fakesnow on DuckDB, files under <data_root>/warehouse/snowflake); 'localstack' = LocalStack Snowflake at "
        "snowflake.localhost.localstack.cloud:4566; 'account' = the real account named by snowflake_account; or a "
        "URL such as http://127.0.0.1:8085 (a running `dw-sim snowflake-endpoint`) or "
        "https://<account>.snowflakecomputing.com. "
        "Setting it makes snowflake the default warehouse when redshift is not configured",
    )
    snowflake_account: str = Field(default="dwsim", description="Snowflake account identifier (local mock default)")
    snowflake_user: str = Field(default="dwsim", description="Snowflake user (local mock default)")
    snowflake_password: SecretStr | None = Field(
        default=None, description="Snowflake password (local endpoints accept anything; unset uses a mock value)"
    )
    snowflake_private_key_path: Path | None = Field(
        default=None, description="PEM private key for key-pair authentication to a real account"
    )
    snowflake_private_key_passphrase: SecretStr | None = Field(
        default=None, description="passphrase of snowflake_private_key_path, when it is encrypted"
    )
    snowflake_authenticator: str | None = Field(
        default=None, description="connector authenticator (e.g. externalbrowser); default: password or key pair"
    )
    snowflake_warehouse_name: str = Field(
        default="DWSIM_WH", description="virtual warehouse used for queries (CURRENT_WAREHOUSE() on local endpoints)"
    )
    snowflake_role: str = Field(default="SYSADMIN", description="role used for queries (CURRENT_ROLE() locally)")
    snowflake_database: str | None = Field(
        default=None,
        description="unset: one database per experiment (schema snowflake_schema); set: one shared database with "
        "one schema per experiment (for accounts where dw-sim may not create databases)",
    )
    snowflake_schema: str = Field(default="PUBLIC", description="schema of the experiment databases")
    snowflake_endpoint_port: int = Field(
        default=0, ge=0, le=65535, description="port of the embedded endpoint (0 = any free port)"
    )
    snowflake_endpoint_enabled: bool = Field(
        default=True, description="`dw-sim serve` also serves the embedded Snowflake endpoint (when installed)"
    )
    # The local Redshift endpoint (`dw-sim serve`, `dw-sim redshift-endpoint`): PostgreSQL wire protocol speaking
    # as Redshift. The credentials are LOCAL MOCK CREDENTIALS (the brief's), not secrets.
    redshift_endpoint_enabled: bool = Field(
        default=True, description="`dw-sim serve` also serves the Redshift endpoint"
    )
    redshift_endpoint_host: str = Field(default="127.0.0.1", description="address the Redshift endpoint binds")
    redshift_endpoint_port: int = Field(
        default=5439, ge=0, le=65535, description="port of the Redshift endpoint (0 = any free port)"
    )
    redshift_endpoint_user: str = Field(
        default="mockuser",
        validation_alias=AliasChoices(
            "redshift_endpoint_user", "DW_SIM_REDSHIFT_USER", "DW_SIM_REDSHIFT_ENDPOINT_USER"
        ),
        description="user the Redshift endpoint accepts (local mock credential; env DW_SIM_REDSHIFT_USER)",
    )
    redshift_endpoint_password: SecretStr = Field(
        default=SecretStr("mockpass"),
        validation_alias=AliasChoices(
            "redshift_endpoint_password", "DW_SIM_REDSHIFT_PASSWORD", "DW_SIM_REDSHIFT_ENDPOINT_PASSWORD"
        ),
        description="password the Redshift endpoint accepts (local mock credential; env DW_SIM_REDSHIFT_PASSWORD)",
    )
    redshift_endpoint_auth: Literal["md5", "password"] = Field(
        default="md5", description="how clients send the password: md5 (hashed) or password (cleartext)"
    )
    redshift_endpoint_tls: bool = Field(
        default=True, description="offer TLS (a self-signed certificate made on first use) to clients that ask"
    )
    redshift_endpoint_cert: Path | None = Field(
        default=None, description="PEM certificate for the endpoint's TLS (default: generated under the data root)"
    )
    redshift_endpoint_key: Path | None = Field(default=None, description="PEM private key of redshift_endpoint_cert")
    s3_endpoint_url: str | None = Field(default=None, description="S3 API endpoint for staging (LocalStack, moto)")
    s3_bucket: str = Field(default="dw-sim-staging", description="bucket that staged Parquet files go to")
    # Local mock credentials (LocalStack and moto accept any); for real S3 set them, or leave them empty to use
    # boto3's usual chain (environment, profile, instance role).
    s3_access_key_id: str | None = Field(default="test", description="S3 access key id (local mock default)")
    s3_secret_access_key: str | None = Field(default="test", description="S3 secret key (local mock default)")
    s3_region: str = Field(default="us-east-1", description="S3 region")
    query_row_limit: int = Field(default=1000, ge=1, description="rows shown by `dw-sim query` unless --limit")
    batch_size: int = Field(default=100_000, ge=1000, description="rows per generated Parquet file")
    workers: int = Field(default=1, ge=1, le=64, description="generator processes")
    executor: Literal["local", "dask"] = Field(
        default="local",
        description="who runs the generator's work units: local (this machine's process pool) or dask (a Dask "
        "cluster: dask_scheduler, else a LocalCluster; needs dw-sim[dask])",
    )
    dask_scheduler: str | None = Field(
        default=None,
        description="address of a running Dask scheduler (tcp://host:8786) for executor dask; unset: a LocalCluster "
        "of dask_workers processes",
    )
    dask_workers: int | None = Field(
        default=None, ge=1, le=1024, description="worker processes of the LocalCluster (default: one per core)"
    )
    run_destination: str | None = Field(
        default=None,
        description="where generation runs write their Parquet parts: unset = <data_root>/generated; a folder every "
        "worker sees at the same path; or s3://bucket/prefix on the S3 endpoint (s3_* settings)",
    )
    redshift_load_mode: Literal["auto", "parts", "manifest"] = Field(
        default="auto",
        description="how runs load into Redshift: parts (one COPY per part over load_connections connections, the "
        "stand-in's way), manifest (one COPY ... MANIFEST per table from S3, a real cluster's way), auto (manifest "
        "when the URL reaches a real Redshift cluster, else parts)",
    )
    redshift_iam_role: str = Field(
        default="arn:aws:iam::000000000000:role/dw-sim-local",
        description="IAM role a real Redshift cluster's COPY reads S3 with (the default is a local mock value)",
    )
    load_connections: int = Field(
        default=4, ge=1, le=64, description="PostgreSQL/Redshift loads: connections running one COPY per part"
    )
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
