"""Screening decisions: analysts' verdicts on hits, append-only.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Only the sealed note may change (key rotation re-encrypts it); every other column and
# the row's very existence are fixed once written.
FIXED_COLUMNS = "query_key, query, list_id, entity_id, verdict, user_name, at, case_id"
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER screening_decisions_fixed BEFORE UPDATE OF {FIXED_COLUMNS}
        ON screening_decisions
        BEGIN SELECT RAISE(ABORT, 'screening_decisions is append-only'); END""",
    """CREATE TRIGGER screening_decisions_no_delete BEFORE DELETE ON screening_decisions
        BEGIN SELECT RAISE(ABORT, 'screening_decisions is append-only'); END""",
]
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION screening_decisions_refuse_change() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'screening_decisions is append-only'; END $$""",
    f"""CREATE TRIGGER screening_decisions_fixed BEFORE UPDATE OF {FIXED_COLUMNS}
        ON screening_decisions
        FOR EACH ROW EXECUTE FUNCTION screening_decisions_refuse_change()""",
    """CREATE TRIGGER screening_decisions_no_delete BEFORE DELETE ON screening_decisions
       FOR EACH ROW EXECUTE FUNCTION screening_decisions_refuse_change()""",
    """CREATE TRIGGER screening_decisions_no_truncate BEFORE TRUNCATE ON screening_decisions
       FOR EACH STATEMENT EXECUTE FUNCTION screening_decisions_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "screening_decisions",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("query_key", sa.String(400), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("list_id", sa.String(80), nullable=False),
        sa.Column("entity_id", sa.String(80), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.String(80), nullable=True),
        sa.Column("sealed", sa.JSON(), nullable=False),
    )
    op.create_index("ix_screening_decisions_query_key", "screening_decisions", ["query_key"])
    op.create_index("ix_screening_decisions_case_id", "screening_decisions", ["case_id"])
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("screening_decisions")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS screening_decisions_refuse_change()")
