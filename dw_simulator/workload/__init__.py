"""Data that fits a workload: the experiment's schema fitted to the queries users run on it.

Reads SQL (files, folders, text) in the experiment's dialect with sqlglot, resolves names against the schema's
tables (`resolve`), takes from every predicate what it says about the data (`predicates`: filters, joins, HAVING
counts), and writes domains that answer them into the schema dict (`fit_values`, `fit_keys`): categorical values,
LIKE matches, ranges with mass inside and outside, a date window over the dates named, foreign keys for joins,
group sizes. Each predicate's share of rows is measured on a generator sample (`sample`, `shares`) and reported.
The queries are kept in the schema (`workload`) so a run can be checked against them afterwards (`probes`).

May import `dw_simulator.schema`, `dw_simulator.generator` (for samples), sqlglot and the standard library.

    result = fit_workload(data, queries, dialect="redshift")
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlglot.errors import SqlglotError

from dw_simulator.schema.types import parse_type
from dw_simulator.workload.fit_keys import fit_groups, fit_joins
from dw_simulator.workload.fit_relations import fit_relations
from dw_simulator.workload.fit_values import (
    Record,
    fit_number,
    fit_string,
    fit_unique_dates,
    fit_window,
    is_calendar_day,
    is_keyish,
    is_year,
)
from dw_simulator.workload.predicates import Filter, extract
from dw_simulator.workload.resolve import Catalog, Resolver, UnknownTable
from dw_simulator.workload.sample import sample_columns
from dw_simulator.workload.shares import share
from dw_simulator.workload.sources import ParseProblem, QueryText, collect, parse, split
from dw_simulator.workload.together import boost, conjunctions

__all__ = ["FitResult", "ParseProblem", "QueryText", "WorkloadError", "collect", "fit_workload", "probes", "split"]


class WorkloadError(Exception):
    """A query names something the experiment does not have (or cannot be read): message says where."""


@dataclass
class QueryFit:
    name: str
    source: str
    filters: int = 0
    joins: int = 0
    shares: list[tuple[str, float]] = field(default_factory=list)  # (predicate, share of its table's rows)
    together: list[tuple[str, float]] = field(default_factory=list)  # (table, rows expected to pass all its filters)
    skipped: bool = False  # not a query (DDL, DML)


@dataclass
class FitResult:
    records: list[Record] = field(default_factory=list)
    contradictions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    queries: list[QueryFit] = field(default_factory=list)


def _today(data: dict[str, Any]) -> date:
    end = data.get("date_end")
    return date.fromisoformat(str(end)[:10]) if end else date.today()


def _find(data: dict[str, Any], table: str, column: str) -> tuple[dict[str, Any], dict[str, Any]]:
    t = next(t for t in data["tables"] if t["name"] == table)
    return t, next(c for c in t["columns"] if c["name"] == column)


def fit_workload(data: dict[str, Any], queries: list[QueryText], *, dialect: str) -> FitResult:
    """Fit `data` (a schema dict, changed in place) to `queries`; the records go into its `inferences`."""
    result = FitResult()
    resolver = Resolver(Catalog.of(data))
    today = _today(data)
    filters: list[Filter] = []
    joins = []
    groups = []
    relations = []
    kept: list[QueryText] = []
    for query in queries:
        statement = parse(query, dialect)
        fit = QueryFit(query.name, query.source, skipped=statement is None)
        result.queries.append(fit)
        if statement is None:
            continue
        try:
            found = extract(statement.tree, query.name, resolver, dialect, today)
        except (SqlglotError, RecursionError) as exc:  # a statement sqlglot parses but cannot scope
            raise WorkloadError(f"{query.source} ({query.name}): cannot read the query's names: {exc}") from None
        except UnknownTable as exc:
            line = query.line + exc.line - 1 if exc.line else query.line
            where = f"{query.source} ({query.name}), line {line}" + (f", column {exc.col}" if exc.col else "")
            raise WorkloadError(f"{where}: table {exc.name} is not in experiment '{data['name']}'") from None
        kept.append(query)
        filters += found.filters
        joins += found.joins
        groups += found.groups
        relations += found.relations
        result.notes += found.notes
        fit.filters, fit.joins = len(found.filters), len(found.joins)
    records, problems = fit_joins(data, joins)
    result.records += records
    result.notes += problems
    _fit_values(data, filters, result)
    fitted = {(r["table"], r["column"]) for r in result.records if r.get("table")}
    records, problems = fit_groups(data, groups, fitted)
    result.records += records
    result.notes += problems
    records, problems = fit_relations(data, relations, fitted)
    result.records += records
    result.notes += problems
    _measure(data, filters, result)
    _keep_queries(data, kept, result.records)
    return result


def _fit_values(data: dict[str, Any], filters: list[Filter], result: FitResult) -> None:
    by_column: dict[tuple[str, str], list[Filter]] = {}
    for flt in filters:
        by_column.setdefault((flt.table, flt.column), []).append(flt)
    temporal = [
        f
        for (t, c), fs in by_column.items()
        for f in fs
        if parse_type(str(_find(data, t, c)[1]["data_type"])).is_temporal
    ]
    temporal += [  # `d_year = 2001` names a year of dates too
        replace(f, part="year_column")
        for (t, c), fs in by_column.items()
        if is_year(_find(data, t, c)[1]) and not is_keyish(*_find(data, t, c))
        for f in fs
        if f.part is None
    ]
    records, problems = fit_window(data, temporal)
    result.records += records
    result.contradictions += problems
    strings = []
    for (table_name, column_name), items in by_column.items():
        table, column = _find(data, table_name, column_name)
        spec = parse_type(str(column["data_type"]))
        if (
            spec.is_temporal
            and (column.get("is_unique") or is_calendar_day(table, column))
            and not column.get("foreign_key")
        ):
            result.records += fit_unique_dates(data, table, column, items)
            continue
        if is_keyish(table, column):
            if spec.is_string and any(f.op in ("like", "ilike") or f.part == "prefix" for f in items):
                result.notes.append(
                    f"{table_name}.{column_name} is a key: its values are not fitted to "
                    f"{', '.join(sorted({f.query for f in items}))}"
                )
            continue
        if spec.is_string:
            strings.append((table, column, items))
        elif spec.is_numeric:
            records, problems = fit_number(data, table, column, items)
            result.records += records
            result.contradictions += problems
    needs_sample = [c for _t, c, _f in strings if (c.get("distribution") or {}).get("type") != "categorical"]
    samples = dict(zip((id(c) for c in needs_sample), sample_columns(data, needs_sample, 2000), strict=True))
    for table, column, items in strings:
        records, problems = fit_string(data, table, column, items, samples.get(id(column), []))
        result.records += records
        result.contradictions += problems


def _measure(data: dict[str, Any], filters: list[Filter], result: FitResult) -> None:
    """Each filter's share of its table's rows, and each query's ANDed filters together, on a generator sample of
    the fitted domains (thin conjunctions are boosted once, then measured again)."""
    columns: dict[tuple[str, str], dict[str, Any]] = {}
    for flt in filters:
        table, column = _find(data, flt.table, flt.column)
        if not is_keyish(table, column) or column.get("distribution"):
            columns.setdefault((flt.table, flt.column), column)
    keys = list(columns)
    values = dict(zip(keys, sample_columns(data, [columns[k] for k in keys]), strict=True))
    fitted = {(r["table"], r["column"]) for r in result.records if "distribution" in (r.get("fields") or [])}
    boosted = boost(data, conjunctions(data, filters, values), fitted)
    if boosted:
        result.records += boosted
        values = dict(zip(keys, sample_columns(data, [columns[k] for k in keys]), strict=True))
    by_query = {q.name: q for q in result.queries}
    for flt in filters:
        sample = values.get((flt.table, flt.column))
        if sample is None:
            continue
        got = share(flt, sample)
        by_query[flt.query].shares.append((f"{flt.table}: {flt.describe()}", got))
        if got == 0.0:
            result.contradictions.append(
                f"{flt.query}: `{flt.describe()}` selects no row of {flt.table} under the fitted domain"
            )
    for conj in conjunctions(data, filters, values):
        by_query[conj.query].together.append((conj.table, round(conj.expected, 1)))
        if conj.expected < 1.0:
            result.notes.append(
                f"{conj.query}: about {conj.expected:.1f} row(s) of {conj.table} pass {conj.text()} together; "
                "the query may find none (raise the table's rows, or widen a filter)"
            )


def _keep_queries(data: dict[str, Any], queries: list[QueryText], records: list[Record]) -> None:
    names = {q.name for q in queries}
    stored = [q for q in data.get("workload") or [] if q.get("name") not in names]
    data["workload"] = stored + [{"name": q.name, "sql": q.sql, "source": q.source} for q in queries]
    data["inferences"] = [
        i for i in data.get("inferences") or [] if not (i.get("kind") == "workload" and i.get("value") in names)
    ] + records


def probes(data: dict[str, Any], query: QueryText, dialect: str) -> list[tuple[str, str]]:
    """(predicate, `SELECT COUNT(*) FROM table WHERE predicate`) for each filter of one query."""
    statement = parse(query, dialect)
    if statement is None:
        return []
    found = extract(statement.tree, query.name, Resolver(Catalog.of(data)), dialect, _today(data))
    seen: dict[str, str] = {}
    for flt in found.filters:
        seen.setdefault(f"{flt.table}: {flt.describe()}", flt.probe)
    return list(seen.items())
