"""A client that goes away at any point leaves no backend session behind, on both engines: mid-COPY FROM STDIN,
mid-transaction (holding a lock), mid-fetch (a large result it never reads), mid-query. Raw sockets, so the client
can vanish between any two messages. On PostgreSQL the session's own server backend must end (pg_stat_activity,
found by the application name the endpoint passes on); on DuckDB the endpoint's session and its DuckDB connection
(its open transaction rolled back)."""

from __future__ import annotations

import hashlib
import socket
import struct
import time
import uuid
from collections.abc import Callable

import psycopg
import pytest
from endpoint_support import PASSWORD, USER, Endpoint

TIMEOUT_S = 15.0


def _message(kind: bytes, payload: bytes = b"") -> bytes:
    return kind + struct.pack("!i", len(payload) + 4) + payload


def _read(sock: socket.socket) -> tuple[bytes, bytes]:
    head = b""
    while len(head) < 5:
        head += sock.recv(5 - len(head))
    (length,) = struct.unpack("!i", head[1:5])
    body = b""
    while len(body) < length - 4:
        body += sock.recv(length - 4 - len(body))
    return head[:1], body


def _until(sock: socket.socket, kind: bytes) -> list[tuple[bytes, bytes]]:
    seen = []
    while True:
        message = _read(sock)
        seen.append(message)
        if message[0] == kind:
            return seen


class RawClient:
    """A minimal v3 client: startup, md5 or cleartext password, then whatever messages a test sends."""

    def __init__(self, endpoint: Endpoint, database: str, application: str) -> None:
        self.sock = socket.create_connection((endpoint.host, endpoint.port), timeout=10)
        params = f"user\0{USER}\0database\0{database}\0application_name\0{application}\0\0".encode()
        body = struct.pack("!i", 196608) + params
        self.sock.sendall(struct.pack("!i", len(body) + 4) + body)
        kind, auth = _read(self.sock)
        assert kind == b"R"
        if struct.unpack("!i", auth[:4])[0] == 5:
            inner = hashlib.md5((PASSWORD + USER).encode()).hexdigest()
            password = "md5" + hashlib.md5(inner.encode() + auth[4:8]).hexdigest()
        else:
            password = PASSWORD
        self.sock.sendall(_message(b"p", password.encode() + b"\0"))
        messages = _until(self.sock, b"Z")
        key = next(body for kind, body in messages if kind == b"K")
        self.pid = struct.unpack("!i", key[:4])[0]

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def query(self, sql: str) -> None:
        self.send(_message(b"Q", sql.encode() + b"\0"))

    def vanish(self) -> None:
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, no goodbye
        self.sock.close()


def _wait(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _postgres_backends(endpoint: Endpoint, application: str) -> int:
    with psycopg.connect(endpoint.pg_url, autocommit=True, connect_timeout=5) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [f"dw-sim redshift endpoint {application}"],
        ).fetchone()
    return int(row[0]) if row else 0


def _copy_in(client: RawClient, table: str) -> None:
    client.query(f"COPY {table} FROM STDIN")
    assert _until(client.sock, b"G")
    client.send(_message(b"d", b"1\tpartial\n2\tpartial\n"))


def _transaction(client: RawClient, table: str) -> None:
    client.query(f"BEGIN; LOCK TABLE {table}; INSERT INTO {table} VALUES (3, 'uncommitted')")
    _until(client.sock, b"Z")


def _fetch(client: RawClient, table: str) -> None:
    client.query("SELECT a.*, b.*, c.order_id FROM orders a CROSS JOIN orders b CROSS JOIN orders c")
    _read(client.sock)  # the RowDescription (then rows the client never reads)


def _extended_mid_batch(client: RawClient, table: str) -> None:
    # Parse/Bind/Execute of an INSERT with no Sync: the statement ran, its implicit transaction is still open
    client.send(
        _message(b"P", f"\0INSERT INTO {table} VALUES ($1,$2)\0".encode() + struct.pack("!h", 0))
        + _message(b"B", b"\0\0" + struct.pack("!hhi1si7sh", 0, 2, 1, b"4", 7, b"pending", 0))
        + _message(b"E", b"\0" + struct.pack("!i", 0))
        + _message(b"H")
    )
    _until(client.sock, b"C")


@pytest.mark.parametrize("moment", [_copy_in, _transaction, _fetch, _extended_mid_batch])
def test_disconnect_leaves_no_backend(endpoint: Endpoint, engine: str, database: str, moment) -> None:
    table = f"dc_{uuid.uuid4().hex[:8]}"
    application = f"disconnect-{uuid.uuid4().hex[:8]}"
    with psycopg.connect(endpoint.url(database), autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id integer, label varchar(20))")
    try:
        client = RawClient(endpoint, database, application)
        server = endpoint.thread.endpoint
        assert server is not None and client.pid in server.sessions
        moment(client, table)
        if engine == "postgres":
            assert _postgres_backends(endpoint, application) == 1
        client.vanish()
        assert _wait(lambda: client.pid not in server.sessions), "the endpoint kept the session"
        if engine == "postgres":
            assert _wait(lambda: _postgres_backends(endpoint, application) == 0), "a PostgreSQL backend is left"
        with psycopg.connect(endpoint.url(database), autocommit=True) as conn:
            # nothing of the abandoned work is kept, and nothing blocks the table
            conn.execute("SET statement_timeout = 5000") if engine == "postgres" else None
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
            conn.execute(f"DROP TABLE {table}")
    finally:
        with psycopg.connect(endpoint.url(database), autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
