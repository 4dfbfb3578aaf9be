"""`COPY ... FROM STDIN` and `COPY ... TO STDOUT`: what psql's `\\copy`, psycopg's `cursor.copy()`, pgjdbc's
CopyManager and many loaders send. Redshift itself has no such COPY (its COPY reads S3); the endpoint takes
PostgreSQL's form, with the options of both spellings (`WITH (FORMAT csv, HEADER)` and `CSV HEADER DELIMITER ','`)
and those of Redshift's COPY that apply to a stream (IGNOREHEADER, DELIMITER AS, NULL AS, EMPTYASNULL,
BLANKSASNULL, DATEFORMAT/TIMEFORMAT 'auto'). Any other option is an error naming it.

On PostgreSQL the statement is passed on (rebuilt in PostgreSQL's spelling) and the data relayed; on DuckDB the
endpoint reads the stream itself (`parse_text` / `parse_csv` -> an Arrow table of strings the engine casts into the
table) and writes the rows it sends (`format_rows`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dw_simulator.endpoints.redshift.errors import FEATURE_NOT_SUPPORTED, SYNTAX_ERROR, EndpointError
from dw_simulator.sql.redshift.split import mask, unquote_string

_COPY = re.compile(
    r"\s*COPY\s+(?P<target>.+?)\s+(?P<direction>FROM\s+STDIN|TO\s+STDOUT)\b(?P<options>.*?)\s*;?\s*$", re.I | re.S
)
_TABLE = re.compile(r"(?P<table>[^\s(]+)\s*(?:\((?P<columns>[^)]*)\))?\s*$", re.S)
_OPTION_TOKEN = re.compile(r"\x00\d+\x00|[A-Za-z_]+|\d+|[(),=]")


@dataclass
class CopyOptions:
    csv: bool = False
    header: bool = False
    delimiter: str = "\t"
    null: str = "\\N"
    quote: str = '"'
    escape: str = '"'
    empty_as_null: bool = False
    blanks_as_null: bool = False
    explicit_null: bool = False
    explicit_delimiter: bool = False


@dataclass
class CopyStdio:
    """A `COPY` from the client's stream or to it."""

    incoming: bool  # FROM STDIN
    table: str = ""  # as the client wrote it (may be schema-qualified, quoted)
    columns: list[str] = field(default_factory=list)
    query: str = ""  # COPY (query) TO STDOUT
    options: CopyOptions = field(default_factory=CopyOptions)

    def postgres_sql(self, query: str | None = None) -> str:
        """The statement in PostgreSQL's spelling (`query`: the translated query of `COPY (query) TO STDOUT`)."""
        o = self.options
        if o.empty_as_null or o.blanks_as_null:
            raise EndpointError(
                FEATURE_NOT_SUPPORTED,
                "COPY FROM STDIN with EMPTYASNULL or BLANKSASNULL is not supported on the PostgreSQL engine "
                "(the embedded DuckDB engine has them)",
            )
        target = f"({query or self.query})" if self.query else self.table
        if self.columns:
            target += " (" + ", ".join(self.columns) + ")"
        opts = [f"FORMAT {'csv' if o.csv else 'text'}"]
        if o.header:
            opts.append("HEADER true")
        if o.explicit_delimiter or o.csv:
            opts.append(f"DELIMITER {_literal(o.delimiter)}")
        if o.explicit_null:
            opts.append(f"NULL {_literal(o.null)}")
        if o.csv:
            opts += [f"QUOTE {_literal(o.quote)}", f"ESCAPE {_literal(o.escape)}"]
        direction = "FROM STDIN" if self.incoming else "TO STDOUT"
        return f"COPY {target} {direction} WITH ({', '.join(opts)})"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parse_copy_stdio(sql: str) -> CopyStdio | None:
    """The COPY if `sql` is one from STDIN or to STDOUT, else None (an S3 COPY goes to the Redshift layer)."""
    masked = mask(sql)
    match = _COPY.match(masked.text)
    if match is None:
        return None
    incoming = match.group("direction").upper().startswith("FROM")
    target = match.group("target").strip()
    copy = CopyStdio(incoming)
    if target.startswith("("):
        if incoming or not target.endswith(")"):
            raise EndpointError(SYNTAX_ERROR, "COPY FROM STDIN takes a table, not a query")
        copy.query = masked.unmask(target[1:-1]).strip()
    else:
        parts = _TABLE.fullmatch(target)
        if parts is None:
            raise EndpointError(SYNTAX_ERROR, f"COPY: cannot read the table {masked.unmask(target)!r}")
        copy.table = masked.unmask(parts.group("table"))
        if parts.group("columns"):
            copy.columns = [masked.unmask(c).strip() for c in parts.group("columns").split(",") if c.strip()]
    copy.options = _options(masked.unmask(match.group("options")))
    return copy


