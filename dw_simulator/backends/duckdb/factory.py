"""The `duckdb` warehouse as the registry sees it: its name, capabilities and where its class lives.

Importing this module imports no driver; `DUCKDB.create(settings)` imports the backend.
"""

from __future__ import annotations

from dw_simulator.backends.base import BackendFactory, Capabilities

DUCKDB = BackendFactory(
    name="duckdb",
    capabilities=Capabilities(
        engine_dialect="duckdb",
        embedded=True,
        schemas=True,
        transactional_ddl=True,
        native_json=True,
        max_identifier_length=255,
    ),
    module="dw_simulator.backends.duckdb.backend",
    class_name="DuckDBBackend",
    description="embedded DuckDB, the zero-setup default",
)
