"""Stage file commands fakesnow lacks, on the embedded endpoint's internal stages (named `@s`, table `@%t` and the
user stage `@~`): LIST/LS with PATTERN, REMOVE/RM (with PATTERN) and GET (to a client on this machine).
https://docs.snowflake.com/en/sql-reference/sql/list, .../remove, .../get

The user stage is kept as a stage of dw-sim's own (`DWSIM_USER_STAGES.<user>."~"`), created when first named; its
LIST names carry no stage prefix, as on Snowflake. PATTERN is a regular expression matched against a file's whole
name as LIST shows it.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fakesnow import copy_into as fs_copy
from fakesnow.transforms import stage as fs_stage
from sqlglot import exp

from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.sql.redshift.split import mask, unquote_string

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor

USER_STAGE_DATABASE = "DWSIM_USER_STAGES"
_USER_STAGE = re.compile(r"(?<![\w@])@~(?=[/\s;)]|$)")
_PATTERN = re.compile(r"\s+PATTERN\s*=\s*(?P<value>\x00\d+\x00)", re.I)
_LIST = re.compile(r"\s*(?:LIST|LS)\s+(?P<stage>@\S+)", re.I)
_REMOVE = re.compile(r"\s*(?:REMOVE|RM)\s+(?P<stage>@\S+?)\s*;?\s*$", re.I)
_GET = re.compile(r"\s*GET\s+(?P<stage>@\S+)\s+(?P<target>\x00\d+\x00|file://\S+?)(?:\s+(?P<rest>.*?))?\s*;?\s*$", re.I)


def with_user_stage(cursor: SessionCursor, command: str) -> str:
    """`@~` -> the user's stage (made on first use)."""
    if "@~" not in command:
        return command
    masked = mask(command, drop_comments=False)
    if not _USER_STAGE.search(masked.text):
        return command
    user = cursor._conn.engine.config.context.user.upper()
    with cursor._duck_conn.cursor() as side:
        found = side.execute(
            "SELECT 1 FROM _fs_global._fs_information_schema._fs_stages "
            "WHERE database_name = ? AND schema_name = ? AND name = '~'",
            [USER_STAGE_DATABASE, user],
        ).fetchone()
        if not found:
            side.execute(
                "INSERT INTO _fs_global._fs_information_schema._fs_stages (created_on, name, database_name, "
                "schema_name, url, type, comment) VALUES (now(), '~', ?, ?, NULL, 'INTERNAL', 'user stage')",
                [USER_STAGE_DATABASE, user],
            )
    stage = f'@{USER_STAGE_DATABASE}."{user}"."~"'
    return masked.unmask(_USER_STAGE.sub(stage.replace("\\", "\\\\"), masked.text))


def is_stage_file_command(command: str) -> bool:
    text = mask(command).text
    if _LIST.match(text):
        return bool(_PATTERN.search(text)) or USER_STAGE_DATABASE in command
    return bool(_REMOVE.match(_PATTERN.sub("", text)) or _GET.match(text))


def run_stage_file_command(cursor: SessionCursor, command: str, *, client_is_local: bool) -> None:
    masked = mask(command)
    text = masked.text
    pattern_match = _PATTERN.search(text)
    pattern = re.compile(unquote_string(masked.token(pattern_match["value"]))) if pattern_match else None
    if match := _LIST.match(text):
        files = _files(cursor, masked.unmask(match["stage"]))
        _result(cursor, ["name", "size", "md5", "last_modified"], [_listed(f) for f in _matching(files, pattern)])
    elif match := _REMOVE.match(_PATTERN.sub("", text)):
        removed = []
        for name, path in _matching(_files(cursor, masked.unmask(match["stage"])), pattern):
            path.unlink(missing_ok=True)
            removed.append((name, "removed"))
        _result(cursor, ["name", "result"], removed)
    elif match := _GET.match(text):
        if not client_is_local:
            raise programming_error(
                "GET from the embedded Snowflake endpoint needs a client on the same machine", 2140, "0A000"
            )
        rest = match["rest"] or ""
        options = _PATTERN.sub("", " " + rest)
        if not re.fullmatch(r"\s*(PARALLEL\s*=\s*\d+\s*)?", options, re.I):
            raise programming_error(f"GET option not supported by the embedded endpoint: {masked.unmask(rest)}")
        target = masked.unmask(match["target"])
        directory = Path(unquote_string(target).removeprefix("file://"))
        directory.mkdir(parents=True, exist_ok=True)
        got = []
        for _name, path in _matching(_files(cursor, masked.unmask(match["stage"])), pattern):
            shutil.copyfile(path, directory / path.name)
            got.append((path.name, path.stat().st_size, "DOWNLOADED", ""))
        _result(cursor, ["file", "size", "status", "message"], got)


def _files(cursor: SessionCursor, reference: str) -> list[tuple[str, Path]]:
    """(name as LIST shows it, local path) of the stage's files under the reference's path."""
    conn = cursor._conn
    var = reference[1:]
    stage_var, _, sub = var.partition("/")
    database, _schema, name = fs_stage.parts_from_var(stage_var, conn.database, conn.schema)
    target = exp.to_table(name[1:]) if fs_stage.is_table_stage(name) else exp.to_table("_")
    try:
        url = fs_copy.stage_url_from_var(
            stage_var, cursor._duck_conn, conn.database, conn.schema, conn.table_stages, target
        )
    except AssertionError:
        message = "This session does not have a current schema. Call 'USE SCHEMA', or use a qualified name."
        raise programming_error(message, 90106, "22000") from None
    root = Path(url.removeprefix("file://"))
    prefix = "" if fs_stage.is_table_stage(name) or database == USER_STAGE_DATABASE else f"{name.lower()}/"
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if sub and not relative.startswith(sub.rstrip("/")):
            continue
        found.append((prefix + relative, path))
    return found


def _matching(files: list[tuple[str, Path]], pattern: re.Pattern[str] | None) -> list[tuple[str, Path]]:
    return [(n, p) for n, p in files if pattern is None or pattern.fullmatch(n)]


def _listed(file: tuple[str, Path]) -> tuple[Any, ...]:
    import hashlib

    name, path = file
    stat = path.stat()
    modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    return (name, stat.st_size, hashlib.md5(path.read_bytes()).hexdigest(), modified)


def _result(cursor: SessionCursor, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if rows:
        cursor._execute(exp.select("*").from_(exp.values(rows, alias="t", columns=columns)))
    else:
        cursor._execute(exp.select(*[exp.cast(exp.null(), "VARCHAR").as_(c) for c in columns]).where(exp.false()))
