"""Redshift COPY and UNLOAD, executed by dw-sim against the staging area (S3 or the local folder).

COPY https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html reads every object under the S3 prefix (or the
files a MANIFEST lists) as PARQUET, CSV, JSON 'auto' or delimited text, checks each row against the target
columns, records rejected rows in STL_LOAD_ERRORS with Redshift's columns and error codes
(https://docs.aws.amazon.com/redshift/latest/dg/r_Load_Error_Reference.html), and fails the statement when there
are more than MAXERROR of them (default 0), as Redshift does.

UNLOAD https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html runs the quoted query through the Redshift
layer and writes PARQUET, CSV or delimited text under the prefix, with Redshift's file names.

The engine side is a `CopyTarget` (PostgreSQL and DuckDB each provide one).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.split import mask, unquote_string

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.staging import Stage

_I = re.IGNORECASE
MAX_RAW = 1024


# -- the engine side -------------------------------------------------------------------------------------------------
@dataclass
class ColumnInfo:
    name: str
    kind: str  # int2 int4 int8 float numeric varchar char bool date time timestamp timestamptz json binary
    nullable: bool = True
    length: int | None = None
    precision: int | None = None
    scale: int | None = None

    @property
    def redshift_type(self) -> str:
        return {
            "int2": "int2",
            "int4": "int4",
            "int8": "int8",
            "float": "float8",
            "numeric": "numeric",
            "varchar": "varchar",
            "char": "char",
            "bool": "bool",
            "date": "date",
            "time": "time",
            "timestamp": "timestamp",
            "timestamptz": "timestamptz",
            "json": "super",
            "binary": "varbyte",
        }.get(self.kind, self.kind)


class CopyTarget(Protocol):
    """What COPY/UNLOAD need from an engine."""

    def table_columns(self, table: str) -> tuple[str, list[ColumnInfo]]:
        """(table's resolved display name, its columns); raises QueryError when the table does not exist."""

    def load_arrow(self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]) -> int:
        """Append the batches to the table (inside the statement's transaction); returns rows loaded."""

    def record_load_errors(self, rows: list[dict[str, Any]]) -> None:
        """Add rows to STL_LOAD_ERRORS so that they survive the failure of the statement."""

    def query_arrow(self, redshift_sql: str) -> pa.Table:
        """Run a Redshift SELECT and return its result."""


# -- statement parsing -----------------------------------------------------------------------------------------------
@dataclass
class CopyAction:
    table: str
    columns: list[str] | None
    source: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def format(self) -> str:
        return str(self.options.get("format", "text"))


@dataclass
class UnloadAction:
    query: str
    target: str
    options: dict[str, Any] = field(default_factory=dict)


_TOKEN = re.compile(r"\x00\d+\x00|\(|\)|,|[^\s(),]+")
_FORMATS = ("CSV", "PARQUET", "JSON", "AVRO", "ORC", "TEXT")
_FLAGS = {
    "GZIP",
    "BZIP2",
    "LZOP",
    "ZSTD",
    "MANIFEST",
    "EMPTYASNULL",
    "BLANKSASNULL",
    "TRIMBLANKS",
    "TRUNCATECOLUMNS",
    "FILLRECORD",
    "REMOVEQUOTES",
    "ESCAPE",
    "ACCEPTANYDATE",
    "IGNOREBLANKLINES",
    "EXPLICIT_IDS",
    "ROUNDEC",
    "HEADER",
    "ALLOWOVERWRITE",
    "ADDQUOTES",
    "CLEANPATH",
    "VERBOSE",
    "IGNOREALLERRORS",
    "NOLOAD",
    "SERIALIZETOJSON",
}
_VALUED = {
    "IAM_ROLE",
    "CREDENTIALS",
    "ACCESS_KEY_ID",
    "SECRET_ACCESS_KEY",
    "SESSION_TOKEN",
    "REGION",
    "DELIMITER",
    "IGNOREHEADER",
    "DATEFORMAT",
    "TIMEFORMAT",
    "NULL",
    "MAXERROR",
    "QUOTE",
    "ENCODING",
    "ACCEPTINVCHARS",
    "COMPUPDATE",
    "STATUPDATE",
    "MAXFILESIZE",
    "EXTENSION",
    "KMS_KEY_ID",
    "ROWGROUPSIZE",
    "FIXEDWIDTH",
    "PARALLEL",
    "JSONPATHS",
}
_OPTIONAL_VALUE = {"ACCEPTINVCHARS", "COMPUPDATE", "STATUPDATE", "PARALLEL"}


