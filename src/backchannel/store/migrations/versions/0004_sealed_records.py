"""Whole records sealed, keyed audit, key state, and screening decisions held per case.

- ``cases.layout``: 1 for rows written field by field (sensitive fields sealed, the rest in
  clear), 2 for rows whose whole content is one sealed value. The store rewrites layout-1
  cases as layout 2 the first time it opens them with the keys (a migration cannot: it has
  no keys).
- ``audit_log.scheme``: ``sha256`` for entries chained with a plain hash, ``hmac-sha256``
  for entries chained under the audit key.
- ``store_keys``: which data key seals the store now, which audit key chains the log and
  when the chain became keyed; read before every sealing write, moved by key rotation.
- ``case_screening_decisions`` and ``screening_shares``: decisions belong to a case and
  go with it; a share offers a decision to the rest of the organisation as a suggestion.
  The old ``screening_decisions`` rows are moved there, sealed, by the store when it opens.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# A decision is fixed once written and disappears only with its case (the cascade runs
# after the case row is gone, so the guard lets exactly those deletions through).
SQLITE_TRIGGERS = [
    """CREATE TRIGGER case_screening_decisions_fixed BEFORE UPDATE OF
        case_id, query_key, user_name, at ON case_screening_decisions
        BEGIN SELECT RAISE(ABORT, 'case_screening_decisions is append-only'); END""",
    """CREATE TRIGGER case_screening_decisions_no_delete BEFORE DELETE
        ON case_screening_decisions
        WHEN EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id)
        BEGIN SELECT RAISE(ABORT, 'case_screening_decisions is append-only'); END""",
    """CREATE TRIGGER screening_shares_fixed BEFORE UPDATE ON screening_shares
        BEGIN SELECT RAISE(ABORT, 'screening_shares is append-only'); END""",
    # the old table is emptied once by the store when it moves the rows: from then on
    # nothing may be added to it
    "DROP TRIGGER IF EXISTS screening_decisions_no_delete",
    """CREATE TRIGGER screening_decisions_closed BEFORE INSERT ON screening_decisions
        BEGIN SELECT RAISE(ABORT, 'screening_decisions is closed: decisions are per case'); END""",
]
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION case_screening_decisions_refuse_change() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           IF NOT EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) THEN
             RETURN OLD;
           END IF;
         END IF;
         RAISE EXCEPTION 'case_screening_decisions is append-only';
       END $$""",
    """CREATE FUNCTION screening_shares_refuse_change() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'screening_shares is append-only'; END $$""",
    """CREATE TRIGGER case_screening_decisions_fixed BEFORE UPDATE OF
        case_id, query_key, user_name, at ON case_screening_decisions
        FOR EACH ROW EXECUTE FUNCTION case_screening_decisions_refuse_change()""",
    """CREATE TRIGGER case_screening_decisions_no_delete BEFORE DELETE
        ON case_screening_decisions
        FOR EACH ROW EXECUTE FUNCTION case_screening_decisions_refuse_change()""",
    """CREATE TRIGGER screening_shares_fixed BEFORE UPDATE ON screening_shares
        FOR EACH ROW EXECUTE FUNCTION screening_shares_refuse_change()""",
    "DROP TRIGGER IF EXISTS screening_decisions_no_delete ON screening_decisions",
    """CREATE TRIGGER screening_decisions_closed BEFORE INSERT ON screening_decisions
        FOR EACH ROW EXECUTE FUNCTION screening_decisions_refuse_change()""",
]


def upgrade() -> None:
    op.add_column(
        "cases", sa.Column("layout", sa.Integer(), nullable=False, server_default=sa.text("1"))
    )
    op.add_column(
        "audit_log",
        sa.Column("scheme", sa.String(20), nullable=False, server_default=sa.text("'sha256'")),
    )
    op.create_table(
        "store_keys",
        sa.Column("id", sa.Integer(), autoincrement=False, primary_key=True),
        sa.Column("active_key_id", sa.String(16), nullable=False),
        sa.Column("audit_key_id", sa.String(16), nullable=False),
        sa.Column("audit_keyed_from", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
    )
    op.create_table(
        "case_screening_decisions",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            sa.String(80),
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("query_key", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sealed", sa.JSON(), nullable=False),
    )
    op.create_index("ix_case_screening_decisions_case_id", "case_screening_decisions", ["case_id"])
    op.create_index(
        "ix_case_screening_decisions_query_key", "case_screening_decisions", ["query_key"]
    )
    op.create_table(
        "screening_shares",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "decision_seq",
            sa.Integer(),
            sa.ForeignKey("case_screening_decisions.seq", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("query_key", sa.String(64), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_screening_shares_query_key", "screening_shares", ["query_key"])
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    # The structure only: cases already sealed whole stay so, and need this revision's
    # reader again; the decisions per case go with their tables.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS screening_decisions_closed")
        op.execute(
            """CREATE TRIGGER screening_decisions_no_delete BEFORE DELETE ON screening_decisions
            BEGIN SELECT RAISE(ABORT, 'screening_decisions is append-only'); END"""
        )
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS screening_decisions_closed ON screening_decisions")
        op.execute(
            """CREATE TRIGGER screening_decisions_no_delete BEFORE DELETE ON screening_decisions
            FOR EACH ROW EXECUTE FUNCTION screening_decisions_refuse_change()"""
        )
    op.drop_table("screening_shares")
    op.drop_table("case_screening_decisions")
    op.drop_table("store_keys")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS case_screening_decisions_refuse_change()")
        op.execute("DROP FUNCTION IF EXISTS screening_shares_refuse_change()")
    op.drop_column("audit_log", "scheme")
    op.drop_column("cases", "layout")
