"""The tamper-evident audit log: an HMAC chain of every change, with a moving head.

Each entry's MAC, under a key derived from the audit key (kept in the key ring, never in
the database), covers its own fields and the previous entry's MAC, so altering, deleting
or reordering any entry breaks the chain from that point, and someone who can write the
database but lacks the key cannot write a new chain that holds. The head row (moved in the
same transaction as each append) exposes a chain cut short at its end. ``verify`` walks
the chain and names the first entry that does not hold.

Entries written before the chain was keyed carry a plain SHA-256 (scheme ``sha256``);
they are accepted only before the store's ``audit_keyed_from`` entry, whose own integrity
the store checks with the same key, and the keyed entries after them pin them in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backchannel.errors import IntegrityError
from backchannel.store.crypto import Keyed
from backchannel.store.schema import AuditHeadRow, AuditRow

GENESIS = "0" * 64
HEAD_ID = 1
#: The scheme of entries chained under the audit key.
KEYED = "hmac-sha256"
#: The scheme of entries written before the chain was keyed.
LEGACY = "sha256"


def entry_hash(
    *,
    keyed: Keyed | None,
    seq: int,
    at: str,
    user_name: str,
    action: str,
    case_id: str | None,
    detail: dict[str, Any],
    before_digest: str | None,
    after_digest: str | None,
    prev_hash: str,
) -> str:
    """The MAC (or, with ``keyed`` None, the legacy SHA-256) of an entry's canonical JSON.

    The canonical form covers the entry's fields and its predecessor's hash.
    """
    canonical = json.dumps(
        [seq, at, user_name, action, case_id, detail, before_digest, after_digest, prev_hash],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    if keyed is None:
        return hashlib.sha256(canonical).hexdigest()
    return keyed.chain_mac(canonical)


def append(
    session: Session,
    keyed: Keyed,
    *,
    user_name: str,
    action: str,
    case_id: str | None,
    detail: dict[str, Any],
    before_digest: str | None = None,
    after_digest: str | None = None,
) -> AuditRow:
    """Add one entry at the end of the chain, in the caller's transaction.

    The head row (created by the first migration) is read ``FOR UPDATE`` on PostgreSQL so
    that concurrent writers queue up; on SQLite the write transaction already holds the
    database lock.
    """
    head = session.execute(
        select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        raise IntegrityError("the audit head row is missing: the audit log cannot be extended")
    seq = head.seq + 1
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    fields: dict[str, Any] = {
        "seq": seq,
        "at": at,
        "user_name": user_name,
        "action": action,
        "case_id": case_id,
        "detail": detail,
        "before_digest": before_digest,
        "after_digest": after_digest,
        "prev_hash": head.hash,
    }
    row = AuditRow(**fields, hash=entry_hash(keyed=keyed, **fields), scheme=KEYED)
    session.add(row)
    head.seq, head.hash = seq, row.hash
    session.flush()
    return row


def entries(session: Session, case_id: str | None = None, limit: int = 100) -> list[AuditRow]:
    """The newest ``limit`` entries, oldest first, optionally for one case only."""
    query = select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)
    if case_id is not None:
        query = query.where(AuditRow.case_id == case_id)
    return list(reversed(session.execute(query).scalars().all()))


@dataclass(frozen=True)
class Verification:
    """The result of walking the audit chain."""

    entries: int
    first_bad_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """Whether every entry holds."""
        return self.first_bad_seq is None and self.reason is None


def verify(session: Session, keyed: Keyed, keyed_from: int) -> Verification:
    """Walk the whole chain in sequence order; stop at the first entry that does not hold.

    Entries from ``keyed_from`` on must be keyed; earlier ones must be legacy entries.
    """
    previous_hash = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(AuditRow).order_by(AuditRow.seq)).scalars()
    for row in rows:
        count += 1
        if row.seq != expected_seq:
            return Verification(
                count, expected_seq, f"entry {expected_seq} is missing (next stored is {row.seq})"
            )
        if row.prev_hash != previous_hash:
            return Verification(
                count, row.seq, "its link to the previous entry is broken (deleted or reordered)"
            )
        expected_scheme = KEYED if row.seq >= keyed_from else LEGACY
        if row.scheme != expected_scheme:
            return Verification(
                count,
                row.seq,
                f"it is marked {row.scheme!r} but entries from {keyed_from} on are keyed "
                "(a rewritten entry)",
            )
        recomputed = entry_hash(
            keyed=keyed if row.scheme == KEYED else None,
            seq=row.seq,
            at=row.at,
            user_name=row.user_name,
            action=row.action,
            case_id=row.case_id,
            detail=row.detail,
            before_digest=row.before_digest,
            after_digest=row.after_digest,
            prev_hash=row.prev_hash,
        )
        if recomputed != row.hash:
            return Verification(
                count,
                row.seq,
                "its content does not match its MAC (altered, or written without the audit key)",
            )
        previous_hash = row.hash
        expected_seq += 1

    head = session.get(AuditHeadRow, HEAD_ID)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != count or head_hash != previous_hash:
        return Verification(
            count,
            count + 1 if head_seq > count else head_seq,
            f"the chain ends at entry {count} but the head records entry {head_seq} "
            "(entries removed from the end, or the head was altered)",
        )
    return Verification(count)