def _parse_options(tokens: list[str], unmask: Any, statement: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    i = 0

    def value_at(j: int) -> str:
        raw = unmask(tokens[j])
        return unquote_string(raw) if raw.startswith("'") else raw

    while i < len(tokens):
        word = tokens[i].upper()
        i += 1
        if word == "WITH":
            continue
        if word == "FORMAT":
            if i < len(tokens) and tokens[i].upper() == "AS":
                i += 1
            if i >= len(tokens) or tokens[i].upper() not in _FORMATS:
                raise QueryError(f"FORMAT must be followed by one of {', '.join(_FORMATS)}: {statement[:120]}")
            word = tokens[i].upper()
            i += 1
        if word in _FORMATS:
            options["format"] = word.lower()
            if i < len(tokens) and tokens[i].upper() == "AS" and word == "JSON":
                i += 1
            if i < len(tokens) and tokens[i].startswith("\x00") and word in ("JSON", "AVRO"):
                options["json_option"] = value_at(i)
                i += 1
            continue
        if word in _FLAGS:
            if word == "MANIFEST" and i < len(tokens) and tokens[i].upper() == "VERBOSE":
                options["verbose"] = True
                i += 1
            options[word.lower()] = True
            continue
        if word in _VALUED:
            if i < len(tokens) and tokens[i].upper() == "AS":
                i += 1
            if word in _OPTIONAL_VALUE and (i >= len(tokens) or tokens[i].upper() in _FLAGS | _VALUED | {"FORMAT"}):
                options[word.lower()] = True
                continue
            if i >= len(tokens):
                raise QueryError(f"{word} needs a value: {statement[:120]}")
            value = value_at(i)
            i += 1
            if word == "MAXFILESIZE" and i < len(tokens) and tokens[i].upper() in ("MB", "GB"):
                i += 1
            options[word.lower()] = value
            continue
        raise QueryError(f"unsupported COPY/UNLOAD option '{tokens[i - 1]}' in: {statement[:160]}")
    return options


def parse_action(statement: str, kind: str) -> CopyAction | UnloadAction:
    masked = mask(statement)
    tokens = _TOKEN.findall(masked.text)
    if kind == "copy":
        # COPY table [(col, ...)] FROM 'source' options...
        if len(tokens) < 4:
            raise QueryError(f"incomplete COPY statement: {statement[:120]}")
        table = masked.unmask(tokens[1])
        i = 2
        columns: list[str] | None = None
        if tokens[i] == "(":
            end = tokens.index(")", i)
            columns = [masked.unmask(t).strip('"').lower() for t in tokens[i + 1 : end] if t != ","]
            i = end + 1
        if tokens[i].upper() != "FROM" or i + 1 >= len(tokens):
            raise QueryError(f"COPY needs FROM 's3://bucket/prefix': {statement[:120]}")
        source = unquote_string(masked.unmask(tokens[i + 1]))
        options = _parse_options(tokens[i + 2 :], masked.unmask, statement)
        if "jsonpaths" in options or (
            options.get("format") == "json" and not str(options.get("json_option", "auto")).lower().startswith("auto")
        ):
            raise QueryError("COPY ... JSON with a JSONPaths file is not supported by dw-sim; use JSON 'auto'")
        if options.get("format") in ("avro", "orc"):
            raise QueryError(f"COPY FORMAT {options['format'].upper()} is not supported by dw-sim")
        return CopyAction(table=table, columns=columns, source=source, options=options)
    # UNLOAD ('select ...') TO 's3://...' options...
    if len(tokens) < 5 or tokens[1] != "(" or not tokens[2].startswith("\x00") or tokens[3] != ")":
        raise QueryError(f"UNLOAD needs ('select ...') TO 's3://...': {statement[:120]}")
    query = unquote_string(masked.unmask(tokens[2]))
    if tokens[4].upper() != "TO" or len(tokens) < 6:
        raise QueryError(f"UNLOAD needs TO 's3://bucket/prefix': {statement[:120]}")
    target = unquote_string(masked.unmask(tokens[5]))
    options = _parse_options(tokens[6:], masked.unmask, statement)
    if "partition" in options:
        raise QueryError("UNLOAD ... PARTITION BY is not supported by dw-sim")
    return UnloadAction(query=query, target=target, options=options)


# -- value conversion for text formats -------------------------------------------------------------------------------
class RowError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


_INT_RANGES = {"int2": (-(2**15), 2**15 - 1), "int4": (-(2**31), 2**31 - 1), "int8": (-(2**63), 2**63 - 1)}
_TRUE = {"t", "true", "1", "y", "yes", "on"}
_FALSE = {"f", "false", "0", "n", "no", "off"}
_TYPE_NAMES = {"int2": "Short Integer", "int4": "Integer", "int8": "Long Integer"}


def redshift_format_to_strptime(fmt: str) -> str:
    """'YYYY-MM-DD HH24:MI:SS' -> '%Y-%m-%d %H:%M:%S' (https://docs.aws.amazon.com/redshift/latest/dg/r_DATEFORMAT_and_TIMEFORMAT_strings.html)."""
    out = fmt
    for src, dst in (
        ("YYYY", "%Y"),
        ("HH24", "%H"),
        ("HH12", "%I"),
        ("MONTH", "%B"),
        ("MON", "%b"),
        ("YY", "%y"),
        ("MM", "%m"),
        ("DD", "%d"),
        ("HH", "%H"),
        ("MI", "%M"),
        ("SS", "%S"),
        ("AM", "%p"),
        ("PM", "%p"),
        (".US", ".%f"),
        (".SSSSSS", ".%f"),
    ):
        out = out.replace(src, dst)
    return out


_AUTO_DATE = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d-%b-%Y", "%Y%m%d", "%b %d %Y", "%d %b %Y", "%m-%d-%Y")
_AUTO_TS = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%Y-%m-%d",
)


