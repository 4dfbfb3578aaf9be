"""`dw-sim experiment ...`: create, list, show, delete, generate, runs."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dw_simulator.cli.common import (
    console,
    err_console,
    fmt_rows,
    handle_errors,
    open_simulator,
    parse_rows,
    print_json,
)
from dw_simulator.cli.progress import counted_progress, run_progress
from dw_simulator.results import ExperimentDetail, ExperimentInfo, RunInfo

app = typer.Typer(help="Create, inspect, generate and delete experiments.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@app.command("create")
@handle_errors
def create(
    file: Annotated[Path, typer.Argument(help="Schema file: JSON or YAML (also the brief's draft YAML form).")],
    name: Annotated[str | None, typer.Option(help="Experiment name (default: the schema's name).")] = None,
    target_warehouse: Annotated[
        str | None, typer.Option(help="duckdb, sqlite, redshift or snowflake (default: from settings).")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Replace an experiment of the same name.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Create an experiment from a schema file and its empty tables in the warehouse."""
    info = open_simulator().create_experiment_from_file(
        file, name=name, replace=replace, target_warehouse=target_warehouse
    )
    if json_out:
        print_json(info.to_dict())
        return
    console.print(
        f"[green]created[/] experiment [bold]{info.name}[/] with {info.table_count} table(s) "
        f"on [cyan]{info.target_warehouse}[/] ({info.dialect} SQL)",
        highlight=False,
    )
    _print_warnings(info.warnings)


@app.command("list")
@handle_errors
def list_(json_out: JsonFlag = False) -> None:
    """List experiments with their dialect, warehouse, tables, rows and last run."""
    infos = open_simulator().list_experiments()
    if json_out:
        print_json([i.to_dict() for i in infos])
        return
    if not infos:
        console.print("no experiments yet: try [bold]dw-sim experiment create FILE[/]")
        return
    table = Table(title="experiments")
    for col in ("name", "dialect", "warehouse", "tables", "rows", "last run", "warnings"):
        table.add_column(col, justify="right" if col in ("tables", "rows", "warnings") else "left", no_wrap=True)
    table.add_column("description", overflow="ellipsis", no_wrap=True, max_width=50)
    for info in infos:
        table.add_row(
            info.name,
            info.dialect,
            info.target_warehouse,
            str(info.table_count),
            fmt_rows(info.total_rows),
            info.last_run.status if info.last_run else "-",
            str(len(info.warnings)) if info.warnings else "",
            info.description or "",
        )
    console.print(table)


@app.command("show")
@handle_errors
def show(name: Annotated[str, typer.Argument(help="Experiment name.")], json_out: JsonFlag = False) -> None:
    """Show an experiment's tables, columns, last run and per-column profile (computed on the first show after
    a run)."""
    with counted_progress("profiling columns (tables)", enabled=not json_out and err_console.is_terminal) as bar:
        detail = open_simulator().get_experiment(name, on_profile=bar)
    if json_out:
        print_json(detail.to_dict())
        return
    _render_detail(detail)


