"""`dw-sim experiment learn` and `dw-sim experiment fidelity`: an experiment fitted from a sample of data, and how
close its generated data comes to that sample. Both only call the service layer."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from dw_simulator.cli.common import console, handle_errors, open_simulator, parse_rows, print_json


def register(experiment_app: typer.Typer) -> None:
    experiment_app.command("learn")(learn)
    experiment_app.command("fidelity")(fidelity)


@handle_errors
def learn(
    name: Annotated[str, typer.Argument(help="Experiment name (new, or existing with --update).")],
    sources: Annotated[
        list[str],
        typer.Option(
            "--from",
            help="A Parquet/CSV/JSON file or folder, or a postgresql://, redshift://, "
            "snowflake:// or duckdb:// URL; repeat for more sources.",
        ),
    ],
    tables: Annotated[
        list[str] | None, typer.Option("--table", "-t", help="Learn only this table; repeat (default: all).")
    ] = None,
    schema: Annotated[
        str | None, typer.Option("--schema", help="The database schema to read (default: public / main / the URL's).")
    ] = None,
    sample_rows: Annotated[
        int, typer.Option(help="Rows sampled at random from each table, at most (0: read whole tables).")
    ] = 100_000,
    min_count: Annotated[
        int, typer.Option(help="Keep a categorical value only when the sample holds it at least this often.")
    ] = 5,
    no_values: Annotated[
        bool, typer.Option("--no-values", help="Keep no value of the data: only shapes (quantiles, patterns).")
    ] = False,
    update: Annotated[bool, typer.Option(help="Save the fit as a new schema version of an existing experiment.")] = (
        False
    ),
    replace: Annotated[bool, typer.Option(help="Replace an experiment of the same name.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the learned schema without saving it.")] = False,
    target_warehouse: Annotated[
        str | None, typer.Option(help="duckdb, sqlite, redshift or snowflake (default: from settings).")
    ] = None,
    generate: Annotated[
        bool, typer.Option("--generate", help="Generate the data at once, then print the fidelity report.")
    ] = False,
    rows: Annotated[
        list[str] | None, typer.Option("--rows", help="With --generate: rows for one table, TABLE=N; repeat.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="With --generate: the generation seed.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")] = False,
) -> None:
    """Learn an experiment from a bounded random sample of files or a database: per column its type, NULL and
    distinct shares, frequent values (seen at least --min-count times), quantiles and string patterns; keys and
    foreign keys; and the dependence between columns (a Gaussian copula). No value of a column with many distinct
    values (e-mails, names, free text, ids) is ever copied."""
    sim = open_simulator()
    outcome = sim.learn(name, sources, tables=tables, schema_name=schema, sample_rows=sample_rows,
                        min_count=min_count, keep_values=not no_values, update=update, replace=replace,
                        dry_run=dry_run, target_warehouse=target_warehouse)  # fmt: skip
    report: dict[str, Any] | None = None
    if generate and not dry_run:
        sim.generate(outcome.schema.name, rows=parse_rows(rows), seed=seed)
        report = sim.fidelity(outcome.schema.name)
    if json_out:
        print_json({**outcome.to_dict(), **({"fidelity": report} if report is not None else {})})
        return
    if dry_run:
        print_json(outcome.schema.model_dump(mode="json", exclude_none=True))
        return
    version = f" (schema version {outcome.version})" if outcome.version and outcome.version > 1 else ""
    console.print(f"[green]learned[/] experiment [bold]{outcome.schema.name}[/]{version} from "
                  f"{', '.join(outcome.sources)} in {outcome.seconds:.1f}s", highlight=False)  # fmt: skip
    _print_fit(outcome.report)
    for note in outcome.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    if report is not None:
        print_fidelity(report)


def _print_fit(report: dict[str, Any]) -> None:
    for table in report["tables"]:
        grid = Table(title=f"{table['table']}: {table['sampled_rows']:,} of {table['source_rows']:,} rows sampled, "
                           f"{table['target_rows']:,} to generate")  # fmt: skip
        for col in ("column", "type", "kind", "nulls", "distinct", "kept"):
            grid.add_column(col, no_wrap=True)
        for column in table["columns"]:
            kept = ", ".join(f"{column[k]} {k.replace('_', ' ')}" for k in ("values_kept", "patterns", "quantiles")
                             if column.get(k))  # fmt: skip
            grid.add_row(column["column"], column["data_type"], column["kind"], f"{column['null_rate']:.1%}",
                         f"{column['distinct_ratio']:.1%}", kept)  # fmt: skip
        console.print(grid)
        for fk in table["foreign_keys"]:
            console.print(f"  foreign key {table['table']}.{fk['column']} -> {fk['references']} "
                          f"({fk['inclusion']:.0%} of its values found)", highlight=False)  # fmt: skip
        pairs = ", ".join(f"{p['columns'][0]}~{p['columns'][1]} ({p['correlation']:+.2f})" for p in
                          table["kept_pairs"])  # fmt: skip
        console.print(f"  copula keeps {len(table['kept_pairs'])} pair(s){': ' + pairs if pairs else ''}; "
                      f"{table['weak_pairs_dropped']} weak pair(s) left independent", highlight=False)  # fmt: skip


def print_fidelity(report: dict[str, Any]) -> None:
    for table in report["tables"]:
        grid = Table(title=f"fidelity of {table['table']}: {table['generated_rows']:,} generated rows vs "
                           f"{table['sample_rows']:,} sampled")  # fmt: skip
        for col in ("column", "metric", "distance", "nulls (sample/gen)", "distinct (sample/gen)"):
            grid.add_column(col, no_wrap=True)
        for c in table["columns"]:
            if c.get("missing"):
                grid.add_row(c["column"], "missing", "", "", "")
                continue
            nulls, distinct = c["null_rate"], c["distinct_ratio"]
            grid.add_row(c["column"], c.get("metric", "-"), f"{c['distance']:.4f}" if "distance" in c else "-",
                         f"{nulls['sample']:.1%} / {_pct(nulls['generated'])}",
                         f"{distinct['sample']:.1%} / {_pct(distinct['generated'])}")  # fmt: skip
        console.print(grid)
        for pair in table["pairs"]:
            console.print(f"  rank correlation {pair['columns'][0]}~{pair['columns'][1]}: sample "
                          f"{_num(pair['sample'])}, generated {_num(pair['generated'])}", highlight=False)  # fmt: skip


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:+.3f}"


@handle_errors
def fidelity(
    name: Annotated[str, typer.Argument(help="A learned experiment's name.")],
    rows: Annotated[int | None, typer.Option(help="Generated rows read per table (default 200,000).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")] = False,
) -> None:
    """Compare a learned experiment's generated data with the sample it was learned from: per column the KS
    statistic (numbers, dates) or total-variation distance (categories, string lengths), NULL and distinct
    shares; per kept pair the rank correlation."""
    report = open_simulator().fidelity(name, rows=rows)
    if json_out:
        print_json(report)
        return
    print_fidelity(report)