def _options(text: str) -> CopyOptions:
    masked = mask(text)
    tokens = [t for t in _OPTION_TOKEN.findall(masked.text) if t not in ("(", ")", ",", "=")]
    o = CopyOptions()
    i = 0

    def value() -> str:
        nonlocal i
        if i < len(tokens) and tokens[i].upper() == "AS":
            i += 1
        if i >= len(tokens):
            raise EndpointError(SYNTAX_ERROR, f"COPY option {tokens[i - 1].upper()} needs a value")
        token = masked.token(tokens[i])
        i += 1
        return unquote_string(token) if token.startswith("'") else token

    while i < len(tokens):
        word = tokens[i].upper()
        i += 1
        if word == "WITH":
            continue
        if word == "FORMAT":
            fmt = value().lower()
            if fmt not in ("csv", "text"):
                raise EndpointError(FEATURE_NOT_SUPPORTED, f"COPY FORMAT {fmt} is not supported (text or csv)")
            o.csv = fmt == "csv"
        elif word == "CSV":
            o.csv = True
        elif word == "BINARY":
            raise EndpointError(FEATURE_NOT_SUPPORTED, "COPY BINARY is not supported by the dw-sim endpoint")
        elif word == "HEADER":
            o.header = True
            if i < len(tokens) and tokens[i].upper() in ("TRUE", "FALSE", "ON", "OFF", "0", "1"):
                o.header = tokens[i].upper() in ("TRUE", "ON", "1")
                i += 1
        elif word == "IGNOREHEADER":
            rows = value()
            if rows not in ("0", "1"):
                raise EndpointError(FEATURE_NOT_SUPPORTED, f"COPY IGNOREHEADER {rows}: only 0 or 1 from STDIN")
            o.header = rows == "1"
        elif word == "DELIMITER":
            o.delimiter, o.explicit_delimiter = value(), True
        elif word == "NULL":
            o.null, o.explicit_null = value(), True
        elif word == "QUOTE":
            o.quote = value()
        elif word == "ESCAPE":
            o.escape = value()
        elif word == "EMPTYASNULL":
            o.empty_as_null = True
        elif word == "BLANKSASNULL":
            o.blanks_as_null = True
        elif word == "ENCODING":
            encoding = value().upper().replace("-", "")
            if encoding not in ("UTF8", "UNICODE"):
                raise EndpointError(FEATURE_NOT_SUPPORTED, f"COPY ENCODING {encoding}: only UTF8 is supported")
        elif word in ("DATEFORMAT", "TIMEFORMAT"):
            fmt = value()
            if fmt.lower() != "auto":
                raise EndpointError(FEATURE_NOT_SUPPORTED, f"COPY {word} {fmt!r}: only 'auto' from STDIN")
        else:
            raise EndpointError(FEATURE_NOT_SUPPORTED, f"COPY option {word} is not supported with STDIN/STDOUT")
    if o.csv and not o.explicit_delimiter:
        o.delimiter = ","
    if o.csv and not o.explicit_null:
        o.null = ""
    if len(o.delimiter) != 1:
        raise EndpointError(FEATURE_NOT_SUPPORTED, "COPY delimiter must be a single one-byte character")
    return o


# -- reading the client's stream (DuckDB) -------------------------------------------------------------------------
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "\\": "\\"}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)")


