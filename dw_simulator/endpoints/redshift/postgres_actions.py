"""COPY ... FROM 's3://...' and UNLOAD on a PostgreSQL session's own connection, so they run inside the client's
transaction (BEGIN; TRUNCATE t; COPY t ...; COMMIT works, and a failed COPY aborts the transaction as on Redshift).

dw-sim's COPY/UNLOAD emulation (`sql.redshift.copy_unload`) runs on a worker thread and talks to PostgreSQL through
`PostgresCopyTarget`, which expects a psycopg-like connection. `RelayConnection` is that connection, carried over the
session's upstream wire connection: each call is run on the event loop, which is otherwise idle while the session
waits for the statement to finish.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import struct
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from dw_simulator.endpoints.redshift import protocol as pg
from dw_simulator.endpoints.redshift.type_oids import (
    BOOL,
    DATE,
    FLOAT4,
    FLOAT8,
    INT2,
    INT4,
    INT8,
    NUMERIC,
    OID,
    TIMESTAMP,
)
from dw_simulator.errors import QueryError

if TYPE_CHECKING:
    from dw_simulator.endpoints.redshift.upstream import Upstream

T = TypeVar("T")


class Column:
    def __init__(self, name: str, type_code: int) -> None:
        self.name = name
        self.type_code = type_code


class Exchange:
    """Talks to the upstream connection without relaying anything to the client (event-loop side)."""

    def __init__(self, upstream: Upstream, buffer: bytearray) -> None:
        self.upstream = upstream
        self.buffer = buffer
        self.tx_status = b"I"

    async def _message(self) -> tuple[int, bytes]:
        while True:
            if len(self.buffer) >= 5:
                (length,) = struct.unpack_from("!i", self.buffer, 1)
                if len(self.buffer) >= 1 + length:
                    kind = self.buffer[0]
                    payload = bytes(self.buffer[5 : 1 + length])
                    del self.buffer[: 1 + length]
                    return kind, payload
            data = await self.upstream.reader.read(1 << 20)
            if not data:
                raise QueryError("the PostgreSQL server behind this experiment closed the connection")
            self.buffer += data

    async def _finish(self, error: str | None) -> None:
        """Read up to ReadyForQuery; raise the statement's error, if any."""
        while True:
            kind, payload = await self._message()
            if kind == 0x45:
                fields = pg.parse_error_fields(payload)
                error = error or fields.get("M", "error")
            elif kind == 0x5A:
                self.tx_status = payload[:1]
                break
        if error is not None:
            raise QueryError(f"PostgreSQL: {error}")

    async def query(self, sql: str) -> tuple[list[Column], list[tuple[Any, ...]], int]:
        self.upstream.send(pg.message(b"Q", pg.cstr(sql)))
        await self.upstream.writer.drain()
        columns: list[Column] = []
        rows: list[tuple[Any, ...]] = []
        affected = -1
        error = None
        while True:
            kind, payload = await self._message()
            if kind == 0x54:
                columns = _row_description(payload)
            elif kind == 0x44:
                rows.append(_data_row(payload, columns))
            elif kind == 0x43:
                tag = payload.rstrip(b"\x00").decode().split()
                affected = int(tag[-1]) if tag and tag[-1].isdigit() else -1
            elif kind == 0x45:
                error = pg.parse_error_fields(payload).get("M", "error")
            elif kind == 0x5A:
                self.tx_status = payload[:1]
                break
        if error is not None:
            raise QueryError(f"PostgreSQL: {error}")
        return columns, rows, affected

    async def copy_start(self, sql: str) -> None:
        self.upstream.send(pg.message(b"Q", pg.cstr(sql)))
        await self.upstream.writer.drain()
        while True:
            kind, payload = await self._message()
            if kind == 0x47:  # CopyInResponse
                return
            if kind == 0x45:
                await self._finish(pg.parse_error_fields(payload).get("M", "error"))
                return

    async def copy_data(self, data: bytes) -> None:
        self.upstream.send(pg.message(b"d", data))
        await self.upstream.writer.drain()

    async def copy_end(self, failure: str | None) -> None:
        if failure is None:
            self.upstream.send(pg.message(b"c"))
        else:
            self.upstream.send(pg.message(b"f", pg.cstr(failure)))
        await self.upstream.writer.drain()
        await self._finish(None)


class RelayConnection:
    """The psycopg-like connection `PostgresCopyTarget` uses, over the session's upstream (worker-thread side)."""

    def __init__(self, exchange: Exchange, loop: asyncio.AbstractEventLoop) -> None:
        self.exchange = exchange
        self.loop = loop

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    @contextmanager
    def cursor(self) -> Iterator[RelayCursor]:
        yield RelayCursor(self)


class RelayCursor:
    def __init__(self, conn: RelayConnection) -> None:
        self.conn = conn
        self.description: list[Column] | None = None
        self.rowcount = -1
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str, params: Any = None) -> RelayCursor:
        text = sql % tuple(_literal(p) for p in params) if params else sql
        columns, rows, affected = self.conn.run(self.conn.exchange.query(text))
        self.description = columns or None
        self._rows = rows
        self.rowcount = affected
        return self

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    @contextmanager
    def copy(self, sql: str) -> Iterator[RelayCopy]:
        exchange = self.conn.exchange
        self.conn.run(exchange.copy_start(sql))
        copy = RelayCopy(self.conn)
        try:
            yield copy
        except BaseException as exc:
            self.conn.run(exchange.copy_end(f"dw-sim: {exc}"[:200]))
            raise
        self.conn.run(exchange.copy_end(None))

    def __enter__(self) -> RelayCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class RelayCopy:
    def __init__(self, conn: RelayConnection) -> None:
        self.conn = conn

    def write(self, data: bytes) -> None:
        self.conn.run(self.conn.exchange.copy_data(bytes(data)))


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _row_description(payload: bytes) -> list[Column]:
    (count,) = struct.unpack_from("!h", payload)
    pos, columns = 2, []
    for _ in range(count):
        end = payload.index(b"\x00", pos)
        name = payload[pos:end].decode()
        type_oid = struct.unpack_from("!ihihih", payload, end + 1)[2]
        columns.append(Column(name, type_oid))
        pos = end + 19
    return columns


def _data_row(payload: bytes, columns: list[Column]) -> tuple[Any, ...]:
    (count,) = struct.unpack_from("!h", payload)
    pos = 2
    values: list[Any] = []
    for i in range(count):
        (length,) = struct.unpack_from("!i", payload, pos)
        pos += 4
        if length < 0:
            values.append(None)
            continue
        text = payload[pos : pos + length].decode()
        pos += length
        values.append(_value(text, columns[i].type_code if i < len(columns) else 0))
    return tuple(values)


def _value(text: str, oid: int) -> Any:
    """A text-format value as psycopg would load it (the types COPY/UNLOAD look at)."""
    if oid in (INT2, INT4, INT8, OID):
        return int(text)
    if oid in (FLOAT4, FLOAT8):
        return float(text)
    if oid == NUMERIC:
        return Decimal(text)
    if oid == BOOL:
        return text == "t"
    if oid == DATE:
        return dt.date.fromisoformat(text)
    if oid == TIMESTAMP:
        return dt.datetime.fromisoformat(text)
    return text
