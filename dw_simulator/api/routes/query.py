"""POST /api/experiments/{name}/query: run SQL; JSON rows (capped), or the full result as CSV or Parquet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from dw_simulator.api.deps import StateDep
from dw_simulator.api.routes.common import errors
from dw_simulator.api.schemas import ColumnOut, QueryOut, QueryRequest, json_value

if TYPE_CHECKING:
    import pyarrow as pa

router = APIRouter(prefix="/api/experiments", tags=["query"])

CSV_TYPE = "text/csv; charset=utf-8"
PARQUET_TYPE = "application/vnd.apache.parquet"
CHUNK_ROWS = 50_000
CHUNK_BYTES = 1024 * 1024
QUERY_TIMEOUT_SETTING = "DW_SIM_API_QUERY_TIMEOUT_S"


@router.post(
    "/{name}/query",
    summary="Run SQL in the experiment's dialect",
    description="JSON (the default) returns at most `limit` rows and says whether more exist (`truncated`). "
    "`format=csv` or `format=parquet` streams the whole result of the last statement as a download.",
    responses=errors(
        400,
        404,
        413,
        422,
        503,
        504,
        extra={
            200: {
                "description": "Rows as JSON, or the full result as a CSV or Parquet file",
                "content": {CSV_TYPE.split(";")[0]: {"schema": {"type": "string"}}, PARQUET_TYPE: {"schema": {}}},
            }
        },
    ),
)
def run_query(
    name: str,
    body: QueryRequest,
    state: StateDep,
    fmt: Annotated[
        Literal["json", "csv", "parquet"], Query(alias="format", description="json (capped rows), csv or parquet")
    ] = "json",
) -> Any:
    timeout = state.api.api_query_timeout_s
    if fmt == "json":
        limit = min(body.limit or state.settings.query_row_limit, state.api.api_max_result_rows)
        result = state.call_with_limit(
            lambda sim: sim.query(name, body.sql, limit=limit, dialect=body.dialect),
            timeout_s=timeout,
            what="the query",
            setting=QUERY_TIMEOUT_SETTING,
        )
        return QueryOut(
            experiment=name,
            columns=[ColumnOut(name=c, type=t) for c, t in zip(result.columns, result.types, strict=False)],
            rows=[[json_value(v) for v in row] for row in result.rows],
            row_count=len(result.rows),
            truncated=result.truncated,
            elapsed_s=result.elapsed_s,
            statements=result.statements,
            rows_affected=result.rows_affected,
        )
    table = state.call_with_limit(
        lambda sim: sim.query_arrow(name, body.sql, dialect=body.dialect),
        timeout_s=timeout,
        what="the query",
        setting=QUERY_TIMEOUT_SETTING,
    )
    filename = re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "result"
    if fmt == "csv":
        return StreamingResponse(
            _csv_chunks(table),
            media_type=CSV_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    return StreamingResponse(
        _parquet_chunks(table),
        media_type=PARQUET_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}.parquet"'},
    )


def _csv_chunks(table: pa.Table) -> Iterator[bytes]:
    """CSV with a header row; NULL is an empty field. pyarrow writes it when it can, Python's csv otherwise."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if any(pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type) for f in table.schema):
        yield from _python_csv_chunks(table)  # bytes as base64, like the JSON rows
        return
    sink = io.BytesIO()
    try:
        writer = pacsv.CSVWriter(sink, table.schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # nested types: lists, structs, maps
        yield from _python_csv_chunks(table)
        return
    with writer:
        for batch in table.to_batches(max_chunksize=CHUNK_ROWS):
            writer.write_batch(batch)
            if sink.tell() >= CHUNK_BYTES:
                yield _drain(sink)
    yield _drain(sink)


def _python_csv_chunks(table: pa.Table) -> Iterator[bytes]:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(table.column_names)
    for batch in table.to_batches(max_chunksize=CHUNK_ROWS):
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
        import json

        return json.dumps(converted)
    return converted


def _parquet_chunks(table: pa.Table) -> Iterator[bytes]:
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    view = sink.getbuffer()
    for start in range(0, len(view), CHUNK_BYTES):
        yield bytes(view[start : start + CHUNK_BYTES])


def _drain(sink: io.BytesIO) -> bytes:
    data = sink.getvalue()
    sink.seek(0)
    sink.truncate()
    return data
