"""Loading a run into PostgreSQL at scale: one COPY per part over several connections into the run's new tables.

The new tables live in the run's load schema (`runs.staging_schema`: `dwsim_load_<experiment hash>_<run hash>`),
created empty and registered in `dwsim_runs.prepared` by the caller, so readers of the experiment never see them.
A pool of connections (`load_connections`) takes the parts one by one; each part is one COPY (the same COPY emulation
users' `COPY ... FROM 's3://...'` runs, reading the local file or the S3 object) committed into its new table.
Readers are not blocked: nothing of the experiment's schema is locked. The swap that makes the run current is
`runs.swap_in`, the run's commit point; a crash before it leaves only the load schema, which `discard_run` drops.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dw_simulator import crashpoints
from dw_simulator.backends.postgres.driver import error_message, psycopg_module, q
from dw_simulator.backends.postgres.runs import LOAD_SCHEMA_PREFIX, load_schema_stem
from dw_simulator.errors import QueryError
from dw_simulator.sql.redshift.copy_unload import CopyAction, run_copy

if TYPE_CHECKING:
    from dw_simulator.backends.postgres.copy_target import PostgresCopyTarget
    from dw_simulator.schema import TableSchema
    from dw_simulator.staging import Stage

log = logging.getLogger(__name__)
__all__ = ["LOAD_SCHEMA_PREFIX", "ParallelLoad", "PartCopy", "load_schema_stem"]


@dataclass(frozen=True)
class PartCopy:
    """One part to COPY: its table and the staged URL COPY reads it from."""

    table: str
    source: str


class ParallelLoad:
    """One run's COPYs into the new tables of `load_schema` (see the module docstring)."""

    def __init__(
        self,
        *,
        load_schema: str,
        connect: Callable[[], Any],
        copy_target: Callable[[Any], PostgresCopyTarget],
        connections: int,
        iam_role: str,
    ) -> None:
        self.load_schema = load_schema
        self.connect = connect
        self.copy_target = copy_target
        self.connections = max(1, connections)
        self.iam_role = iam_role

    def new_relation(self, table: str) -> str:
        return f"{q(self.load_schema)}.{q(table.lower())}"

    def copy_parts(self, tables: Sequence[TableSchema], parts: Sequence[PartCopy],
                   stage: Stage) -> dict[str, int]:  # fmt: skip
        """COPY every part into its new table; returns rows per table. The first failure stops the others after
        their current part and is raised (a psycopg error as a QueryError)."""
        columns = {t.name: [c.name.lower() for c in t.columns] for t in tables}
        loaded = {t.name: 0 for t in tables}
        lock = threading.Lock()
        pending = iter(list(parts))
        failed = threading.Event()
        psycopg = psycopg_module()

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
                    crashpoints.reached("loading")  # one part committed into the load schema
            finally:
                conn.close()

        count = min(self.connections, max(1, len(parts)))
        with ThreadPoolExecutor(max_workers=count, thread_name_prefix="dwsim-pg-load") as pool:
            futures = [pool.submit(worker) for _ in range(count)]
        for future in futures:  # a failed worker stopped the others after their current part
            try:
                future.result()
            except psycopg.Error as exc:
                raise QueryError(error_message(exc)) from None
        return loaded
