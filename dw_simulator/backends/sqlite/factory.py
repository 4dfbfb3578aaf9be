"""The `sqlite` warehouse as the registry sees it: its name, capabilities and where its class lives.

Importing this module imports no driver; `SQLITE.create(settings)` imports the backend.
"""

from __future__ import annotations

from dw_simulator.backends.base import BackendFactory, Capabilities

SQLITE = BackendFactory(
    name="sqlite",
    capabilities=Capabilities(
        engine_dialect="sqlite",
        embedded=True,
        schemas=False,  # one database file per experiment instead
        transactional_ddl=True,
        native_json=False,
        max_identifier_length=1024,
    ),
    module="dw_simulator.backends.sqlite.backend",
    class_name="SQLiteBackend",
    description="SQLite files, stdlib driver",
)
