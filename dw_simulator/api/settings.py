"""Settings of the HTTP API, read like the core settings: environment variables `DW_SIM_*` and `.env`."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class ApiSettings(BaseSettings):
    """Limits and access control of `dw-sim serve` (environment: the field name upper-cased after `DW_SIM_`)."""

    model_config = SettingsConfigDict(env_prefix="DW_SIM_", env_file=".env", extra="ignore")

    api_token: SecretStr | None = Field(
        default=None,
        description="bearer token every /api call must send; required to bind a non-loopback address",
    )
    api_max_body_bytes: int = Field(
        default=10 * MIB, ge=1024, description="largest request body or upload accepted (413 above it)"
    )
    api_query_timeout_s: float = Field(default=60.0, gt=0, description="time limit of one query (504 past it)")
    api_import_timeout_s: float = Field(
        default=30.0, gt=0, description="time limit of parsing one SQL import (504 past it)"
    )
    api_max_result_rows: int = Field(
        default=100_000, ge=1, description="most rows a JSON query response carries (downloads are not capped)"
    )
    api_cors_origins: list[str] = Field(
        default_factory=list,
        description="origins allowed by CORS, as a JSON list ('[\"http://localhost:5173\"]'); empty (the default) "
        "turns CORS off",
    )
    api_cancel_wait_s: float = Field(
        default=5.0, ge=0, description="how long POST /api/runs/{id}/cancel waits for the run to stop"
    )
    # the warehouses' HTTP APIs (Redshift Data API, Snowflake SQL API)
    api_statement_keep_s: float = Field(
        default=86_400.0, gt=0, description="how long a statement's status and results are kept after it ends"
    )
    api_statement_page_rows: int = Field(
        default=1000, ge=1, description="rows per page of a Data API result and per partition of a SQL API result"
    )
    api_statement_workers: int = Field(default=4, ge=1, le=64, description="statements that run at the same time")
    api_statement_max_active: int = Field(
        default=500, ge=1, description="statements running or waiting at once (ActiveStatementsExceeded above)"
    )
    api_statement_sync_wait_s: float = Field(
        default=45.0, ge=0, description="how long a synchronous SQL API request waits before answering 202"
    )

    @property
    def token(self) -> str | None:
        value = self.api_token.get_secret_value().strip() if self.api_token else ""
        return value or None
