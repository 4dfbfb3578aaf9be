"""Helpers for the tests of the warehouses' HTTP APIs: the real FastAPI app of `dw-sim serve` under uvicorn on a
loopback port (in a thread, so boto3 and httpx talk real HTTP to it), and experiments to query."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from dw_simulator.api import create_app
from dw_simulator.api.settings import ApiSettings
from dw_simulator.config import Settings
from dw_simulator.service import Simulator

PAGE_ROWS = 2  # small pages and partitions, so paging is exercised with a few rows
# 20 000 rows, for statements that run until they are cancelled (a join of it with itself, hashing every pair)
_NUMBERS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 20000) SELECT n FROM r"
BIG_TABLE_SQL = f"CREATE TABLE big AS {_NUMBERS}"
SLOW_SQL = "SELECT COUNT(*) FROM big a, big b WHERE MD5(a.n || '-' || b.n) = 'never'"

SHOP_DDL = """
CREATE TABLE customers (id INT NOT NULL, name VARCHAR(40), tier CHAR(1), active BOOLEAN, PRIMARY KEY (id));
CREATE TABLE orders (order_id BIGINT NOT NULL, customer_id INT NOT NULL, amount DECIMAL(10,2), placed DATE,
                     placed_at TIMESTAMP, score DOUBLE PRECISION, note VARCHAR(100));
"""
SHOP_ROWS = [
    "INSERT INTO customers VALUES (1, 'Ada', 'A', true), (2, 'Bo''s', 'B', false), (3, 'Cy', NULL, true),"
    " (4, 'Di', 'A', NULL), (5, 'Ed', 'C', true)",
    "INSERT INTO orders VALUES (10, 1, 12.50, '2024-01-31', '2024-01-31 13:45:00', 0.5, 'first'),"
    " (11, 1, 7.25, '2024-02-01', '2024-02-01 08:00:00', 1.25, NULL), (12, 2, 100.00, '2024-02-02', NULL, NULL, 'x')",
]


@dataclass
class Live:
    url: str
    settings: Settings
    api: ApiSettings


@contextlib.contextmanager
def live_app(settings: Settings, api: ApiSettings) -> Iterator[Live]:
    """`dw-sim serve`'s app on 127.0.0.1 and a free port, until the block ends."""
    import uvicorn

    app = create_app(settings, api_settings=api)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    # accepted connections inherit it; without it each response waits ~40 ms for a delayed ACK (Nagle). `dw-sim serve`,
    # where uvicorn binds the socket itself, does not need this
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}", settings, api)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def make_shop(settings: Settings, name: str = "shop", target: str = "duckdb") -> None:
    with Simulator(settings) as sim:
        sim.import_sql(SHOP_DDL, "redshift", name=name, target_warehouse=target)
        for sql in SHOP_ROWS:
            sim.query(name, sql)
