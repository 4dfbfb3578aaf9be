"""One client session of the Redshift endpoint: TLS negotiation, authentication, the experiment it works on, and the
message loop that hands each message to the session's engine (`Engine`: on PostgreSQL or on DuckDB)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from dw_simulator.endpoints.redshift import protocol as pg
from dw_simulator.endpoints.redshift.commands import DEFAULT_SETTINGS, SERVER_VERSION
from dw_simulator.endpoints.redshift.errors import (
    FEATURE_NOT_SUPPORTED,
    INTERNAL,
    INVALID_AUTHORIZATION,
    INVALID_PASSWORD,
    PROTOCOL_VIOLATION,
    EndpointError,
)
from dw_simulator.errors import DwSimError

if TYPE_CHECKING:
    import concurrent.futures
    import ssl

    from dw_simulator.config import Settings

log = logging.getLogger("dw_simulator.endpoints.redshift")
T = TypeVar("T")
WRITE_HIGH_WATER = 1 << 20


class Credentials(Protocol):
    """The mock credentials clients must present."""

    @property
    def user(self) -> str: ...
    @property
    def password(self) -> str: ...
    @property
    def auth(self) -> str: ...  # md5 | cleartext


class Server(Protocol):
    """What a session and its engine use of the endpoint that accepted it (`server.RedshiftEndpoint`)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def config(self) -> Credentials: ...
    @property
    def tls(self) -> ssl.SSLContext | None: ...
    @property
    def pool(self) -> concurrent.futures.ThreadPoolExecutor: ...
    def register(self, session: Session) -> tuple[int, int]: ...
    def forget(self, session: Session) -> None: ...
    def cancel(self, pid: int, secret: int) -> None: ...
    def resolve_target(self, params: dict[str, str]) -> Target: ...
    def make_engine(self, session: Session) -> Engine: ...
    def track(self, fn: Callable[..., T]) -> Callable[..., T]:
        """`fn`, counted as busy while it runs on a worker thread."""
        ...

    def duckdb_cursor(self) -> Any:
        """A DuckDB connection of the session's own on the embedded warehouse."""
        ...

    def release_duckdb(self, cursor: Any) -> None: ...


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
    server: Server
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
