"""The service layer's statement registry on real sessions (DuckDB): results are forgotten after their keep time,
kept-alive sessions after their idle time, and a closed registry ends what still waits."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from http_api_support import BIG_TABLE_SQL, SLOW_SQL, make_shop

from dw_simulator.config import Settings
from dw_simulator.errors import NotFoundError
from dw_simulator.service import Simulator
from dw_simulator.statements import Target, open_session, resolve_target
from dw_simulator.statements.registry import StatementRegistry, Status


@pytest.fixture
def target(tmp_path: Path) -> tuple[Settings, Target]:
    settings = Settings(data_root=tmp_path / "data")
    make_shop(settings)
    with Simulator(settings) as sim:
        return settings, resolve_target(sim, "redshift", "shop")


def registry(settings: Settings, **kwargs: float) -> StatementRegistry:
    return StatementRegistry(lambda t: open_session(lambda: Simulator(settings), t), **kwargs)  # type: ignore[arg-type]


def test_results_are_forgotten_after_their_keep_time(target: tuple[Settings, Target]) -> None:
    settings, shop = target
    statements = registry(settings, keep_s=0.3)
    try:
        run = statements.submit(shop, ["SELECT COUNT(*) FROM customers"])
        assert run.wait(30) and run.status == Status.FINISHED
        assert run.parts[0].result is not None and run.parts[0].result.rows == [(5,)]
        assert statements.get(run.id)[0] is run
        time.sleep(0.5)
        with pytest.raises(NotFoundError, match="expired"):
            statements.get(run.id)
    finally:
        statements.close()


def test_kept_sessions_expire_when_idle(target: tuple[Settings, Target]) -> None:
    settings, shop = target
    statements = registry(settings)
    try:
        session_id = statements.open_kept_session(shop, keep_alive_s=0.3)
        run = statements.submit(shop, ["CREATE TEMP TABLE kept AS SELECT 1 AS k"], session_id=session_id)
        assert run.wait(30) and run.status == Status.FINISHED
        again = statements.submit(shop, ["SELECT k FROM kept"], session_id=session_id)
        assert again.wait(30) and again.parts[0].result is not None and again.parts[0].result.rows == [(1,)]
        time.sleep(0.5)
        with pytest.raises(NotFoundError, match="expired"):
            statements.kept_session(session_id)
    finally:
        statements.close()


def test_closing_ends_running_and_waiting_runs(target: tuple[Settings, Target]) -> None:
    settings, shop = target
    statements = registry(settings, workers=1)
    with Simulator(settings) as sim:
        sim.query("shop", BIG_TABLE_SQL)
    running = statements.submit(shop, [SLOW_SQL])
    waiting = statements.submit(shop, ["SELECT 1"])
    deadline = time.monotonic() + 30
    while running.parts[0].status != Status.STARTED:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    statements.close()
    assert running.done.is_set() and running.status == Status.ABORTED
    assert waiting.done.is_set() and waiting.status == Status.ABORTED
