"""COPY and UNLOAD statements read into actions: the target, the source or query, and the options.

https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html
Options dw-sim cannot honour (JSONPaths, AVRO/ORC, PARTITION BY) fail here, before anything runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.split import mask, unquote_string


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


_TOKEN = re.compile(r"(?:\x00\d+\x00|[^\s(),\x00])+|\(|\)|,")
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
