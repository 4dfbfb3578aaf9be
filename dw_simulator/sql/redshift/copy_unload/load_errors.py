"""Rejected rows of a COPY as STL_LOAD_ERRORS rows, and the error that fails the statement.

https://docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.copy_unload.actions import CopyAction
from dw_simulator.sql.redshift.copy_unload.target import ColumnInfo, CopyTarget

MAX_RAW = 1024


def fail_whole(
    target: CopyTarget, action: CopyAction, table: str, url: str, query_id: int, code: int, reason: str
) -> Any:
    target.record_load_errors([error_row(table, url, query_id, 0, None, "", "", code, reason)])
    raise QueryError(
        f"Load into table '{short_name(table)}' failed.  Check 'stl_load_errors' system table for details. ({reason})"
    )


def short_name(table: str) -> str:
    """`"schema"."table"` -> `table`, as Redshift names it in its messages."""
    return table.split(".")[-1].strip('"')


def error_row(
    table: str,
    url: str,
    query_id: int,
    line: int,
    column: ColumnInfo | None,
    raw_line: str,
    raw_value: str,
    code: int,
    reason: str,
    position: int = 0,
) -> dict[str, Any]:
    return {
        "userid": 100,
        "slice": 0,
        "tbl": 0,
        "starttime": datetime.now(UTC).replace(tzinfo=None),
        "session": 0,
        "query": query_id,
        "filename": url[:256],
        "line_number": line,
        "colname": (column.name if column else "")[:127],
        "type": (column.redshift_type if column else "")[:10],
        "col_length": str(column.length or column.precision or "") if column else "",
        "position": position,
        "raw_line": raw_line[:MAX_RAW],
        "raw_field_value": raw_value[:MAX_RAW],
        "err_code": code,
        "err_reason": reason[:100],
        "is_partial": 0,
        "start_offset": 0,
        "copy_job_id": 0,
    }
