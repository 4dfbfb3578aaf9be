"""/api/runs/{id}: a run's state, cancelling it, and its live progress as Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from dw_simulator.api.deps import ApiSettingsDep, RunsDep, SimulatorDep, StateDep
from dw_simulator.api.errors import RunNotActiveError
from dw_simulator.api.routes.common import errors
from dw_simulator.api.schemas import RunOut
from dw_simulator.api.state import AppState
from dw_simulator.metadata import FINAL_STATUSES
from dw_simulator.results import RunInfo

router = APIRouter(prefix="/api/runs", tags=["runs"])

RunId = Annotated[int, Path(ge=1, le=2**63 - 1, description="run id")]
TICK_S = 0.1  # how often a stream looks at a run of this process
POLL_S = 0.5  # how often it reads the metadata store
RECOVER_S = 5.0  # how often it checks whether the owner of a run of another process died
KEEPALIVE_S = 15.0
SHUTDOWN_GRACE_S = 5.0  # once the server stops, streams wait this long for their run to record its end

EVENTS_DOC = (
    "A `text/event-stream`. Events: `progress` (`{run_id, table, rows_done, rows_total}`, whenever a table "
    "advances), `status` (`{run_id, status, phase, phase_done, phase_total}`, when the status or phase changes: "
    "phase `generate`, then `load` with the tables loaded so far, then `done`), then one `end` with the "
    "final run record, after which the stream closes. A finished run gives its last progress and `end` at once. "
    "A stopping server cancels its runs; a stream that cannot see its run end then closes with `shutdown`."
)


@router.get("/{run_id}", summary="A generation run: status, progress, row counts, error", responses=errors(404))
def get_run(run_id: RunId, sim: SimulatorDep) -> RunOut:
    return RunOut.of(sim.get_run(run_id))


@router.post(
    "/{run_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Cancel a run; it ends CANCELLED and the previous data stays",
    description="Waits briefly for the run to stop and returns its record (status CANCELLED once it has). A run "
    "already in its load phase finishes loading.",
    responses=errors(404, 409, 413),
)
def cancel_run(run_id: RunId, sim: SimulatorDep, runs: RunsDep, api: ApiSettingsDep) -> RunOut:
    sim.get_run(run_id)  # 404 for an unknown run
    if runs.cancel(run_id, wait_s=api.api_cancel_wait_s) is None:
        sim.recover_interrupted_runs(only_dead_owners=True)
        run = sim.get_run(run_id)
        if run.status in FINAL_STATUSES:
            raise RunNotActiveError(f"run {run_id} has already ended ({run.status}); nothing to cancel")
        raise RunNotActiveError(
            f"run {run_id} is running in another process (such as `dw-sim experiment generate`); stop it there"
        )
    return RunOut.of(sim.get_run(run_id))


@router.get(
    "/{run_id}/events",
    summary="Follow a run live (Server-Sent Events)",
    description=EVENTS_DOC,
    response_class=StreamingResponse,
    responses=errors(
        404, extra={200: {"description": EVENTS_DOC, "content": {"text/event-stream": {"schema": {"type": "string"}}}}}
    ),
)
def run_events(run_id: RunId, sim: SimulatorDep, state: StateDep) -> StreamingResponse:
    first = sim.get_run(run_id)  # 404 before the stream starts
    return StreamingResponse(
        _events(state, run_id, first),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _read_run(state: AppState, run_id: int, recover: bool) -> RunInfo:
    sim = state.sibling()
    try:
        if recover:
            sim.recover_interrupted_runs(only_dead_owners=True)
        return sim.get_run(run_id)
    finally:
        sim.release_backends()


async def _events(state: AppState, run_id: int, info: RunInfo) -> AsyncIterator[bytes]:
    seq = 0

    def event(name: str, data: dict[str, Any]) -> bytes:
        nonlocal seq
        seq += 1
        return f"id: {seq}\nevent: {name}\ndata: {json.dumps(data, default=str)}\n\n".encode()

    yield b"retry: 2000\n\n"
    sent: dict[str, tuple[int, int]] = {}
    last_status: tuple[str, Any, Any] | None = None
    now = time.monotonic()
    last_poll = last_recover = last_beat = now
    seen_active = False
    while True:
        active = state.runs.get(run_id)
        seen_active = seen_active or active is not None
        tables = {t: v for t, v in info.progress.items() if isinstance(v, dict)}
        if active is not None:
            tables.update(active.snapshot()[1])
        for table, value in tables.items():
            key = (int(value.get("rows_done", 0)), int(value.get("rows_total", 0)))
            if sent.get(table) != key:
                sent[table] = key
                yield event("progress", {"run_id": run_id, "table": table, "rows_done": key[0], "rows_total": key[1]})
        phase, phase_done = info.progress.get("phase"), info.progress.get("phase_done")
        if (info.status, phase, phase_done) != last_status:
            last_status = (info.status, phase, phase_done)
            status = {"run_id": run_id, "status": info.status, "phase": phase}
            if phase_done is not None and phase != "done":
                status.update(phase_done=phase_done, phase_total=info.progress.get("phase_total"))
            yield event("status", status)
        if info.status in FINAL_STATUSES:
            yield event("end", RunOut.of(info).model_dump(mode="json"))
            return
        closing_for = state.runs.closing_for
        if closing_for is not None and closing_for > SHUTDOWN_GRACE_S:  # the server is stopping: let it
            yield event("shutdown", {"run_id": run_id, "status": info.status, "message": "the server is stopping"})
            return
        await asyncio.sleep(TICK_S)
        now = time.monotonic()
        just_ended = (active is None and seen_active) or (active is not None and active.done.is_set())
        if just_ended or now - last_poll >= POLL_S:
            recover = active is None and now - last_recover >= RECOVER_S
            if recover:
                last_recover = now
            info = await run_in_threadpool(_read_run, state, run_id, recover)
            last_poll = now
        if now - last_beat >= KEEPALIVE_S:
            last_beat = now
            yield b": keep-alive\n\n"
