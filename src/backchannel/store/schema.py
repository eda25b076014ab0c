"""The relational schema of the case store (SQLAlchemy 2 declarative).

A case is one ``cases`` row plus one row per record in ten record tables. Each row's
whole content is one sealed value (``sealed``); what stays in clear is listed in the
README: the case id and country, opaque keyed record ids, record kinds, positions,
revisions, timestamps and user names. ``layout`` tells rows written that way (2) from
older rows whose sensitive fields only were sealed (1), which the store rewrites.
Alerts recorded by monitoring (``case_alerts``) are sealed whole too, under a keyed
fingerprint; ``case_visits`` holds a case id, a user name, a time and an alert number.

``audit_log`` is append-only: triggers created by the migration refuse UPDATE and DELETE,
and each row is hash-chained to the one before (see ``audit.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every store table."""


class CaseRow(Base):
    """One case: its context and sources (public) and sealed context fields."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: empty in layout 2 (the title is sealed with the rest of the context)
    title: Mapped[str] = mapped_column(Text)
    layout: Mapped[int] = mapped_column(Integer, default=2)
    country: Mapped[str] = mapped_column(String(3), index=True)
    schema_version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))
    public: Mapped[dict[str, Any]] = mapped_column(JSON)
    sealed: Mapped[dict[str, str]] = mapped_column(JSON)


class RecordRow(Base):
    """Columns shared by the record tables."""

    __abstract__ = True

    case_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    #: layout 2: the keyed hash of the record's id (see ``crypto.Keyed.record_ref``)
    record_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(String(40), index=True)
    public: Mapped[dict[str, Any]] = mapped_column(JSON)
    sealed: Mapped[dict[str, str]] = mapped_column(JSON)


class ActorRow(RecordRow):
    """An actor of a case."""

    __tablename__ = "case_actors"


class RelationRow(RecordRow):
    """A relation between two actors of a case."""

    __tablename__ = "case_relations"


class EngagementRow(RecordRow):
    """An engagement (contact, meeting, round of talks) of a case."""

    __tablename__ = "case_engagements"


class CommitmentRow(RecordRow):
    """A commitment made by a party of a case."""

    __tablename__ = "case_commitments"


class JudgementRow(RecordRow):
    """An analyst judgement recorded in a case."""

    __tablename__ = "case_judgements"


class RedLineRow(RecordRow):
    """A red line of a case."""

    __tablename__ = "case_red_lines"


class BottomLineRow(RecordRow):
    """A bottom line of a case."""

    __tablename__ = "case_bottom_lines"


class IslandEntryRow(RecordRow):
    """An Island of Agreement entry of a case (its quadrant is the kind)."""

    __tablename__ = "case_island_entries"


class PositionRow(RecordRow):
    """A position of one side towards a counterpart."""

    __tablename__ = "case_positions"


class CommonPositionRow(RecordRow):
    """A position agreed among the engagers of a case."""

    __tablename__ = "case_common_positions"


#: Which table holds which collection of ``Case``.
RECORD_TABLES: dict[str, type[RecordRow]] = {
    "actors": ActorRow,
    "relations": RelationRow,
    "engagements": EngagementRow,
    "commitments": CommitmentRow,
    "judgements": JudgementRow,
    "red_lines": RedLineRow,
    "bottom_lines": BottomLineRow,
    "island_of_agreement": IslandEntryRow,
    "positions": PositionRow,
    "common_positions": CommonPositionRow,
}


class StoreKeysRow(Base):
    """The one row saying which keys the store is sealed and chained with.

    Every sealing write reads it first (``FOR SHARE`` on PostgreSQL) and refuses to seal
    with any other key; key rotation moves it while holding it ``FOR UPDATE``, so no write
    can seal with the key being dropped.
    """

    __tablename__ = "store_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    active_key_id: Mapped[str] = mapped_column(String(16))
    audit_key_id: Mapped[str] = mapped_column(String(16))
    audit_keyed_from: Mapped[int] = mapped_column(Integer)
    generation: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: keyed MAC over the audit key id and ``audit_keyed_from``: moving where the keyed
    #: chain starts (to pass off rewritten entries as legacy ones) needs the audit key
    mac: Mapped[str] = mapped_column(String(64))


class CaseDecisionRow(Base):
    """One analyst's verdict on one screening hit, in one case; append-only.

    The query, list, entry, verdict and note are one sealed value; ``query_key`` is a
    keyed hash of the query's decision key, so decisions are found without the name being
    stored in clear. The row goes when its case goes, and never otherwise.
    """

    __tablename__ = "case_screening_decisions"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    query_key: Mapped[str] = mapped_column(String(64), index=True)
    user_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sealed: Mapped[dict[str, str]] = mapped_column(JSON)


class CaseAlertRow(Base):
    """An alert ``backchannel watch`` found in a case's events; append-only.

    The alert (kind, actor, period, summary, event ids, figures) is one sealed value; ``ref``
    is its keyed fingerprint (``store.alerts.alert_ref``), by which a later pass knows it
    has recorded it already. The row goes when its case goes, and never otherwise.
    """

    __tablename__ = "case_alerts"
    __table_args__ = (UniqueConstraint("case_id", "ref", name="uq_case_alerts_case_id_ref"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    ref: Mapped[str] = mapped_column(String(64))
    found_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    found_by: Mapped[str] = mapped_column(String(200))
    sealed: Mapped[dict[str, str]] = mapped_column(JSON)


class CaseVisitRow(Base):
    """When a user last opened a case's dashboard, and the newest alert it showed them."""

    __tablename__ = "case_visits"

    case_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    user_name: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.name"), primary_key=True, index=True
    )
    visited_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: the ``case_alerts.seq`` of the newest alert of the case shown at that visit (0: none)
    seen_alert_seq: Mapped[int] = mapped_column(Integer)


