"""Fitting an experiment's schema to its workload (`experiment fit --queries`), and checking a run against it.

`fit` reads the queries, lets `dw_simulator.workload` fit a copy of the schema, validates it (model and plan) and
saves it as a new schema version (not with `dry_run`). `check` runs each stored query on the experiment's data with
a time limit; for a query that returns nothing it runs each of its predicates alone on its table, to name the one
that starves it (or says that only their combination does).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dw_simulator.errors import DwSimError, QueryError, SchemaValidationError

if TYPE_CHECKING:
    from dw_simulator.schema import ExperimentSchema

QUERY_TIMEOUT_S = 30.0


@dataclass
class QueryContribution:
    name: str
    source: str
    filters: int
    joins: int
    shares: list[dict[str, Any]]
    contributed: list[str]
    skipped: bool = False
    together: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FitOutcome:
    experiment: str
    dry_run: bool
    version: int | None
    queries: list[QueryContribution]
    contradictions: list[str]
    notes: list[str]
    schema: ExperimentSchema | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("schema", None)
        if self.schema is not None:
            out["schema"] = json.loads(self.schema.model_dump_json(exclude_none=True))
        return out


@dataclass
class QueryCheck:
    name: str
    rows: int | None  # rows returned (at most 1 is fetched); None when it failed
    error: str | None = None
    seconds: float = 0.0
    starved_by: list[str] = field(default_factory=list)  # predicates that select no row alone
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_queries(paths: list[str | Path], texts: list[tuple[str, str]], dialect: str) -> list[Any]:
    from dw_simulator.workload import ParseProblem, collect, split

    try:
        found = collect([Path(p) for p in paths])
        found += [(name, text) for name, text in texts]
        queries = [q for source, text in found for q in split(source, text, dialect)]
    except ParseProblem as exc:
        raise QueryError(
            str(exc), details=[{"message": exc.reason, "source": exc.source, "line": exc.line, "col": exc.col}]
        ) from None
    if not queries:
        raise QueryError("no queries were given (files, folders of .sql files, or text)")
    return queries


def fit(
    sim: Any,
    name: str,
    *,
    paths: list[str | Path],
    texts: list[tuple[str, str]],
    dialect: str | None,
    dry_run: bool,
    dbt: str | Path | None = None,
) -> FitOutcome:
    from dw_simulator.generator import build_plan
    from dw_simulator.schema import load_schema_data
    from dw_simulator.workload import ParseProblem, WorkloadError, fit_workload

    try:
        project = _read_dbt(dbt) if dbt is not None else None
        data, read, created = _base(sim, name, dialect, project)
        queries = read_queries(paths, texts, read) if paths or texts or project is None else []
        extra: list[dict[str, Any]] = []
        notes: list[str] = []
        if project is not None:
            from dw_simulator.workload.dbt_project import model_queries
            from dw_simulator.workload.dbt_tests import apply_tests, source_tables

            models, trees = model_queries(project, read)
            extra += source_tables(data, project, trees)
            extra += apply_tests(data, project, trees)
            queries = models + queries
            notes += project.notes
        result = fit_workload(data, queries, dialect=read)
    except ParseProblem as exc:
        raise QueryError(
            str(exc), details=[{"message": exc.reason, "source": exc.source, "line": exc.line, "col": exc.col}]
        ) from None
    except WorkloadError as exc:
        raise QueryError(str(exc)) from None
    data["inferences"] = [i for i in data.get("inferences") or [] if i.get("value") != "dbt"] + extra
    for stored in data.get("workload") or []:
        stored.setdefault("dialect", read)
    fitted = load_schema_data(data, source="fitted schema")
    build_plan(fitted, 1)  # a fit the generator cannot plan is refused here, not at the next run
    contributions = []
    for query in result.queries:
        mine = [
            r["reason"] if not r.get("table") else f"{r['table']}.{r['column']}: {r['reason']}"
            for r in result.records
            if r.get("value") == query.name
        ]
        shares = [{"predicate": p, "share": round(s, 4)} for p, s in query.shares]
        contributions.append(
            QueryContribution(
                query.name,
                query.source,
                query.filters,
                query.joins,
                shares,
                mine,
                query.skipped,
                [{"table": t, "rows": n} for t, n in query.together],
            )
        )
    contributions += [
        QueryContribution("(all)", "", 0, 0, [], [r["reason"]]) for r in result.records if r.get("value") == "workload"
    ]
    if extra:
        lines = [f"{r['table']}{'.' + r['column'] if r.get('column') else ''}: {r['reason']}" for r in extra]
        contributions.append(QueryContribution("(dbt)", str(dbt), 0, 0, [], lines))
    version = None
    if not dry_run:
        if created is not None:
            sim.create_experiment(load_schema_data(created, source="dbt sources"))
        saved = sim.save_schema(name, fitted.model_dump_json(exclude_none=True))
        version = saved.version
    return FitOutcome(fitted.name, dry_run, version, contributions, result.contradictions, notes + result.notes, fitted)


def _read_dbt(path: str | Path) -> Any:
    from dw_simulator.workload.dbt_project import read_project

    return read_project(Path(path))


def _base(sim: Any, name: str, dialect: str | None, project: Any) -> tuple[dict[str, Any], str, dict[str, Any] | None]:
    """(schema dict to fit, dialect, the dict to create the experiment from when it does not exist yet)."""
    from datetime import date

    from dw_simulator.errors import NotFoundError

    try:
        schema = sim.get_schema(name)
    except NotFoundError:
        if project is None:
            raise
        from dw_simulator.inference import infer_schema
        from dw_simulator.workload.dbt_project import model_queries
        from dw_simulator.workload.dbt_tests import source_tables

        read = dialect or "redshift"
        data: dict[str, Any] = {"name": name, "tables": []}
        if read in ("redshift", "snowflake"):
            data["dialect"] = read
        _models, trees = model_queries(project, read)
        source_tables(data, project, trees)
        if not data["tables"]:
            raise QueryError(
                f"the dbt project {project.root} declares no sources with columns: nothing to make an experiment from"
            ) from None
        data["inferences"] = infer_schema(data, today=date.today()).records
        created = json.loads(json.dumps(data))
        return data, read, created
    return json.loads(schema.model_dump_json(exclude_none=True)), dialect or schema.resolved_dialect, None


def check(sim: Any, name: str, *, timeout_s: float = QUERY_TIMEOUT_S) -> list[QueryCheck]:
    """Run every query the schema was fitted to; name the predicates that starve the empty ones."""
    schema = sim.get_schema(name)
    out = []
    for stored in schema.workload:
        dialect = stored_dialect(stored, schema)
        item = QueryCheck(stored.name, None)
        started = time.perf_counter()
        try:
            item.rows = _count(sim, name, stored.sql, dialect, timeout_s, limit=1)
        except DwSimError as exc:
            item.error = exc.message.splitlines()[0][:300]
        item.seconds = round(time.perf_counter() - started, 3)
        if item.rows == 0:
            _diagnose(sim, schema, stored.name, stored.sql, dialect, timeout_s, item)
        out.append(item)
    return out


def stored_dialect(stored: Any, schema: ExperimentSchema) -> str:
    return getattr(stored, "dialect", None) or schema.resolved_dialect


def _count(sim: Any, name: str, sql: str, dialect: str, timeout_s: float, *, limit: int | None) -> int:
    timer = threading.Timer(timeout_s, sim.interrupt)
    timer.start()
    try:
        result = sim.query(name, sql, dialect=dialect, limit=limit)
    finally:
        timer.cancel()
    if limit is None and result.rows and len(result.rows[0]) == 1 and isinstance(result.rows[0][0], int):
        return int(result.rows[0][0])
    return len(result.rows)


def _diagnose(
    sim: Any, schema: ExperimentSchema, query: str, sql: str, dialect: str, timeout_s: float, item: QueryCheck
) -> None:
    from dw_simulator.workload import QueryText, probes

    data = json.loads(schema.model_dump_json(exclude_none=True))
    try:
        filters = probes(data, QueryText(query, sql, "stored", 1), dialect)
    except (SchemaValidationError, Exception) as exc:  # a stored query that no longer resolves: say so
        item.note = f"cannot re-read the query: {exc}"
        return
    for text, probe in filters:
        try:
            if probe and _count(sim, schema.name, probe, dialect, timeout_s, limit=None) == 0:
                item.starved_by.append(text)
        except DwSimError:
            continue
    if not item.starved_by:
        item.note = "each predicate selects rows on its own; only their combination (or a join) finds none"
