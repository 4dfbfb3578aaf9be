"""A few pooled connector connections to the Snowflake endpoint chosen by settings, one caller at a time each; when
the process serving the embedded endpoint has stopped, the pool finds (or starts) the endpoint again, once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from dw_simulator.backends.snowflake.connection import Endpoint, connect, resolve_endpoint
from dw_simulator.errors import BackendUnavailableError, QueryError

if TYPE_CHECKING:
    from dw_simulator.config import Settings

log = logging.getLogger(__name__)
POOL_SIZE = 4


class ConnectionPool:
    def __init__(self, settings: Settings, endpoint: Endpoint | None = None) -> None:
        self.settings = settings
        self._endpoint = endpoint
        self._pool: list[Any] = []
        self._retired: set[int] = set()  # connections whose session state changed: closed after use
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> Endpoint:
        with self._lock:
            if self._endpoint is None:
                self._endpoint = resolve_endpoint(self.settings)
            return self._endpoint

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A pooled connector connection, for one caller at a time."""
        with self._lock:
            conn = self._pool.pop() if self._pool else None
        if conn is None or conn.is_closed():
            conn = self._connect()
        healthy = True
        try:
            yield conn
        except BaseException:
            healthy = not conn.is_closed()
            raise
        finally:
            with self._lock:
                retired = id(conn) in self._retired
                self._retired.discard(id(conn))
                if healthy and not retired and len(self._pool) < POOL_SIZE and not conn.is_closed():
                    self._pool.append(conn)
                    conn = None
            if conn is not None:
                close_quietly(conn)

    def retire(self, conn: Any) -> None:
        """Close `conn` after its current use instead of pooling it: its session's state (parameters, variables,
        temporary objects, an open transaction) must not reach the next caller."""
        with self._lock:
            self._retired.add(id(conn))

    def _connect(self) -> Any:
        try:
            return connect(self.endpoint)
        except BackendUnavailableError:
            if self.endpoint.kind != "embedded":
                raise
            # the process serving the embedded endpoint may have stopped: find (or start) it again, once
            with self._lock:
                self._endpoint = None
                pool, self._pool = self._pool, []
            for stale in pool:
                close_quietly(stale)
            return connect(self.endpoint)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, []
        for conn in pool:
            close_quietly(conn)


def execute(cursor: Any, sql: str, what: str | None = None) -> Any:
    """Run one statement; the connector's errors become QueryError (prefixed by `what` when given)."""
    import snowflake.connector.errors as sf_errors

    try:
        return cursor.execute(sql)
    except sf_errors.Error as exc:
        message = exc.msg or str(exc)
        raise QueryError(f"Snowflake: {message}" if what is None else f"{what}: {message}") from None


def close_quietly(conn: Any) -> None:
    try:
        conn.close()
    except Exception:
        log.debug("closing a Snowflake connection failed", exc_info=True)
