"""`dw-sim experiment fit NAME --queries PATH...`: fit the schema to the queries users run on it, and the per-query
report after a run (does each query return rows; which predicate starves the ones that do not)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from dw_simulator.cli.common import console, handle_errors, open_simulator, print_json

if TYPE_CHECKING:
    from dw_simulator.service import Simulator


@handle_errors
def fit(
    name: Annotated[str, typer.Argument(help="Experiment name.")],
    queries: Annotated[
        list[str] | None,
        typer.Option(
            "--queries",
            "-q",
            help="SQL file or folder of .sql files ('-' reads stdin); repeatable.",
            show_default=False,
        ),
    ] = None,
    dbt: Annotated[
        Path | None,
        typer.Option(
            help="A dbt project folder: its sources become tables (creating the experiment if needed), its "
            "tests constraints, its models' SQL queries to fit."
        ),
    ] = None,
    dialect: Annotated[str | None, typer.Option(help="SQL dialect of the queries (default: the experiment's).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would change; save nothing.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Fit the experiment's schema to queries: the values, ranges and keys their predicates need, saved as a new
    schema version (then `generate` as usual; the run is checked against the queries)."""
    given = list(queries or [])
    if not given and dbt is None:
        raise typer.BadParameter("give --queries PATH (files, folders, '-') and/or --dbt PROJECT")
    paths = [q for q in given if q != "-"]
    texts = [("stdin", sys.stdin.read())] if "-" in given else []
    outcome = open_simulator().fit_workload(name, paths=paths, texts=texts, dialect=dialect, dry_run=dry_run, dbt=dbt)
    if json_out:
        print_json(outcome.to_dict())
        return
    for query in outcome.queries:
        if query.skipped:
            console.print(f"[dim]{escape(query.name)}: not a query, skipped[/]", highlight=False)
            continue
        if query.name in ("(all)", "(dbt)"):
            label = "all queries" if query.name == "(all)" else "dbt"
            for line in query.contributed:
                console.print(f"[cyan]{label}[/]: {escape(line)}", highlight=False)
            continue
        console.print(
            f"[bold]{escape(query.name)}[/] [dim]({escape(query.source)})[/]: {query.filters} "
            f"predicate(s), {query.joins} join(s)",
            highlight=False,
        )
        for line in query.contributed:
            console.print(f"  [green]+[/] {escape(line)}", highlight=False)
        for item in query.shares:
            console.print(f"  [dim]selects ~{item['share']:.1%} of {escape(item['predicate'])}[/]", highlight=False)
        for item in query.together:
            console.print(f"  [dim]about {item['rows']:g} row(s) of {escape(item['table'])} pass all its filters[/]",
                          highlight=False)  # fmt: skip
    for line in outcome.contradictions:
        console.print(f"[yellow]contradiction[/]: {escape(line)}", highlight=False)
    for line in outcome.notes:
        console.print(f"[dim]note: {escape(line)}[/]", highlight=False)
    if dry_run:
        console.print("[yellow]dry run[/]: nothing saved", highlight=False)
    else:
        console.print(
            f"[green]saved[/] schema version {outcome.version} of [bold]{escape(outcome.experiment)}[/]; "
            "run `dw-sim experiment generate` to make data that fits",
            highlight=False,
        )


def print_workload_report(sim: Simulator, name: str, *, json_out: bool = False) -> list[dict[str, Any]]:
    """After a run: every fitted query, whether it returns rows, and what starves the empty ones."""
    checks = [c.to_dict() for c in sim.check_workload(name)]
    if json_out or not checks:
        return checks
    good = sum(1 for c in checks if c["rows"])
    console.print(f"[bold]workload[/]: {good}/{len(checks)} fitted queries return rows", highlight=False)
    for item in checks:
        if item["rows"]:
            continue
        why = item["error"] or (
            ("starved by " + "; ".join(item["starved_by"])) if item["starved_by"] else item["note"] or ""
        )
        console.print(
            f"  [yellow]{escape(item['name'])}[/]: {'failed' if item['error'] else 'no rows'} — {escape(why)}",
            highlight=False,
        )
    return checks


def schema_has_workload(sim: Simulator, name: str) -> bool:
    return bool(sim.get_schema(name).workload)


__all__ = ["fit", "print_workload_report", "schema_has_workload"]
