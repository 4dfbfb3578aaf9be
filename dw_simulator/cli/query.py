"""`dw-sim query`: run Redshift or Snowflake SQL against an experiment's warehouse."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dw_simulator.cli.common import console, err_console, handle_errors, open_simulator

if TYPE_CHECKING:
    from dw_simulator.backends import QueryResult

FORMATS = ("table", "csv", "json")
# statements that answer with rows; any other (DDL, DML, COPY, UNLOAD, SET, ...) prints one status line instead
RESULT_VERBS = {"SELECT", "WITH", "VALUES", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "TABLE", "FROM", "PRAGMA", "CALL"}
_COMMENT = re.compile(r"\s*(--[^\n]*(\n|$)|/\*.*?\*/)", re.S)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def render_csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(["" if v is None else _plain(v) for v in row])
    return buffer.getvalue()


def render_json(result: QueryResult) -> str:
    rows = [{c: _plain(v) for c, v in zip(result.columns, row, strict=False)} for row in result.rows]
    return json.dumps(rows, indent=2, default=str) + "\n"


def statement_verb(sql: str) -> str:
    """The leading keyword(s) of a statement, comments and parentheses skipped: `CREATE TABLE`, `UNLOAD`, `SELECT`."""
    text = sql
    while True:
        stripped = _COMMENT.sub("", text, count=1) if _COMMENT.match(text) else text
        stripped = stripped.lstrip().lstrip("(")
        if stripped == text:
            break
        text = stripped
    words: list[str] = re.findall(r"[A-Za-z_]+", text[:80])
    if not words:
        return ""
    verb = words[0].upper()
    if verb in ("CREATE", "DROP", "ALTER", "TRUNCATE") and len(words) > 1:
        second = words[1].upper()
        if second in ("OR", "TEMP", "TEMPORARY", "LOCAL", "EXTERNAL", "MATERIALIZED", "IF") and len(words) > 2:
            second = next((w.upper() for w in words[2:] if w.upper() not in ("REPLACE", "TEMP", "TEMPORARY")), second)
        return f"{verb} {second}"
    return verb


def status_line(result: QueryResult) -> str | None:
    """`CREATE TABLE: done in 3.1 ms`, `INSERT: 2 row(s) in 4.0 ms`, ... for a last statement that returns no rows
    of its own; None when it is a query (an empty query result is still a table)."""
    executed = result.sql_executed[-1] if result.sql_executed else ""
    verb = statement_verb(executed)
    if not verb or verb.split()[0] in RESULT_VERBS:
        return None
    affected = result.rows_affected
    if affected is None and len(result.columns) == 1 and result.columns[0].lower() == "count" and result.rows:
        value = result.rows[0][0]  # DuckDB answers DML with one Count row
        affected = int(value) if isinstance(value, int) else None
    what = f"{affected:,} row(s)" if affected is not None and affected >= 0 else "done"
    return f"{verb}: {what} in {result.elapsed_s * 1000:.1f} ms"


def query(
    sql: Annotated[str, typer.Argument(help="SQL to run, or '-' to read it from standard input.")],
    experiment: Annotated[str, typer.Option("--experiment", "-e", help="Experiment to query.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the result to this file.")] = None,
    limit: Annotated[
        int | None, typer.Option(help="Keep at most this many rows (default from settings: 1000; 0 = no cap).")
    ] = None,
    dialect: Annotated[
        str | None, typer.Option(help="Read the SQL in this dialect instead of the experiment's (redshift|snowflake).")
    ] = None,
) -> None:
    """Run SQL written in the experiment's dialect (Redshift or Snowflake) against its warehouse.

    Table names resolve inside the experiment, so `SELECT * FROM customers` works as is. Several statements
    separated by ';' run in order; the last one's rows are shown.
    """
    _run(sql, experiment, fmt, output, limit, dialect)


@handle_errors
def _run(sql: str, experiment: str, fmt: str, output: Path | None, limit: int | None, dialect: str | None) -> None:
    if fmt not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    text = sys.stdin.read() if sql == "-" else sql
    result = open_simulator().query(experiment, text, limit=limit, dialect=dialect)
    if output is not None:
        out_fmt = fmt if fmt != "table" else ("json" if output.suffix == ".json" else "csv")
        output.write_text(render_json(result) if out_fmt == "json" else render_csv(result), encoding="utf-8")
        err_console.print(f"wrote {len(result.rows):,} row(s) to {output} ({out_fmt})", highlight=False)
    elif fmt == "csv":
        sys.stdout.write(render_csv(result))
    elif fmt == "json":
        sys.stdout.write(render_json(result))
    elif (status := status_line(result)) is not None:
        console.print(status, highlight=False)
        return
    elif result.columns:
        from rich.table import Table

        table = Table(show_lines=False)
        for name, type_ in zip(result.columns, result.types, strict=False):
            table.add_column(f"{name}\n[dim]{type_}[/]", overflow="fold")
        for row in result.rows:
            table.add_row(*("[dim]NULL[/]" if v is None else str(_plain(v)) for v in row))
        console.print(table)
    else:
        console.print("statement executed", highlight=False)
    note = f"{len(result.rows):,} row(s) in {result.elapsed_s * 1000:.1f} ms"
    if result.truncated:
        note += f" — result truncated at {len(result.rows):,} rows; use --limit N (0 = no cap) for more"
    err_console.print(f"[dim]{note}[/]", highlight=False)
