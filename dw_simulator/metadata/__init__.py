"""Metadata: experiments, their tables and generation runs, in one SQLite file; the data lives in the warehouses.

Owns: `reader` (read-only queries on stdlib sqlite3, the fast path of read-only commands, and the schema-version
check), `store` (writes through SQLAlchemy sessions; Alembic migrations, applied only when the stored version
differs from the code's), `tables` (the ORM tables) and `migrations/`.
May import: `dw_simulator.errors` and third-party SQLAlchemy/Alembic (only `store`, `tables` and the migrations
do). Never the service, the front ends or the other domains.
"""

from dw_simulator.metadata.reader import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    HEAD_REVISION,
    ExperimentRow,
    MetadataReader,
    RunRow,
    TableRow,
    needs_migration,
)

__all__ = [
    "ACTIVE_STATUSES",
    "FINAL_STATUSES",
    "HEAD_REVISION",
    "ExperimentRow",
    "MetadataReader",
    "RunRow",
    "TableRow",
    "needs_migration",
]
