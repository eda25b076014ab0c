"""Key rotation: every sealed value under a new key, safe while servers keep running.

The order makes a crash at any point recoverable, and running servers safe:
1. the key ring file is written with the new key active and the old one kept;
2. in one transaction holding the key state ``FOR UPDATE`` (so no write runs beside it),
   every sealed value is re-encrypted, none is left under another key, and the key state
   names the new key (audited);
3. only then is the old key dropped from the ring file.
A crash before 2 commits leaves the store under the old key, which the ring still holds;
after it, the ring holds the new key. A server started before the rotation reads the key
state before each write, sees the new key and re-reads the ring file (see ``keystate``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backchannel.errors import EncryptionKeyError, IntegrityError
from backchannel.settings import Settings
from backchannel.store.alerts import alert_rows_with_sealed_fields
from backchannel.store.cases import rows_with_sealed_fields, sealed_value_place
from backchannel.store.crypto import FieldCipher, KeyRing, decode_key, new_key
from backchannel.store.keyring_file import write_key_file
from backchannel.store.keystate import STATE_ID
from backchannel.store.schema import StoreKeysRow
from backchannel.store.screening import decision_rows_with_sealed_fields
from backchannel.store.service import CaseStore

NEW_KEY_VARIABLE = "BACKCHANNEL_NEW_SECRET_KEY"


@dataclass(frozen=True)
class Rotation:
    """What a rotation did, and what the operator must still do."""

    old_key_id: str
    new_key_id: str
    values: int
    next_step: str | None


def rotate(settings: Settings, environ: dict[str, str] | None = None) -> Rotation:
    """Re-encrypt the whole store under a new key (see the module docstring for the order)."""
    environ = dict(os.environ) if environ is None else environ
    store = CaseStore.open(settings)
    try:
        old_ring = store.ring
        if settings.secret_key is not None:
            supplied = environ.get(NEW_KEY_VARIABLE)
            if not supplied:
                raise EncryptionKeyError(
                    "the key comes from BACKCHANNEL_SECRET_KEY: put the new key in "
                    f"{NEW_KEY_VARIABLE} (base64 of 32 random bytes) and run keys rotate again"
                )
            fresh = decode_key(supplied, NEW_KEY_VARIABLE)
        else:
            fresh = new_key()
        if old_ring.holds(KeyRing.of(fresh).active_id):
            raise EncryptionKeyError("the new key is a key already in the ring; supply another")
        transition = old_ring.rotated_to(fresh)
        key_file = settings.resolved_key_file
        if settings.secret_key is None:
            write_key_file(key_file, transition)
        old_key_id, values = reseal_store(store, transition)
    finally:
        store.close()

    next_step = None
    if settings.secret_key is None:
        write_key_file(key_file, transition.active_only())
    else:
        next_step = (
            f"now set BACKCHANNEL_SECRET_KEY to the value of {NEW_KEY_VARIABLE} and restart "
            "every server: the old key no longer opens the store, and a server still holding "
            "it refuses to write"
        )
    return Rotation(old_key_id, transition.active_id, values, next_step)


def reseal_store(store: CaseStore, ring: KeyRing) -> tuple[str, int]:
    """Re-encrypt every sealed value under ``ring``'s active key, in one transaction.

    ``ring`` must hold every key the stored values use. The key state is held ``FOR
    UPDATE`` throughout: writers wait, then seal with the new key. Returns the key that
    sealed the store before and the number of values re-encrypted; audited as
    ``keys.rotate``.
    """
    cipher = FieldCipher(ring)
    count = 0
    with store.transaction() as session:
        state = session.execute(
            select(StoreKeysRow).where(StoreKeysRow.id == STATE_ID).with_for_update()
        ).scalar_one()
        previous = state.active_key_id
        sealed_rows = itertools.chain(
            rows_with_sealed_fields(session),
            decision_rows_with_sealed_fields(session),
            alert_rows_with_sealed_fields(session),
        )
        for row, place in sealed_rows:
            resealed = {}
            for name, token in row.sealed.items():
                where = sealed_value_place(place, name)
                resealed[name] = cipher.seal(cipher.unseal(token, where), where)
                count += 1
            row.sealed = resealed
        session.flush()
        left = _values_under_other_keys(session, cipher, ring.active_id)
        if left:
            raise IntegrityError(
                f"{left} values would stay under an old key after re-sealing; nothing changed"
            )
        state.active_key_id = ring.active_id
        state.generation += 1
        state.changed_at = dt.datetime.now(dt.UTC)
        store._audit(
            session,
            action="keys.rotate",
            case_id=None,
            detail={
                "previous_key": previous,
                "active_key": ring.active_id,
                "generation": state.generation,
                "values_resealed": count,
            },
        )
    return previous, count


def _values_under_other_keys(session: Session, cipher: FieldCipher, active: str) -> int:
    rows = itertools.chain(
        rows_with_sealed_fields(session),
        decision_rows_with_sealed_fields(session),
        alert_rows_with_sealed_fields(session),
    )
    return sum(
        1
        for row, _ in rows
        for token in row.sealed.values()
        if cipher.key_id_of_token(token) != active
    )
