"""The metadata store: experiments, their tables and generation runs, in one SQLite file.

Schema changes go through Alembic migrations (`metadata/migrations/versions/`), applied on open when the file's
version differs from the code's (checked with sqlite3 first, so Alembic is imported only when there is work), so a
newer dw-sim upgrades an older data root without losing experiments. Read-only commands use `metadata.reader`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

from dw_simulator.errors import NotFoundError, RunInProgressError
from dw_simulator.metadata.reader import ACTIVE_STATUSES, FINAL_STATUSES, needs_migration
from dw_simulator.metadata.tables import Experiment, ExperimentTable, GenerationRun, utcnow

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
__all__ = ["ACTIVE_STATUSES", "FINAL_STATUSES", "MetadataStore", "now"]


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


class MetadataStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.engine: Engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if needs_migration(path):
            self.migrate()

    def migrate(self) -> None:
        """Upgrade the file to the newest revision (Alembic is imported here only)."""
        from alembic import command
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        config = _alembic_config()
        head = ScriptDirectory.from_config(config).get_current_head()
        with self.engine.begin() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            if current != head:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back on any exception."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # -- experiments -------------------------------------------------------------------------------------------
    def find_experiment(self, session: Session, name: str) -> Experiment | None:
        return session.scalar(select(Experiment).where(Experiment.name_key == name.lower()))

    def get_experiment(self, session: Session, name: str) -> Experiment:
        experiment = self.find_experiment(session, name)
        if experiment is None:
            known = session.scalars(select(Experiment.name).order_by(Experiment.name)).all()
            hint = f" (known: {', '.join(known[:10])})" if known else " (there are none yet)"
            raise NotFoundError(f"experiment '{name}' not found{hint}")
        return experiment

    def list_experiments(self, session: Session) -> list[Experiment]:
        return list(session.scalars(select(Experiment).order_by(Experiment.created_at, Experiment.id)))

    def add_experiment(
        self,
        session: Session,
        *,
        name: str,
        description: str | None,
        dialect: str,
        target_warehouse: str,
        schema_json: str,
        tables: list[tuple[str, str, int]],
    ) -> Experiment:
        experiment = Experiment(
            name=name,
            name_key=name.lower(),
            description=description,
            dialect=dialect,
            target_warehouse=target_warehouse,
            schema_json=schema_json,
        )
        experiment.tables = [
            ExperimentTable(table_name=t, physical_name=p, position=i, target_rows=rows)
            for i, (t, p, rows) in enumerate(tables)
        ]
        session.add(experiment)
        session.flush()
        return experiment

    def delete_experiment(self, session: Session, experiment: Experiment) -> None:
        session.delete(experiment)
        session.flush()

    # -- generation runs -----------------------------------------------------------------------------------------
    def create_run(
        self, session: Session, experiment: Experiment, *, seed: int, workers: int, row_overrides: dict[str, int]
    ) -> GenerationRun:
        run = GenerationRun(
            experiment_id=experiment.id,
            status="PENDING",
            seed=seed,
            workers=workers,
            row_overrides=json.dumps(row_overrides),
        )
        session.add(run)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            active = session.scalar(
                select(GenerationRun.id).where(
                    GenerationRun.experiment_id == experiment.id, GenerationRun.status.in_(ACTIVE_STATUSES)
                )
            )
            raise RunInProgressError(
                f"experiment '{experiment.name}' already has a generation run in progress (run {active}); "
                "wait for it or cancel it"
            ) from None
        return run

    def get_run(self, session: Session, run_id: int) -> GenerationRun:
        run = session.get(GenerationRun, run_id)
        if run is None:
            raise NotFoundError(f"generation run {run_id} not found")
        return run

    def list_runs(self, session: Session, experiment: Experiment, limit: int = 50) -> list[GenerationRun]:
        stmt = (
            select(GenerationRun)
            .where(GenerationRun.experiment_id == experiment.id)
            .order_by(GenerationRun.id.desc())
            .limit(limit)
        )
        return list(session.scalars(stmt))

    def last_run(self, session: Session, experiment_id: int) -> GenerationRun | None:
        stmt = (
            select(GenerationRun)
            .where(GenerationRun.experiment_id == experiment_id)
            .order_by(GenerationRun.id.desc())
            .limit(1)
        )
        return session.scalar(stmt)

    def last_completed_run(self, session: Session, experiment_id: int) -> GenerationRun | None:
        stmt = (
            select(GenerationRun)
            .where(GenerationRun.experiment_id == experiment_id, GenerationRun.status == "COMPLETED")
            .order_by(GenerationRun.id.desc())
            .limit(1)
        )
        return session.scalar(stmt)

    def update_run(self, run_id: int, **fields: Any) -> None:
        """Update a run in its own short transaction (progress is written while the run goes on)."""
        with self.session() as session:
            run = self.get_run(session, run_id)
            for key, value in fields.items():
                if isinstance(value, dict | list):
                    value = json.dumps(value, default=str)
                setattr(run, key, value)

    def store_profile(self, run_id: int, profile_json: str) -> None:
        """Keep a completed run's column profile (computed when first asked for)."""
        with self.session() as session:
            self.get_run(session, run_id).profile = profile_json

    def interrupted_runs(self, session: Session) -> list[GenerationRun]:
        return list(session.scalars(select(GenerationRun).where(GenerationRun.status.in_(ACTIVE_STATUSES))))

    def count_experiments(self, session: Session) -> int:
        return int(session.scalar(select(func.count(Experiment.id))) or 0)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def now() -> datetime:
    return utcnow()
