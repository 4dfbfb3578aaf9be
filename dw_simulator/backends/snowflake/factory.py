"""The `snowflake` warehouse as the registry sees it: its name, capabilities and where its class lives.

Importing this module imports no driver; `SNOWFLAKE.create(settings)` imports the backend.
"""

from __future__ import annotations

from dw_simulator.backends.base import BackendFactory, Capabilities

SNOWFLAKE = BackendFactory(
    name="snowflake",
    capabilities=Capabilities(
        engine_dialect="snowflake",
        embedded=False,
        schemas=True,
        transactional_ddl=False,
        native_json=True,
        staging_formats=("parquet",),
        max_identifier_length=255,
    ),
    module="dw_simulator.backends.snowflake.backend",
    class_name="SnowflakeBackend",
    description="Snowflake SQL through snowflake-connector-python (embedded endpoint, LocalStack or an account)",
)
