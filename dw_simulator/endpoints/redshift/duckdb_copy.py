"""`COPY ... FROM STDIN` / `TO STDOUT` on the embedded DuckDB warehouse (the statement: `copy_stdio.py`).

FROM STDIN: CopyInResponse, then the client's CopyData up to CopyDone (Flush and Sync are ignored meanwhile, as
PostgreSQL does; CopyFail or a disconnect abandons the load with nothing written); the rows are parsed and inserted
in one statement inside the session's transaction. TO STDOUT: CopyOutResponse, one CopyData per row (as
PostgreSQL sends them; psycopg reads one row a message), CopyDone, then `COPY n`.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Awaitable, Callable
from typing import Any

import pyarrow as pa

from dw_simulator.endpoints.redshift import protocol as pg
from dw_simulator.endpoints.redshift.commands import strip_database
from dw_simulator.endpoints.redshift.copy_stdio import CopyStdio, format_rows, header_line, parse_stream
from dw_simulator.endpoints.redshift.duckdb_statements import DuckDBStatements
from dw_simulator.endpoints.redshift.encode import text_array
from dw_simulator.endpoints.redshift.errors import PROTOCOL_VIOLATION, QUERY_CANCELED, EndpointError
from dw_simulator.endpoints.redshift.type_oids import field_for

Run = Callable[..., Awaitable[Any]]  # the engine's `_run`: a function on a worker thread
BATCH_ROWS = 65_536
_COPY_FLOOD = 8 << 20  # bytes of rows sent before waiting for the client to read them


def _copy_response(kind: bytes, columns: int) -> bytes:
    return pg.message(kind, struct.pack(f"!bh{columns}h", 0, columns, *([0] * columns)))


async def copy_in(engine: DuckDBStatements, copy: CopyStdio, run: Run) -> str:
    """Receive the client's rows and load them; the CommandComplete tag."""
    session = engine.session
    columns = await run(_target_columns, engine, copy)
    session.send(_copy_response(b"G", len(columns)))
    await session.drain()
    chunks: list[bytes] = []
    while True:
        kind, payload = await pg.read_message(session.reader)
        if kind == b"d":
            chunks.append(payload)
        elif kind == b"c":
            break
        elif kind == b"f":
            reason = payload.rstrip(b"\x00").decode(errors="replace")
            raise EndpointError(QUERY_CANCELED, f"COPY from stdin failed: {reason}")
        elif kind in (b"H", b"S"):
            continue
        else:
            raise EndpointError(PROTOCOL_VIOLATION, f"unexpected message type {kind!r} during COPY from stdin")
    rows = await run(_load, engine, copy, columns, b"".join(chunks))
    return f"COPY {rows}"


def _target_columns(engine: DuckDBStatements, copy: CopyStdio) -> list[str]:
    engine.park_readers()
    relation = engine.con.sql(f"SELECT * FROM {_table(engine, copy)} LIMIT 0")
    names = list(relation.columns)
    if not copy.columns:
        return names
    wanted = [c.strip('"') if c.startswith('"') else c.lower() for c in copy.columns]
    known = {n.lower(): n for n in names}
    missing = [c for c in wanted if c.lower() not in known]
    if missing:
        raise EndpointError("42703", f'column "{missing[0]}" of relation "{copy.table}" does not exist')
    return [known[c.lower()] for c in wanted]


def _table(engine: DuckDBStatements, copy: CopyStdio) -> str:
    return strip_database(copy.table, engine.target.database)


def _load(engine: DuckDBStatements, copy: CopyStdio, columns: list[str], data: bytes) -> int:
    table = parse_stream(data, columns, copy.options)
    if table.num_rows == 0:
        return 0
    engine.begin_implicit()
    name = "__dwsim_copy_stdin"
    engine.con.register(name, table)
    try:
        cols = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        engine.con.execute(f"INSERT INTO {_table(engine, copy)} ({cols}) SELECT * FROM {name}")
    finally:
        with contextlib.suppress(Exception):  # after a failed INSERT the transaction is aborted: keep its error
            engine.con.unregister(name)
    engine.cache.clear()
    return int(table.num_rows)


async def copy_out(engine: DuckDBStatements, copy: CopyStdio, run: Run) -> str:
    """Send a table's or a query's rows; the CommandComplete tag."""
    session = engine.session
    reader, fields = await run(_open_query, engine, copy)
    session.send(_copy_response(b"H", len(fields)))
    if copy.options.header:
        session.send(pg.message(b"d", header_line([f.name for f in fields], copy.options)))
    rows = 0
    sent = 0
    try:
        while True:
            lines = await run(_next_lines, reader, fields, copy)
            if lines is None:
                break
            session.send(b"".join(pg.message(b"d", line) for line in lines))
            rows += len(lines)
            sent += sum(len(line) for line in lines)
            if sent > _COPY_FLOOD:
                await session.drain()
                sent = 0
    finally:
        reader.close()
    session.send(pg.message(b"c"))
    return f"COPY {rows}"


def _open_query(engine: DuckDBStatements, copy: CopyStdio) -> tuple[Any, list[pg.Field]]:
    engine.park_readers()
    if copy.query:
        prepared = engine._translate(copy.query, None)
        if prepared.kind != "plain" or not prepared.returns_rows:
            raise EndpointError("0A000", "COPY (query) TO STDOUT takes a SELECT")
        sql = prepared.engine_sql
    else:
        cols = ", ".join(copy.columns) if copy.columns else "*"
        sql = f"SELECT {cols} FROM {_table(engine, copy)}"
    relation = engine.con.sql(sql)
    fields = [field_for(n, str(t)) for n, t in zip(relation.columns, relation.types, strict=True)]
    return relation.to_arrow_reader(BATCH_ROWS), fields


def _next_lines(reader: Any, fields: list[pg.Field], copy: CopyStdio) -> list[bytes] | None:
    try:
        batch: pa.RecordBatch = reader.read_next_batch()
    except StopIteration:
        return None
    columns = [text_array(batch.column(i), f.type_oid) for i, f in enumerate(fields)]
    columns = [c if pa.types.is_string(c.type) else c.cast(pa.string()) for c in columns]
    return format_rows(columns, copy.options)
