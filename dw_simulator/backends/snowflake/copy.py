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

import datetime
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import snowflake.connector.errors as sf_errors
from fakesnow import copy_into as fs_copy
from fakesnow.transforms import stage as fs_stage
from fakesnow.transforms.file_format import lookup_file_format
from fakesnow.transforms.options import parse_options
from sqlglot import exp

from dw_simulator.backends.snowflake import s3 as s3lib
from dw_simulator.backends.snowflake.engine import duck_transaction, programming_error
from dw_simulator.errors import DwSimError

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.engine import DwSimCursor

RESULT_COLUMNS = (
    "file",
    "status",
    "rows_parsed",
    "rows_loaded",
    "error_limit",
    "errors_seen",
    "first_error",
    "first_error_line",
    "first_error_character",
    "first_error_column_name",
)


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


def run_copy(cursor: DwSimCursor, statement: exp.Copy) -> bool:
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
        target_table = _target_table(statement)
        try:
            url = fs_copy.stage_url_from_var(
                location.name[1:], cursor._duck_conn, conn.database, conn.schema, conn.table_stages, target_table
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
    with tempfile.TemporaryDirectory(prefix="dwsim-copy-", dir=_work_dir(cursor)) as scratch:
        files = (
            _s3_files(cursor, url, options, credentials, Path(scratch)) if is_s3 else _local_files(cursor, url, options)
        )
        if options.file_type != "PARQUET" or options.other:
            if not options.force:  # fakesnow would check the history by the local copies' names
                files = _not_loaded_yet(cursor, statement, files, Path(scratch))
            _delegate_with_local_copy(cursor, statement, Path(scratch), url, files)
            if options.purge and files:
                _purge(cursor, files, url, credentials)
            return True
        _copy_parquet(cursor, statement, select, files, options)
        if options.purge and files:
            _purge(cursor, files, url, credentials)
    return True


# -- options and sources -----------------------------------------------------------------------------------------------
def _options(statement: exp.Copy, cursor: DwSimCursor) -> CopyOptions | None:
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


def _target_table(statement: exp.Copy) -> exp.Table:
    target = statement.this
    if isinstance(target, exp.Schema):
        target = target.this
    assert isinstance(target, exp.Table)
    return target


def _stage_credentials(cursor: DwSimCursor, stage_var: str) -> s3lib.S3Credentials | None:
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


def _work_dir(cursor: DwSimCursor) -> str | None:
    work = cursor._conn.engine.config.work_dir
    if work is None:
        return None
    work.mkdir(parents=True, exist_ok=True)
    return str(work)


def _selected(relative: str, options: CopyOptions) -> bool:
    if options.files:
        return relative in options.files or relative.lstrip("/") in options.files
    if options.pattern:
        return re.fullmatch(options.pattern, relative) is not None
    return True


def _local_files(cursor: DwSimCursor, url: str, options: CopyOptions) -> list[SourceFile]:
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
        if _selected(relative, options):
            found.append(SourceFile(url=str(path), local=path, relative=relative))
    return found


def _s3_files(
    cursor: DwSimCursor,
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
        chosen = [o for o in objects if _selected(o.key[len(prefix) :].lstrip("/"), options)]
        local = s3lib.download(client, bucket, [o.key for o in chosen], scratch)
    except (DwSimError, ValueError) as exc:
        raise programming_error(f"COPY INTO from {url}: {getattr(exc, 'message', exc)}", 91016, "22000") from None
    return [
        SourceFile(url=f"s3://{bucket}/{o.key}", local=path, relative=o.key[len(prefix) :].lstrip("/"), s3_key=o.key)
        for o, path in zip(chosen, local, strict=True)
    ]


def _purge(cursor: DwSimCursor, files: list[SourceFile], url: str, credentials: s3lib.S3Credentials | None) -> None:
    remote = [f.s3_key for f in files if f.s3_key]
    if remote:
        config = cursor._conn.engine.config
        bucket, _ = s3lib.split_url(url)
        s3lib.delete(s3lib.client(config.s3_endpoint_url, credentials, config.s3_region), bucket, remote)
    for f in files:
        if f.s3_key is None and fs_stage.is_internal(str(f.local)):
            f.local.unlink(missing_ok=True)


def _delegate_with_local_copy(
    cursor: DwSimCursor, statement: exp.Copy, scratch: Path, url: str, files: list[SourceFile]
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
    table = _target_table(statement)
    catalog = _name(table.args.get("catalog")) or conn.database
    if catalog and remote:
        history = f"{_q(catalog)}._fs_information_schema._fs_load_history"
        with cursor._duck_conn.cursor() as side:
            side.executemany(
                f"UPDATE {history} SET FILE_NAME = ? WHERE FILE_NAME = ?", [(new, old) for old, new in remote.items()]
            )
    result = cursor._arrow_table
    if result is not None and result.num_columns and result.column_names[0] == "file":
        import pyarrow as pa

        names = [remote.get(v, v) if isinstance(v, str) else v for v in result.column(0).to_pylist()]
        cursor._arrow_table = result.set_column(0, "file", pa.array(names, pa.string()))


def _not_loaded_yet(
    cursor: DwSimCursor, statement: exp.Copy, files: list[SourceFile], scratch: Path
) -> list[SourceFile]:
    """Drop (and delete the local copies of) files the target table has loaded before, per the load history."""
    conn = cursor._conn
    table = _target_table(statement)
    catalog = _name(table.args.get("catalog")) or conn.database
    schema = _name(table.args.get("db")) or conn.schema
    if not catalog or not schema:
        return files
    rows = cursor._duck_conn.cursor().execute(
        f"SELECT FILE_NAME FROM {_q(catalog)}._fs_information_schema._fs_load_history "
        "WHERE SCHEMA_NAME = ? AND TABLE_NAME = ?",
        [schema, _name(table.this)],
    )
    loaded = {r[0] for r in rows.fetchall()}
    for f in files:
        if f.url in loaded and f.local.is_relative_to(scratch):
            f.local.unlink(missing_ok=True)
    return [f for f in files if f.url not in loaded]


# -- the Parquet load --------------------------------------------------------------------------------------------------
def _copy_parquet(
    cursor: DwSimCursor,
    statement: exp.Copy,
    select: exp.Select | None,
    files: list[SourceFile],
    options: CopyOptions,
) -> None:
    conn = cursor._conn
    duck = cursor._duck_conn
    table = _target_table(statement)
    catalog = _name(table.args.get("catalog")) or conn.database
    schema = _name(table.args.get("db")) or conn.schema
    if not catalog or not schema:
        raise programming_error(
            "Cannot perform COPY. This session does not have a current schema. Call 'USE SCHEMA', or use a "
            "qualified name.",
            90106,
            "22000",
        )
    target = f"{_q(catalog)}.{_q(schema)}.{_q(_name(table.this))}"
    try:
        described = duck.execute(f"DESCRIBE {target}").fetchall()
    except duckdb.CatalogException:
        raise programming_error(
            f"SQL compilation error:\nTable '{catalog}.{schema}.{_name(table.this)}' does not exist or not authorized.",
            2003,
            "42S02",
        ) from None
    table_columns = [(str(r[0]), str(r[1])) for r in described]
    history = f"{_q(catalog)}._fs_information_schema._fs_load_history"
    if not options.force and files:
        loaded = {
            r[0]
            for r in duck.execute(
                f"SELECT FILE_NAME FROM {history} WHERE SCHEMA_NAME = ? AND TABLE_NAME = ?",
                [schema, _name(table.this)],
            ).fetchall()
        }
    else:
        loaded = set()
    fresh = [f for f in files if f.url not in loaded]
    skipped = [f for f in files if f.url in loaded]
    if not files:
        cursor._execute(exp.select(exp.alias_(exp.Literal.string("Copy executed with 0 files processed."), "status")))
        return
    rows: dict[str, int] = {}
    if fresh:
        file_list = "[" + ", ".join(_lit(str(f.local)) for f in fresh) + "]"
        source = f"read_parquet({file_list}, union_by_name = true)"
        if select is not None:
            columns, values = _transformation(cursor, statement, select, table_columns)
            from_clause = source
        else:
            columns, values, from_clause = _match_by_name(duck, source, table_columns, options.match_by_column_name)
        insert = (
            f"INSERT INTO {target} ({', '.join(_q(c) for c in columns)}) SELECT {', '.join(values)} FROM {from_clause}"
        )
        counts = duck.execute(
            f"SELECT file_name, num_rows FROM parquet_file_metadata({file_list})"  # footers only, no data read
        ).fetchall()
        per_file = {str(name): int(n) for name, n in counts}
        now = datetime.datetime.now(datetime.UTC).isoformat()
        try:
            with duck_transaction(cursor):
                duck.execute(insert)
                duck.executemany(
                    f"INSERT INTO {history} VALUES (?, ?, ?, ?, 'LOADED', ?, ?, NULL, NULL, NULL, NULL, 0, 1)",
                    [
                        (
                            schema,
                            f.url,
                            _name(table.this),
                            now,
                            per_file.get(str(f.local), 0),
                            per_file.get(str(f.local), 0),
                        )
                        for f in fresh
                    ],
                )
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            raise sf_errors.ProgrammingError(
                msg=f"COPY INTO {catalog}.{schema}.{_name(table.this)} failed: {message}",
                errno=100038,
                sqlstate="22018",
            ) from None
        rows = {f.url: per_file.get(str(f.local), 0) for f in fresh}
    results: list[tuple[Any, ...]] = [
        (_result_name(f), "LOADED", rows[f.url], rows[f.url], 1, 0, None, None, None, None) for f in fresh
    ]
    results += [
        (_result_name(f), "LOAD_SKIPPED", 0, 0, None, 1, "File was loaded before.", None, None, None) for f in skipped
    ]
    cursor._execute(exp.select("*").from_(exp.values(results, alias="t", columns=list(RESULT_COLUMNS))))


def _match_by_name(
    duck: duckdb.DuckDBPyConnection, source: str, table_columns: list[tuple[str, str]], mode: str
) -> tuple[list[str], list[str], str]:
    if mode not in ("CASE_INSENSITIVE", "CASE_SENSITIVE"):
        if len(table_columns) == 1 and table_columns[0][1] == "JSON":
            # one VARIANT column: each row becomes an object
            return [table_columns[0][0]], ["CAST(to_json(t) AS JSON)"], f"(SELECT * FROM {source}) AS t"
        raise programming_error(
            "SQL compilation error:\nPARQUET file format can produce one and only one column of type variant, "
            "object, or array. Load data into separate columns using the MATCH_BY_COLUMN_NAME copy option or copy "
            "with transformation.",
            2019,
            "0A000",
        )
    parquet = [(str(r[0]), str(r[1])) for r in duck.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    lookup = (
        {name: (name, kind) for name, kind in parquet}
        if mode == "CASE_SENSITIVE"
        else {name.upper(): (name, kind) for name, kind in parquet}
    )
    columns: list[str] = []
    values: list[str] = []
    for name, kind in table_columns:
        match = lookup.get(name if mode == "CASE_SENSITIVE" else name.upper())
        if match is None:
            continue
        columns.append(name)
        if kind == "JSON" and match[1] != "JSON":
            # a Parquet value loaded into a VARIANT keeps its type: a string stays a string (use PARSE_JSON in a
            # COPY transformation to load JSON text as objects)
            values.append(f"to_json({_q(match[0])})")
        else:
            values.append(_q(match[0]))
    if not columns:
        raise programming_error(
            "SQL compilation error:\nNo column of the Parquet files matches a column of the target table.", 2019
        )
    return columns, values, source


def _transformation(
    cursor: DwSimCursor, statement: exp.Copy, select: exp.Select, table_columns: list[tuple[str, str]]
) -> tuple[list[str], list[str]]:
    """`SELECT $1:a, PARSE_JSON($1:b) FROM @stage` -> DuckDB expressions over the Parquet columns."""
    target = statement.this
    if isinstance(target, exp.Schema) and target.expressions:
        columns = [_name(c) for c in target.expressions]
    else:
        columns = [name for name, _ in table_columns]
    items = [e.copy() for e in select.expressions]
    if len(items) != len(columns):
        raise programming_error(
            f"SQL compilation error:\nInsert value list does not match column list expecting {len(columns)} but got "
            f"{len(items)}",
            2020,
            "21S01",
        )
    rewritten = [_replace_dollar(item) for item in items]
    translated = cursor._transform(exp.select(*rewritten), None)
    values: list[str] = []
    for item in translated.expressions:
        node = item.this if isinstance(item, exp.Alias) else item
        values.append(node.sql(dialect="duckdb"))
    return columns, values


def _replace_dollar(item: exp.Expr) -> exp.Expr:
    """`$1:name` -> the Parquet column `name`; `$1:a.b` -> `a:b`."""

    def fix(node: exp.Expr) -> exp.Expr:
        if (
            isinstance(node, exp.JSONExtract)
            and _is_dollar_one(node.this)
            and isinstance(node.expression, exp.JSONPath)
        ):
            parts = [p for p in node.expression.expressions if not isinstance(p, exp.JSONPathRoot)]
            if not parts or not isinstance(parts[0], exp.JSONPathKey):
                return node
            column = exp.Column(this=exp.to_identifier(str(parts[0].this), quoted=True))
            if len(parts) == 1:
                return column
            rest = exp.JSONPath(expressions=[exp.JSONPathRoot(), *parts[1:]])
            return exp.JSONExtract(this=column, expression=rest, variant_extract=True, requires_json=True)
        if _is_dollar_one(node):
            raise programming_error(
                "COPY transformations on the embedded Snowflake endpoint read Parquet columns as $1:<column>; "
                "$1 on its own is not supported",
                2140,
                "0A000",
            )
        return node

    return item.transform(fix)


def _is_dollar_one(node: exp.Expr) -> bool:
    return isinstance(node, exp.Parameter) and isinstance(node.this, exp.Literal) and node.this.name == "1"


def _result_name(f: SourceFile) -> str:
    return fs_copy._result_file_name(f.url)


def _name(node: Any) -> str:
    if node is None:
        return ""
    if isinstance(node, exp.Identifier):
        return str(node.this) if node.quoted else str(node.this).upper()
    return str(getattr(node, "name", node)).upper()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
