"""Stored schemas lose the `_row_id` surrogate that DDL imports used to add to composite-key tables (issue 13).

The generator makes composite-key tuples distinct by itself, so `SELECT *` and DDL exports show only the user's
columns. Only the surrogate an import added is dropped: the first column `_row_id` of a table with a composite
key whose warnings carry the import's surrogate sentence (that warning goes too); a `_row_id` written by hand in a
JSON/YAML schema stays.

Revision ID: 0003
Revises: 0002
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SURROGATE_SENTENCE = "A surrogate key column '_row_id' has been added for generation."


def drop_surrogates(schema: dict[str, Any]) -> bool:
    """Drop import-added surrogates from a stored schema dict in place; True when something changed."""
    changed = False
    for table in schema.get("tables") or []:
        columns = table.get("columns") or []
        warnings = table.get("warnings") or []
        added = any(SURROGATE_SENTENCE in w for w in warnings)
        if table.get("composite_keys") and columns and columns[0].get("name") == "_row_id" and added:
            table["columns"] = columns[1:]
            table["warnings"] = [w for w in warnings if SURROGATE_SENTENCE not in w]
            changed = True
    return changed


def upgrade() -> None:
    connection = op.get_bind()
    for table in ("experiments", "schema_versions"):  # the current schemas, and the saved versions of them
        rows = connection.execute(sa.text(f"SELECT id, schema_json FROM {table}")).fetchall()
        for row_id, text in rows:
            schema = json.loads(text)
            if drop_surrogates(schema):
                connection.execute(
                    sa.text(f"UPDATE {table} SET schema_json = :s WHERE id = :i"),
                    {"s": json.dumps(schema), "i": row_id},
                )


def downgrade() -> None:
    # The surrogate carried no information (1..N); older dw-sim versions generate schemas without it as well.
    return None
