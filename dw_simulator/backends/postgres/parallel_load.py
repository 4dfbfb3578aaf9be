"""Loading a run into PostgreSQL at scale: one COPY per part over several connections into new tables, then one
short transaction that swaps every table in.

1. The new tables are created, empty, in a load schema of their own (`dwsim_load_<experiment hash>_<token>`), so
   readers of the experiment never see them.
2. A pool of connections (`load_connections`) takes the parts one by one; each part is one COPY (the same COPY
   emulation users' `COPY ... FROM 's3://...'` runs, reading the local file or the S3 object) committed into the
   new table. Readers are not blocked: nothing of the experiment's schema is locked yet.
3. One transaction replaces the tables: each old table is dropped and its new table moved into the experiment's
   schema under the same name (a table other objects depend on, e.g. a user's view, keeps its identity: its rows
   are replaced with the new table's instead). Readers wait only for this swap and then see the whole new run;
   before it commits they see the whole old one. Any failure before the commit drops the load schema and leaves
   the old data.

A crash between steps leaves only a load schema, never a half-loaded experiment table; the next load of the same
experiment drops such leftovers first.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dw_simulator.backends.postgres.driver import error_message, psycopg_module, q
from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.copy_unload import CopyAction, run_copy

if TYPE_CHECKING:
    from dw_simulator.backends.postgres.copy_target import PostgresCopyTarget
    from dw_simulator.schema import ExperimentSchema, TableSchema
    from dw_simulator.staging import Stage

log = logging.getLogger(__name__)
LOAD_SCHEMA_PREFIX = "dwsim_load_"


@dataclass(frozen=True)
class PartCopy:
    """One part to COPY: its table and the staged URL COPY reads it from."""

    table: str
    source: str


def load_schema_stem(experiment: str) -> str:
    return LOAD_SCHEMA_PREFIX + hashlib.blake2b(experiment.lower().encode(), digest_size=4).hexdigest() + "_"


class ParallelLoad:
    """One run's load into one experiment (see the module docstring)."""

    def __init__(
        self,
        *,
        experiment: str,
        schema_name: str,
        connect: Callable[[], Any],
        copy_target: Callable[[Any], PostgresCopyTarget],
        create_sql: Callable[[str, TableSchema], str],
        connections: int,
        iam_role: str,
    ) -> None:
        self.experiment = experiment
        self.schema_name = schema_name
        self.connect = connect
        self.copy_target = copy_target
        self.create_sql = create_sql
        self.connections = max(1, connections)
        self.iam_role = iam_role
        self.load_schema = load_schema_stem(experiment) + secrets.token_hex(4)

    def run(self, conn: Any, schema: ExperimentSchema, tables: Sequence[TableSchema],
            parts: Sequence[PartCopy], stage: Stage) -> dict[str, int]:  # fmt: skip
        """Load `parts` into new copies of `tables` and swap them in; returns rows per table."""
        psycopg = psycopg_module()
        try:
            self._create_new_tables(conn, tables)
            loaded = self._copy_parts(tables, parts, stage)
            self._swap(conn, tables)
        except psycopg.Error as exc:
            conn.rollback()
            self._drop_load_schema(conn)
            raise QueryError(error_message(exc)) from None
        except BaseException:
            conn.rollback()
            self._drop_load_schema(conn)
            raise
        return loaded

    def _create_new_tables(self, conn: Any, tables: Sequence[TableSchema]) -> None:
        with conn.cursor() as cur:
            stale = cur.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                (load_schema_stem(self.experiment).replace("_", r"\_") + "%",),
            ).fetchall()
            for (name,) in stale:  # a crashed load of this experiment left them
                cur.execute(f"DROP SCHEMA IF EXISTS {q(name)} CASCADE")
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {q(self.schema_name)}")
            cur.execute(f"CREATE SCHEMA {q(self.load_schema)}")
            for table in tables:
                cur.execute(self.create_sql(self.load_schema, table))
        conn.commit()

    def new_relation(self, table: str) -> str:
        return f"{q(self.load_schema)}.{q(table.lower())}"

    def _copy_parts(self, tables: Sequence[TableSchema], parts: Sequence[PartCopy],
                    stage: Stage) -> dict[str, int]:  # fmt: skip
        columns = {t.name: [c.name.lower() for c in t.columns] for t in tables}
        loaded = {t.name: 0 for t in tables}
        lock = threading.Lock()
        pending = iter(list(parts))
        failed = threading.Event()

        def worker() -> None:
            conn = self.connect()
            try:
                target = self.copy_target(conn)
                while not failed.is_set():
                    with lock:
                        part = next(pending, None)
                    if part is None:
                        return
                    options = {"format": "parquet", "iam_role": self.iam_role}
                    action = CopyAction(self.new_relation(part.table), columns[part.table], part.source, options)
                    try:
                        rows = run_copy(action, target, stage)
                        conn.commit()
                    except BaseException:
                        failed.set()
                        conn.rollback()
                        raise
                    with lock:
                        loaded[part.table] += rows
            finally:
                conn.close()

        count = min(self.connections, max(1, len(parts)))
        with ThreadPoolExecutor(max_workers=count, thread_name_prefix="dwsim-pg-load") as pool:
            futures = [pool.submit(worker) for _ in range(count)]
        for future in futures:  # a failed worker stopped the others after their current part
            future.result()
        return loaded

    def _swap(self, conn: Any, tables: Sequence[TableSchema]) -> None:
        """One transaction: every old table out, every new one in (or its rows, when others depend on it)."""
        with conn.cursor() as cur:
            for table in tables:
                name = table.name.lower()
                old = f"{q(self.schema_name)}.{q(name)}"
                cur.execute("SELECT to_regclass(%s)::oid", (old,))
                row = cur.fetchone()
                oid = row[0] if row else None
                if oid is not None and _has_dependents(cur, oid):
                    cur.execute(f"TRUNCATE {old}")
                    cur.execute(f"INSERT INTO {old} SELECT * FROM {self.new_relation(name)}")
                    continue
                cur.execute(f"DROP TABLE IF EXISTS {old}")
                cur.execute(f"ALTER TABLE {self.new_relation(name)} SET SCHEMA {q(self.schema_name)}")
            cur.execute(f"DROP SCHEMA {q(self.load_schema)} CASCADE")
        conn.commit()

    def _drop_load_schema(self, conn: Any) -> None:
        try:
            with conn.cursor() as cur:
                cur.execute(f"DROP SCHEMA IF EXISTS {q(self.load_schema)} CASCADE")
            conn.commit()
        except Exception as exc:  # the next load of this experiment drops it
            conn.rollback()
            log.warning("could not drop the load schema", extra={"schema": self.load_schema, "error": str(exc)})


def _has_dependents(cur: Any, oid: int) -> bool:
    """Views (or other relations' rules) built on the table."""
    cur.execute(
        "SELECT 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
        "WHERE d.refobjid = %s AND d.classid = 'pg_rewrite'::regclass AND r.ev_class <> %s LIMIT 1",
        (oid, oid),
    )
    return cur.fetchone() is not None
