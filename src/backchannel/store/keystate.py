"""Which keys seal the store and chain its audit log, kept in the store itself.

The ``store_keys`` row names the active data key, the audit key and the first keyed audit
entry. It is what makes keys safe to handle:
- a write reads it before sealing and seals only with the key it names (re-reading the
  key ring when that key is new to the process), so a server that kept running while
  ``keys rotate`` re-sealed the store never seals with the dropped key;
- opening a store that holds sealed data with no key ring, or with a ring that lacks the
  store's key, is an error saying how to restore it, never a fresh key that would split
  the store across two keys.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backchannel.errors import EncryptionKeyError, IntegrityError
from backchannel.store.crypto import FieldCipher, Keyed, KeyRing
from backchannel.store.schema import (
    AuditHeadRow,
    CaseRow,
    ScreeningDecisionRow,
    StoreKeysRow,
)

STATE_ID = 1


def state_mac(keyed: Keyed, audit_key_id: str, keyed_from: int) -> str:
    """The MAC that pins where the keyed audit chain starts."""
    return keyed.digest({"audit_key": audit_key_id, "keyed_from": keyed_from})


def read_state(session: Session) -> StoreKeysRow | None:
    """The store's key state, or ``None`` for a store that never sealed anything."""
    return session.get(StoreKeysRow, STATE_ID)


def holds_sealed_data(session: Session) -> bool:
    """Whether anything sealed is stored (a key state, a case, a legacy decision)."""
    if read_state(session) is not None:
        return True
    cases = session.execute(select(func.count()).select_from(CaseRow)).scalar_one()
    decisions = session.execute(select(func.count()).select_from(ScreeningDecisionRow)).scalar_one()
    return bool(cases or decisions)


def establish(session: Session, ring: KeyRing) -> StoreKeysRow:
    """Record the ring's keys as the store's, the chain keyed from the next entry on."""
    audit_key_id = _audit_key_id(ring)
    head = session.get(AuditHeadRow, 1)
    keyed_from = (head.seq if head is not None else 0) + 1
    keyed = Keyed(ring.audit_key)  # type: ignore[arg-type]  # checked by _audit_key_id
    row = StoreKeysRow(
        id=STATE_ID,
        active_key_id=ring.active_id,
        audit_key_id=audit_key_id,
        audit_keyed_from=keyed_from,
        generation=1,
        changed_at=dt.datetime.now(dt.UTC),
        mac=state_mac(keyed, audit_key_id, keyed_from),
    )
    session.add(row)
    session.flush()
    return row


def check_ring(state: StoreKeysRow, ring: KeyRing, where: str) -> None:
    """Refuse a ring that cannot open this store or would chain its log with another key."""
    audit_key_id = _audit_key_id(ring)
    if audit_key_id != state.audit_key_id:
        raise EncryptionKeyError(
            f"the audit key in {where} (id {audit_key_id}) is not the key this store's audit "
            f"chain was made with (id {state.audit_key_id}); restore the key ring from its "
            "backup (backchannel keys backup) or the right BACKCHANNEL_AUDIT_KEY"
        )
    if not ring.holds(state.active_key_id):
        raise EncryptionKeyError(
            f"the store is sealed with key {state.active_key_id}, which {where} does not hold; "
            "restore the key ring from its backup (backchannel keys backup) or the right "
            "BACKCHANNEL_SECRET_KEY"
        )
    keyed = Keyed(ring.audit_key)  # type: ignore[arg-type]
    if state.mac != state_mac(keyed, state.audit_key_id, state.audit_keyed_from):
        raise IntegrityError(
            "the store's key state was altered: where the keyed audit chain starts no longer "
            "matches its MAC"
        )


def hold_for_sealing(session: Session, cipher: FieldCipher) -> StoreKeysRow:
    """Read the key state in a write transaction and make the cipher seal with its key.

    On PostgreSQL the row is held ``FOR SHARE``: writes run side by side, and key rotation
    (which takes it ``FOR UPDATE``) waits for them and they for it. SQLite's write
    transactions already run one at a time.
    """
    state = session.execute(
        select(StoreKeysRow).where(StoreKeysRow.id == STATE_ID).with_for_update(read=True)
    ).scalar_one_or_none()
    if state is None:
        raise IntegrityError("the store's key state is missing: it cannot be written to")
    cipher.require_active(state.active_key_id)
    return state


def _audit_key_id(ring: KeyRing) -> str:
    if ring.audit_key_id is None:
        raise EncryptionKeyError("the key ring has no audit key")
    return ring.audit_key_id
