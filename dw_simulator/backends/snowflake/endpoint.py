"""The embedded Snowflake endpoint: engine + protocol server on 127.0.0.1, one per data root.

Its databases are DuckDB files under `<data_root>/warehouse/snowflake/`, which only one process can open. The
process serving them holds an exclusive lock on `endpoint.lock` there and writes its address to `endpoint.json`;
any other dw-sim process (a CLI command while `dw-sim serve` or `dw-sim snowflake-endpoint` runs) connects to that
address instead of starting a second endpoint.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from dw_simulator.errors import BackendUnavailableError, MissingDependencyError

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.instance import Engine, EngineConfig
    from dw_simulator.config import Settings

log = logging.getLogger(__name__)
ENDPOINT_FILE = "endpoint.json"
STANDALONE_PORT = 8085  # `dw-sim snowflake-endpoint`'s default port
LOCK_FILE = "endpoint.lock"
FIND_TIMEOUT_S = 20.0
MOCK_PASSWORD = "dwsim"  # the embedded endpoint accepts any password


@dataclass(frozen=True)
class EndpointAddress:
    host: str
    port: int
    pid: int
    protocol: str = "http"

    @property
    def url(self) -> str:
        return f"{self.protocol}://{self.host}:{self.port}"


def snowflake_dir(settings: Settings) -> Path:
    return settings.warehouse_dir / "snowflake"


def engine_config(settings: Settings) -> EngineConfig:
    from dw_simulator.backends.snowflake.instance import EngineConfig
    from dw_simulator.sql.snowflake import SessionContext

    directory = snowflake_dir(settings)
    return EngineConfig(
        db_dir=directory / "databases",
        context=SessionContext(
            user=settings.snowflake_user.upper(),
            role=settings.snowflake_role.upper(),
            warehouse=settings.snowflake_warehouse_name.upper(),
            account=settings.snowflake_account.upper(),
        ),
        s3_endpoint_url=settings.s3_endpoint_url,
        work_dir=directory / "tmp",
    )


class EmbeddedEndpoint:
    """An engine and its protocol server, served by uvicorn in a background thread (or the caller's thread)."""

    def __init__(
        self,
        config: EngineConfig,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        local_stage_uploads: bool = True,
    ) -> None:
        try:
            import uvicorn  # noqa: F401

            from dw_simulator.backends.snowflake.instance import Engine
            from dw_simulator.backends.snowflake.server import SnowflakeProtocolServer
        except ImportError as exc:
            raise MissingDependencyError(
                "the embedded Snowflake endpoint", "snowflake", exc.name or "fakesnow"
            ) from None
        self.config = config
        self.host = host
        self.requested_port = port
        self.engine: Engine = Engine(config)
        self.protocol = SnowflakeProtocolServer(self.engine, local_stage_uploads=local_stage_uploads)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._lock_handle: IO[str] | None = None
        self.address: EndpointAddress | None = None

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.requested_port))
        except OSError as exc:
            sock.close()
            raise BackendUnavailableError(
                f"cannot serve the Snowflake endpoint on {self.host}:{self.requested_port}: {exc.strerror or exc}"
            ) from None
        # accepted connections inherit TCP_NODELAY: without it the response body waits for the client's delayed
        # ACK of the headers (Nagle), ~40 ms per statement
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.listen(128)
        sock.setblocking(False)
        return sock

    def _make_server(self) -> Any:
        import uvicorn

        config = uvicorn.Config(
            self.protocol.app,
            # leave the process's logging alone: uvicorn's loggers are shared with `dw-sim serve`'s own server,
            # whose JSON lines and levels a log_config or log_level here would replace
            log_config=None,
            log_level=None,
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
        )
        return uvicorn.Server(config)

    def start(self) -> EndpointAddress:
        """Serve in a daemon thread; returns once the server accepts connections."""
        self._socket = self._bind()
        port = int(self._socket.getsockname()[1])
        self._server = self._make_server()
        sock = self._socket
        self._thread = threading.Thread(
            target=lambda: self._server.run(sockets=[sock]), name="dw-sim snowflake endpoint", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise BackendUnavailableError(f"the embedded Snowflake endpoint did not start on {self.host}:{port}")
            time.sleep(0.01)
        self.address = EndpointAddress(_client_host(self.host), port, os.getpid())
        return self.address

    def serve_forever(self, on_ready: Any = None) -> None:
        """Serve in the calling thread until interrupted (the standalone `dw-sim snowflake-endpoint`)."""
        try:
            self._socket = self._bind()
            port = int(self._socket.getsockname()[1])
            self.address = EndpointAddress(_client_host(self.host), port, os.getpid())
            self._server = self._make_server()
            if on_ready is not None:
                on_ready(self.address)
            self._server.run(sockets=[self._socket])
        except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it shut down on: stopping is the normal end here
            log.info("Snowflake endpoint stopped")
        finally:
            self.stop()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self._thread = None
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()
            self._socket = None
        self.protocol.close()
        self.engine.close()
        release_ownership(self)


def _client_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host


# -- one endpoint per data root ----------------------------------------------------------------------------------------
_shared: dict[Path, EmbeddedEndpoint] = {}
_shared_lock = threading.Lock()


def claim_ownership(directory: Path) -> IO[str] | None:
    """Take the data root's endpoint lock; None when another process holds it."""
    directory.mkdir(parents=True, exist_ok=True)
    handle = open(directory / LOCK_FILE, "a+")  # noqa: SIM115 - held open while the endpoint runs
    try:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # no fcntl (Windows): one process per data root is the user's responsibility
        return handle
    except OSError:
        handle.close()
        return None
    return handle


def publish(endpoint: EmbeddedEndpoint, directory: Path, handle: IO[str]) -> None:
    assert endpoint.address is not None
    endpoint._lock_handle = handle
    tmp = directory / (ENDPOINT_FILE + ".tmp")
    tmp.write_text(json.dumps(asdict(endpoint.address)))
    tmp.replace(directory / ENDPOINT_FILE)


def release_ownership(endpoint: EmbeddedEndpoint) -> None:
    handle = endpoint._lock_handle
    if handle is None:
        return
    endpoint._lock_handle = None
    directory = Path(handle.name).parent
    with contextlib.suppress(OSError):
        data = json.loads((directory / ENDPOINT_FILE).read_text())
        if data.get("pid") == os.getpid():
            (directory / ENDPOINT_FILE).unlink()
    handle.close()
    with _shared_lock:
        for key, value in list(_shared.items()):
            if value is endpoint:
                del _shared[key]


def find_running(directory: Path) -> EndpointAddress | None:
    """The address published by the process serving this data root, if it answers."""
    try:
        data = json.loads((directory / ENDPOINT_FILE).read_text())
        address = EndpointAddress(**data)
    except (OSError, ValueError, TypeError):
        return None
    if address.pid == os.getpid():
        return None
    import urllib.request  # only when an address is published (about 35 ms: http.client, email)

    try:
        with urllib.request.urlopen(f"{address.url}/dwsim/health", timeout=2) as response:
            if response.status == 200:
                return address
    except OSError:
        return None
    return None


def shared_endpoint(settings: Settings) -> EndpointAddress:
    """The embedded endpoint serving `settings.data_root`, starting one in this process when none runs."""
    directory = snowflake_dir(settings)
    with _shared_lock:
        endpoint = _shared.get(directory)
        if endpoint is not None and endpoint.address is not None:
            return endpoint.address
    deadline = time.monotonic() + FIND_TIMEOUT_S
    while True:
        handle = claim_ownership(directory)
        if handle is not None:
            try:
                endpoint = EmbeddedEndpoint(engine_config(settings), port=settings.snowflake_endpoint_port)
                address = endpoint.start()
            except BaseException:
                handle.close()
                raise
            publish(endpoint, directory, handle)
            with _shared_lock:
                _shared[directory] = endpoint
            log.info("embedded Snowflake endpoint started", extra={"url": address.url})
            return address
        running = find_running(directory)
        if running is not None:
            return running
        if time.monotonic() > deadline:
            raise BackendUnavailableError(
                f"another process holds the embedded Snowflake warehouse in {directory} but its endpoint does not "
                f"answer; stop that process or remove {directory / LOCK_FILE} if none runs"
            )
        time.sleep(0.2)


def local_engine(settings: Settings) -> Engine | None:
    """The engine of the endpoint serving `settings.data_root` in this process (started here when no process
    serves it yet), for in-process statement sessions; None when another process serves it."""
    shared_endpoint(settings)
    with _shared_lock:
        endpoint = _shared.get(snowflake_dir(settings))
    return endpoint.engine if endpoint is not None else None


def running_endpoint(settings: Settings) -> EndpointAddress | None:
    """The endpoint serving `settings.data_root`, whether this process serves it or another one does."""
    directory = snowflake_dir(settings)
    with _shared_lock:
        endpoint = _shared.get(directory)
    if endpoint is not None and endpoint.address is not None:
        return endpoint.address
    return find_running(directory)


def stop_shared_endpoints(directories: set[Path] | None = None) -> None:
    """Stop the endpoints this process serves (only those of the given data-root directories, when given)."""
    with _shared_lock:
        endpoints = [e for d, e in _shared.items() if directories is None or d in directories]
    for endpoint in endpoints:
        with contextlib.suppress(Exception):
            endpoint.stop()


def serving_directories() -> set[Path]:
    """The warehouse directories whose endpoint this process serves."""
    with _shared_lock:
        return set(_shared)


def serve_standalone(settings: Settings, host: str, port: int, on_ready: Any = None) -> None:
    """Run the endpoint for `settings.data_root` in the foreground (until Ctrl-C)."""
    directory = snowflake_dir(settings)
    handle = claim_ownership(directory)
    if handle is None:
        running = find_running(directory)
        where = f" at {running.url}" if running else ""
        raise BackendUnavailableError(
            f"the embedded Snowflake warehouse in {directory} is already served by another process{where}"
        )
    try:
        endpoint = EmbeddedEndpoint(engine_config(settings), host=host, port=port)
    except BaseException:
        handle.close()
        raise

    def ready(address: EndpointAddress) -> None:
        publish(endpoint, directory, handle)
        if on_ready is not None:
            on_ready(address)

    try:
        endpoint.serve_forever(on_ready=ready)
    finally:
        if not handle.closed:  # it failed before the endpoint took the lock over
            handle.close()


atexit.register(stop_shared_endpoints)
