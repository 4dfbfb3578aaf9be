"""Reading the metadata store with the standard library's sqlite3: the fast path of every read-only command.

`dw-sim experiment list`, `show`, `runs` and `query` only read metadata; importing SQLAlchemy and Alembic for
that would cost more than the work itself (about 0.3 s and 0.5 s). Writes, and migrations, go through
`metadata.store` (SQLAlchemy + Alembic); `needs_migration` tells, without importing either, whether the file's
schema version differs from the code's (`HEAD_REVISION`, checked against the Alembic scripts by a test).

The rows returned here have the attribute names of the ORM classes in `metadata.tables`, so the service renders
both alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dw_simulator.errors import NotFoundError

# The newest Alembic revision in metadata/migrations/versions/ (a test keeps the two in step).
HEAD_REVISION = "0002"
ACTIVE_STATUSES = ("PENDING", "RUNNING")
FINAL_STATUSES = ("COMPLETED", "FAILED", "CANCELLED")

_RUN_COLUMNS = (
    "id, experiment_id, status, seed, workers, row_overrides, progress, row_counts, output_path, owner_pid, "
    "error_message, error_traceback, created_at, started_at, finished_at"
)


@dataclass
class RunRow:
    id: int
    experiment_id: int
    status: str
    seed: int | None
    workers: int
    row_overrides: str | None
    progress: str | None
    row_counts: str | None
    output_path: str | None
    owner_pid: int | None
    error_message: str | None
    error_traceback: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    experiment_name: str = ""


@dataclass
class TableRow:
    table_name: str
    physical_name: str
    target_rows: int
    row_count: int | None


@dataclass
class ExperimentRow:
    id: int
    name: str
    description: str | None
    dialect: str
    target_warehouse: str
    schema_json: str
    created_at: datetime
    tables: list[TableRow] = field(default_factory=list)
    last_run: RunRow | None = None


def stored_revision(path: Path) -> str | None:
    """The Alembic revision the file was migrated to; None when the file or its version table is missing."""
    if not path.is_file():
        return None
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()
    return str(row[0]) if row else None


def needs_migration(path: Path) -> bool:
    return stored_revision(path) != HEAD_REVISION


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _run(row: sqlite3.Row, experiment_name: str = "") -> RunRow:
    created = _when(row["created_at"])
    assert created is not None
    return RunRow(
        id=row["id"],
        experiment_id=row["experiment_id"],
        status=row["status"],
        seed=row["seed"],
        workers=row["workers"],
        row_overrides=row["row_overrides"],
        progress=row["progress"],
        row_counts=row["row_counts"],
        output_path=row["output_path"],
        owner_pid=row["owner_pid"],
        error_message=row["error_message"],
        error_traceback=row["error_traceback"],
        created_at=created,
        started_at=_when(row["started_at"]),
        finished_at=_when(row["finished_at"]),
        experiment_name=experiment_name,
    )


class MetadataReader:
    """Read-only queries on the metadata file (each call opens a short read transaction of its own)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        con.row_factory = sqlite3.Row
        try:
            con.execute("PRAGMA busy_timeout=30000")
            yield con
        finally:
            con.close()

    def _experiments(
        self, con: sqlite3.Connection, where: str = "", args: tuple[object, ...] = ()
    ) -> list[ExperimentRow]:
        rows = con.execute(
            "SELECT id, name, description, dialect, target_warehouse, schema_json, created_at FROM experiments "
            f"{where} ORDER BY created_at, id",
            args,
        ).fetchall()
        experiments = []
        for row in rows:
            created = _when(row["created_at"])
            assert created is not None
            experiment = ExperimentRow(
                row["id"],
                row["name"],
                row["description"],
                row["dialect"],
                row["target_warehouse"],
                row["schema_json"],
                created,
            )
            experiment.tables = [
                TableRow(t["table_name"], t["physical_name"], t["target_rows"], t["row_count"])
                for t in con.execute(
                    "SELECT table_name, physical_name, target_rows, row_count FROM experiment_tables "
                    "WHERE experiment_id = ? ORDER BY position, id",
                    (experiment.id,),
                )
            ]
            last = con.execute(
                f"SELECT {_RUN_COLUMNS} FROM generation_runs WHERE experiment_id = ? ORDER BY id DESC LIMIT 1",
                (experiment.id,),
            ).fetchone()
            experiment.last_run = _run(last, experiment.name) if last else None
            experiments.append(experiment)
        return experiments

    def list_experiments(self) -> list[ExperimentRow]:
        with self._connect() as con:
            return self._experiments(con)

    def get_experiment(self, name: str) -> ExperimentRow:
        """The experiment named `name` (case-insensitively), or NotFoundError listing the known ones."""
        with self._connect() as con:
            found = self._experiments(con, "WHERE name_key = ?", (name.lower(),))
            if found:
                return found[0]
            known = [r[0] for r in con.execute("SELECT name FROM experiments ORDER BY name LIMIT 10")]
        hint = f" (known: {', '.join(known)})" if known else " (there are none yet)"
        raise NotFoundError(f"experiment '{name}' not found{hint}")

    def last_completed_profile(self, experiment_id: int) -> tuple[int | None, str | None]:
        """(id, stored profile JSON or None) of the experiment's last completed run; (None, None) if none."""
        with self._connect() as con:
            row = con.execute(
                "SELECT id, profile FROM generation_runs WHERE experiment_id = ? AND status = 'COMPLETED' "
                "ORDER BY id DESC LIMIT 1",
                (experiment_id,),
            ).fetchone()
        return (row["id"], row["profile"]) if row else (None, None)

    def get_run(self, run_id: int) -> RunRow:
        with self._connect() as con:
            row = con.execute(
                f"SELECT {_RUN_COLUMNS}, (SELECT name FROM experiments e WHERE e.id = r.experiment_id) AS exp "
                "FROM generation_runs r WHERE id = ?",
                (run_id,),
            ).fetchone()
        if row is None:
            raise NotFoundError(f"generation run {run_id} not found")
        return _run(row, row["exp"])

    def list_runs(self, experiment: ExperimentRow, limit: int = 50) -> list[RunRow]:
        with self._connect() as con:
            rows = con.execute(
                f"SELECT {_RUN_COLUMNS} FROM generation_runs WHERE experiment_id = ? ORDER BY id DESC LIMIT ?",
                (experiment.id, limit),
            ).fetchall()
        return [_run(r, experiment.name) for r in rows]

    def active_runs(self) -> list[tuple[int, int | None]]:
        """(run id, owner pid) of every run still PENDING or RUNNING."""
        with self._connect() as con:
            return [
                (r["id"], r["owner_pid"])
                for r in con.execute("SELECT id, owner_pid FROM generation_runs WHERE status IN ('PENDING', 'RUNNING')")
            ]
