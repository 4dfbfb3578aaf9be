"""Queries running in this server, by the id their client gave them, so that a client can cancel one.

Cancelling interrupts the warehouse statement (DuckDB, PostgreSQL and the Snowflake endpoint's engine can be
interrupted from another thread): the query's request then answers 409 `query_cancelled`. A cancel that arrives
before the query reached its warehouse makes it stop as soon as it gets there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from dw_simulator.errors import DwSimError
from dw_simulator.service import Simulator

REINTERRUPT_S = 0.05  # a cancel keeps interrupting this often until the query has stopped...
CANCEL_WAIT_S = 5.0  # ...for at most this long


class QueryCancelledError(DwSimError):
    http_status = 409
    kind = "query_cancelled"


@dataclass
class Tracked:
    query_id: str | None
    sims: list[Simulator] = field(default_factory=list)
    cancelled: bool = False
    done: threading.Event = field(default_factory=threading.Event)

    def attach(self, sim: Simulator) -> None:
        """Called with the simulator that runs the query, before it runs."""
        self.sims.append(sim)
        if self.cancelled:
            raise QueryCancelledError(self.message())

    def message(self) -> str:
        return f"query {self.query_id} was cancelled" if self.query_id else "the query was cancelled"

    def interrupt(self) -> None:
        for sim in list(self.sims):
            sim.interrupt()


class RunningQueries:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queries: dict[str, Tracked] = {}

    @contextmanager
    def track(self, query_id: str | None) -> Iterator[Tracked]:
        """Register a query for the block's duration (a query without an id cannot be cancelled)."""
        tracked = Tracked(query_id)
        if query_id is not None:
            with self._lock:
                if query_id in self._queries:
                    raise DwSimError(f"a query with id {query_id!r} is already running; use a new id per query")
                self._queries[query_id] = tracked
        try:
            yield tracked
        finally:
            tracked.done.set()
            if query_id is not None:
                with self._lock:
                    self._queries.pop(query_id, None)

    def cancel(self, query_id: str) -> bool | None:
        """Interrupt the query; True once it has stopped, False if it had not within `CANCEL_WAIT_S`, None when
        no query of that id is running."""
        with self._lock:
            tracked = self._queries.get(query_id)
        if tracked is None:
            return None
        tracked.cancelled = True
        deadline = time.monotonic() + CANCEL_WAIT_S
        while not tracked.done.is_set() and time.monotonic() < deadline:
            tracked.interrupt()
            tracked.done.wait(REINTERRUPT_S)
        return tracked.done.is_set()

    def __len__(self) -> int:
        with self._lock:
            return len(self._queries)
