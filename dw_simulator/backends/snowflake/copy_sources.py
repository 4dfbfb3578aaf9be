"""The files a COPY INTO reads: an internal stage or file:// path on the endpoint, or the objects of an `s3://`
location downloaded first (boto3); FILES and PATTERN select among them, the load history skips those loaded
before and PURGE removes them afterwards. Formats other than Parquet from S3 go to fakesnow over the local copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fakesnow.transforms import stage as fs_stage
from sqlglot import exp

from dw_simulator.backends.snowflake import s3 as s3lib
from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.backends.snowflake.names import ident, node_name
from dw_simulator.errors import DwSimError

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor


@dataclass
class CopyOptions:
    file_type: str = "CSV"
    match_by_column_name: str = "NONE"
    force: bool = False
    purge: bool = False
    files: list[str] = field(default_factory=list)
    pattern: str | None = None
    other: bool = False  # an option this module does not implement: leave the statement to fakesnow


@dataclass
class SourceFile:
    url: str  # as recorded in the load history and reported (s3://... or the internal stage path)
    local: Path  # where DuckDB reads it
    relative: str  # path below the COPY source, matched against FILES and PATTERN
    s3_key: str | None = None


def target_table(statement: exp.Copy) -> exp.Table:
    target = statement.this
    if isinstance(target, exp.Schema):
        target = target.this
    assert isinstance(target, exp.Table)
    return target


def work_dir(cursor: SessionCursor) -> str | None:
    work = cursor._conn.engine.config.work_dir
    if work is None:
        return None
    work.mkdir(parents=True, exist_ok=True)
    return str(work)


def selected(relative: str, options: CopyOptions) -> bool:
    if options.files:
        return relative in options.files or relative.lstrip("/") in options.files
    if options.pattern:
        return re.fullmatch(options.pattern, relative) is not None
    return True


def local_files(cursor: SessionCursor, url: str, options: CopyOptions) -> list[SourceFile]:
    """Files of an internal stage (a directory of the endpoint) or a file:// URL, below the path prefix."""
    if fs_stage.is_internal(url):
        base = url
    elif url.startswith("file://"):
        base = url[len("file://") :]
    else:
        raise programming_error(f"SQL compilation error:\ninvalid URL prefix found in: '{url}'", 1011, "42601")
    # a stage path is a prefix: `@st/run1/t` matches run1/t/part-0.parquet and run1/t.parquet
    directory, _, name_prefix = base.rpartition("/")
    root = Path(directory or "/")
    if not root.is_dir():
        return []
    found: list[SourceFile] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        below = path.relative_to(root).as_posix()
        if not below.startswith(name_prefix):
            continue
        relative = below[len(name_prefix) :].lstrip("/") if base.endswith("/") or not name_prefix else below
        if selected(relative, options):
            found.append(SourceFile(url=str(path), local=path, relative=relative))
    return found


def s3_files(
    cursor: SessionCursor,
    url: str,
    options: CopyOptions,
    credentials: s3lib.S3Credentials | None,
    scratch: Path,
) -> list[SourceFile]:
    config = cursor._conn.engine.config
    try:
        bucket, prefix = s3lib.split_url(url)
        client = s3lib.client(config.s3_endpoint_url, credentials, config.s3_region)
        objects = s3lib.list_objects(client, bucket, prefix)
        chosen = [o for o in objects if selected(o.key[len(prefix) :].lstrip("/"), options)]
        local = s3lib.download(client, bucket, [o.key for o in chosen], scratch)
    except (DwSimError, ValueError) as exc:
        raise programming_error(f"COPY INTO from {url}: {getattr(exc, 'message', exc)}", 91016, "22000") from None
    return [
        SourceFile(url=f"s3://{bucket}/{o.key}", local=path, relative=o.key[len(prefix) :].lstrip("/"), s3_key=o.key)
        for o, path in zip(chosen, local, strict=True)
    ]


def purge(cursor: SessionCursor, files: list[SourceFile], url: str, credentials: s3lib.S3Credentials | None) -> None:
    remote = [f.s3_key for f in files if f.s3_key]
    if remote:
        config = cursor._conn.engine.config
        bucket, _ = s3lib.split_url(url)
        s3lib.delete(s3lib.client(config.s3_endpoint_url, credentials, config.s3_region), bucket, remote)
    for f in files:
        if f.s3_key is None and fs_stage.is_internal(str(f.local)):
            f.local.unlink(missing_ok=True)


def delegate_with_local_copy(
    cursor: SessionCursor, statement: exp.Copy, scratch: Path, url: str, files: list[SourceFile]
) -> None:
    """Hand a non-Parquet COPY from S3 to fakesnow, reading the downloaded copy instead of the bucket; the load
    history and the result then name the S3 objects, not the local copies."""
    _, prefix = s3lib.split_url(url)
    local_root = scratch / prefix.rstrip("/") if prefix else scratch
    if not local_root.is_dir():
        local_root = local_root.parent
    rewritten = statement.copy()
    rewritten.set("files", [exp.Table(this=exp.Literal.string(f"file://{local_root}"))])
    rewritten.set("credentials", None)
    super(type(cursor), cursor).execute(rewritten.sql(dialect="snowflake"))
    remote = {str(f.local): f.url for f in files}
    remote.update({f"file://{f.local}": f.url for f in files})
    conn = cursor._conn
    table = target_table(statement)
    catalog = node_name(table.args.get("catalog")) or conn.database
    if catalog and remote:
        history = f"{ident(catalog)}._fs_information_schema._fs_load_history"
        with cursor._duck_conn.cursor() as side:
            side.executemany(
                f"UPDATE {history} SET FILE_NAME = ? WHERE FILE_NAME = ?", [(new, old) for old, new in remote.items()]
            )
    result = cursor._arrow_table
    if result is not None and result.num_columns and result.column_names[0] == "file":
        import pyarrow as pa

        names = [remote.get(v, v) if isinstance(v, str) else v for v in result.column(0).to_pylist()]
        cursor._arrow_table = result.set_column(0, "file", pa.array(names, pa.string()))


def not_loaded_yet(
    cursor: SessionCursor, statement: exp.Copy, files: list[SourceFile], scratch: Path
) -> list[SourceFile]:
    """Drop (and delete the local copies of) files the target table has loaded before, per the load history."""
    conn = cursor._conn
    table = target_table(statement)
    catalog = node_name(table.args.get("catalog")) or conn.database
    schema = node_name(table.args.get("db")) or conn.schema
    if not catalog or not schema:
        return files
    rows = cursor._duck_conn.cursor().execute(
        f"SELECT FILE_NAME FROM {ident(catalog)}._fs_information_schema._fs_load_history "
        "WHERE SCHEMA_NAME = ? AND TABLE_NAME = ?",
        [schema, node_name(table.this)],
    )
    loaded = {r[0] for r in rows.fetchall()}
    for f in files:
        if f.url in loaded and f.local.is_relative_to(scratch):
            f.local.unlink(missing_ok=True)
    return [f for f in files if f.url not in loaded]
