"""POST /api/experiments/{name}/query: run SQL; JSON rows (capped), or the full result as CSV or Parquet."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from dw_simulator.api.deps import StateDep
from dw_simulator.api.errors import TimeLimitError
from dw_simulator.api.queries import QueryCancelledError
from dw_simulator.api.routes.common import errors
from dw_simulator.api.schemas import ColumnOut, QueryOut, QueryRequest, json_value
from dw_simulator.api.state import AppState
from dw_simulator.errors import DwSimError, QueryError

if TYPE_CHECKING:
    import pyarrow as pa

router = APIRouter(prefix="/api/experiments", tags=["query"])

CSV_TYPE = "text/csv; charset=utf-8"
PARQUET_TYPE = "application/vnd.apache.parquet"
JSONL_TYPE = "application/jsonl"
MEDIA_TYPES = {"csv": CSV_TYPE, "parquet": PARQUET_TYPE, "jsonl": JSONL_TYPE}
CHUNK_ROWS = 50_000
CHUNK_BYTES = 1024 * 1024
QUERY_TIMEOUT_SETTING = "DW_SIM_API_QUERY_TIMEOUT_S"


@router.post(
    "/{name}/query",
    summary="Run SQL in the experiment's dialect",
    description="JSON (the default) returns at most `limit` rows and says whether more exist (`truncated`). "
    "`format=csv`, `parquet` or `jsonl` (JSON Lines) streams the whole result of the last statement as a "
    "download. With a `query_id`, `POST /api/queries/{query_id}/cancel` interrupts the query.",
    responses=errors(
        400,
        404,
        409,
        413,
        422,
        503,
        504,
        extra={
            200: {
                "description": "Rows as JSON, or the full result as a CSV, Parquet or JSON Lines file",
                "content": {
                    CSV_TYPE.split(";")[0]: {"schema": {"type": "string"}},
                    PARQUET_TYPE: {"schema": {}},
                    JSONL_TYPE: {"schema": {"type": "string"}},
                },
            }
        },
    ),
)
def run_query(
    name: str,
    body: QueryRequest,
    state: StateDep,
    fmt: Annotated[
        Literal["json", "csv", "parquet", "jsonl"],
        Query(alias="format", description="json (capped rows), or the full result as csv, parquet or jsonl"),
    ] = "json",
) -> Any:
    timeout = state.api.api_query_timeout_s
    if fmt != "json":
        return _export(name, body, state, fmt)
    limit = min(body.limit or state.settings.query_row_limit, state.api.api_max_result_rows)
    with state.queries.track(body.query_id) as tracked:
        try:
            result = state.call_with_limit(
                lambda sim: sim.query(name, body.sql, limit=limit, dialect=body.dialect),
                timeout_s=timeout,
                what="the query",
                setting=QUERY_TIMEOUT_SETTING,
                on_sim=tracked.attach,
            )
        except DwSimError:
            if tracked.cancelled:
                raise QueryCancelledError(tracked.message()) from None
            raise
    return QueryOut(
        experiment=name,
        columns=[ColumnOut(name=c, type=t) for c, t in zip(result.columns, result.types, strict=False)],
        rows=[[json_value(v) for v in row] for row in result.rows],
        row_count=len(result.rows),
        truncated=result.truncated,
        total_rows=result.total_rows if result.truncated else len(result.rows),
        elapsed_s=result.elapsed_s,
        statements=result.statements,
        rows_affected=result.rows_affected,
    )


def _export(name: str, body: QueryRequest, state: AppState, fmt: str) -> StreamingResponse:
    """Stream the whole result: the warehouse's batches are written out as they come (memory stays bounded where
    the warehouse streams: DuckDB). The time limit covers the query until its first batch; Cancel covers it all."""
    tracker = state.queries.track(body.query_id)
    tracked = tracker.__enter__()
    sim = state.sibling()
    closed = threading.Event()

    def close() -> None:
        if not closed.is_set():
            closed.set()
            sim.release_backends()
            tracker.__exit__(None, None, None)

    timer = threading.Timer(state.api.api_query_timeout_s, sim.interrupt)
    try:
        tracked.attach(sim)
        timer.start()
        reader = sim.query_batches(name, body.sql, dialect=body.dialect, batch_rows=CHUNK_ROWS)
        first = _next_batch(reader)
    except DwSimError:
        close()
        if tracked.cancelled:
            raise QueryCancelledError(tracked.message()) from None
        if not timer.is_alive():
            raise _time_limit(state.api.api_query_timeout_s) from None
        raise
    except BaseException:
        close()
        raise
    finally:
        timer.cancel()
    batches = itertools.chain([first] if first is not None else [], _rest(reader))
    writer = {"csv": _csv_chunks, "parquet": _parquet_chunks, "jsonl": _jsonl_chunks}[fmt]

    def chunks() -> Iterator[bytes]:
        try:
            yield from writer(reader.schema, batches)
        finally:
            close()

    filename = re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "result"
    return StreamingResponse(
        chunks(),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
        background=BackgroundTask(close),
    )


def _time_limit(limit_s: float) -> TimeLimitError:
    return TimeLimitError(
        f"the query ran past the time limit of {limit_s:g} s and was stopped; make it smaller "
        f"(a LIMIT or a filter) or raise {QUERY_TIMEOUT_SETTING}",
        details=[{"message": "time limit reached", "limit_s": limit_s}],
    )


def _next_batch(reader: pa.RecordBatchReader) -> pa.RecordBatch | None:
    import pyarrow as pa

    try:
        return reader.read_next_batch()
    except StopIteration:
        return None
    except pa.ArrowException as exc:
        raise QueryError(str(exc)) from None


def _rest(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
    while (batch := _next_batch(reader)) is not None:
        yield batch


def _csv_chunks(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> Iterator[bytes]:
    """CSV with a header row; NULL is an empty field. pyarrow writes it when it can, Python's csv otherwise."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if any(pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type) for f in schema):
        yield from _python_csv_chunks(schema, batches)  # bytes as base64, like the JSON rows
        return
    sink = io.BytesIO()
    try:
        writer = pacsv.CSVWriter(sink, schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # nested types: lists, structs, maps
        yield from _python_csv_chunks(schema, batches)
        return
    with writer:
        for batch in batches:
            writer.write_batch(batch)
            if sink.tell() >= CHUNK_BYTES:
                yield _drain(sink)
    yield _drain(sink)


def _python_csv_chunks(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> Iterator[bytes]:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(schema.names)
    for batch in batches:
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for row in zip(*columns, strict=False):
            writer.writerow(["" if v is None else _csv_value(v) for v in row])
        yield text.getvalue().encode("utf-8")
        text.seek(0)
        text.truncate()
    rest = text.getvalue()
    if rest:
        yield rest.encode("utf-8")


def _csv_value(value: Any) -> Any:
    converted = json_value(value)
    if isinstance(converted, dict | list):
        return json.dumps(converted)
    return converted


def _jsonl_chunks(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> Iterator[bytes]:
    """JSON Lines: one object per row, values as in the JSON rows (exact decimals as strings)."""
    names = schema.names
    for batch in batches:
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        lines = [
            json.dumps({n: json_value(v) for n, v in zip(names, row, strict=False)}, ensure_ascii=False)
            for row in zip(*columns, strict=False)
        ]
        if lines:
            yield ("\n".join(lines) + "\n").encode("utf-8")


class _Sink(io.RawIOBase):
    """A write-only file that hands what was written to the response as it comes; `tell` counts every byte, so
    the Parquet footer's offsets stay right."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.written += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.written

    def drain(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def _parquet_chunks(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> Iterator[bytes]:
    import pyarrow.parquet as pq

    sink = _Sink()
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        for batch in batches:
            writer.write_batch(batch)
            if sink.parts:
                yield sink.drain()
    yield sink.drain()


def _drain(sink: io.BytesIO) -> bytes:
    data = sink.getvalue()
    sink.seek(0)
    sink.truncate()
    return data