@app.command("delete")
@handle_errors
def delete(
    name: Annotated[str, typer.Argument(help="Experiment name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Delete an experiment: drop its tables and remove its metadata, together."""
    sim = open_simulator()
    if not yes:
        info = sim.get_experiment(name).info
        tables = ", ".join(t.name for t in info.tables)
        typer.confirm(
            f"Delete experiment '{info.name}' and drop its {info.table_count} table(s) ({tables}) "
            f"on {info.target_warehouse}?",
            abort=True,
        )
    dropped = sim.delete_experiment(name)
    if json_out:
        print_json({"experiment": name, "deleted": True, "tables_dropped": dropped})
    else:
        console.print(f"[green]deleted[/] experiment [bold]{name}[/]: {dropped} table(s) dropped", highlight=False)


@app.command("generate")
@handle_errors
def generate(
    name: Annotated[str, typer.Argument(help="Experiment name.")],
    rows: Annotated[
        list[str] | None, typer.Option("--rows", help="Row count override TABLE=N; repeatable.", show_default=False)
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for reproducible data (default: random, recorded).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Generator processes (default: 1); with --executor dask and no "
            "--scheduler, the LocalCluster's worker processes (default: one per core).",
        ),
    ] = None,
    batch_size: Annotated[int | None, typer.Option(min=1000, help="Rows per Parquet file (one work unit).")] = None,
    executor: Annotated[
        str | None,
        typer.Option(
            help="Who runs the work units: local (this machine's process pool) or dask (a Dask cluster; "
            "needs dw-sim[dask]). Default: the executor setting (DW_SIM_EXECUTOR), else local."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Address of a running Dask scheduler, e.g. tcp://host:8786 (implies --executor dask; "
            "default DW_SIM_DASK_SCHEDULER; none: a LocalCluster sized to this machine)."
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Generate synthetic data for every table and load it into the experiment's warehouse.

    The previous data stays queryable until the new run has loaded completely; a failed or interrupted
    (Ctrl-C) run leaves it untouched. On a Dask cluster each work unit writes its Parquet part straight to the
    run destination (DW_SIM_RUN_DESTINATION: a folder every worker sees, or s3://bucket/prefix); Ctrl-C cancels
    the cluster's work. See docs/scale-out.md.
    """  # fmt: skip
    sim = open_simulator()
    overrides = parse_rows(rows)
    cancel = threading.Event()
    show_progress = not json_out and err_console.is_terminal
    with run_progress(enabled=show_progress) as bars:
        try:
            run = sim.generate(
                name,
                rows=overrides,
                seed=seed,
                workers=workers,
                batch_size=batch_size,
                progress=bars.on_progress,
                on_phase=bars.on_phase,
                cancel=cancel,
                executor=executor,
                scheduler=scheduler,
            )
        except KeyboardInterrupt:
            cancel.set()
            raise
    if json_out:
        print_json(run.to_dict())
    else:
        _render_run_result(run)
    if run.status != "COMPLETED":
        raise typer.Exit(1)


@app.command("runs")
@handle_errors
def runs(
    name: Annotated[str, typer.Argument(help="Experiment name.")],
    limit: Annotated[int, typer.Option(min=1, help="How many recent runs.")] = 20,
    json_out: JsonFlag = False,
) -> None:
    """List an experiment's generation runs, newest first."""
    items = open_simulator().list_runs(name, limit=limit)
    if json_out:
        print_json([r.to_dict() for r in items])
        return
    if not items:
        console.print(f"no runs yet: try [bold]dw-sim experiment generate {name}[/]")
        return
    table = Table(title=f"runs of {name}")
    for col in ("id", "status", "seed", "workers", "rows", "started", "seconds", "error"):
        table.add_column(col)
    for run in items:
        table.add_row(
            str(run.id),
            _status(run.status),
            str(run.seed),
            str(run.workers),
            fmt_rows(sum(run.row_counts.values()) if run.row_counts else None),
            run.started_at.strftime("%Y-%m-%d %H:%M:%S") if run.started_at else "-",
            f"{run.elapsed_s:.2f}" if run.elapsed_s is not None else "-",
            (run.error_message or "")[:60],
        )
    console.print(table)


# -- rendering ---------------------------------------------------------------------------------------------------------
def _status(status: str) -> str:
    color = {"COMPLETED": "green", "FAILED": "red", "CANCELLED": "yellow", "RUNNING": "cyan"}.get(status, "white")
    return f"[{color}]{status}[/]"


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)


def _render_run_result(run: RunInfo) -> None:
    if run.status == "COMPLETED":
        total = sum(run.row_counts.values())
        seconds = run.elapsed_s or 0.0
        console.print(
            f"[green]run {run.id} completed[/]: {total:,} rows in {seconds:.2f}s (seed {run.seed})", highlight=False
        )
        table = Table(show_header=True)
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, count in run.row_counts.items():
            table.add_row(name, f"{count:,}")
        console.print(table)
    else:
        err_console.print(f"run {run.id} {_status(run.status)}: {run.error_message or ''}", highlight=False)


def _render_detail(detail: ExperimentDetail) -> None:
    info: ExperimentInfo = detail.info
    console.print(
        f"[bold]{info.name}[/]  {info.description or ''}\n"
        f"dialect [cyan]{info.dialect}[/]  warehouse [cyan]{info.target_warehouse}[/]  "
        f"tables {info.table_count}  rows {fmt_rows(info.total_rows)}  created {info.created_at:%Y-%m-%d %H:%M}",
        highlight=False,
    )
    for table_schema, table_info in zip(detail.schema.tables, info.tables, strict=False):
        grid = Table(
            title=f"{table_schema.name} ({fmt_rows(table_info.row_count)} rows, target {table_schema.target_rows:,})",
            title_justify="left",
        )
        for col in ("column", "type", "flags", "rule / distribution", "foreign key"):
            grid.add_column(col)
        profiles = {p["column"]: p for p in detail.profile.get(table_schema.name, [])}
        if profiles:
            for col in ("null %", "distinct", "min", "max", "mean"):
                grid.add_column(col, justify="right")
        for column in table_schema.columns:
            flags = " ".join(f for f, on in (("unique", column.is_unique), ("required", column.required)) if on)
            rule = column.faker_rule or (column.distribution.type if column.distribution else "")
            fk = (
                f"{column.foreign_key.references_table}.{column.foreign_key.references_column}"
                if column.foreign_key
                else ""
            )
            length = f"({column.varchar_length})" if column.varchar_length and "(" not in column.data_type else ""
            cells = [column.name, column.data_type + length, flags, rule, fk]
            profile = profiles.get(column.name)
            if profiles:
                if profile:
                    mean = profile.get("mean")
                    cells += [
                        f"{100 * profile['null_fraction']:.1f}",
                        f"{profile['distinct']:,}",
                        _short(profile.get("min")),
                        _short(profile.get("max")),
                        f"{mean:.3f}" if isinstance(mean, float) else "",
                    ]
                else:
                    cells += ["", "", "", "", ""]
            grid.add_row(*cells)
        console.print(grid)
        _print_warnings(table_schema.warnings)
    if info.last_run:
        run = info.last_run
        console.print(
            f"last run: {run.id} {_status(run.status)} seed {run.seed}"
            + (f" — {run.error_message}" if run.error_message else ""),
            highlight=False,
        )


def _short(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 24 else text[:21] + "..."
