"""UNLOAD: run the quoted query through the Redshift layer and write PARQUET, CSV or delimited text under the
prefix, with Redshift's file names and manifest.

https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.copy_unload.actions import UnloadAction
from dw_simulator.sql.redshift.copy_unload.target import CopyTarget

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.staging import Stage


def run_unload(action: UnloadAction, target: CopyTarget, stage: Stage) -> int:
    """Execute an UNLOAD; returns the rows written."""
    options = action.options
    table = target.query_arrow(action.query)
    prefix = action.target
    existing = stage.list(prefix)
    if existing and not options.get("allowoverwrite"):
        raise QueryError(
            "Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, manually "
            "removing the target files in S3, or using the ALLOWOVERWRITE option."
        )
    fmt = options.get("format", "text")
    parallel = options.get("parallel", True)
    serial = isinstance(parallel, str) and parallel.upper() in ("OFF", "FALSE")
    name = prefix + ("000" if serial else "0000_part_00")
    if fmt == "parquet":
        import pyarrow.parquet as pq

        name += ".parquet"
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="snappy")
        data = sink.getvalue()
    else:
        data = _delimited(table, options, fmt)
        if options.get("extension"):
            name += "." + str(options["extension"]).lstrip(".")
        if options.get("gzip"):
            data = gzip.compress(data)
            name += ".gz"
    stage.write(name, data)
    if options.get("manifest"):
        entry: dict[str, Any] = {"url": name}
        manifest: dict[str, Any] = {"entries": [entry]}
        if options.get("verbose"):
            entry["meta"] = {"content_length": len(data), "record_count": table.num_rows}
            manifest["schema"] = {"elements": [{"name": f.name, "type": {"base": str(f.type)}} for f in table.schema]}
            manifest["meta"] = {"content_length": len(data), "record_count": table.num_rows}
        stage.write(prefix + "manifest", json.dumps(manifest).encode())
    return int(table.num_rows)


def _text_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _delimited(table: pa.Table, options: dict[str, Any], fmt: str) -> bytes:
    delimiter = options.get("delimiter") or ("," if fmt == "csv" else "|")
    null_as = options.get("null", "")
    out = io.StringIO()
    rows = (
        [null_as if (v := _text_value(value)) is None else v for value in row.values()] for row in table.to_pylist()
    )
    if fmt == "csv":
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        if options.get("header"):
            writer.writerow(table.column_names)
        writer.writerows(rows)
        return out.getvalue().encode()
    # delimited text: values as they are; ESCAPE puts a backslash before delimiters, newlines and backslashes
    escape = bool(options.get("escape"))
    quote = bool(options.get("addquotes"))

    def cell(value: str) -> str:
        if escape:
            value = value.replace("\\", "\\\\").replace(delimiter, "\\" + delimiter).replace("\n", "\\\n")
        return f'"{value}"' if quote else value

    if options.get("header"):
        out.write(delimiter.join(table.column_names) + "\n")
    for values in rows:
        out.write(delimiter.join(cell(v) for v in values) + "\n")
    return out.getvalue().encode()
