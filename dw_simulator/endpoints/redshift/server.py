"""The asyncio server: TLS negotiation, authentication, experiment selection, the message loop, cancellation."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import json
import logging
import os
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dw_simulator.connections import address_file
from dw_simulator.endpoints.redshift import protocol as pg
from dw_simulator.endpoints.redshift.commands import DEFAULT_SETTINGS, SERVER_VERSION
from dw_simulator.endpoints.redshift.errors import (
    FEATURE_NOT_SUPPORTED,
    INTERNAL,
    INVALID_AUTHORIZATION,
    INVALID_PASSWORD,
    PROTOCOL_VIOLATION,
    UNKNOWN_DATABASE,
    EndpointError,
)
from dw_simulator.errors import DwSimError

if TYPE_CHECKING:
    import ssl

    from dw_simulator.config import Settings
    from dw_simulator.service import Simulator

log = logging.getLogger("dw_simulator.endpoints.redshift")
T = TypeVar("T")
WRITE_HIGH_WATER = 1 << 20


class Engine(ABC):
    """Runs one client session's statements on an experiment's warehouse and writes the responses."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.tx_status = b"I"

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def simple_query(self, sql: str) -> None:
        """Run a Query message's statements, writing every response but the final ReadyForQuery."""

    @abstractmethod
    async def parse(self, msg: pg.Parse) -> None: ...

    @abstractmethod
    async def bind(self, msg: pg.Bind) -> None: ...

    @abstractmethod
    async def describe(self, kind: str, name: str) -> None: ...

    @abstractmethod
    async def execute(self, portal: str, max_rows: int) -> None: ...

    @abstractmethod
    async def close_object(self, kind: str, name: str) -> None: ...

    @abstractmethod
    async def sync(self) -> None:
        """End of an extended-protocol batch: write ReadyForQuery."""

    async def flush(self) -> None:
        await self.session.drain()

    @abstractmethod
    def cancel(self) -> None:
        """Stop the running statement (any thread)."""

    @abstractmethod
    async def close(self) -> None: ...


@dataclass
class Target:
    """The experiment a session works on."""

    experiment: str
    warehouse: str
    database: str


