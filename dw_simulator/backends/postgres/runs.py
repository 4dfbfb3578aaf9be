"""Runs on PostgreSQL: new tables loaded out of sight, then swapped in by one short transaction.

`dwsim_runs.prepared` lists where a run's tables were loaded: a load schema of its own (`dwsim_load_<experiment
hash>_<run hash>`), or, for a manifest load (a real cluster has no `SET SCHEMA`), new tables `<table>__dwsim_new`
beside the old ones (recorded as `<experiment schema>.__dwsim_new`). `dwsim_runs.current_runs` names each
experiment's current run. Load schemas and `__dwsim_new` tables that no row lists were left by a crash of an older
dw-sim (which loaded without the registry); `drop_unregistered` removes them.

The swap (`swap_in`) drops the old tables, moves the new ones into the experiment's schema with `ALTER TABLE ... SET
SCHEMA`, recreates the views that depended on the old tables and records the run as current: readers see the old
tables until it commits, and wait only for that transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from dw_simulator import crashpoints
from dw_simulator.backends.postgres.driver import q

_ADVISORY_LOCK = 0x64777372  # "dwsr"
RUNS_DDL = (
    "CREATE SCHEMA IF NOT EXISTS dwsim_runs",
    "CREATE TABLE IF NOT EXISTS dwsim_runs.current_runs (experiment text PRIMARY KEY, run text NOT NULL, "
    "committed_at timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS dwsim_runs.prepared (staging_schema text PRIMARY KEY, experiment text NOT NULL, "
    "run text NOT NULL, prepared_at timestamptz NOT NULL DEFAULT now())",
)


LOAD_SCHEMA_PREFIX = "dwsim_load_"
NEW_SUFFIX = "__dwsim_new"


def load_schema_stem(experiment: str) -> str:
    """`dwsim_load_<experiment hash>_`: every load schema of the experiment starts so."""
    return LOAD_SCHEMA_PREFIX + hashlib.blake2b(experiment.lower().encode(), digest_size=4).hexdigest() + "_"


def staging_schema(experiment: str, run: str) -> str:
    """The run's load schema."""
    return load_schema_stem(experiment) + hashlib.sha256(run.encode()).hexdigest()[:12]


def manifest_marker(experiment_schema: str) -> str:
    """What `dwsim_runs.prepared` records for a run loaded into `__dwsim_new` tables of the experiment's schema."""
    return f"{experiment_schema}.{NEW_SUFFIX}"


def like(prefix: str) -> str:
    return prefix.replace("_", r"\_") + "%"


def new_tables(cur: Any, experiment_schema: str) -> list[str]:
    cur.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname LIKE %s ORDER BY c.relname",
        (experiment_schema, "%" + NEW_SUFFIX.replace("_", r"\_")),
    )
    return [str(r[0]) for r in cur.fetchall()]


def drop_unregistered(cur: Any, experiment: str, experiment_schema: str) -> list[str]:
    """Drop the experiment's load schemas and `__dwsim_new` tables that no prepared run lists (a crashed load of an
    older dw-sim left them); returns what was dropped."""
    registered = {s for s, _run in prepared_runs(cur, experiment)}
    cur.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (like(load_schema_stem(experiment)),))
    dropped = [str(r[0]) for r in cur.fetchall() if str(r[0]) not in registered]
    for name in dropped:
        cur.execute(f"DROP SCHEMA IF EXISTS {q(name)} CASCADE")
    if manifest_marker(experiment_schema) not in registered:
        for name in new_tables(cur, experiment_schema):
            cur.execute(f"DROP TABLE IF EXISTS {q(experiment_schema)}.{q(name)} CASCADE")
            dropped.append(f"{experiment_schema}.{name}")
    return dropped


def register(cur: Any, staged: str, experiment: str, run: str) -> None:
    cur.execute(
        "INSERT INTO dwsim_runs.prepared (staging_schema, experiment, run) VALUES (%s, %s, %s) "
        "ON CONFLICT (staging_schema) DO UPDATE SET run = EXCLUDED.run, prepared_at = now()",
        (staged, experiment.lower(), run),
    )


def record_current(cur: Any, experiment: str, run: str) -> None:
    cur.execute(
        "INSERT INTO dwsim_runs.current_runs (experiment, run) VALUES (%s, %s) "
        "ON CONFLICT (experiment) DO UPDATE SET run = EXCLUDED.run, committed_at = now()",
        (experiment.lower(), run),
    )


