"""Alerts recorded by ``backchannel watch``, and each user's last visit of a case.

- ``case_alerts``: one row per alert a monitoring pass found new in a case, the alert
  sealed whole, its keyed fingerprint (``ref``) in clear so that a later pass records it
  only once. Append-only: triggers refuse changing a row's case, fingerprint, time or
  author (key rotation re-seals ``sealed``), and deleting it while its case exists (the
  cascade of a case's deletion runs after the case row is gone, so it passes).
- ``case_visits``: per user and case, when they last opened the case's dashboard and the
  newest alert it showed them; the dashboard shows the alerts recorded after that one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    """CREATE TRIGGER case_alerts_fixed BEFORE UPDATE OF
        case_id, ref, found_at, found_by ON case_alerts
        BEGIN SELECT RAISE(ABORT, 'case_alerts is append-only'); END""",
    """CREATE TRIGGER case_alerts_no_delete BEFORE DELETE ON case_alerts
        WHEN EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id)
        BEGIN SELECT RAISE(ABORT, 'case_alerts is append-only'); END""",
]
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION case_alerts_refuse_change() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           IF NOT EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) THEN
             RETURN OLD;
           END IF;
         END IF;
         RAISE EXCEPTION 'case_alerts is append-only';
       END $$""",
    """CREATE TRIGGER case_alerts_fixed BEFORE UPDATE OF
        case_id, ref, found_at, found_by ON case_alerts
        FOR EACH ROW EXECUTE FUNCTION case_alerts_refuse_change()""",
    """CREATE TRIGGER case_alerts_no_delete BEFORE DELETE ON case_alerts
        FOR EACH ROW EXECUTE FUNCTION case_alerts_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "case_alerts",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            sa.String(80),
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("found_by", sa.String(200), nullable=False),
        sa.Column("sealed", sa.JSON(), nullable=False),
        sa.UniqueConstraint("case_id", "ref", name="uq_case_alerts_case_id_ref"),
    )
    op.create_index("ix_case_alerts_case_id", "case_alerts", ["case_id"])
    op.create_table(
        "case_visits",
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_alert_seq", sa.Integer(), nullable=False),
        # a deleted case takes its visits with it, as it takes its memberships
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_name"], ["users.name"]),
        sa.PrimaryKeyConstraint("case_id", "user_name"),
    )
    op.create_index("ix_case_visits_user_name", "case_visits", ["user_name"])
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("case_visits")
    op.drop_table("case_alerts")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS case_alerts_refuse_change()")
