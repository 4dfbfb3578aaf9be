"""Stages on the embedded endpoint: the S3 credentials of external stages (fakesnow drops them), temporary stages
that end with their session, and DROP STAGE (missing in fakesnow) with its internal files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakesnow.transforms.options import parse_options
from sqlglot import exp

from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.backends.snowflake.names import normalise
from dw_simulator.backends.snowflake.s3 import S3Credentials
from dw_simulator.backends.snowflake.session import drop_stage

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor


def stage_name(cursor: SessionCursor, table: exp.Table) -> str:
    catalog = normalise(table.args.get("catalog")) or cursor._conn.database
    schema = normalise(table.args.get("db")) or cursor._conn.schema
    return f"{catalog}.{schema}.{normalise(table.this)}"


def remember_stage(cursor: SessionCursor, statement: exp.Create) -> None:
    """Keep a stage's S3 credentials (fakesnow drops them) and note temporary stages of the session."""
    table = statement.find(exp.Table)
    properties = statement.args.get("properties")
    if table is None or properties is None:
        return
    fqname = stage_name(cursor, table)
    for prop in properties.expressions:
        if isinstance(prop, exp.CredentialsProperty):
            cursor._conn.engine.stage_credentials[fqname] = S3Credentials.from_options(parse_options(prop.expressions))
        elif isinstance(prop, exp.TemporaryProperty):
            cursor._conn.temporary_stages.add(fqname)


def drop_stage_statement(cursor: SessionCursor, statement: exp.Drop) -> None:
    """DROP STAGE (missing in fakesnow): forget the stage and delete its internal files.

    https://docs.snowflake.com/en/sql-reference/sql/drop-stage
    """
    table = statement.find(exp.Table)
    if table is None:
        raise programming_error("SQL compilation error:\nDROP STAGE needs a stage name", 1003)
    fqname = stage_name(cursor, table)
    if not drop_stage(cursor._duck_conn, fqname):
        if not statement.args.get("exists"):
            raise programming_error(
                f"SQL compilation error:\nStage '{fqname}' does not exist or not authorized.", 2003, "02000"
            )
        cursor._status(f"Drop statement executed successfully ({normalise(table.this)} already dropped).")
        return
    cursor._conn.engine.stage_credentials.pop(fqname, None)
    cursor._conn.temporary_stages.discard(fqname)
    cursor._status(f"{normalise(table.this)} successfully dropped.")