def ensure_run_tables(cur: Any) -> None:
    """Create the bookkeeping tables once (concurrent creators wait on an advisory lock)."""
    cur.execute("SELECT to_regclass('dwsim_runs.prepared') IS NOT NULL")
    row = cur.fetchone()
    if row and row[0]:
        return
    cur.execute("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK,))
    for ddl in RUNS_DDL:
        cur.execute(ddl)


def current_run(cur: Any, experiment: str) -> str | None:
    cur.execute("SELECT to_regclass('dwsim_runs.current_runs') IS NOT NULL")
    row = cur.fetchone()
    if not row or not row[0]:
        return None
    cur.execute("SELECT run FROM dwsim_runs.current_runs WHERE experiment = %s", (experiment.lower(),))
    found = cur.fetchone()
    return str(found[0]) if found else None


def prepared_runs(cur: Any, experiment: str) -> list[tuple[str, str]]:
    """(staging schema, run) of the experiment's prepared runs that were not swapped in."""
    cur.execute("SELECT to_regclass('dwsim_runs.prepared') IS NOT NULL")
    row = cur.fetchone()
    if not row or not row[0]:
        return []
    cur.execute(
        "SELECT staging_schema, run FROM dwsim_runs.prepared WHERE experiment = %s ORDER BY run",
        (experiment.lower(),),
    )
    return [(str(s), str(r)) for s, r in cur.fetchall()]


@dataclass
class DependentView:
    schema: str
    name: str
    materialized: bool
    definition: str

    def create_sql(self) -> str:
        kind = "MATERIALIZED VIEW" if self.materialized else "VIEW"
        return f"CREATE {kind} {q(self.schema)}.{q(self.name)} AS {self.definition.rstrip().rstrip(';')}"


def dependent_views(cur: Any, table_oids: list[int]) -> list[DependentView]:
    """Every view (transitively) built on the tables, in an order that can recreate them."""
    if not table_oids:
        return []
    cur.execute(
        """
        WITH RECURSIVE deps(oid, depth) AS (
            SELECT DISTINCT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
            WHERE d.refobjid = ANY(%s) AND d.classid = 'pg_rewrite'::regclass AND r.ev_class <> d.refobjid
            UNION
            SELECT DISTINCT r.ev_class, deps.depth + 1 FROM deps JOIN pg_depend d ON d.refobjid = deps.oid
            JOIN pg_rewrite r ON r.oid = d.objid
            WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class <> d.refobjid AND deps.depth < 50
        )
        SELECT n.nspname, c.relname, c.relkind = 'm', pg_get_viewdef(c.oid), max(deps.depth) AS depth
        FROM deps JOIN pg_class c ON c.oid = deps.oid JOIN pg_namespace n ON n.oid = c.relnamespace
        GROUP BY n.nspname, c.relname, c.relkind, c.oid ORDER BY depth, c.oid
        """,
        (table_oids,),
    )
    return [DependentView(s, n, bool(m), d) for s, n, m, d, _depth in cur.fetchall()]


def swap_in(cur: Any, experiment_schema: str, staged: str, run: str, experiment: str) -> list[str]:
    """The commit point's statements (inside the caller's transaction); returns the tables swapped in."""
    cur.execute("SET LOCAL lock_timeout = '5s'")
    cur.execute(f"CREATE SCHEMA IF NOT EXISTS {q(experiment_schema)}")
    cur.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname",
        (staged,),
    )
    tables = [str(r[0]) for r in cur.fetchall()]
    cur.execute(
        "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = ANY(%s) AND c.relkind IN ('r', 'p')",
        (experiment_schema, tables),
    )
    old = {str(name): int(oid) for oid, name in cur.fetchall()}
    for name in old:
        cur.execute(f"LOCK TABLE {q(experiment_schema)}.{q(name)} IN ACCESS EXCLUSIVE MODE")
    views = dependent_views(cur, list(old.values()))
    for name in old:
        cur.execute(f"DROP TABLE {q(experiment_schema)}.{q(name)} CASCADE")
    for name in tables:
        cur.execute(f"ALTER TABLE {q(staged)}.{q(name)} SET SCHEMA {q(experiment_schema)}")
    for view in views:
        cur.execute(view.create_sql())
    cur.execute(f"DROP SCHEMA {q(staged)}")
    cur.execute("DELETE FROM dwsim_runs.prepared WHERE staging_schema = %s", (staged,))
    record_current(cur, experiment, run)
    crashpoints.reached("in-commit")  # the transaction commits when the caller's block ends
    return tables


def swap_renamed(cur: Any, experiment_schema: str, run: str, experiment: str) -> list[str]:
    """The commit point of a manifest load: each `<table>__dwsim_new` renamed over its old table (Redshift has no
    `ALTER TABLE ... SET SCHEMA`), views on the old tables recreated, the run recorded as current."""
    cur.execute("SET LOCAL lock_timeout = '5s'")
    tables = [name[: -len(NEW_SUFFIX)] for name in new_tables(cur, experiment_schema)]
    cur.execute(
        "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = ANY(%s) AND c.relkind IN ('r', 'p')",
        (experiment_schema, tables),
    )
    old = {str(name): int(oid) for oid, name in cur.fetchall()}
    for name in old:
        cur.execute(f"LOCK TABLE {q(experiment_schema)}.{q(name)} IN ACCESS EXCLUSIVE MODE")
    views = dependent_views(cur, list(old.values()))
    for name in old:
        cur.execute(f"DROP TABLE {q(experiment_schema)}.{q(name)} CASCADE")
    for name in tables:
        cur.execute(f"ALTER TABLE {q(experiment_schema)}.{q(name + NEW_SUFFIX)} RENAME TO {q(name)}")
    for view in views:
        cur.execute(view.create_sql())
    cur.execute("DELETE FROM dwsim_runs.prepared WHERE staging_schema = %s", (manifest_marker(experiment_schema),))
    record_current(cur, experiment, run)
    crashpoints.reached("in-commit")
    return tables
