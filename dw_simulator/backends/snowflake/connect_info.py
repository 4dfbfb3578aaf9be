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
        # host and port in the URL's authority (snowflake-sqlalchemy refuses `host` and `protocol` as query
        # parameters since 1.7); the endpoint speaks plain HTTP, which only connect_args can say
        "sqlalchemy": f"snowflake://{user}:{ANY_PASSWORD}@{host}:{port}/{database}/{schema}?account={account}"
        f"&warehouse={warehouse}&role={role}",
        "sqlalchemy_connect_args": {"protocol": "http"},
        "dbt_profile": {"type": "snowflake", **connector},
    }
