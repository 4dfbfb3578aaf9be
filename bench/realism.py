"""Realism benchmark: does data generated from real DDL, unedited, answer real queries?

    python -m bench.realism [--sf 0.01] [--tickit-scale 0.1] [--seed 1] [--json] [--skip-dbgen] [--details]

Imports DDL as a user would have it, through the service layer (`Simulator.import_sql`, no hand edits), generates
it at a small scale keeping the published table proportions, runs the schema's own queries, and prints per schema:

* queries that return >= 1 row, and queries that return a real value (a row with a cell that is neither NULL nor
  a numeric 0: an aggregate over nothing returns one row of NULLs, a count over nothing a 0);
* the FK match rate of every key pair (child rows whose key exists in the parent / non-NULL child rows): the pairs
  the stored schema declares or inferred, plus the schema's true relationships ("reference" pairs, known from the
  benchmark's documentation and used only to measure, never given to dw-sim);
* the share of parents with >= 1 child, for each pair, and for composite-key children (whose leading key column
  references a parent) as the headline figure;
* the share of categorical predicates in the queries (`col = 'x'`, `col IN ('x', ...)`, `col LIKE 'x%'`, not
  negated) whose literal exists in the generated data.

Schemas (all under `bench/realism_schemas/`): TPC-H in Redshift style (written from the specification's table
definitions: DISTKEY/SORTKEY, primary keys, no foreign keys) with the 22 queries of DuckDB's `tpch` extension, read
at run time from `tpch_queries()` under `.venv-dbgen` (`make bench-dbgen`; never committed); and TICKIT, the sample
database of the Amazon Redshift documentation, as its Getting Started guide creates it (no primary or foreign
keys), with queries in the style of the documentation's examples. The reference row runs the same queries and
figures on DuckDB `dbgen`'s real TPC-H data at the same scale factor.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCHEMAS = ROOT / "bench" / "realism_schemas"
QUERY_TIMEOUT_S = 60.0
ROW_CAP = 10_000

# -- the schemas ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """A key relationship: child(columns) -> parent(columns)."""

    child: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.child}({', '.join(self.columns)}) -> {self.parent}({', '.join(self.parent_columns)})"

    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.child.lower(), tuple(c.lower() for c in self.columns)


def _pair(text: str) -> Pair:
    """'child.a,b -> parent.x,y'"""
    left, right = (side.strip() for side in text.split("->"))
    child, cols = left.split(".", 1)
    parent, pcols = right.split(".", 1)
    return Pair(child, tuple(cols.split(",")), parent, tuple(pcols.split(",")))


TPCH_REFERENCE = [
    _pair(p)
    for p in (
        "nation.n_regionkey -> region.r_regionkey",
        "supplier.s_nationkey -> nation.n_nationkey",
        "customer.c_nationkey -> nation.n_nationkey",
        "partsupp.ps_partkey -> part.p_partkey",
        "partsupp.ps_suppkey -> supplier.s_suppkey",
        "orders.o_custkey -> customer.c_custkey",
        "lineitem.l_orderkey -> orders.o_orderkey",
        "lineitem.l_partkey -> part.p_partkey",
        "lineitem.l_suppkey -> supplier.s_suppkey",
        "lineitem.l_partkey,l_suppkey -> partsupp.ps_partkey,ps_suppkey",
    )
]
TICKIT_REFERENCE = [
    _pair(p)
    for p in (
        "event.venueid -> venue.venueid",
        "event.catid -> category.catid",
        "event.dateid -> date.dateid",
        "listing.sellerid -> users.userid",
        "listing.eventid -> event.eventid",
        "listing.dateid -> date.dateid",
        "sales.listid -> listing.listid",
        "sales.sellerid -> users.userid",
        "sales.buyerid -> users.userid",
        "sales.eventid -> event.eventid",
        "sales.dateid -> date.dateid",
    )
]


@dataclass(frozen=True)
class Order:
    """`before <= after` within a row, or (with `via`) a child's `after` not before its parent's `before`."""

    table: str
    before: str
    after: str
    parent: str | None = None
    via: tuple[str, str] | None = None  # (child column, parent column)

    @property
    def label(self) -> str:
        if self.parent is None:
            return f"{self.table}: {self.before} <= {self.after}"
        return f"{self.parent}.{self.before} <= {self.table}.{self.after}"


TPCH_ORDERS = [
    Order("lineitem", "l_shipdate", "l_receiptdate"),
    Order("lineitem", "o_orderdate", "l_shipdate", "orders", ("l_orderkey", "o_orderkey")),
]
TICKIT_ORDERS = [Order("sales", "listtime", "saletime", "listing", ("listid", "listid"))]
NEAR_UNIQUE = re.compile(r"e_?mail|phone|user_?name|address", re.IGNORECASE)


def tpch_rows(sf: float) -> dict[str, int]:
    """The specification's cardinalities (clause 4.2.5) at scale factor `sf`; lineitem is about 4 per order."""
    base = {"part": 200_000, "supplier": 10_000, "partsupp": 800_000, "customer": 150_000, "orders": 1_500_000,
            "lineitem": 6_000_000}  # fmt: skip
    return {"region": 5, "nation": 25, **{t: max(1, round(n * sf)) for t, n in base.items()}}


