"""One translated statement: what every translator (`sql.translate`, `sql.redshift`) hands to a backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Statement:
    source: str  # the statement as the user wrote it (regenerated in the source dialect)
    engine_sql: str  # the statement for the engine
    returns_rows: bool
    # COPY/UNLOAD and other statements the engine cannot run as SQL: executed by `sql.redshift.copy_unload`
    action: Any = None
