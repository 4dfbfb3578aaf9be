"""The `redshift` warehouse (PostgreSQL standing in for Redshift) as the registry sees it: its name, capabilities and
where its class lives.

Importing this module imports no driver; `REDSHIFT.create(settings)` imports the backend (and psycopg on connect).
"""

from __future__ import annotations

from dw_simulator.backends.base import BackendFactory, Capabilities

POSTGRES_CAPABILITIES = Capabilities(
    engine_dialect="postgres",
    embedded=False,
    schemas=True,
    transactional_ddl=True,
    native_json=True,
    staging_formats=("parquet", "csv", "json"),
    max_identifier_length=63,
)

REDSHIFT = BackendFactory(
    name="redshift",
    capabilities=POSTGRES_CAPABILITIES,
    module="dw_simulator.backends.postgres.backend",
    class_name="RedshiftBackend",
    description="Redshift SQL on PostgreSQL (the local-redshift-mock of docker-compose)",
)