def tickit_rows(scale: float) -> dict[str, int]:
    """The row counts of the published TICKIT data set (fixed-size dimensions kept whole)."""
    base = {"users": 49_990, "event": 8_798, "listing": 192_497, "sales": 172_456}
    return {"category": 11, "venue": 202, "date": 365, **{t: max(1, round(n * scale)) for t, n in base.items()}}


@dataclass
class Query:
    name: str
    sql: str
    dialect: str


def tickit_queries() -> list[Query]:
    text = (SCHEMAS / "tickit_queries.sql").read_text()
    out = []
    for chunk in re.split(r"^-- name: ", text, flags=re.MULTILINE)[1:]:
        name, _, body = chunk.partition("\n")
        out.append(Query(name.strip(), body.strip().rstrip(";"), "redshift"))
    return out


# -- running SQL ------------------------------------------------------------------------------------------------

Run = Callable[..., tuple[list[str], list[tuple[Any, ...]]]]
"""run(sql, dialect="duckdb") -> (column names, rows)"""


@contextmanager
def _deadline(seconds: float, interrupt: Callable[[], Any]) -> Iterator[None]:
    timer = threading.Timer(seconds, interrupt)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def sim_runner(sim: Any, experiment: str) -> Run:
    def run(sql: str, dialect: str = "duckdb") -> tuple[list[str], list[tuple[Any, ...]]]:
        with _deadline(QUERY_TIMEOUT_S, sim.interrupt):
            result = sim.query(experiment, sql, dialect=dialect, limit=ROW_CAP)
        return list(result.columns), [tuple(r) for r in result.rows]

    return run


def duck_runner(con: Any) -> Run:
    def run(sql: str, dialect: str = "duckdb") -> tuple[list[str], list[tuple[Any, ...]]]:
        assert dialect == "duckdb", "the reference data is queried in DuckDB SQL only"
        with _deadline(QUERY_TIMEOUT_S, con.interrupt):
            cur = con.execute(sql)
            rows = cur.fetchmany(ROW_CAP)
        return [d[0] for d in cur.description], [tuple(r) for r in rows]

    return run


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- figures ----------------------------------------------------------------------------------------------------


@dataclass
class QueryOutcome:
    name: str
    rows: int = 0
    real: bool = False
    error: str | None = None
    seconds: float = 0.0


@dataclass
class PairOutcome:
    label: str
    source: str  # declared | inferred | reference (not in the schema)
    match_rate: float | None
    parent_coverage: float | None
    child_rows: int
    composite_child: bool = False


@dataclass
class LiteralOutcome:
    query: str
    column: str
    op: str
    literal: str
    found: bool


