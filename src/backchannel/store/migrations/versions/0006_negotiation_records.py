"""Record tables for the negotiation: red lines, bottom lines, the Island of Agreement,
positions and common positions.

Each has the columns of the first five record tables: the case, the keyed hash of the
record's id, its position, its kind in clear (the quadrant of an Island of Agreement
entry, the side of a position) and the record sealed whole. The mandate and our role are
sealed with the case row's own value and need no table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NEW_TABLES = (
    "case_red_lines",
    "case_bottom_lines",
    "case_island_entries",
    "case_positions",
    "case_common_positions",
)


def upgrade() -> None:
    for table in NEW_TABLES:
        op.create_table(
            table,
            sa.Column("case_id", sa.String(length=80), nullable=False),
            sa.Column("record_id", sa.String(length=80), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=40), nullable=True),
            sa.Column("public", sa.JSON(), nullable=False),
            sa.Column("sealed", sa.JSON(), nullable=False),
            sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("case_id", "record_id"),
        )
        op.create_index(f"ix_{table}_kind", table, ["kind"])


def downgrade() -> None:
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
