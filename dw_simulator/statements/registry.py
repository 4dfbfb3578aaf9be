"""Statements run in the background, as the warehouses' HTTP APIs run them.

A `Run` is one request: one statement, or several (a Data API batch, a SQL API multi-statement request), each a
`Part` with its own id. A worker thread picks it up (SUBMITTED -> PICKED -> STARTED), runs its parts in order on one
`StatementSession` and ends it FINISHED, FAILED or ABORTED (cancelled). An atomic run is one transaction: the first
failure rolls all of it back and the parts after it are not run. Results are kept for `keep_s` seconds after the run
ends, then forgotten. A run may use a kept-alive session (`open_kept_session`), whose state (temporary tables, an
open transaction) lasts between runs until it has been idle for its keep-alive time.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dw_simulator.errors import DwSimError, NotFoundError
from dw_simulator.sql.shaped import ShapedResult, StatementCancelled, StatementError
from dw_simulator.statements.interface import Bindings, StatementSession, Target

log = logging.getLogger("dw_simulator.statements")
SessionOpener = Callable[[Target], StatementSession]
CANCEL_RETRY_S = 30.0  # how long a cancel keeps interrupting a statement that has not stopped


class Status(StrEnum):
    SUBMITTED = "SUBMITTED"
    PICKED = "PICKED"
    STARTED = "STARTED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    ABORTED = "ABORTED"


ACTIVE = (Status.SUBMITTED, Status.PICKED, Status.STARTED)


class TooManyActive(DwSimError):
    http_status = 429
    kind = "too_many_statements"


class SessionBusy(DwSimError):
    http_status = 409
    kind = "session_busy"


@dataclass
class Failure:
    message: str
    sqlstate: str | None = None
    code: str | None = None
    timed_out: bool = False
    cancelled: bool = False


@dataclass
class Part:
    id: str
    sql: str
    status: Status = Status.SUBMITTED
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    started_at: float | None = None
    ended_at: float | None = None
    result: ShapedResult | None = None
    failure: Failure | None = None

    @property
    def duration_ns(self) -> int:
        if self.started_at is None:
            return 0
        return int(((self.ended_at or time.time()) - self.started_at) * 1e9)

    def set(self, status: Status) -> None:
        self.status = status
        self.updated_at = time.time()
        if status == Status.STARTED:
            self.started_at = self.updated_at
        elif status not in ACTIVE:
            self.ended_at = self.updated_at


@dataclass
class Run:
    id: str
    target: Target
    parts: list[Part]
    bindings: Bindings = None
    atomic: bool = False
    stop_on_error: bool = True
    timeout_s: float | None = None
    session_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # what the front end wants to answer with later
    status: Status = Status.SUBMITTED
    failure: Failure | None = None
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    ended_at: float | None = None
    done: threading.Event = field(default_factory=threading.Event)
    cancel_requested: threading.Event = field(default_factory=threading.Event)
    session: StatementSession | None = None
    part_bindings: list[Bindings] | None = None  # one set of bind values per part, instead of `bindings` for all

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def set(self, status: Status, failure: Failure | None = None) -> None:
        self.status = status
        self.updated_at = time.time()
        if failure is not None:
            self.failure = failure
        if status not in ACTIVE:
            self.ended_at = self.updated_at

    def wait(self, timeout_s: float | None) -> bool:
        return self.done.wait(timeout_s)


@dataclass
class KeptSession:
    id: str
    target: Target
    session: StatementSession
    keep_alive_s: float
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    busy: bool = False
    current: str | None = None
    closed: bool = False

    @property
    def expires_at(self) -> float:
        return self.updated_at + self.keep_alive_s


class StatementRegistry:
    def __init__(
        self, opener: SessionOpener, *, keep_s: float = 86_400, workers: int = 4, max_active: int = 500
    ) -> None:
        self.opener = opener
        self.keep_s = keep_s
        self.max_active = max_active
        self._runs: dict[str, Run] = {}
        self._parts: dict[str, tuple[Run, Part]] = {}
        self._sessions: dict[str, KeptSession] = {}
        self._lock = threading.RLock()
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dwsim-statement")
        self._closed = False

    # -- submitting -------------------------------------------------------------------------------------------------
    def submit(
        self,
        target: Target,
        sqls: list[str],
        *,
        bindings: Bindings = None,
        part_bindings: list[Bindings] | None = None,
        atomic: bool = False,
        stop_on_error: bool = True,
        part_ids: Callable[[str, int], str] | None = None,
        timeout_s: float | None = None,
        session_id: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Run:
        """Queue a run; `part_ids(run id, 1-based index)` names its parts (default: the run id for a single
        statement)."""
        self._purge()
        run_id = str(uuid.uuid4())
        name = part_ids or (lambda rid, i: rid if len(sqls) == 1 else f"{rid}:{i}")
        run = Run(
            run_id,
            target,
            [Part(name(run_id, i), sql) for i, sql in enumerate(sqls, start=1)],
            bindings,
            atomic,
            stop_on_error,
            timeout_s,
            session_id,
            dict(meta or {}),
        )
        if part_bindings is not None:
            if len(part_bindings) != len(sqls):
                raise ValueError("part_bindings must hold one entry per statement")
            run.part_bindings = list(part_bindings)
        with self._lock:
            if self._closed:
                raise DwSimError("the server is shutting down")
            if sum(1 for r in self._runs.values() if r.active) >= self.max_active:
                raise TooManyActive(f"{self.max_active} statements are already running or waiting")
            if session_id is not None:
                kept = self._kept(session_id)
                if kept.busy:
                    raise SessionBusy(f"session {session_id} is running statement {kept.current}")
                kept.busy, kept.current = True, run_id
            self._runs[run_id] = run
            for part in run.parts:
                self._parts[part.id] = (run, part)
        ctx = contextvars.copy_context()
        self._pool.submit(ctx.run, self._execute, run)
        if timeout_s:
            timer = threading.Timer(timeout_s, self._time_out, args=(run,))
            timer.daemon = True
            timer.start()
        return run

    # -- looking up ---------------------------------------------------------------------------------------------------
    def get(self, statement_id: str) -> tuple[Run, Part | None]:
        """The run with this id (and no part), or the run holding the part with this id."""
        self._purge()
        with self._lock:
            if statement_id in self._runs:
                return self._runs[statement_id], None
            if statement_id in self._parts:
                run, part = self._parts[statement_id]
                return run, part
        raise NotFoundError(f"statement {statement_id} does not exist or its results have expired")

    def runs(self) -> list[Run]:
        """Every run still kept, newest first."""
        self._purge()
        with self._lock:
            return sorted(self._runs.values(), key=lambda r: r.created_at, reverse=True)

    def cancel(self, statement_id: str) -> bool:
        """Ask a waiting or running run to stop; False when it has already ended."""
        run, _ = self.get(statement_id)
        with self._lock:
            if not run.active:
                return False
            run.cancel_requested.set()
            session = run.session
        if session is not None:
            session.cancel()
        # an interrupt that arrives while the statement is still being translated or opened is lost: keep asking
        # while a statement of the run is running
        threading.Thread(target=self._keep_interrupting, args=(run,), name="dwsim-cancel", daemon=True).start()
        return True

    def _keep_interrupting(self, run: Run) -> None:
        deadline = time.monotonic() + CANCEL_RETRY_S
        while run.active and time.monotonic() < deadline:
            time.sleep(0.05)
            with self._lock:
                session = run.session
            if session is not None and any(p.status == Status.STARTED for p in run.parts):
                session.cancel()

    def _time_out(self, run: Run) -> None:
        if run.active:
            run.meta["timed_out"] = True
            with contextlib.suppress(NotFoundError):  # forgotten meanwhile
                self.cancel(run.id)

    # -- kept-alive sessions ----------------------------------------------------------------------------------------
    def open_kept_session(self, target: Target, keep_alive_s: float) -> str:
        session = self.opener(target)
        kept = KeptSession(str(uuid.uuid4()), target, session, keep_alive_s)
        with self._lock:
            self._sessions[kept.id] = kept
        return kept.id

    def kept_session(self, session_id: str) -> KeptSession:
        self._purge()
        with self._lock:
            return self._kept(session_id)

    def kept_sessions(self) -> list[KeptSession]:
        self._purge()
        with self._lock:
            return sorted(self._sessions.values(), key=lambda s: s.created_at, reverse=True)

    def _kept(self, session_id: str) -> KeptSession:
        kept = self._sessions.get(session_id)
        if kept is None or kept.closed:
            raise NotFoundError(f"session {session_id} does not exist or has expired")
        return kept

    # -- running ------------------------------------------------------------------------------------------------------
    def _execute(self, run: Run) -> None:
        kept = self._sessions.get(run.session_id) if run.session_id else None
        try:
            if run.cancel_requested.is_set():
                self._abort_rest(run, 0)
                run.set(Status.ABORTED, Failure("the statement was cancelled before it started", cancelled=True))
                return
            run.set(Status.PICKED)
            try:
                session = kept.session if kept is not None else self.opener(run.target)
            except DwSimError as exc:
                self._abort_rest(run, 0)
                run.parts[0].set(Status.FAILED)
                run.parts[0].failure = Failure(exc.message)
                run.set(Status.FAILED, Failure(exc.message))
                return
            with self._lock:
                run.session = session
            try:
                self._run_parts(run, session)
            finally:
                with self._lock:
                    run.session = None
                if kept is None:
                    session.close()
        except Exception as exc:  # a bug of ours: the run fails with the reason instead of staying STARTED
            log.exception("statement run failed", extra={"statement_id": run.id})
            run.set(Status.FAILED, Failure(f"internal error: {exc}"))
        finally:
            if kept is not None:
                with self._lock:
                    kept.busy, kept.current, kept.updated_at = False, None, time.time()
            run.done.set()

    def _run_parts(self, run: Run, session: StatementSession) -> None:
        run.set(Status.STARTED)
        if run.atomic:
            session.begin()
        first_failure: Failure | None = None
        for index, part in enumerate(run.parts):
            if run.cancel_requested.is_set():
                self._stopped(run, session, index)
                return
            part.set(Status.STARTED)
            try:
                values = run.part_bindings[index] if run.part_bindings is not None else run.bindings
                part.result = session.execute(part.sql, values)
            except StatementCancelled:
                self._stopped(run, session, index)
                return
            except DwSimError as exc:
                if run.cancel_requested.is_set():
                    self._stopped(run, session, index)
                    return
                failure = _failure(exc)
                part.failure = failure
                part.set(Status.FAILED)
                if run.atomic and session.in_transaction:
                    session.rollback()
                if run.atomic or run.stop_on_error:
                    self._abort_rest(run, index + 1)
                    run.set(Status.FAILED, failure)
                    return
                first_failure = first_failure or failure
                continue
            part.set(Status.FINISHED)
        if run.atomic:
            session.commit()
        if first_failure is not None:
            run.set(Status.FAILED, first_failure)
        else:
            run.set(Status.FINISHED)

    def _stopped(self, run: Run, session: StatementSession, index: int) -> None:
        timed_out = bool(run.meta.get("timed_out"))
        message = (
            f"the statement reached its time limit of {run.timeout_s:g} s and was cancelled"
            if timed_out
            else "the statement was cancelled"
        )
        failure = Failure(message, sqlstate="57014", timed_out=timed_out, cancelled=not timed_out)
        run.parts[index].failure = failure
        run.parts[index].set(Status.FAILED if timed_out else Status.ABORTED)  # first: no more interrupts
        self._abort_rest(run, index + 1)
        if session.in_transaction and run.atomic:
            try:
                session.rollback()
            except DwSimError:
                log.debug("rollback after a cancel failed", exc_info=True)
        run.set(Status.FAILED if timed_out else Status.ABORTED, failure)

    @staticmethod
    def _abort_rest(run: Run, start: int) -> None:
        for part in run.parts[start:]:
            if part.status in ACTIVE:
                part.set(Status.ABORTED)

    # -- housekeeping -------------------------------------------------------------------------------------------------
    def _purge(self) -> None:
        now = time.time()
        expired: list[KeptSession] = []
        with self._lock:
            for run_id, run in list(self._runs.items()):
                if run.ended_at is not None and now - run.ended_at > self.keep_s:
                    del self._runs[run_id]
                    for part in run.parts:
                        self._parts.pop(part.id, None)
            for session_id, kept in list(self._sessions.items()):
                if not kept.busy and now > kept.expires_at:
                    kept.closed = True
                    del self._sessions[session_id]
                    expired.append(kept)
        for kept in expired:
            _close_quietly(kept.session)

    def close(self) -> None:
        """Cancel what runs, stop the workers, close the kept sessions."""
        with self._lock:
            self._closed = True
            active = [r for r in self._runs.values() if r.active]
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for run in active:
            with contextlib.suppress(NotFoundError):
                self.cancel(run.id)
        self._pool.shutdown(wait=True, cancel_futures=True)
        for run in active:  # queued runs the workers never picked up
            if run.active:
                run.set(Status.ABORTED, Failure("the server shut down before the statement ran", cancelled=True))
                run.done.set()
        for kept in sessions:
            _close_quietly(kept.session)


def _failure(exc: DwSimError) -> Failure:
    if isinstance(exc, StatementError):
        return Failure(exc.message, exc.sqlstate, exc.code)
    return Failure(exc.message)


def _close_quietly(session: StatementSession) -> None:
    try:
        session.close()
    except Exception:  # a session whose engine went away
        log.debug("closing a kept session failed", exc_info=True)