@dataclass
class Converter:
    dateformat: str | None
    timeformat: str | None

    def date(self, text: str) -> date:
        fmt = self.dateformat
        formats = _AUTO_DATE if fmt is None or fmt.lower() == "auto" else (redshift_format_to_strptime(fmt),)
        if fmt is None:
            formats = ("%Y-%m-%d",)
        for f in formats:
            try:
                return datetime.strptime(text.strip(), f).date()
            except ValueError:
                continue
        raise RowError(
            1205,
            "Invalid Date Format - length must be 10 or more"
            if len(text) < 10
            else "Invalid date format - Invalid digit encountered",
        )

    def timestamp(self, text: str, tz: bool) -> datetime:
        fmt = (self.timeformat or "").lower()
        value = text.strip()
        if fmt in ("epochsecs", "epochmillisecs"):
            try:
                number = float(value)
            except ValueError:
                raise RowError(1206, "Invalid timestamp format or value [epoch]") from None
            seconds = number / 1000 if fmt == "epochmillisecs" else number
            stamp = datetime(1970, 1, 1) + timedelta(seconds=seconds)
            return stamp.replace(tzinfo=UTC) if tz else stamp
        if self.timeformat and fmt != "auto":
            formats: tuple[str, ...] = (redshift_format_to_strptime(self.timeformat),)
        else:
            formats = _AUTO_TS
        offset = None
        match = re.search(r"([+-]\d{2}(:?\d{2})?|Z)$", value) if tz else None
        if match:
            offset = match.group(1)
            value = value[: match.start()].strip()
        for f in formats:
            try:
                stamp = datetime.strptime(value, f)
            except ValueError:
                continue
            if tz:
                if offset and offset != "Z":
                    sign = -1 if offset[0] == "-" else 1
                    digits = offset[1:].replace(":", "")
                    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
                    stamp = (stamp - sign * delta).replace(tzinfo=UTC)
                else:
                    stamp = stamp.replace(tzinfo=UTC)
            return stamp
        raise RowError(1206, "Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS]")

    def value(self, column: ColumnInfo, text: str) -> Any:
        kind = column.kind
        if kind in _INT_RANGES:
            stripped = text.strip()
            if not re.fullmatch(r"[+-]?\d+", stripped):
                bad = next((i for i, ch in enumerate(stripped) if not (ch.isdigit() or (i == 0 and ch in "+-"))), 0)
                raise RowError(
                    1207, f"Invalid digit, Value '{stripped[bad : bad + 1]}', Pos {bad}, Type: {_TYPE_NAMES[kind]}"
                )
            whole = int(stripped)
            low, high = _INT_RANGES[kind]
            if not low <= whole <= high:
                raise RowError(1216, f"Overflow, Value '{stripped}', Type: {_TYPE_NAMES[kind]}")
            return whole
        if kind == "float":
            try:
                return float(text)
            except ValueError:
                raise RowError(1208, f"Invalid digit, Value '{text[:1]}', Pos 0, Type: Double") from None
        if kind == "numeric":
            try:
                number = Decimal(text.strip())
            except InvalidOperation:
                raise RowError(1209, f"Invalid digit, Value '{text[:1]}', Pos 0, Type: Decimal") from None
            if column.precision is not None and number.is_finite():
                scale = column.scale or 0
                number = number.quantize(Decimal(10) ** -scale)
                digits = len(number.as_tuple().digits) if number != 0 else 1
                if digits - scale > column.precision - scale and abs(number) >= Decimal(10) ** (
                    column.precision - scale
                ):
                    raise RowError(1216, f"Numeric data overflow (result precision), Value '{text}'")
            return number
        if kind == "bool":
            lowered = text.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise RowError(1210, f"Invalid boolean value '{text}'")
        if kind == "date":
            return self.date(text)
        if kind in ("timestamp", "timestamptz"):
            return self.timestamp(text, kind == "timestamptz")
        if kind == "time":
            try:
                return time.fromisoformat(text.strip())
            except ValueError:
                raise RowError(1206, "Invalid time format") from None
        if kind == "json":
            return text
        if kind in ("varchar", "char"):
            if column.length is not None and len(text.encode()) > column.length:
                raise RowError(1204, "String length exceeds DDL length")
            return text
        return text


