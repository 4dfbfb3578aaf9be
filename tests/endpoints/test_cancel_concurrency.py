"""Cancellation (CancelRequest, and a client that goes away mid-query) and many clients at once, on both engines."""

from __future__ import annotations

import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from endpoint_support import Endpoint

# 500^4 rows: minutes of work on either engine unless it is stopped
ENDLESS = "SELECT max(a.order_id + b.order_id * c.order_id - d.order_id) FROM orders a, orders b, orders c, orders d"


def _wait_for(condition, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _engine_busy(endpoint: Endpoint, engine: str) -> bool:
    if engine == "duckdb":
        server = endpoint.thread.endpoint
        assert server is not None
        return server.busy > 0
    with psycopg.connect(endpoint.pg_url, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query ILIKE '%- d.order_id%' "
            "AND pid <> pg_backend_pid()"
        ).fetchone()
    return bool(row and row[0])


def test_cancel_request_stops_the_query(endpoint: Endpoint, engine: str, database: str) -> None:
    with psycopg.connect(endpoint.url(database), autocommit=True) as conn:
        timer = threading.Timer(1.0, conn.cancel_safe)  # non-blocking: this process also runs the endpoint
        timer.start()
        with pytest.raises(psycopg.errors.QueryCanceled) as caught:
            conn.execute(ENDLESS)
        timer.join(timeout=30)
        assert caught.value.sqlstate == "57014"
        assert conn.execute("SELECT 1").fetchone() == (1,)  # the session is still usable
    assert _wait_for(lambda: not _engine_busy(endpoint, engine))


def test_client_that_disconnects_cancels_its_query(endpoint: Endpoint, engine: str, database: str) -> None:
    client = subprocess.Popen(["psql", endpoint.url(database), "-c", ENDLESS], stdout=subprocess.DEVNULL)
    try:
        assert _wait_for(lambda: _engine_busy(endpoint, engine)), "the query never started"
    finally:
        client.kill()
        client.wait(timeout=30)
    assert _wait_for(lambda: not _engine_busy(endpoint, engine)), "the query went on after its client left"


def test_many_concurrent_clients(endpoint: Endpoint) -> None:
    def work(i: int) -> tuple[int, int]:
        database = "shop_duck" if i % 2 else "shop_pg"
        with psycopg.connect(endpoint.url(database), autocommit=True) as conn:
            total = 0
            for _ in range(5):
                row = conn.execute("SELECT count(*) FROM orders WHERE order_id > %s", [i]).fetchone()
                total += row[0] if row else 0
            return i, total

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = dict(pool.map(work, range(16)))
    assert results == {i: 5 * (500 - i) for i in range(16)}