@dataclass
class Session:
    server: RedshiftEndpoint
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    pid: int = 0
    secret: int = 0
    params: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    user: str = ""
    target: Target | None = None
    engine: Engine | None = None
    skipping: bool = False

    # -- output ---------------------------------------------------------------------------------------------------
    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def drain(self) -> None:
        if self.peer_gone():
            raise ConnectionResetError("client went away")
        await self.writer.drain()

    async def maybe_drain(self) -> None:
        transport = self.writer.transport
        if transport.get_write_buffer_size() > WRITE_HIGH_WATER:
            await self.drain()

    def send_error(self, error: EndpointError, severity: str = "ERROR") -> None:
        self.send(pg.error_response(error.code, error.message, severity=severity, detail=error.detail, hint=error.hint))

    def peer_gone(self) -> bool:
        return bool(self.writer.is_closing() or getattr(self.reader, "_eof", False))

    def setting(self, name: str) -> str:
        return self.settings.get(name, DEFAULT_SETTINGS.get(name, ""))

    # -- lifecycle ------------------------------------------------------------------------------------------------
    async def run(self) -> None:
        try:
            if not await self._startup():
                return
            await self._loop()
        except (asyncio.IncompleteReadError, OSError, pg.ProtocolError) as exc:
            log.debug("redshift endpoint: client left", extra={"reason": str(exc)})
        except Exception as exc:  # a bug of ours or an engine failure at startup: tell the client, keep serving
            log.exception("redshift endpoint: session failed")
            with contextlib.suppress(Exception):
                await self._fatal(EndpointError(INTERNAL, f"dw-sim endpoint: {exc}"))
        finally:
            if self.engine is not None:
                self.engine.cancel()
                with contextlib.suppress(Exception):
                    await self.engine.close()
            self.server.forget(self)
            with contextlib.suppress(Exception):
                self.writer.close()

    async def _startup(self) -> bool:
        server = self.server
        while True:
            code, body = await pg.read_startup(self.reader)
            if code == pg.SSL_REQUEST:
                if server.tls is None or self.writer.get_extra_info("sslcontext") is not None:
                    self.send(b"N")
                    await self.writer.drain()
                    continue
                self.send(b"S")
                await self.writer.drain()
                await self.writer.start_tls(server.tls)
                continue
            if code == pg.GSSENC_REQUEST:
                self.send(b"N")
                await self.writer.drain()
                continue
            if code == pg.CANCEL_REQUEST:
                pid, secret = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
                server.cancel(pid, secret)
                return False
            if code != pg.PROTOCOL_3:
                await self._fatal(EndpointError(FEATURE_NOT_SUPPORTED, f"unsupported frontend protocol {code >> 16}"))
                return False
            break
        self.params = pg.startup_parameters(body)
        self.user = self.params.get("user", "")
        if not await self._authenticate():
            return False
        self.pid, self.secret = server.register(self)
        try:
            self.target = server.resolve_target(self.params)
            self.engine = server.make_engine(self)
            await self.engine.start()
        except EndpointError as exc:
            await self._fatal(exc)
            return False
        except DwSimError as exc:
            await self._fatal(EndpointError("08006", exc.message))
            return False
        self.send(pg.AUTH_OK)
        for name, value in self._parameters().items():
            self.send(pg.parameter_status(name, value))
        self.send(pg.backend_key_data(self.pid, self.secret))
        self.send(pg.ready_for_query(b"I"))
        await self.writer.drain()
        return True

    def _parameters(self) -> dict[str, str]:
        assert self.target is not None
        return {
            "server_version": SERVER_VERSION,
            "server_encoding": "UTF8",
            "client_encoding": "UTF8",
            "DateStyle": "ISO, MDY",
            "TimeZone": "UTC",
            "integer_datetimes": "on",
            "IntervalStyle": "postgres",
            "is_superuser": "off",
            "session_authorization": self.user,
            "standard_conforming_strings": "on",
            "application_name": self.params.get("application_name", ""),
        }

    async def _authenticate(self) -> bool:
        config = self.server.config
        expected_user, password = config.user, config.password
        if config.auth == "md5":
            salt = secrets.token_bytes(4)
            self.send(pg.auth_md5(salt))
        else:
            self.send(pg.AUTH_CLEARTEXT)
        await self.writer.drain()
        kind, payload = await pg.read_message(self.reader)
        if kind != b"p":
            await self._fatal(EndpointError(PROTOCOL_VIOLATION, "expected a password message"))
            return False
        sent = payload.rstrip(b"\x00").decode(errors="replace")
        if config.auth == "md5":
            inner = hashlib.md5((password + self.user).encode()).hexdigest()
            wanted = "md5" + hashlib.md5(inner.encode() + salt).hexdigest()
        else:
            wanted = password
        if self.user.lower() != expected_user.lower() or not secrets.compare_digest(sent, wanted):
            log.info("redshift endpoint: authentication failed", extra={"user": self.user})
            await self._fatal(
                EndpointError(
                    INVALID_PASSWORD if self.user.lower() == expected_user.lower() else INVALID_AUTHORIZATION,
                    f'password authentication failed for user "{self.user}"',
                    hint="the local endpoint's mock credentials are set by DW_SIM_REDSHIFT_USER / "
                    "DW_SIM_REDSHIFT_PASSWORD (default mockuser / mockpass)",
                )
            )
            return False
        return True

    async def _fatal(self, error: EndpointError) -> None:
        self.send_error(error, severity="FATAL")
        with contextlib.suppress(Exception):
            await self.writer.drain()

    async def _loop(self) -> None:
        engine = self.engine
        assert engine is not None
        while True:
            kind, payload = await pg.read_message(self.reader)
            log.debug("redshift endpoint: message %r (%d bytes)", kind, len(payload))
            if kind == b"X":
                return
            if self.skipping and kind not in (b"S", b"Q"):
                continue
            try:
                if kind == b"Q":
                    self.skipping = False
                    sql = pg.parse_query(payload)
                    log.debug("redshift endpoint: query %s", sql[:2000])
                    try:
                        await engine.simple_query(sql)
                    except (ConnectionError, asyncio.IncompleteReadError):
                        raise
                    except EndpointError as exc:
                        self.send_error(exc)
                        if engine.tx_status == b"T":
                            engine.tx_status = b"E"
                    self.send(pg.ready_for_query(engine.tx_status))
                    await self.drain()
                elif kind == b"P":
                    await engine.parse(pg.parse_parse(payload))
                elif kind == b"B":
                    await engine.bind(pg.parse_bind(payload))
                elif kind == b"D":
                    await engine.describe(*pg.parse_describe(payload))
                elif kind == b"E":
                    await engine.execute(*pg.parse_execute(payload))
                elif kind == b"C":
                    await engine.close_object(*pg.parse_describe(payload))
                elif kind == b"S":
                    self.skipping = False
                    await engine.sync()
                    await self.drain()
                elif kind == b"H":
                    await engine.flush()
                elif kind in (b"d", b"c", b"f"):
                    continue  # COPY data outside a COPY: ignored, as PostgreSQL does
                else:
                    raise EndpointError(PROTOCOL_VIOLATION, f"invalid frontend message type {kind!r}")
            except EndpointError as exc:
                self.send_error(exc)
                if engine.tx_status == b"T":
                    engine.tx_status = b"E"
                self.skipping = True
            except (ConnectionError, asyncio.IncompleteReadError, pg.ProtocolError):
                raise
            except Exception as exc:  # a bug of ours: report it to the client and keep the session
                log.exception("redshift endpoint: internal error")
                self.send_error(EndpointError(INTERNAL, f"internal error in the dw-sim endpoint: {exc}"))
                if engine.tx_status == b"T":
                    engine.tx_status = b"E"
                if kind == b"Q":
                    self.send(pg.ready_for_query(engine.tx_status))
                else:
                    self.skipping = True
            await self.maybe_drain()


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
            from dw_simulator.endpoints.redshift.pg_engine import PostgresRelay

            return PostgresRelay(session)
        from dw_simulator.endpoints.redshift.duckdb_engine import DuckDBEngine

        return DuckDBEngine(session)

    # -- the embedded DuckDB warehouse ------------------------------------------------------------------------------
    def duckdb_cursor(self) -> Any:
        """A connection of its own for a session (closed with `release_duckdb`)."""
        from dw_simulator.backends.duckdb import DuckDBBackend
        from dw_simulator.errors import DwSimError

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
