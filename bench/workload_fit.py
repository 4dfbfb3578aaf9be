"""Workload-fit benchmark: do the schema's own queries find data once `experiment fit` has read them?

    python -m bench.workload_fit [--sf 0.01] [--tickit-scale 0.1] [--seed 1] [--details] [--json]

For TPC-H (the realism benchmark's Redshift-style DDL, no foreign keys; the 22 queries of DuckDB's `tpch`
extension read at run time from `tpch_queries()` under `.venv-dbgen`, `make bench-dbgen`) and TICKIT (the Redshift
sample database with the documentation-style queries of `bench/realism_schemas/`), through the service layer:

1. import the DDL unedited, generate, measure (the defaults: "before");
2. `Simulator.fit_workload` with the same queries, generate with the same seed, measure again ("after"), and print
   the per-query check the CLI prints after a run (queries still empty, with the predicate that starves them).

Measured as `bench.realism` does: queries returning >= 1 row and a real (non-NULL, non-zero) value, FK match rate
of every key pair in the schema, categorical literals found. The dbgen reference row is `python -m bench.realism`'s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.realism import (  # noqa: E402
    SCHEMAS,
    TICKIT_ORDERS,
    TICKIT_REFERENCE,
    TPCH_ORDERS,
    TPCH_REFERENCE,
    Order,
    Pair,
    Query,
    SchemaReport,
    dbgen_python,
    dbgen_reference,
    measure,
    print_reports,
    sim_runner,
    tickit_queries,
    tickit_rows,
    tpch_rows,
)


def _generate(sim: Any, name: str, seed: int) -> float:
    started = time.perf_counter()
    run = sim.generate(name, seed=seed)
    if run.status != "COMPLETED":
        raise SystemExit(f"generating {name} failed: {run.error_message}")
    return time.perf_counter() - started


def run_schema(
    sim: Any,
    name: str,
    ddl: Path,
    rows: dict[str, int],
    seed: int,
    queries: list[Query],
    reference: list[Pair],
    orders: list[Order],
) -> tuple[list[SchemaReport], dict[str, Any]]:
    sim.import_sql(ddl.read_text(), "redshift", name=name, rows=rows, target_warehouse="duckdb", replace=True)
    before = SchemaReport(name, "defaults", {}, generate_seconds=_generate(sim, name, seed))
    measure(sim_runner(sim, name), sim.get_schema(name), queries, reference, orders, before)
    dialect = queries[0].dialect if queries else "redshift"
    started = time.perf_counter()
    outcome = sim.fit_workload(name, texts=[(q.name, q.sql) for q in queries], dialect=dialect)
    fit_seconds = time.perf_counter() - started
    after = SchemaReport(name, "after fit", {}, generate_seconds=_generate(sim, name, seed))
    stored = sim.get_schema(name)
    measure(sim_runner(sim, name), stored, queries, reference, orders, after)
    checks = [c.to_dict() for c in sim.check_workload(name)]
    info = {
        "fit_seconds": round(fit_seconds, 2),
        "schema_version": outcome.version,
        "contributions": sum(len(q.contributed) for q in outcome.queries),
        "contradictions": outcome.contradictions,
        "notes": outcome.notes,
        "still_empty": [c for c in checks if not c["rows"]],
    }
    return [before, after], info


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sf", type=float, default=0.01)
    parser.add_argument("--tickit-scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--details", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--dbgen-python", default=None)
    ns = parser.parse_args(argv)

    from dw_simulator.config import Settings
    from dw_simulator.service import Simulator

    results: dict[str, tuple[list[SchemaReport], dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="dwsim-workload-") as tmp:
        root = Path(tmp)
        tpch_queries: list[Query] = []
        python = dbgen_python(ns.dbgen_python)
        if python is not None:
            info = dbgen_reference(python, ns.sf, root / "dbgen", queries_only=True)
            if "unavailable" not in info:
                texts = json.loads((root / "dbgen" / "queries.json").read_text())
                tpch_queries = [Query(k, v, "duckdb") for k, v in sorted(texts.items())]
        with Simulator(Settings(data_root=root / "data")) as sim:
            if tpch_queries:
                results["TPC-H"] = run_schema(
                    sim,
                    "tpch",
                    SCHEMAS / "tpch_redshift.sql",
                    tpch_rows(ns.sf),
                    ns.seed,
                    tpch_queries,
                    TPCH_REFERENCE,
                    TPCH_ORDERS,
                )
            else:
                print("TPC-H queries unavailable (run `make bench-dbgen`); TICKIT only")
            results["TICKIT"] = run_schema(
                sim,
                "tickit",
                SCHEMAS / "tickit_redshift.sql",
                tickit_rows(ns.tickit_scale),
                ns.seed,
                tickit_queries(),
                TICKIT_REFERENCE,
                TICKIT_ORDERS,
            )
    if ns.json:
        print(
            json.dumps(
                {
                    k: {"reports": [{**asdict(r), "summary": r.summary()} for r in v[0]], **v[1]}
                    for k, v in results.items()
                },
                indent=1,
                default=str,
            )
        )
        return
    for title, (reports, info) in results.items():
        print_reports(f"{title}: defaults vs after `experiment fit` (seed {ns.seed})", reports, ns.details)
        print(
            f"  fit: {info['fit_seconds']}s, schema version {info['schema_version']}, "
            f"{info['contributions']} contribution(s), {len(info['contradictions'])} contradiction(s)"
        )
        for line in info["contradictions"]:
            print(f"    contradiction: {line}")
        for item in info["still_empty"]:
            why = item["error"] or "; ".join(item["starved_by"]) or item["note"]
            print(f"    still empty: {item['name']}: {why}")


if __name__ == "__main__":
    main()
