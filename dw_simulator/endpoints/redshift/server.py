"""The endpoint's asyncio server: the listening socket and its TLS context, the sessions (`session.py`) and their
cancel requests, which experiment a client's database names, the engine each session gets, and the published
address."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from dw_simulator.connections import address_file
from dw_simulator.endpoints.redshift.errors import (
    FEATURE_NOT_SUPPORTED,
    INTERNAL,
    UNKNOWN_DATABASE,
    EndpointError,
)
from dw_simulator.endpoints.redshift.session import Engine, Session, Target
from dw_simulator.errors import DwSimError

if TYPE_CHECKING:
    import ssl

    from dw_simulator.config import Settings
    from dw_simulator.service import Simulator

log = logging.getLogger("dw_simulator.endpoints.redshift")
T = TypeVar("T")


@dataclass
class EndpointConfig:
    host: str
    port: int
    user: str
    password: str
    auth: str
    tls: bool

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> EndpointConfig:
        values: dict[str, Any] = {
            "host": settings.redshift_endpoint_host,
            "port": settings.redshift_endpoint_port,
            "user": settings.redshift_endpoint_user,
            "password": settings.redshift_endpoint_password.get_secret_value(),
            "auth": settings.redshift_endpoint_auth,
            "tls": settings.redshift_endpoint_tls,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


class RedshiftEndpoint:
    """The endpoint: owns the listening socket, the sessions, the worker threads and the DuckDB handle."""

    def __init__(self, simulator: Simulator, config: EndpointConfig) -> None:
        self.simulator = simulator
        self.settings = simulator.settings
        self.config = config
        self.tls: ssl.SSLContext | None = None
        self.sessions: dict[int, Session] = {}
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="dwsim-redshift")
        self._server: asyncio.Server | None = None
        self._next_pid = 10_000
        self._lock = threading.Lock()
        self.busy = 0  # engine calls running on worker threads (observable by tests and monitoring)
        self._duckdb: Any = None  # DuckDBBackend shared by the sessions (one connection, a cursor each)
        self._duckdb_users = 0

    # -- lifecycle -----------------------------------------------------------------------------------------------
    async def start(self) -> None:
        if self.config.tls:
            from dw_simulator.endpoints.redshift.tls import server_context

            loop = asyncio.get_running_loop()
            self.tls = await loop.run_in_executor(self.pool, server_context, self.settings)
        self._server = await asyncio.start_server(self._accept, self.config.host, self.config.port, limit=1 << 20)
        self._publish()

    def _publish(self) -> None:
        """Write the address where `dw-sim endpoints` (another process) finds it."""
        host, port = self.address
        path = address_file(self.settings)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"host": host, "port": port, "pid": os.getpid(), "tls": self.config.tls}))

    def _unpublish(self) -> None:
        path = address_file(self.settings)
        with contextlib.suppress(OSError, ValueError):
            if json.loads(path.read_text()).get("pid") == os.getpid():
                path.unlink()

    @property
    def address(self) -> tuple[str, int]:
        assert self._server is not None
        sock = self._server.sockets[0].getsockname()
        return str(sock[0]), int(sock[1])

    async def serve_forever(self) -> None:
        assert self._server is not None
        await self._server.serve_forever()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for session in list(self.sessions.values()):
                if session.engine is not None:
                    session.engine.cancel()
                session.writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None
            self._unpublish()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._close_duckdb()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = Session(self, reader, writer)
        await session.run()

    def track(self, fn: Callable[..., T]) -> Callable[..., T]:
        """`fn`, counted in `busy` while it runs."""

        def run(*args: Any) -> T:
            with self._lock:
                self.busy += 1
            try:
                return fn(*args)
            finally:
                with self._lock:
                    self.busy -= 1

        return run

    # -- sessions --------------------------------------------------------------------------------------------------
    def register(self, session: Session) -> tuple[int, int]:
        with self._lock:
            self._next_pid += 1
            pid = self._next_pid
            self.sessions[pid] = session
        return pid, secrets.randbits(31)

    def forget(self, session: Session) -> None:
        with self._lock:
            self.sessions.pop(session.pid, None)

    def cancel(self, pid: int, secret: int) -> None:
        session = self.sessions.get(pid)
        if session is not None and session.secret == secret and session.engine is not None:
            log.info("redshift endpoint: cancel request", extra={"pid": pid})
            session.engine.cancel()

    def resolve_target(self, params: dict[str, str]) -> Target:
        """The experiment named by the database (or, failing that, by the first schema of search_path)."""
        from dw_simulator.errors import NotFoundError

        database = params.get("database") or params.get("user") or ""
        candidates = [database, *_search_path(params)]
        metadata = self.simulator.metadata
        for name in candidates:
            if not name:
                continue
            try:
                with metadata.session() as db:
                    experiment = metadata.get_experiment(db, name)
                    found = Target(experiment.name, experiment.target_warehouse, database or experiment.name)
            except NotFoundError:
                continue
            if found.warehouse not in ("duckdb", "redshift"):
                raise EndpointError(
                    FEATURE_NOT_SUPPORTED,
                    f'experiment "{found.experiment}" is on the {found.warehouse} warehouse; the Redshift endpoint '
                    "serves experiments on duckdb and redshift",
                    hint="use `dw-sim endpoints` for the Snowflake endpoint's settings"
                    if found.warehouse == "snowflake"
                    else None,
                )
            return found
        with metadata.session() as db:
            names = sorted(
                e.name for e in metadata.list_experiments(db) if e.target_warehouse in ("duckdb", "redshift")
            )
        listing = ", ".join(names[:20]) if names else "none yet (create one with `dw-sim experiment create`)"
        raise EndpointError(
            UNKNOWN_DATABASE,
            f'database "{database}" does not exist',
            hint=f"each dw-sim experiment is a database here; experiments: {listing}",
        )

    def make_engine(self, session: Session) -> Engine:
        assert session.target is not None
        if session.target.warehouse == "redshift":
            from dw_simulator.endpoints.redshift.postgres_relay import PostgresRelay

            return PostgresRelay(session)
        from dw_simulator.endpoints.redshift.duckdb_sessions import DuckDBEngine

        return DuckDBEngine(session)

    # -- the embedded DuckDB warehouse ------------------------------------------------------------------------------
    def duckdb_cursor(self) -> Any:
        """A connection of its own for a session (closed with `release_duckdb`)."""
        from dw_simulator.backends.duckdb import DuckDBBackend

        with self._lock:
            if self._duckdb is None:
                self._duckdb = DuckDBBackend(self.settings)
            try:
                cursor = self._duckdb.connect().cursor()
            except DwSimError as exc:
                raise EndpointError(INTERNAL, exc.message) from None
            self._duckdb_users += 1
            return cursor

    def release_duckdb(self, cursor: Any) -> None:
        with contextlib.suppress(Exception):
            cursor.close()
        with self._lock:
            self._duckdb_users -= 1
            if self._duckdb_users <= 0:
                self._close_duckdb_locked()

    def _close_duckdb(self) -> None:
        with self._lock:
            self._close_duckdb_locked()

    def _close_duckdb_locked(self) -> None:
        # no session left: let other processes (the CLI) open the warehouse file
        if self._duckdb is not None:
            self._duckdb.close()
            self._duckdb = None
        self._duckdb_users = 0


def _search_path(params: dict[str, str]) -> list[str]:
    values = []
    if "search_path" in params:
        values.append(params["search_path"])
    options = params.get("options", "")
    for token in options.replace("--", "-c ").split("-c"):
        key, _, value = token.strip().partition("=")
        if key.strip().lower() == "search_path":
            values.append(value)
    names = []
    for value in values:
        for part in value.split(","):
            name = part.strip().strip('"')
            if name and name not in ("$user", "public"):
                names.append(name)
    return names


async def start_redshift_endpoint(
    simulator: Simulator,
    host: str | None = None,
    port: int | None = None,
    *,
    tls: bool | None = None,
) -> RedshiftEndpoint:
    """Start the endpoint on the running event loop (for `dw-sim serve`); stop it with `await endpoint.stop()`."""
    config = EndpointConfig.from_settings(simulator.settings, host=host, port=port, tls=tls)
    endpoint = RedshiftEndpoint(simulator, config)
    await endpoint.start()
    host_, port_ = endpoint.address
    log.info("redshift endpoint listening", extra={"host": host_, "port": port_, "tls": config.tls})
    return endpoint