@dataclass
class SchemaReport:
    schema: str
    runner: str
    rows: dict[str, int]
    queries: list[QueryOutcome] = field(default_factory=list)
    pairs: list[PairOutcome] = field(default_factory=list)
    literals: list[LiteralOutcome] = field(default_factory=list)
    orders: dict[str, float | None] = field(default_factory=dict)
    distinct: dict[str, float | None] = field(default_factory=dict)
    inferences: int | None = None
    generate_seconds: float | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        n = len(self.queries)
        inferred = [p for p in self.pairs if p.source == "inferred" and p.match_rate is not None]
        keyed = [p for p in self.pairs if p.match_rate is not None]
        composite = [p for p in self.pairs if p.composite_child and p.parent_coverage is not None]
        hits = sum(1 for lit in self.literals if lit.found)
        return {
            "queries_with_rows": f"{sum(1 for x in self.queries if x.rows > 0)}/{n}",
            "queries_with_real_value": f"{sum(1 for x in self.queries if x.real)}/{n}",
            "query_errors": sum(1 for x in self.queries if x.error),
            "fk_pairs_in_schema": sum(1 for p in self.pairs if p.source != "reference"),
            "fk_pairs_inferred": sum(1 for p in self.pairs if p.source == "inferred"),
            "fk_match_all_pairs": _mean([p.match_rate for p in keyed]),
            "fk_match_min": min((p.match_rate for p in keyed if p.match_rate is not None), default=None),
            "fk_match_inferred": _mean([p.match_rate for p in inferred]),
            "parents_with_children": _mean([p.parent_coverage for p in self.pairs if p.parent_coverage is not None]),
            "composite_parents_with_children": _mean([p.parent_coverage for p in composite]),
            "categorical_literals_found": f"{hits}/{len(self.literals)}",
            "temporal_orders_holding": _mean(list(self.orders.values())),
            "near_unique_distinct": _mean(list(self.distinct.values())),
        }


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def is_real(rows: list[tuple[Any, ...]]) -> bool:
    for row in rows:
        for cell in row:
            if cell is None:
                continue
            if isinstance(cell, bool):
                return True
            if isinstance(cell, int | float | Decimal) and cell == 0:
                continue
            return True
    return False


def run_queries(run: Run, queries: list[Query]) -> list[QueryOutcome]:
    out = []
    for query in queries:
        outcome = QueryOutcome(query.name)
        started = time.perf_counter()
        try:
            _, rows = run(query.sql, query.dialect)
            outcome.rows, outcome.real = len(rows), is_real(rows)
        except Exception as exc:  # a failing query is a figure of its own, reported with its message
            outcome.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
        outcome.seconds = time.perf_counter() - started
        out.append(outcome)
    return out


def pair_figures(run: Run, pair: Pair) -> tuple[float | None, float | None, int]:
    """(match rate, parent coverage, non-NULL child rows) of one key pair."""
    c_not_null = " AND ".join(f"c.{q(c)} IS NOT NULL" for c in pair.columns)
    on = " AND ".join(f"c.{q(c)} = p.{q(pc)}" for c, pc in zip(pair.columns, pair.parent_columns, strict=True))
    first_parent = q(pair.parent_columns[0])
    sql = (
        f"SELECT count(*), count(p.{first_parent}) FROM {q(pair.child)} c "
        f"LEFT JOIN (SELECT DISTINCT {', '.join(q(pc) for pc in pair.parent_columns)} FROM {q(pair.parent)}) p "
        f"ON {on} WHERE {c_not_null}"
    )
    _, rows = run(sql)
    total, matched = int(rows[0][0]), int(rows[0][1])
    child_cols = ", ".join(q(c) for c in pair.columns)
    cover = (
        f"SELECT count(*), count(c.k) FROM (SELECT DISTINCT {', '.join(q(pc) for pc in pair.parent_columns)} "
        f"FROM {q(pair.parent)}) p LEFT JOIN (SELECT DISTINCT {child_cols}, 1 AS k FROM {q(pair.child)} "
        f"WHERE {' AND '.join(f'{q(c)} IS NOT NULL' for c in pair.columns)}) c ON {on}"
    )
    _, rows = run(cover)
    parents, covered = int(rows[0][0]), int(rows[0][1])
    return (matched / total if total else None), (covered / parents if parents else None), total


