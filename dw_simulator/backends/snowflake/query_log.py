"""The engine's record of every statement of every session (in memory, the last HISTORY_KEPT), which
`history.py` serves as QUERY_HISTORY and LAST_QUERY_ID."""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from dataclasses import dataclass, field

HISTORY_KEPT = 10_000


@dataclass(frozen=True)
class QueryRecord:
    query_id: str
    query_text: str
    session_id: int
    user_name: str
    role_name: str
    warehouse_name: str
    database_name: str | None
    schema_name: str | None
    status: str  # SUCCESS, FAILED_WITH_ERROR
    error_code: int | None
    error_message: str | None
    start_time: dt.datetime
    end_time: dt.datetime
    rows_produced: int | None


@dataclass
class QueryHistory:
    records: deque[QueryRecord] = field(default_factory=lambda: deque(maxlen=HISTORY_KEPT))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: QueryRecord) -> None:
        with self.lock:
            self.records.append(record)

    def snapshot(self) -> list[QueryRecord]:
        with self.lock:
            return list(self.records)
