"""`dw-sim experiment import-sql` and `dw-sim experiment ddl`: SQL DDL in, SQL DDL out.

Both commands only call the service layer (`Simulator.import_sql`, `Simulator.export_ddl`).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dw_simulator.cli.common import console, err_console, handle_errors, open_simulator, parse_rows, print_json
from dw_simulator.cli.progress import counted_progress
from dw_simulator.errors import SchemaValidationError

if TYPE_CHECKING:
    from dw_simulator.schema import ExperimentSchema

IMPORT_DIALECTS_HELP = "redshift, snowflake or postgres (postgres also reads plain ANSI DDL)"
EXPORT_DIALECTS_HELP = "redshift or snowflake (also postgres, duckdb)"


def register(experiment_app: typer.Typer) -> None:
    """Add `import-sql` and `ddl` to the `experiment` command group."""
    experiment_app.command("import-sql")(import_sql)
    experiment_app.command("ddl")(ddl)


@handle_errors
def import_sql(
    file: Annotated[Path, typer.Argument(help="A .sql file of CREATE TABLE statements ('-' reads stdin).")],
    dialect: Annotated[str, typer.Option("--dialect", "-d", help=f"The DDL's SQL dialect: {IMPORT_DIALECTS_HELP}.")],
    name: Annotated[str | None, typer.Option("--name", "-n", help="Experiment name (default: the file name).")] = None,
    rows: Annotated[
        list[str] | None,
        typer.Option("--rows", help="Rows for one table, TABLE=N; repeat for more tables (default 1000 each)."),
    ] = None,
    target_warehouse: Annotated[
        str | None, typer.Option(help="duckdb, sqlite, redshift or snowflake (default: from settings).")
    ] = None,
    description: Annotated[str | None, typer.Option(help="A description for the experiment.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the imported schema (JSON) without storing it.")
    ] = False,
    replace: Annotated[bool, typer.Option(help="Replace an experiment of the same name.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")] = False,
) -> None:
    """Import CREATE TABLE statements (Redshift or Snowflake DDL) as an experiment.

    Prints a short summary (tables, keys, settings inferred from names and types) and the warnings, then stores
    the experiment. --dry-run prints the normalised schema JSON instead of storing it; --json prints everything
    as JSON.
    """
    sql = _read_sql(file)
    with counted_progress("reading DDL statements", enabled=not json_out and err_console.is_terminal) as on_progress:
        outcome = open_simulator().import_sql(
            sql,
            dialect,
            name=name or default_name(file),
            rows=parse_rows(rows),
            target_warehouse=target_warehouse,
            dry_run=dry_run,
            replace=replace,
            description=description,
            on_progress=on_progress,
        )
    if json_out:
        print_json(outcome.to_dict())
        return
    if dry_run:
        _show(json.dumps(schema_json(outcome.schema), indent=2, default=str) + "\n", "json")
    err_console.print(import_summary(outcome.schema, len(outcome.inferences)), highlight=False)
    _print_list("note", "dim", outcome.notes, limit=NOTES_SHOWN)
    _print_list("warning", "yellow", outcome.warnings, limit=None)
    if outcome.experiment is None:
        err_console.print(
            "[cyan]dry run[/]: nothing stored (run again without --dry-run to store it)",
            highlight=False,
        )
        return
    info = outcome.experiment
    err_console.print(
        f"[green]created[/] experiment [bold]{info.name}[/] with {info.table_count} table(s) "
        f"on [cyan]{info.target_warehouse}[/] ({info.dialect} SQL); `dw-sim experiment show {info.name}` "
        "lists its columns",
        highlight=False,
    )


NOTES_SHOWN = 5


def import_summary(schema: ExperimentSchema, inferences: int) -> str:
    """One line: tables, columns, keys and how many settings were inferred."""
    columns = sum(len(t.columns) for t in schema.tables)
    unique = sum(1 for t in schema.tables for c in t.columns if c.is_unique)
    composite = sum(len(t.composite_keys) for t in schema.tables)
    foreign = sum(1 for t in schema.tables for c in t.columns if c.foreign_key is not None)
    keys = f"{unique} unique key(s), {foreign} foreign key(s)" + (
        f", {composite} composite key(s)" if composite else ""
    )
    return (
        f"read {len(schema.tables)} table(s), {columns} column(s): {keys}; "
        f"{inferences} setting(s) inferred from names and types"
    )


def _print_list(label: str, color: str, items: list[str], *, limit: int | None) -> None:
    """Each distinct item once, in order; past `limit`, a count of the rest."""
    unique = list(dict.fromkeys(items))
    shown = unique if limit is None else unique[:limit]
    for item in shown:
        err_console.print(f"[{color}]{label}:[/] {item}", highlight=False)
    if len(unique) > len(shown):
        err_console.print(f"[{color}]... and {len(unique) - len(shown)} more {label}(s) (--json lists them all)[/]")


@handle_errors
def ddl(
    name: Annotated[str, typer.Argument(help="The experiment's name.")],
    dialect: Annotated[str, typer.Option("--dialect", "-d", help=f"The DDL's SQL dialect: {EXPORT_DIALECTS_HELP}.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the DDL to this file.")] = None,
    checks: Annotated[
        bool,
        typer.Option(
            "--checks/--no-checks",
            help="Emit CHECK constraints for value ranges (dw-sim round-trips them; Redshift and Snowflake reject "
            "them, so use --no-checks for DDL you will run on a real warehouse).",
        ),
    ] = True,
) -> None:
    """Print an experiment's tables as CREATE TABLE statements of a dialect."""
    text = open_simulator().export_ddl(name, dialect, checks=checks)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"[green]wrote[/] {output}", highlight=False)
    else:
        _show(text, "sql")


def _show(text: str, lexer: str) -> None:
    """Syntax-highlighted on a terminal; plain (and never cut) when piped."""
    if console.is_terminal:
        from rich.syntax import Syntax

        console.print(Syntax(text.rstrip("\n"), lexer, word_wrap=True, background_color="default"))
    else:
        sys.stdout.write(text)


def schema_json(schema: ExperimentSchema) -> dict[str, Any]:
    """The schema as the user would write it: defaults left out, but every table's target_rows shown."""
    data: dict[str, Any] = schema.model_dump(mode="json", exclude_defaults=True)
    for table, model in zip(data.get("tables", []), schema.tables, strict=False):
        table["target_rows"] = model.target_rows
    return data


def _read_sql(file: Path) -> str:
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemaValidationError(f"SQL file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaValidationError(f"cannot read SQL file {file}: {exc}") from None


def default_name(file: Path) -> str:
    """The experiment name for a file: its stem made an identifier (`tpc-ds.sql` -> `tpc_ds`)."""
    stem = "stdin" if str(file) == "-" else file.stem
    name = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", stem)).strip("_") or "imported_experiment"
    if name[0].isdigit():
        name = "_" + name
    return name[:63]