def order_figure(run: Run, order: Order) -> float | None:
    """Share of rows (with both values present) where the order holds."""
    if order.parent is None or order.via is None:
        sql = (f"SELECT count(*), count(*) FILTER (WHERE {q(order.before)} <= {q(order.after)}) FROM {q(order.table)} "
               f"WHERE {q(order.before)} IS NOT NULL AND {q(order.after)} IS NOT NULL")  # fmt: skip
    else:
        sql = (f"SELECT count(*), count(*) FILTER (WHERE p.{q(order.before)} <= c.{q(order.after)}) "
               f"FROM {q(order.table)} c JOIN {q(order.parent)} p ON c.{q(order.via[0])} = p.{q(order.via[1])} "
               f"WHERE p.{q(order.before)} IS NOT NULL AND c.{q(order.after)} IS NOT NULL")  # fmt: skip
    _, rows = run(sql)
    total, holding = int(rows[0][0]), int(rows[0][1])
    return holding / total if total else None


def distinct_figures(run: Run, schema: Any) -> dict[str, float | None]:
    """Distinct values / non-NULL rows of the string columns that are near-unique in production (e-mail, phone,
    user name, address)."""
    out: dict[str, float | None] = {}
    for table in schema.tables:
        for column in table.columns:
            if column.type_spec.is_string and NEAR_UNIQUE.search(column.name):
                _, rows = run(f"SELECT count(DISTINCT {q(column.name)}), count({q(column.name)}) FROM {q(table.name)}")
                out[f"{table.name}.{column.name}"] = rows[0][0] / rows[0][1] if rows[0][1] else None
    return out


def categorical_literals(queries: list[Query], columns: dict[str, list[str]]) -> list[tuple[str, str, str, str]]:
    """(query, column, op, literal) for every non-negated `col = 'x'`, `col IN ('x', ...)`, `col LIKE 'x'`."""
    import sqlglot
    from sqlglot import exp

    found: list[tuple[str, str, str, str]] = []
    for query in queries:
        try:
            tree = sqlglot.parse_one(query.sql, read="duckdb" if query.dialect == "duckdb" else "redshift")
        except sqlglot.errors.ParseError:
            continue
        for node in tree.walk():
            if _negated(node):
                continue
            column, literals, op = None, [], ""
            if isinstance(node, exp.EQ):
                sides = [node.this, node.expression]
                col = next((s for s in sides if isinstance(s, exp.Column)), None)
                lit = next((s for s in sides if isinstance(s, exp.Literal) and s.is_string), None)
                if col is not None and lit is not None:
                    column, literals, op = col.name, [lit.this], "="
            elif isinstance(node, exp.In) and isinstance(node.this, exp.Column):
                items = node.expressions
                if items and all(isinstance(i, exp.Literal) and i.is_string for i in items):
                    column, literals, op = node.this.name, [i.this for i in items], "IN"
            elif isinstance(node, exp.Like) and isinstance(node.this, exp.Column):
                lit = node.expression
                if isinstance(lit, exp.Literal) and lit.is_string:
                    column, literals, op = node.this.name, [lit.this], "LIKE"
            if column is not None and column.lower() in columns:
                found += [(query.name, column.lower(), op, value) for value in literals]
    return found


def _negated(node: Any) -> bool:
    from sqlglot import exp

    parent = node.parent
    return isinstance(parent, exp.Not) or isinstance(node, exp.NEQ)


def literal_figures(run: Run, items: list[tuple[str, str, str, str]], columns: dict[str, list[str]]) -> list[
        LiteralOutcome]:  # fmt: skip
    out = []
    cache: dict[tuple[str, str, str], bool] = {}
    for query, column, op, literal in items:
        token = (column, op, literal)
        if token not in cache:
            text = "'" + literal.replace("'", "''") + "'"
            hit = False
            for table in columns[column]:
                predicate = f"{q(column)} LIKE {text}" if op == "LIKE" else f"{q(column)} = {text}"
                _, rows = run(f"SELECT count(*) FROM {q(table)} WHERE {predicate}")
                if rows[0][0]:
                    hit = True
                    break
            cache[token] = hit
        out.append(LiteralOutcome(query, column, op, literal, cache[token]))
    return out


