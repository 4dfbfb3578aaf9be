"""Reference data for `bench.realism`: DuckDB's TPC-H generator (`CALL dbgen`) and its 22 queries (`tpch_queries()`).

Standalone on purpose (imports only duckdb and `bench/dbgen_baseline.py`'s extension loader): it runs under the
interpreter of `.venv-dbgen` (`make bench-dbgen`), whose DuckDB has the `tpch` extension offline. Writes one
Parquet file per table and `queries.json` into `--out`, then prints one JSON line (`{"unavailable": reason}` when
the extension cannot be loaded).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dbgen_baseline import _load_tpch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sf", type=float, default=0.01)
    parser.add_argument("--out", required=True)
    parser.add_argument("--queries-only", action="store_true", help="write queries.json, generate no data")
    args = parser.parse_args()
    import duckdb

    con = duckdb.connect()
    try:
        source = _load_tpch(con)
    except RuntimeError as exc:
        print(json.dumps({"unavailable": str(exc), "duckdb": duckdb.__version__}))
        return
    os.makedirs(args.out, exist_ok=True)
    queries = {f"q{n:02d}": text for n, text in con.execute("SELECT query_nr, query FROM tpch_queries()").fetchall()}
    with open(os.path.join(args.out, "queries.json"), "w", encoding="utf-8") as handle:
        json.dump(queries, handle, indent=1)
    tables: dict[str, int] = {}
    if not args.queries_only:
        con.execute(f"CALL dbgen(sf={args.sf})")
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall():
            path = os.path.join(args.out, f"{name}.parquet")
            con.execute(f"COPY {name} TO '{path}' (FORMAT parquet)")
            tables[name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # type: ignore[index]
    print(json.dumps({"source": source, "duckdb": duckdb.__version__, "sf": args.sf, "tables": tables,
                      "queries": len(queries)}))  # fmt: skip


if __name__ == "__main__":
    main()
