"""Saved versions of experiment schemas (the web UI's schema editor).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schema_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("experiment_id", sa.Integer, sa.ForeignKey("experiments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("schema_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("uq_schema_versions_version", "schema_versions", ["experiment_id", "version"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_schema_versions_version", table_name="schema_versions")
    op.drop_table("schema_versions")
