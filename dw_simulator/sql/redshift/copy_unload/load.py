"""COPY: plan the target columns, read the source objects, convert each row, record rejected rows, and load what
passed into the table in one call, failing the statement when more than MAXERROR rows were rejected.

https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.copy_unload.actions import CopyAction
from dw_simulator.sql.redshift.copy_unload.load_errors import error_row, fail_whole, short_name
from dw_simulator.sql.redshift.copy_unload.readers import MISSING, records
from dw_simulator.sql.redshift.copy_unload.sources import read_object, source_objects
from dw_simulator.sql.redshift.copy_unload.target import ColumnInfo, CopyTarget
from dw_simulator.sql.redshift.copy_unload.text_values import Converter, RowError

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.staging import Stage


def run_copy(action: CopyAction, target: CopyTarget, stage: Stage, *, query_id: int = 0) -> int:
    """Execute a COPY; returns the rows loaded."""
    table_name, table_columns = target.table_columns(action.table)
    if action.columns:
        by_name = {c.name.lower(): c for c in table_columns}
        missing = [c for c in action.columns if c not in by_name]
        if missing:
            raise QueryError(f'column "{missing[0]}" of relation "{table_name}" does not exist')
        columns = [by_name[c] for c in action.columns]
    else:
        columns = table_columns
    urls = source_objects(action, stage)
    if action.format == "parquet":
        return _copy_parquet(action, target, stage, urls, columns, table_name, query_id)
    return _copy_rows(action, target, stage, urls, columns, table_name, query_id)


def _copy_parquet(
    action: CopyAction,
    target: CopyTarget,
    stage: Stage,
    urls: list[str],
    columns: list[ColumnInfo],
    table_name: str,
    query_id: int,
) -> int:
    import pyarrow.parquet as pq

    def batches() -> Iterator[pa.RecordBatch]:
        for url in urls:
            local = stage.local_path(url)
            source: Any = str(local) if local is not None else io.BytesIO(stage.read(url))
            try:
                parquet = pq.ParquetFile(source)
            except Exception as exc:
                fail_whole(target, action, table_name, url, query_id, 1216, f"Invalid Parquet file: {exc}")
            names = parquet.schema_arrow.names
            lowered = [n.lower() for n in names]
            if all(c.name.lower() in lowered for c in columns):
                picked = [names[lowered.index(c.name.lower())] for c in columns]
            elif len(names) == len(columns):
                picked = names
            else:
                fail_whole(
                    target,
                    action,
                    table_name,
                    url,
                    query_id,
                    1202 if len(names) > len(columns) else 1203,
                    f"The Parquet file has {len(names)} columns and the table {len(columns)}",
                )
            yield from parquet.iter_batches(batch_size=65_536, columns=picked)

    try:
        return target.load_arrow(table_name, [c.name for c in columns], batches())
    except QueryError:
        raise
    except Exception as exc:
        fail_whole(target, action, table_name, urls[0], query_id, 1216, str(exc).splitlines()[0][:100])
        raise  # unreachable


def _copy_rows(
    action: CopyAction,
    target: CopyTarget,
    stage: Stage,
    urls: list[str],
    columns: list[ColumnInfo],
    table_name: str,
    query_id: int,
) -> int:
    import pyarrow as pa

    options = action.options
    converter = Converter(options.get("dateformat"), options.get("timeformat"))
    null_as = options.get("null")
    if null_as is None and action.format == "text":
        null_as = "\\N"
    max_error = int(options.get("maxerror", 0) or 0)
    errors: list[dict[str, Any]] = []
    good: list[list[Any]] = []
    for url in urls:
        data = read_object(url, stage, options)
        iterator = records(action, data, columns)
        while True:
            try:
                item = next(iterator)
            except StopIteration:
                break
            except RowError as exc:
                errors.append(error_row(table_name, url, query_id, 0, None, "", "", exc.code, exc.reason))
                break
            line, raw, fields = item
            if fields is None:
                errors.append(error_row(table_name, url, query_id, line, None, raw, raw, 1224, "Invalid JSON record"))
                continue
            if action.format != "json":
                if len(fields) > len(columns):
                    errors.append(
                        error_row(table_name, url, query_id, line, None, raw, "", 1202, "Extra column(s) found")
                    )
                    continue
                if len(fields) < len(columns):
                    if options.get("fillrecord"):
                        fields = fields + [""] * (len(columns) - len(fields))
                    else:
                        errors.append(
                            error_row(
                                table_name,
                                url,
                                query_id,
                                line,
                                columns[len(fields)],
                                raw,
                                "",
                                1214,
                                "Delimiter not found",
                            )
                        )
                        continue
            row: list[Any] = []
            failed = False
            for column, raw_value in zip(columns, fields, strict=True):
                try:
                    row.append(_field_value(column, raw_value, converter, options, null_as, action.format))
                except RowError as exc:
                    shown = raw_value if isinstance(raw_value, str) else json.dumps(raw_value)
                    errors.append(error_row(table_name, url, query_id, line, column, raw, shown, exc.code, exc.reason))
                    failed = True
                    break
            if not failed:
                good.append(row)
    if errors:
        target.record_load_errors(errors)
        if len(errors) > max_error:
            raise QueryError(
                f"Load into table '{short_name(table_name)}' failed.  Check 'stl_load_errors' system table for "
                f"details. ({len(errors)} bad record(s), MAXERROR {max_error}; first: line {errors[0]['line_number']},"
                f" {errors[0]['err_reason']})"
            )
    arrays = [pa.array([r[i] for r in good], type=_arrow_type(c)) for i, c in enumerate(columns)]
    batch = pa.RecordBatch.from_arrays(arrays, names=[c.name for c in columns])
    return target.load_arrow(table_name, [c.name for c in columns], iter([batch]) if good else iter([]))


def _field_value(
    column: ColumnInfo, raw: Any, converter: Converter, options: dict[str, Any], null_as: str | None, fmt: str
) -> Any:
    if raw is MISSING or raw is None:
        value: Any = None
    elif fmt == "json" and not isinstance(raw, str):
        if column.kind == "json":
            return json.dumps(raw, separators=(",", ":"))
        value = (
            json.dumps(raw)
            if isinstance(raw, dict | list)
            else ("true" if raw is True else "false" if raw is False else str(raw))
        )
    else:
        value = raw
    if isinstance(value, str):
        if options.get("trimblanks") and column.kind in ("varchar", "char"):
            value = value.rstrip()
        if (
            (null_as is not None and value == null_as)
            or (value == "" and (column.kind not in ("varchar", "char") or options.get("emptyasnull")))
            or (value.strip() == "" and options.get("blanksasnull"))
        ):
            value = None
        elif column.kind in ("varchar", "char") and options.get("truncatecolumns") and column.length:
            value = value.encode()[: column.length].decode(errors="ignore")
    if value is None:
        if not column.nullable:
            raise RowError(1213, "Missing data for not-null field")
        return None
    return converter.value(column, value)


def _arrow_type(column: ColumnInfo) -> pa.DataType:
    import pyarrow as pa

    kind = column.kind
    if kind == "int2":
        return pa.int16()
    if kind == "int4":
        return pa.int32()
    if kind == "int8":
        return pa.int64()
    if kind == "float":
        return pa.float64()
    if kind == "numeric":
        precision = column.precision or 38
        return pa.decimal128(precision, column.scale or 0)
    if kind == "bool":
        return pa.bool_()
    if kind == "date":
        return pa.date32()
    if kind == "time":
        return pa.time64("us")
    if kind == "timestamp":
        return pa.timestamp("us")
    if kind == "timestamptz":
        return pa.timestamp("us", tz="UTC")
    if kind == "binary":
        return pa.binary()
    return pa.string()