def _unescape(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] == "x" and len(code) > 1:
            return chr(int(code[1:], 16))
        if code[0].isdigit():
            return chr(int(code, 8))
        return _ESCAPES.get(code, code)

    return _ESCAPE.sub(repl, text) if "\\" in text else text


def parse_stream(data: bytes, columns: list[str], options: CopyOptions) -> pa.Table:
    """The rows of a COPY stream as a table of strings (NULLs as nulls), one column per target column."""
    table = _parse_csv(data, columns, options) if options.csv else _parse_text(data, columns, options)
    if options.empty_as_null or options.blanks_as_null:
        arrays = []
        for col in table.columns:
            test = pc.utf8_trim_whitespace(col) if options.blanks_as_null else col
            arrays.append(pc.if_else(pc.equal(test, ""), pa.scalar(None, pa.string()), col))
        table = pa.table(arrays, names=table.column_names)
    return table


def _parse_text(data: bytes, columns: list[str], options: CopyOptions) -> pa.Table:
    lines = data.decode().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and lines[-1] == "\\.":
        lines.pop()
    if options.header and lines:
        lines = lines[1:]
    width = len(columns)
    values: list[list[str | None]] = [[] for _ in range(width)]
    for number, line in enumerate(lines, start=2 if options.header else 1):
        fields = line.removesuffix("\r").split(options.delimiter)
        if len(fields) != width:
            kind = "extra data after last expected column" if len(fields) > width else "missing data for a column"
            raise EndpointError("22P04", f"{kind} (COPY line {number}: {len(fields)} fields for {width} columns)")
        for target, raw in zip(values, fields, strict=True):
            target.append(None if raw == options.null else _unescape(raw))
    return pa.table([pa.array(v, pa.string()) for v in values], names=columns)


def _parse_csv(data: bytes, columns: list[str], options: CopyOptions) -> pa.Table:
    if data.rstrip().endswith(b"\\."):
        data = data.rstrip()[:-2]
    if not data.strip():
        return pa.table([pa.array([], pa.string()) for _ in columns], names=columns)
    try:
        return pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1 if options.header else 0),
            parse_options=pacsv.ParseOptions(
                delimiter=options.delimiter,
                quote_char=options.quote,
                double_quote=options.escape == options.quote,
                escape_char=False if options.escape == options.quote else options.escape,
                newlines_in_values=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns},
                null_values=[options.null],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise EndpointError("22P04", f"COPY: bad CSV data: {exc}") from None


# -- writing to the client's stream (DuckDB) ----------------------------------------------------------------------
def format_rows(columns: list[pa.Array], options: CopyOptions) -> list[bytes]:
    """COPY TO STDOUT lines (each ending in a newline) of columns already in PostgreSQL's text output."""
    if not columns:
        return []
    cells = [_csv_cell(c, options) if options.csv else _text_cell(c, options) for c in columns]
    lines = pc.binary_join_element_wise(*cells, options.delimiter)
    return [line.encode() + b"\n" for line in lines.to_pylist()]


def _text_cell(arr: pa.Array, options: CopyOptions) -> pa.Array:
    text = pc.replace_substring(arr, "\\", "\\\\")
    for char, code in (("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), (options.delimiter, "\\" + options.delimiter)):
        if char != "\\":
            text = pc.replace_substring(text, char, code)
    return pc.fill_null(text, options.null)


def _csv_cell(arr: pa.Array, options: CopyOptions) -> pa.Array:
    quote = options.quote
    needs = pc.or_(
        pc.match_substring_regex(arr, "[" + re.escape(options.delimiter + quote + "\r\n") + "]"),
        pc.or_(pc.equal(arr, options.null), pc.equal(arr, "")),
    )
    quoted = pc.binary_join_element_wise(quote, pc.replace_substring(arr, quote, options.escape + quote), quote, "")
    return pc.fill_null(pc.if_else(needs, quoted, arr), options.null)


def header_line(names: list[str], options: CopyOptions) -> bytes:
    cells = _csv_cell(pa.array(names, pa.string()), options) if options.csv else pa.array(names, pa.string())
    return options.delimiter.join(cells.to_pylist()).encode() + b"\n"
