"""Stream Arrow record batches into PostgreSQL with `COPY ... FROM STDIN (FORMAT csv)`.

Arrow's C++ CSV writer encodes each batch (it quotes every string, so NULL -- an unquoted empty field -- and ''
stay distinct, as PostgreSQL's CSV format expects); a producer thread reads and encodes the next batches while the
connection sends the current one.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

_DONE = object()
QUEUE_DEPTH = 4


def _printable(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Binary columns become bytea hex text; everything else is written by Arrow as is."""
    columns = []
    changed = False
    for column in batch.columns:
        if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
            values = [None if v is None else "\\x" + v.hex() for v in column.to_pylist()]
            columns.append(pa.array(values, type=pa.string()))
            changed = True
        elif pa.types.is_dictionary(column.type):
            columns.append(pc.cast(column, column.type.value_type))
            changed = True
        else:
            columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names) if changed else batch


def encode(batch: pa.RecordBatch) -> bytes:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(_printable(batch), sink, pacsv.WriteOptions(include_header=False, batch_size=65_536))
    return bytes(sink.getvalue().to_pybytes())


def copy_batches(cursor: Any, copy_sql: str, batches: Iterator[pa.RecordBatch]) -> int:
    """Run `copy_sql` (a COPY ... FROM STDIN (FORMAT csv)) fed with the batches; returns rows sent."""
    chunks: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_DEPTH)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                if batch.num_rows:
                    chunks.put((batch.num_rows, encode(batch)))
            chunks.put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            chunks.put(exc)

    producer = threading.Thread(target=produce, name="dwsim-copy-encoder", daemon=True)
    producer.start()
    rows = 0
    try:
        with cursor.copy(copy_sql) as copy:
            while True:
                item = chunks.get()
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                count, data = item
                copy.write(data)
                rows += count
    finally:
        stop.set()
        while producer.is_alive():
            try:
                chunks.get_nowait()
            except queue.Empty:
                producer.join(timeout=0.05)
    return rows
