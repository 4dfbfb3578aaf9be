"""What the connectors' bulk loaders send, made to run on the embedded endpoint: `write_pandas` (and pandas'
`to_sql(method=pd_writer)`, Snowpark's `write_pandas`, which call it) creates a temporary stage and file format with
generated names bound through `IDENTIFIER(?)`, PUTs Parquet files, asks `INFER_SCHEMA` for their columns (with
`auto_create_table`), creates the table, and loads it with a transforming `COPY INTO ... FROM (SELECT $1:"col" ...
FROM '@"stage"')`.

* `inline_bindings`: the bound values of such statements (COPY INTO, CREATE STAGE / FILE FORMAT, INFER_SCHEMA)
  written into the statement (string literals, or identifiers inside `IDENTIFIER(...)`), so the endpoint's own
  COPY INTO and stage handling see them; other statements keep their bindings for fakesnow.
* `run_infer_schema`: `TABLE(INFER_SCHEMA(LOCATION => '@stage', FILE_FORMAT => 'fmt'))` over the stage's Parquet
  files, with Snowflake's columns (COLUMN_NAME, TYPE, NULLABLE, EXPRESSION, FILENAMES, ORDER_ID) and type names.
  https://docs.snowflake.com/en/sql-reference/functions/infer_schema
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
from fakesnow import copy_into as fs_copy
from fakesnow.dialect import parse_one
from sqlglot import Dialect, TokenType, exp

from dw_simulator.backends.snowflake.client_errors import programming_error

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor

INFER_COLUMNS = ("COLUMN_NAME", "TYPE", "NULLABLE", "EXPRESSION", "FILENAMES", "ORDER_ID")


def _is_bulk_statement(statement: exp.Expr) -> bool:
    if isinstance(statement, exp.Copy):
        return True
    kind = str(statement.args.get("kind") or "").upper()
    if isinstance(statement, exp.Create) and kind in ("STAGE", "FILE FORMAT", "FILEFORMAT"):
        return True
    return _infer_schema_call(statement) is not None


def inline_bindings(command: str, values: Sequence[Any]) -> str | None:
    """`command` with its `?` bindings written in, when it is a bulk-load statement the endpoint runs itself."""
    try:
        statement = parse_one(command)
    except Exception:  # fakesnow reports the syntax error
        return None
    if statement is None or not _is_bulk_statement(statement):
        return None
    tokens = Dialect.get_or_raise("snowflake").tokenize(command)
    marks = [i for i, t in enumerate(tokens) if t.token_type == TokenType.PLACEHOLDER and t.text == "?"]
    if len(marks) != len(values):
        return None
    out, last = [], 0
    for index, value in zip(marks, values, strict=True):
        token = tokens[index]
        inside_identifier = (
            index >= 2
            and tokens[index - 1].token_type == TokenType.L_PAREN
            and tokens[index - 2].text.upper() == "IDENTIFIER"
        )
        out.append(command[last : token.start])
        if inside_identifier and isinstance(value, str):
            out.append(_identifier(value).sql(dialect="snowflake"))
        else:
            out.append(exp.convert(value).sql(dialect="snowflake"))
        last = token.end + 1
    out.append(command[last:])
    inlined = parse_one("".join(out))
    _stage_literals_as_stages(inlined)
    return inlined.sql(dialect="snowflake")


def _identifier(text: str) -> exp.Expr:
    """The object named by an IDENTIFIER() argument: `"Quoted"`, `name`, `db.schema.name`."""
    table = exp.to_table(text, dialect="snowflake")
    return table if (table.db or table.catalog) else table.this


def _stage_literals_as_stages(statement: exp.Expr) -> None:
    """`FROM '@"stage"'` (a stage named in a string, as write_pandas does) -> `FROM @"stage"`."""
    for literal in list(statement.find_all(exp.Literal)):
        if literal.is_string and literal.name.startswith("@") and isinstance(literal.parent, exp.Table):
            literal.replace(exp.Var(this=literal.name))


# -- INFER_SCHEMA -------------------------------------------------------------------------------------------------
def _infer_schema_call(statement: exp.Expr) -> exp.Func | None:
    for func in statement.find_all(exp.Anonymous):
        if func.name.upper() == "INFER_SCHEMA":
            return func
    return None


def _named_arguments(func: exp.Func) -> dict[str, str]:
    out: dict[str, str] = {}
    for arg in func.expressions:
        if isinstance(arg, exp.Kwarg | exp.PropertyEQ | exp.EQ) and isinstance(arg.expression, exp.Literal):
            out[arg.this.name.upper()] = arg.expression.name
    return out


def is_infer_schema(statement: exp.Expr) -> bool:
    return isinstance(statement, exp.Select) and _infer_schema_call(statement) is not None


def run_infer_schema(cursor: SessionCursor, statement: exp.Select) -> None:
    """Run a SELECT over TABLE(INFER_SCHEMA(...)): the stage's Parquet files' columns as Snowflake infers them."""
    func = _infer_schema_call(statement)
    assert func is not None
    args = _named_arguments(func)
    location = args.get("LOCATION", "")
    if not location.startswith("@"):
        raise programming_error(f"INFER_SCHEMA: LOCATION must name a stage (@stage), not {location!r}", 2003, "42S02")
    rows = _inferred_rows(cursor, location[1:])
    values = exp.values(rows, alias="infer_schema", columns=list(INFER_COLUMNS))
    source: exp.Expr = func
    while source.parent is not None and not isinstance(source.parent, exp.From | exp.Join):
        source = source.parent
    source.replace(values)
    cursor._execute(statement)


def _inferred_rows(cursor: SessionCursor, location: str) -> list[tuple[Any, ...]]:
    conn = cursor._conn
    try:
        url = fs_copy.stage_url_from_var(
            location, cursor._duck_conn, conn.database, conn.schema, conn.table_stages, exp.to_table("_")
        )
    except AssertionError:
        raise programming_error(
            "Cannot perform INFER_SCHEMA. This session does not have a current schema.", 90106, "22000"
        ) from None
    directory = Path(url.removeprefix("file://"))
    files = sorted(p for p in (directory.rglob("*") if directory.is_dir() else [directory]) if p.is_file())
    if not files:
        return []
    columns: dict[str, tuple[str, bool, list[str]]] = {}
    for path in files:
        try:
            schema = pq.read_schema(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise programming_error(
                f"INFER_SCHEMA: {path.name} is not a Parquet file ({exc})", 100069, "22P02"
            ) from None
        for field in schema:
            if field.name.startswith("__index_level_"):
                continue
            kind, nullable, seen = columns.get(field.name, (_snowflake_type(field.type), field.nullable, []))
            seen.append(path.name)
            columns[field.name] = (kind, nullable or field.nullable, seen)
    return [
        (name, kind, nullable, f'$1:"{name}"::{kind}', ",".join(sorted(set(seen))), i)
        for i, (name, (kind, nullable, seen)) in enumerate(columns.items())
    ]


def _snowflake_type(t: pa.DataType) -> str:
    """Snowflake's INFER_SCHEMA type name of a Parquet column."""
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_integer(t):
        return "NUMBER(38, 0)"
    if pa.types.is_floating(t):
        return "REAL"
    if pa.types.is_decimal(t):
        return f"NUMBER({t.precision}, {t.scale})"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "TEXT"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return "BINARY"
    if pa.types.is_date(t):
        return "DATE"
    if pa.types.is_time(t):
        return "TIME(9)"
    if pa.types.is_timestamp(t):
        return "TIMESTAMP_TZ" if t.tz else "TIMESTAMP_NTZ"
    return "VARIANT"
