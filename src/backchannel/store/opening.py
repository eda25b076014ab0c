"""Opening a store with its keys: never a fresh key beside sealed data.

``open_ring`` loads the key ring the settings point at and checks it against the store's
key state (``keystate``). A store that holds nothing sealed gets a new ring and its key
state; a store that does needs the ring that sealed it, and its absence is an error that
says how to restore it. A key ring file from before the audit chain was keyed gets its
audit key here, once, and the chain is keyed from the next entry on.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError as DuplicateKeyState
from sqlalchemy.orm import Session

from backchannel.errors import EncryptionKeyError
from backchannel.settings import Settings
from backchannel.store import audit
from backchannel.store.crypto import Keyed, KeyRing, new_key
from backchannel.store.keyring_file import load_key_ring, write_key_file
from backchannel.store.keystate import check_ring, establish, holds_sealed_data, read_state


def ring_source(settings: Settings) -> str:
    """Where the settings take the key ring from, as an error message names it."""
    if settings.secret_key is not None:
        return "BACKCHANNEL_SECRET_KEY and BACKCHANNEL_AUDIT_KEY"
    return f"the key ring {settings.resolved_key_file}"


def open_ring(engine: Engine, settings: Settings) -> KeyRing:
    """The key ring that opens this store, its key state created or checked."""
    for attempt in range(2):
        try:
            return _open_ring(engine, settings)
        except DuplicateKeyState:
            # another process established the key state first: check against theirs
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _open_ring(engine: Engine, settings: Settings) -> KeyRing:
    with Session(engine) as session, session.begin():
        state = read_state(session)
        sealed = holds_sealed_data(session)
        key_file = settings.resolved_key_file
        if settings.secret_key is None and sealed and not key_file.exists():
            sealed_with = f" with key {state.active_key_id}" if state is not None else ""
            raise EncryptionKeyError(
                f"the key ring {key_file} is missing, but the store holds data sealed"
                f"{sealed_with}: restore the ring from its backup (backchannel keys backup "
                f"wrote one) to {key_file}, or set BACKCHANNEL_KEY_FILE to where it is. "
                "A new key would not open the sealed data, so none was made"
            )
        ring = load_key_ring(settings, create=not sealed)
        if ring.audit_key is None:
            # a ring file written before the audit chain was keyed
            ring = replace(ring, audit_key=new_key())
            write_key_file(key_file, ring)
        if state is None:
            state = establish(session, ring)
            audit.append(
                session,
                Keyed(ring.audit_key),  # type: ignore[arg-type]  # set just above
                user_name=settings.user,
                action="keys.establish",
                case_id=None,
                detail={
                    "active_key": state.active_key_id,
                    "audit_key": state.audit_key_id,
                    "keyed_from": state.audit_keyed_from,
                },
            )
        else:
            check_ring(state, ring, ring_source(settings))
        return ring