# -- one schema through dw-sim ----------------------------------------------------------------------------------


def schema_pairs(schema: Any) -> tuple[list[Pair], set[tuple[str, tuple[str, ...]]]]:
    """The stored schema's key pairs (single-column `foreign_key`s and, when the model has them, table-level
    multi-column `foreign_keys`) and which of them the schema lists as inferred."""
    data = schema.model_dump(mode="json")
    pairs: list[Pair] = []
    for table in data["tables"]:
        for column in table["columns"]:
            fk = column.get("foreign_key")
            if fk:
                pairs.append(Pair(table["name"], (column["name"],), fk["references_table"],
                                  (fk["references_column"],)))  # fmt: skip
        pairs += [Pair(table["name"], tuple(fk["columns"]), fk["references_table"], tuple(fk["references_columns"]))
                  for fk in table.get("foreign_keys") or []]  # fmt: skip
    inferred: set[tuple[str, tuple[str, ...]]] = set()
    for record in data.get("inferences") or []:
        if str(record.get("kind", "")).startswith("foreign_key"):
            cols = tuple(c.strip().lower() for c in str(record.get("column") or "").split(","))
            inferred.add((str(record["table"]).lower(), cols))
    return pairs, inferred


def composite_leads(schema: Any) -> set[tuple[str, str]]:
    """(table, column) of the leading column of every composite key."""
    return {(t.name.lower(), t.composite_keys[0][0].lower()) for t in schema.tables if t.composite_keys}


def column_tables(schema: Any) -> dict[str, list[str]]:
    """String column name -> the tables that have it."""
    out: dict[str, list[str]] = {}
    for table in schema.tables:
        for column in table.columns:
            if column.type_spec.is_string:
                out.setdefault(column.name.lower(), []).append(table.name)
    return out


def measure(run: Run, schema: Any, queries: list[Query], reference: list[Pair], orders: list[Order],
            report: SchemaReport) -> None:  # fmt: skip
    report.queries = run_queries(run, queries)
    pairs, inferred = schema_pairs(schema)
    leads = composite_leads(schema)
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for pair, source in [*[(p, "schema") for p in pairs], *[(p, "reference") for p in reference]]:
        if pair.key() in seen:
            continue
        seen.add(pair.key())
        if source == "schema":
            source = "inferred" if pair.key() in inferred else "declared"
        match, coverage, total = pair_figures(run, pair)
        composite = len(pair.columns) == 1 and (pair.child.lower(), pair.columns[0].lower()) in leads
        report.pairs.append(PairOutcome(pair.label, source, match, coverage, total, composite))
    columns = column_tables(schema)
    report.literals = literal_figures(run, categorical_literals(queries, columns), columns)
    report.orders = {o.label: order_figure(run, o) for o in orders}
    report.distinct = distinct_figures(run, schema)


def run_dwsim(sim: Any, name: str, ddl: Path, dialect: str, rows: dict[str, int], seed: int,
              queries: list[Query], reference: list[Pair],
              orders: list[Order]) -> tuple[SchemaReport, Any]:  # fmt: skip
    outcome = sim.import_sql(ddl.read_text(), dialect, name=name, rows=rows, target_warehouse="duckdb",
                             replace=True)  # fmt: skip
    inferences = getattr(outcome, "inferences", None)
    started = time.perf_counter()
    run = sim.generate(name, seed=seed)
    seconds = time.perf_counter() - started
    if run.status != "COMPLETED":
        raise SystemExit(f"generating {name} failed: {run.error_message}")
    stored = sim.get_schema(name)
    report = SchemaReport(name, "dw-sim", dict(run.row_counts), generate_seconds=seconds,
                          inferences=None if inferences is None else len(inferences))  # fmt: skip
    report.notes = list(outcome.notes)
    measure(sim_runner(sim, name), stored, queries, reference, orders, report)
    return report, stored


