"""Key rotation: a new key for every sealed field, without a window where data is unreadable.

The order makes a crash at any point recoverable:
1. the key ring is written with the new key active and the old one kept;
2. every sealed value is re-encrypted in one transaction (audited);
3. only then is the old key dropped from the ring.
A crash after 1 or 2 leaves a ring that still opens every stored value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from backchannel.errors import EncryptionKeyError
from backchannel.settings import Settings
from backchannel.store.crypto import KeyRing, decode_key, load_key_ring, new_key, write_key_file
from backchannel.store.db import connect
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
    old_ring = load_key_ring(settings)
    if settings.secret_key is not None:
        supplied = environ.get(NEW_KEY_VARIABLE)
        if not supplied:
            raise EncryptionKeyError(
                f"the key comes from BACKCHANNEL_SECRET_KEY: put the new key in {NEW_KEY_VARIABLE} "
                "(base64 of 32 random bytes) and run keys rotate again"
            )
        fresh = decode_key(supplied, NEW_KEY_VARIABLE)
    else:
        fresh = new_key()
    if fresh in (key for _, key in old_ring.keys):
        raise EncryptionKeyError("the new key is the key already in use; supply a different one")

    transition = KeyRing.of(fresh, *(key for _, key in old_ring.keys))
    key_file = settings.resolved_key_file
    if settings.secret_key is None:
        write_key_file(key_file, transition)

    store = CaseStore(connect(settings.resolved_database_url), transition, settings.user)
    try:
        values = store.reseal_all(transition)
    finally:
        store.close()

    next_step = None
    if settings.secret_key is None:
        write_key_file(key_file, KeyRing.of(fresh))
    else:
        next_step = (
            f"now set BACKCHANNEL_SECRET_KEY to the value of {NEW_KEY_VARIABLE}; "
            "the old key no longer opens the store"
        )
    return Rotation(old_ring.active_id, transition.active_id, values, next_step)
