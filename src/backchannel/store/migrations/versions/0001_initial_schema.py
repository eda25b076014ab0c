"""Initial schema: cases, five record tables, the append-only audit log and its head.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

RECORD_TABLES = (
    "case_actors",
    "case_relations",
    "case_engagements",
    "case_commitments",
    "case_judgements",
)

# Triggers make the audit log append-only for every client of the database, not only for
# this program; an owner can still drop them, which is what the hash chain is for.
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"""
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()""",
]


def upgrade() -> None:
    audit_head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("case_id", sa.String(length=80), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("before_digest", sa.String(length=64), nullable=True),
        sa.Column("after_digest", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"])
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("public", sa.JSON(), nullable=False),
        sa.Column("sealed", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cases_country", "cases", ["country"])
    for table in RECORD_TABLES:
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
    # The head exists from the start, so appenders only ever lock and move it.
    op.bulk_insert(audit_head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    for table in reversed(RECORD_TABLES):
        op.drop_table(table)
    op.drop_table("cases")
    op.drop_table("audit_log")
    op.drop_table("audit_head")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")
