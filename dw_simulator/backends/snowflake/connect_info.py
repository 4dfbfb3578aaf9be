"""How users' own clients reach the embedded Snowflake endpoint: one builder for every place that prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dw_simulator.config import Settings

ANY_PASSWORD = "dwsim"  # the embedded endpoint accepts any password; this one is printed in examples


def connection_settings(settings: Settings, *, host: str, port: int, database: str) -> dict[str, Any]:
    """Connector keyword arguments, the snowflake-sqlalchemy URL and a dbt-snowflake profile for one database."""
    schema = settings.snowflake_schema.upper()
    user, account = settings.snowflake_user, settings.snowflake_account
    warehouse, role = settings.snowflake_warehouse_name, settings.snowflake_role
    connector = {
        "account": account,
        "user": user,
        "password": ANY_PASSWORD,
        "host": host,
        "port": port,
        "protocol": "http",
        "database": database,
        "schema": schema,
        "warehouse": warehouse,
        "role": role,
    }
    return {
        "snowflake_connector": connector,
        "sqlalchemy": f"snowflake://{user}:{ANY_PASSWORD}@{account}/{database}/{schema}?host={host}&port={port}"
        f"&protocol=http&warehouse={warehouse}&role={role}",
        "dbt_profile": {"type": "snowflake", **connector},
    }