# -- COPY ------------------------------------------------------------------------------------------------------------
def _source_objects(action: CopyAction, stage: Stage) -> list[str]:
    if action.options.get("manifest"):
        manifest = json.loads(stage.read(action.source))
        urls = []
        for entry in manifest.get("entries", []):
            url = entry["url"]
            if entry.get("mandatory") and not stage.list(url):
                raise QueryError(f"Manifest file is not valid: the mandatory file '{url}' does not exist")
            urls.append(url)
        return urls
    urls = [u for u in stage.list(action.source) if not u.endswith("/")]
    if not urls:
        raise QueryError(f"The specified S3 prefix '{action.source}' does not exist")
    return urls


def _read_object(url: str, stage: Stage, options: dict[str, Any]) -> bytes:
    data = stage.read(url)
    if options.get("gzip") or (url.endswith(".gz") and data[:2] == b"\x1f\x8b"):
        data = gzip.decompress(data)
    elif options.get("bzip2"):
        import bz2

        data = bz2.decompress(data)
    elif options.get("zstd"):
        raise QueryError("COPY ... ZSTD is not supported by dw-sim; use GZIP or BZIP2")
    return data


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
    urls = _source_objects(action, stage)
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
                _fail_whole(target, action, table_name, url, query_id, 1216, f"Invalid Parquet file: {exc}")
            names = parquet.schema_arrow.names
            lowered = [n.lower() for n in names]
            if all(c.name.lower() in lowered for c in columns):
                picked = [names[lowered.index(c.name.lower())] for c in columns]
            elif len(names) == len(columns):
                picked = names
            else:
                _fail_whole(
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
        _fail_whole(target, action, table_name, urls[0], query_id, 1216, str(exc).splitlines()[0][:100])
        raise  # unreachable


def _fail_whole(
    target: CopyTarget, action: CopyAction, table: str, url: str, query_id: int, code: int, reason: str
) -> Any:
    target.record_load_errors([_error_row(table, url, query_id, 0, None, "", "", code, reason)])
    raise QueryError(
        f"Load into table '{_short(table)}' failed.  Check 'stl_load_errors' system table for details. ({reason})"
    )


def _short(table: str) -> str:
    """`"schema"."table"` -> `table`, as Redshift names it in its messages."""
    return table.split(".")[-1].strip('"')


def _error_row(
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


def _records(action: CopyAction, data: bytes, columns: list[ColumnInfo]) -> Iterator[tuple[int, str, list[Any] | None]]:
    """(line number, raw line, fields) per record; fields are strings (text/CSV) or JSON values."""
    text = data.decode("utf-8", errors="replace")
    options = action.options
    if action.format == "json":
        decoder = json.JSONDecoder()
        pos, line = 0, 1
        ignorecase = "ignorecase" in str(options.get("json_option", "")).lower()
        while True:
            while pos < len(text) and text[pos] in " \t\r\n":
                if text[pos] == "\n":
                    line += 1
                pos += 1
            if pos >= len(text):
                return
            start = pos
            try:
                obj, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raw = text[start : text.find("\n", start) if "\n" in text[start:] else len(text)]
                yield line, raw, None
                raise RowError(1224, f"Invalid JSON: {exc.msg}") from None
            raw = text[start:pos]
            if not isinstance(obj, dict):
                yield line, raw, None
                continue
            keys = {(k.lower() if ignorecase else k): v for k, v in obj.items()}
            yield line, raw, [keys.get(c.name, _MISSING) for c in columns]
            line += raw.count("\n")
        return
    delimiter = options.get("delimiter") or ("," if action.format == "csv" else "|")
    lines = text.splitlines()
    skip = int(options.get("ignoreheader", 0) or 0)
    if action.format == "csv":
        quote = options.get("quote") or '"'
        reader: Iterator[list[str]] = csv.reader(lines[skip:], delimiter=delimiter, quotechar=quote, strict=False)
        for offset, fields in enumerate(reader):
            line_no = skip + offset + 1
            raw = lines[line_no - 1] if line_no - 1 < len(lines) else ""
            if not fields and options.get("ignoreblanklines"):
                continue
            yield line_no, raw, list(fields)
        return
    for offset, raw in enumerate(lines[skip:]):
        if not raw and options.get("ignoreblanklines"):
            continue
        fields = _split_text_line(raw, delimiter, bool(options.get("escape")))
        if options.get("removequotes"):
            fields = [f[1:-1] if len(f) >= 2 and f[0] == f[-1] == '"' else f for f in fields]
        yield skip + offset + 1, raw, fields


_MISSING = object()


def _split_text_line(line: str, delimiter: str, escape: bool) -> list[str]:
    if not escape:
        return line.split(delimiter)
    fields, current, i = [], [], 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current.append(line[i + 1])
            i += 2
            continue
        if line.startswith(delimiter, i):
            fields.append("".join(current))
            current = []
            i += len(delimiter)
            continue
        current.append(ch)
        i += 1
    fields.append("".join(current))
    return fields


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
        data = _read_object(url, stage, options)
        iterator = _records(action, data, columns)
        while True:
            try:
                item = next(iterator)
            except StopIteration:
                break
            except RowError as exc:
                errors.append(_error_row(table_name, url, query_id, 0, None, "", "", exc.code, exc.reason))
                break
            line, raw, fields = item
            if fields is None:
                errors.append(_error_row(table_name, url, query_id, line, None, raw, raw, 1224, "Invalid JSON record"))
                continue
            if action.format != "json":
                if len(fields) > len(columns):
                    errors.append(
                        _error_row(table_name, url, query_id, line, None, raw, "", 1202, "Extra column(s) found")
                    )
                    continue
                if len(fields) < len(columns):
                    if options.get("fillrecord"):
                        fields = fields + [""] * (len(columns) - len(fields))
                    else:
                        errors.append(
                            _error_row(
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
                    errors.append(_error_row(table_name, url, query_id, line, column, raw, shown, exc.code, exc.reason))
                    failed = True
                    break
            if not failed:
                good.append(row)
    if errors:
        target.record_load_errors(errors)
        if len(errors) > max_error:
            raise QueryError(
                f"Load into table '{_short(table_name)}' failed.  Check 'stl_load_errors' system table for "
                f"details. ({len(errors)} bad record(s), MAXERROR {max_error}; first: line {errors[0]['line_number']},"
                f" {errors[0]['err_reason']})"
            )
    arrays = [pa.array([r[i] for r in good], type=_arrow_type(c)) for i, c in enumerate(columns)]
    batch = pa.RecordBatch.from_arrays(arrays, names=[c.name for c in columns])
    return target.load_arrow(table_name, [c.name for c in columns], iter([batch]) if good else iter([]))


def _field_value(
    column: ColumnInfo, raw: Any, converter: Converter, options: dict[str, Any], null_as: str | None, fmt: str
) -> Any:
    if raw is _MISSING or raw is None:
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


# -- UNLOAD ----------------------------------------------------------------------------------------------------------
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


def run_action(action: CopyAction | UnloadAction, target: CopyTarget, stage: Stage, *, query_id: int = 0) -> int:
    if isinstance(action, CopyAction):
        return run_copy(action, target, stage, query_id=query_id)
    return run_unload(action, target, stage)