class ScreeningShareRow(Base):
    """A case lead offering a decision to the organisation (or withdrawing the offer)."""

    __tablename__ = "screening_shares"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_seq: Mapped[int] = mapped_column(
        Integer, ForeignKey("case_screening_decisions.seq", ondelete="CASCADE")
    )
    query_key: Mapped[str] = mapped_column(String(64), index=True)
    shared: Mapped[bool] = mapped_column(Boolean)
    user_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ScreeningDecisionRow(Base):
    """A decision stored before decisions were held per case (closed: moved on opening).

    The store moves these rows into ``case_screening_decisions`` (sealed) the first time it
    opens with the keys, then deletes them; nothing may be added any more.

    Triggers refuse DELETE and any UPDATE except of ``sealed`` (which key rotation
    re-encrypts); the analyst's note is the one sealed field.
    """

    __tablename__ = "screening_decisions"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    query_key: Mapped[str] = mapped_column(String(400), index=True)
    query: Mapped[str] = mapped_column(Text)
    list_id: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[str] = mapped_column(String(80))
    verdict: Mapped[str] = mapped_column(String(20))
    user_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    case_id: Mapped[str | None] = mapped_column(String(80), index=True)
    sealed: Mapped[dict[str, str]] = mapped_column(JSON)


class AuditRow(Base):
    """One entry of the HMAC-chained, append-only audit log."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    user_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[str | None] = mapped_column(String(80), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    before_digest: Mapped[str | None] = mapped_column(String(64))
    after_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: ``hmac-sha256`` (keyed) or ``sha256`` (entries written before the chain was keyed)
    scheme: Mapped[str] = mapped_column(String(20), default="hmac-sha256")


class AuditHeadRow(Base):
    """The last sequence number and hash of the audit log, moved in the same transaction.

    Deleting the newest audit rows would leave a valid-looking shorter chain; the head
    row makes that truncation visible. It is also the lock appenders take in turn.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class UserRow(Base):
    """A person who may log in: a lower-case name, a global role and an Argon2id hash.

    Users are disabled, never deleted, so that every audit entry keeps naming someone.
    """

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'case_lead', 'analyst', 'viewer')", name="ck_users_role"
        ),
    )

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class MembershipRow(Base):
    """A user's role in one case (its compartment); removed with the case."""

    __tablename__ = "case_members"
    __table_args__ = (
        CheckConstraint("role IN ('case_lead', 'analyst', 'viewer')", name="ck_case_members_role"),
    )

    case_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    user_name: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.name"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    added_by: Mapped[str] = mapped_column(String(200))


class SessionRow(Base):
    """A web session. Only the SHA-256 of its token is kept: a copy of this table logs no one in.

    ``idle_expires_at`` slides forward with each use, never past ``expires_at``.
    """

    __tablename__ = "web_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.name", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    idle_seconds: Mapped[int] = mapped_column(Integer)
    idle_expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginAttemptRow(Base):
    """One login attempt, kept for throttling and for review.

    ``name_sha256`` is the digest of the name as typed, the key of the per-name lockout
    (unknown names are locked out like real ones, so a lockout tells nothing); ``user_name``
    holds the name only when it is a user's, so a password typed into the name field is
    not kept in clear. ``outcome`` is ``pending`` while the password is checked (counted as
    a failure), then ``success``, ``failure`` or ``locked`` (refused unchecked).
    """

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name_sha256: Mapped[str] = mapped_column(String(64), index=True)
    user_name: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(10))
