"""COPY INTO on the embedded endpoint: Parquet in one DuckDB statement over all files, S3 stages via boto3.

fakesnow runs COPY INTO as one INSERT per file (about 1.5x slower than one `read_parquet([...])` over the same
files) and reads `s3://` locations with DuckDB's httpfs extension, which cannot be installed offline. This module
takes over COPY INTO when it can do it faithfully:

* Parquet with `MATCH_BY_COLUMN_NAME = CASE_(IN)SENSITIVE`, or with a transformation
  (`COPY INTO t (a, b) FROM (SELECT $1:a, PARSE_JSON($1:b) FROM @stage)`), runs as a single INSERT;
* files of an `s3://` stage (or URL) are downloaded from the configured S3 endpoint first; for other file
  formats the statement is then handed to fakesnow with the stage replaced by the local copy.

Load history (`FORCE`), `FILES`, `PATTERN` and `PURGE` behave as documented:
https://docs.snowflake.com/en/sql-reference/sql/copy-into-table
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from fakesnow import copy_into as fs_copy
from fakesnow.transforms import stage as fs_stage
from fakesnow.transforms.file_format import lookup_file_format
from fakesnow.transforms.options import parse_options
from sqlglot import exp

from dw_simulator.backends.snowflake import s3 as s3lib
from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.backends.snowflake.copy_parquet import copy_parquet
from dw_simulator.backends.snowflake.copy_sources import (
    CopyOptions,
    delegate_with_local_copy,
    local_files,
    not_loaded_yet,
    purge,
    s3_files,
    target_table,
    work_dir,
)

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor


def run_copy(cursor: SessionCursor, statement: exp.Copy) -> bool:
    """Run the COPY INTO here when possible; False hands it to fakesnow unchanged."""
    conn = cursor._conn
    options = _options(statement, cursor)
    if options is None:
        return False
    source_node = statement.args["files"][0]
    select: exp.Select | None = None
    if isinstance(source_node, exp.Subquery) and isinstance(source_node.this, exp.Select):
        select = source_node.this
        from_ = select.args.get("from_")
        location = from_.this.this if from_ is not None and isinstance(from_.this, exp.Table) else None
    else:
        location = source_node.this if isinstance(source_node, exp.Table) else None
    if isinstance(location, exp.Var) and location.name.startswith("@"):
        target = target_table(statement)
        try:
            url = fs_copy.stage_url_from_var(
                location.name[1:], cursor._duck_conn, conn.database, conn.schema, conn.table_stages, target
            )
        except AssertionError:
            raise programming_error(
                "Cannot perform COPY. This session does not have a current schema. Call 'USE SCHEMA', or use a "
                "qualified name.",
                90106,
                "22000",
            ) from None
        stage_var = location.name[1:].partition("/")[0]
        credentials = _stage_credentials(cursor, stage_var)
    elif isinstance(location, exp.Literal) and location.is_string:
        url = location.name
        credentials = _copy_credentials(statement)
    else:
        return False
    is_s3 = url.startswith(("s3://", "s3a://"))
    if options.file_type != "PARQUET" or options.other:
        if not is_s3:
            return False
        if select is not None:
            raise programming_error(
                "COPY INTO with a transformation from an S3 location is only supported for PARQUET files on the "
                "embedded Snowflake endpoint",
                2140,
                "0A000",
            )
    with tempfile.TemporaryDirectory(prefix="dwsim-copy-", dir=work_dir(cursor)) as scratch:
        files = (
            s3_files(cursor, url, options, credentials, Path(scratch)) if is_s3 else local_files(cursor, url, options)
        )
        if options.file_type != "PARQUET" or options.other:
            if not options.force:  # fakesnow would check the history by the local copies' names
                files = not_loaded_yet(cursor, statement, files, Path(scratch))
            delegate_with_local_copy(cursor, statement, Path(scratch), url, files)
            if options.purge and files:
                purge(cursor, files, url, credentials)
            return True
        copy_parquet(cursor, statement, select, files, options)
        if options.purge and files:
            purge(cursor, files, url, credentials)
    return True


# -- options and sources -----------------------------------------------------------------------------------------------
def _options(statement: exp.Copy, cursor: SessionCursor) -> CopyOptions | None:
    options = CopyOptions()
    for param in statement.args.get("params") or []:
        if not isinstance(param, exp.CopyParameter) or not isinstance(param.this, exp.Var):
            return None
        name = param.this.name.upper()
        value = param.args.get("expression")
        if name == "FILE_FORMAT":
            fmt = parse_options(param.expressions)
            if named := fmt.pop("FORMAT_NAME", None):
                fmt = {
                    **lookup_file_format(cursor._duck_conn, str(named), cursor._conn.database, cursor._conn.schema),
                    **fmt,
                }
            options.file_type = str(fmt.pop("TYPE", "CSV")).upper()
            if options.file_type == "PARQUET" and any(k not in ("COMPRESSION", "BINARY_AS_TEXT") for k in fmt):
                options.other = True
        elif name == "MATCH_BY_COLUMN_NAME" and isinstance(value, exp.Var):
            options.match_by_column_name = value.name.upper()
        elif name == "FORCE":
            options.force = _truthy(value)
        elif name == "PURGE":
            options.purge = _truthy(value)
        elif name == "FILES":
            options.files = [lit.name for lit in param.find_all(exp.Literal)]
        elif name == "PATTERN" and isinstance(value, exp.Literal):
            options.pattern = value.name
        elif name == "ON_ERROR" and isinstance(value, exp.Var | exp.Literal):
            if value.name.upper() != "ABORT_STATEMENT":
                options.other = True
        else:
            options.other = True
    return options


def _truthy(value: exp.Expr | None) -> bool:
    if value is None:
        return True
    if isinstance(value, exp.Boolean):
        return bool(value.this)
    return value.name.upper() in ("TRUE", "YES", "1")


def _stage_credentials(cursor: SessionCursor, stage_var: str) -> s3lib.S3Credentials | None:
    conn = cursor._conn
    try:
        catalog, schema, name = fs_stage.parts_from_var(stage_var, conn.database, conn.schema)
    except (AssertionError, ValueError):
        return None
    return conn.engine.stage_credentials.get(f"{catalog}.{schema}.{name}")


def _copy_credentials(statement: exp.Copy) -> s3lib.S3Credentials | None:
    node = statement.args.get("credentials")
    items = node.args.get("credentials") if isinstance(node, exp.Credentials) else None
    if not items:
        return None
    return s3lib.S3Credentials.from_options(parse_options(items))
