"""Metadata tables (SQLite via SQLAlchemy): experiments, experiment_tables, generation_runs."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Experiment(Base):
    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(63), nullable=False)
    name_key: Mapped[str] = mapped_column(String(63), nullable=False, unique=True)  # lower(name)
    description: Mapped[str | None] = mapped_column(Text)
    dialect: Mapped[str] = mapped_column(String(16), nullable=False)
    target_warehouse: Mapped[str] = mapped_column(String(16), nullable=False)
    schema_json: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)

    tables: Mapped[list[ExperimentTable]] = relationship(
        back_populates="experiment", cascade="all, delete-orphan", order_by="ExperimentTable.position"
    )
    runs: Mapped[list[GenerationRun]] = relationship(
        back_populates="experiment", cascade="all, delete-orphan", order_by="GenerationRun.id"
    )


class ExperimentTable(Base):
    __tablename__ = "experiment_tables"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), nullable=False)
    table_name: Mapped[str] = mapped_column(String(63), nullable=False)
    physical_name: Mapped[str] = mapped_column(String(255), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    target_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    row_count: Mapped[int | None] = mapped_column(Integer)

    experiment: Mapped[Experiment] = relationship(back_populates="tables")


class GenerationRun(Base):
    __tablename__ = "generation_runs"
    __table_args__ = (
        # at most one active run per experiment, enforced by the database (not a check-then-insert race)
        Index(
            "uq_generation_runs_active",
            "experiment_id",
            unique=True,
            sqlite_where=text("status IN ('PENDING', 'RUNNING')"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="PENDING")
    seed: Mapped[int | None] = mapped_column(Integer)
    workers: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    row_overrides: Mapped[str | None] = mapped_column(Text)  # JSON {table: rows}
    progress: Mapped[str | None] = mapped_column(Text)  # JSON {table: {rows_done, rows_total}}
    row_counts: Mapped[str | None] = mapped_column(Text)  # JSON {table: rows}
    profile: Mapped[str | None] = mapped_column(Text)  # JSON per-table, per-column stats after load
    output_path: Mapped[str | None] = mapped_column(Text)
    owner_pid: Mapped[int | None] = mapped_column(Integer)  # process running it, to detect interrupted runs
    error_message: Mapped[str | None] = mapped_column(Text)
    error_traceback: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()

    experiment: Mapped[Experiment] = relationship(back_populates="runs")


class SchemaVersion(Base):
    """A saved version of an experiment's schema (the web UI's schema editor). Version 1 is the schema the
    experiment was created with; it is recorded when the first edit is saved."""

    __tablename__ = "schema_versions"
    __table_args__ = (Index("uq_schema_versions_version", "experiment_id", "version", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    schema_json: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
