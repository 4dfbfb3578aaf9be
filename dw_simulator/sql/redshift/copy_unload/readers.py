"""Format readers for COPY's text formats: records of CSV, delimited text and JSON 'auto' files, with their line
numbers and raw text for STL_LOAD_ERRORS.

https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-format.html
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from dw_simulator.sql.redshift.copy_unload.actions import CopyAction
from dw_simulator.sql.redshift.copy_unload.target import ColumnInfo
from dw_simulator.sql.redshift.copy_unload.text_values import RowError

MISSING = object()  # a JSON record without the column's key


def records(action: CopyAction, data: bytes, columns: list[ColumnInfo]) -> Iterator[tuple[int, str, list[Any] | None]]:
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
            yield line, raw, [keys.get(c.name, MISSING) for c in columns]
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
        fields = split_text_line(raw, delimiter, bool(options.get("escape")))
        if options.get("removequotes"):
            fields = [f[1:-1] if len(f) >= 2 and f[0] == f[-1] == '"' else f for f in fields]
        yield skip + offset + 1, raw, fields


def split_text_line(line: str, delimiter: str, escape: bool) -> list[str]:
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
