"""The unit of work every store operation runs in: one transaction, keys checked, audited.

A write transaction first reads the store's key state and seals only with the key it
names (see ``keystate``); every change appends its audit entry in the same transaction,
so a failure anywhere leaves both the data and the log exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backchannel.errors import EncryptionKeyError
from backchannel.store import audit
from backchannel.store.crypto import FieldCipher, Keyed, KeyRing
from backchannel.store.db import READ_ONLY
from backchannel.store.keystate import hold_for_sealing
from backchannel.store.schema import AuditRow


class StoreBase:
    """The engine, keys and acting user a store's operations share."""

    def __init__(self, engine: Engine, cipher: FieldCipher, user_name: str) -> None:
        if cipher.ring.audit_key is None:
            raise EncryptionKeyError("the key ring has no audit key: the store cannot audit")
        self.engine = engine
        self.cipher = cipher
        self.keyed = Keyed(cipher.ring.audit_key)
        self.user_name = user_name
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(
            engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @property
    def ring(self) -> KeyRing:
        """The key ring this store holds now (re-read after a rotation)."""
        return self.cipher.ring

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls everything back on error."""
        with self._sessions() as session, session.begin():
            hold_for_sealing(session, self.cipher)
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A consistent read that writes nothing; on SQLite it does not wait for writers."""
        with self._readers() as session, session.begin():
            yield session

    def _audit(
        self,
        session: Session,
        *,
        action: str,
        case_id: str | None,
        detail: dict[str, Any],
        user_name: str | None = None,
        before_digest: str | None = None,
        after_digest: str | None = None,
    ) -> AuditRow:
        return audit.append(
            session,
            self.keyed,
            user_name=user_name or self.user_name,
            action=action,
            case_id=case_id,
            detail=detail,
            before_digest=before_digest,
            after_digest=after_digest,
        )
