"""Runs record their owner's host and start time beside its pid (from the run's first write), so recovery can tell a
dead owner from a reused pid.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("generation_runs") as batch:
        batch.add_column(sa.Column("owner_host", sa.String(255)))
        batch.add_column(sa.Column("owner_started", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("generation_runs") as batch:
        batch.drop_column("owner_started")
        batch.drop_column("owner_host")
