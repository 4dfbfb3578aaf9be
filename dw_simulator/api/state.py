"""What the app holds between requests: the simulator it was built with, the run manager and the limits."""

from __future__ import annotations

import concurrent.futures
import contextvars
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from dw_simulator.api.errors import TimeLimitError
from dw_simulator.api.queries import RunningQueries
from dw_simulator.api.runner import RunManager
from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings
from dw_simulator.observability import flush_tracing
from dw_simulator.service import Simulator
from dw_simulator.statements import StatementSession, Target, open_session, resolve_target
from dw_simulator.statements.registry import StatementRegistry

log = logging.getLogger("dw_simulator.api")
T = TypeVar("T")


class AppState:
    """Shared by all requests. Each request (and each run) works on its own `Simulator` made by `sibling()`: they
    share the metadata store, but each has its own warehouse connections, released when the request ends, so
    threads never share a DuckDB connection and another process (the CLI) can open the warehouse file between
    requests."""

    def __init__(self, primary: Simulator, api: ApiSettings) -> None:
        self.primary = primary
        self.settings: Settings = primary.settings
        self.api = api
        self.runs = RunManager(self.sibling)
        self.write_lock = threading.Lock()  # experiment create/import/delete, one at a time
        self.queries = RunningQueries()  # by client-given id, to cancel them
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._statements: StatementRegistry | None = None

    @property
    def statements(self) -> StatementRegistry:
        """The statements of the warehouses' HTTP APIs, run in the background (made on first use)."""
        with self._executor_lock:
            if self._statements is None:
                self._statements = StatementRegistry(
                    self._open_session,
                    keep_s=self.api.api_statement_keep_s,
                    workers=self.api.api_statement_workers,
                    max_active=self.api.api_statement_max_active,
                )
            return self._statements

    def _open_session(self, target: Target) -> StatementSession:
        if target.family == "redshift" and target.experiment is None:  # a database named before it existed
            sim = self.sibling()
            try:
                target = resolve_target(sim, "redshift", target.database)
            finally:
                sim.release_backends()
        return open_session(self.sibling, target)

    def sibling(self) -> Simulator:
        return type(self.primary)(self.primary.settings, metadata=self.primary.metadata)

    def call_with_limit(
        self,
        fn: Callable[[Simulator], T],
        *,
        timeout_s: float,
        what: str,
        setting: str,
        on_sim: Callable[[Simulator], None] | None = None,
    ) -> T:
        """Run `fn` on a fresh simulator in a worker thread; past `timeout_s`, interrupt it if its warehouse can be
        interrupted and answer 504 (`TimeLimitError`). `on_sim` sees the simulator first (to cancel it)."""
        holder: dict[str, Any] = {}

        def work() -> T:
            sim = self.sibling()
            holder["sim"] = sim
            try:
                if on_sim is not None:
                    on_sim(sim)
                return fn(sim)
            finally:
                sim.release_backends()

        future = self._pool().submit(contextvars.copy_context().run, work)
        try:
            return future.result(timeout=timeout_s)
        except concurrent.futures.TimeoutError:
            future.cancel()
            interrupted = _interrupt(holder.get("sim"))
            log.warning("time limit reached", extra={"what": what, "limit_s": timeout_s, "interrupted": interrupted})
            raise TimeLimitError(
                f"{what} ran past the time limit of {timeout_s:g} s and was stopped; make it smaller "
                f"(a LIMIT or a filter) or raise {setting}",
                details=[{"message": "time limit reached", "limit_s": timeout_s}],
            ) from None

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = concurrent.futures.ThreadPoolExecutor(
                    max_workers=8, thread_name_prefix="dwsim-limited"
                )
            return self._executor

    def open(self) -> None:
        """Start (again) taking runs: the app's lifespan may start and stop more than once (tests do)."""
        self.runs.reopen()

    def close(self) -> None:
        """Cancel the runs of this process (they end CANCELLED, not left RUNNING) and stop the workers."""
        self.runs.shutdown()
        with self._executor_lock:
            executor, self._executor = self._executor, None
            statements, self._statements = self._statements, None
        if statements is not None:
            statements.close()
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        self.primary.close()  # its metadata engine reconnects on use, should the app start again
        flush_tracing()


def _interrupt(sim: Simulator | None) -> bool:
    """Stop what the simulator's warehouse connections are running, where the service layer offers a way."""
    interrupt = getattr(sim, "interrupt", None)
    if not callable(interrupt):
        return False
    try:
        interrupt()
    except Exception:  # an interrupt that fails must not hide the time-limit answer
        log.exception("could not interrupt the warehouse")
        return False
    return True