# -- dbgen's real TPC-H data ------------------------------------------------------------------------------------


def dbgen_python(explicit: str | None) -> str | None:
    candidate = explicit or os.environ.get("DW_SIM_BENCH_DBGEN_PYTHON")
    if candidate:
        return candidate
    local = ROOT / ".venv-dbgen" / "bin" / "python"
    return str(local) if local.exists() else None


def dbgen_reference(python: str, sf: float, out: Path, *, queries_only: bool = False) -> dict[str, Any]:
    args = [python, str(ROOT / "bench" / "tpch_reference.py"), "--sf", str(sf), "--out", str(out)]
    if queries_only:
        args.append("--queries-only")
    done = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        return {"unavailable": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    info: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return info


def run_reference(out: Path, schema: Any, queries: list[Query], reference: list[Pair]) -> SchemaReport:
    import duckdb

    con = duckdb.connect()
    rows = {}
    for path in sorted(out.glob("*.parquet")):
        con.execute(f"CREATE VIEW {q(path.stem)} AS SELECT * FROM read_parquet('{path}')")
        rows[path.stem] = int(con.execute(f"SELECT count(*) FROM {q(path.stem)}").fetchone()[0])  # type: ignore[index]
    report = SchemaReport("tpch", "dbgen (real TPC-H data)", rows)
    run = duck_runner(con)
    report.queries = run_queries(run, queries)
    leads = composite_leads(schema)
    for pair in reference:
        match, coverage, total = pair_figures(run, pair)
        composite = len(pair.columns) == 1 and (pair.child.lower(), pair.columns[0].lower()) in leads
        report.pairs.append(PairOutcome(pair.label, "reference", match, coverage, total, composite))
    columns = column_tables(schema)
    report.literals = literal_figures(run, categorical_literals(queries, columns), columns)
    report.orders = {o.label: order_figure(run, o) for o in TPCH_ORDERS}
    report.distinct = distinct_figures(run, schema)
    con.close()
    return report


# -- printing ---------------------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value * 100:.1f}%"
    return str(value)


SUMMARY_ROWS = (
    ("queries_with_rows", "queries returning >= 1 row"),
    ("queries_with_real_value", "queries returning a real value"),
    ("query_errors", "queries failing"),
    ("fk_pairs_in_schema", "key pairs in the schema"),
    ("fk_pairs_inferred", "  of them inferred"),
    ("fk_match_all_pairs", "FK match rate, all pairs (mean)"),
    ("fk_match_min", "FK match rate, worst pair"),
    ("fk_match_inferred", "FK match rate, inferred pairs"),
    ("parents_with_children", "parents with >= 1 child (mean)"),
    ("composite_parents_with_children", "composite-key parents with children"),
    ("categorical_literals_found", "categorical literals found"),
    ("temporal_orders_holding", "temporal orders holding (mean)"),
    ("near_unique_distinct", "e-mail/phone/name distinct share"),
)


def print_reports(title: str, reports: list[SchemaReport], details: bool) -> None:
    print(f"\n== {title} ==")
    for report in reports:
        rows = ", ".join(f"{t} {n:,}" for t, n in sorted(report.rows.items()))
        extra = f"; generated in {report.generate_seconds:.1f}s" if report.generate_seconds is not None else ""
        inferred = f"; import listed {report.inferences} inference(s)" if report.inferences is not None else ""
        print(f"  [{report.runner}] rows: {rows}{extra}{inferred}")
    summaries = [r.summary() for r in reports]
    width = max(len(r.runner) for r in reports) + 2
    print(f"  {'':38}" + "".join(f"{r.runner:>{width}}" for r in reports))
    for key, label in SUMMARY_ROWS:
        print(f"  {label:38}" + "".join(f"{_fmt(s[key]):>{width}}" for s in summaries))
    if not details:
        return
    for report in reports:
        print(f"\n  -- {report.runner}: queries")
        for outcome in report.queries:
            state = outcome.error or f"{outcome.rows} row(s){', real' if outcome.real else ''}"
            print(f"     {outcome.name:34} {state}")
        print(f"  -- {report.runner}: key pairs (match rate, parents with children, child rows)")
        for pair in report.pairs:
            tag = " [composite-key child]" if pair.composite_child else ""
            print(f"     {pair.label:66} {pair.source:9} {_fmt(pair.match_rate):>7} {_fmt(pair.parent_coverage):>7} "
                  f"{pair.child_rows:>8}{tag}")  # fmt: skip
        print(f"  -- {report.runner}: temporal orders and near-unique columns")
        for label, share in [*report.orders.items(), *report.distinct.items()]:
            print(f"     {label:66} {_fmt(share):>7}")
        print(f"  -- {report.runner}: categorical literals")
        for lit in report.literals:
            print(f"     {lit.query:22} {lit.column} {lit.op} {lit.literal!r}: {'found' if lit.found else 'MISSING'}")


# -- main -------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sf", type=float, default=0.01, help="TPC-H scale factor (0.01: 86k rows)")
    parser.add_argument("--tickit-scale", type=float, default=0.1, help="share of TICKIT's published row counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-dbgen", action="store_true", help="no reference row (the TPC-H queries still "
                        "need .venv-dbgen)")  # fmt: skip
    parser.add_argument("--dbgen-python", default=None, help="interpreter whose DuckDB has the tpch extension")
    parser.add_argument("--details", action="store_true", help="per query, key pair and literal")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    parser.add_argument("--keep", type=Path, default=None, help="keep the data root here (default: a temp dir)")
    ns = parser.parse_args(argv)

    from dw_simulator.config import Settings
    from dw_simulator.service import Simulator

    python = dbgen_python(ns.dbgen_python)
    with tempfile.TemporaryDirectory(prefix="dwsim-realism-") as tmp:
        root = ns.keep or Path(tmp)
        ref_dir = root / "dbgen"
        results: dict[str, list[SchemaReport]] = {}
        tpch_queries: list[Query] = []
        ref_info: dict[str, Any] = {"unavailable": "no .venv-dbgen (run `make bench-dbgen`)"}
        if python is not None:
            ref_info = dbgen_reference(python, ns.sf, ref_dir, queries_only=ns.skip_dbgen)
            if "unavailable" not in ref_info:
                texts = json.loads((ref_dir / "queries.json").read_text())
                tpch_queries = [Query(k, v, "duckdb") for k, v in sorted(texts.items())]
        with Simulator(Settings(data_root=root / "data")) as sim:
            report, tpch_schema = run_dwsim(sim, "tpch", SCHEMAS / "tpch_redshift.sql", "redshift",
                                            tpch_rows(ns.sf), ns.seed, tpch_queries, TPCH_REFERENCE,
                                            TPCH_ORDERS)  # fmt: skip
            results["TPC-H"] = [report]
            report, _ = run_dwsim(sim, "tickit", SCHEMAS / "tickit_redshift.sql", "redshift",
                                  tickit_rows(ns.tickit_scale), ns.seed, tickit_queries(),
                                  TICKIT_REFERENCE, TICKIT_ORDERS)  # fmt: skip
            results["TICKIT"] = [report]
        if tpch_queries and not ns.skip_dbgen:
            results["TPC-H"].append(run_reference(ref_dir, tpch_schema, tpch_queries, TPCH_REFERENCE))
        if ns.json:
            print(json.dumps({k: [{**asdict(r), "summary": r.summary()} for r in v] for k, v in results.items()},
                             indent=1, default=str))  # fmt: skip
            return
        if not tpch_queries:
            print(f"TPC-H queries unavailable: {ref_info.get('unavailable')}; only the key figures are measured")
        print_reports(f"TPC-H, Redshift-style DDL without foreign keys, sf {ns.sf}, seed {ns.seed}",
                      results["TPC-H"], ns.details)  # fmt: skip
        print_reports(f"TICKIT (Redshift sample database), scale {ns.tickit_scale}, seed {ns.seed}",
                      results["TICKIT"], ns.details)  # fmt: skip


if __name__ == "__main__":
    main()
