"""Initial metadata tables: experiments, experiment_tables, generation_runs.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("name_key", sa.String(63), nullable=False, unique=True),
        sa.Column("description", sa.Text),
        sa.Column("dialect", sa.String(16), nullable=False),
        sa.Column("target_warehouse", sa.String(16), nullable=False),
        sa.Column("schema_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "experiment_tables",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("experiment_id", sa.Integer, sa.ForeignKey("experiments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("table_name", sa.String(63), nullable=False),
        sa.Column("physical_name", sa.String(255), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("target_rows", sa.Integer, nullable=False),
        sa.Column("row_count", sa.Integer),
    )
    op.create_table(
        "generation_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("experiment_id", sa.Integer, sa.ForeignKey("experiments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("seed", sa.Integer),
        sa.Column("workers", sa.Integer, nullable=False),
        sa.Column("row_overrides", sa.Text),
        sa.Column("progress", sa.Text),
        sa.Column("row_counts", sa.Text),
        sa.Column("profile", sa.Text),
        sa.Column("output_path", sa.Text),
        sa.Column("owner_pid", sa.Integer),
        sa.Column("error_message", sa.Text),
        sa.Column("error_traceback", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
    )
    op.create_index(
        "uq_generation_runs_active",
        "generation_runs",
        ["experiment_id"],
        unique=True,
        sqlite_where=sa.text("status IN ('PENDING', 'RUNNING')"),
    )


def downgrade() -> None:
    op.drop_index("uq_generation_runs_active", table_name="generation_runs")
    op.drop_table("generation_runs")
    op.drop_table("experiment_tables")
    op.drop_table("experiments")
