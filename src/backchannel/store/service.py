"""The case store as the surfaces use it: each operation one transaction, each change audited.

``CaseStore`` is the unit of work. Every method that changes anything writes its audit
entry in the same transaction, so a failure anywhere leaves both the cases and the log
exactly as they were.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backchannel.errors import ConfigurationError
from backchannel.model.case import Case
from backchannel.screening.decisions import HitDecision
from backchannel.settings import Settings
from backchannel.store import audit
from backchannel.store.cases import (
    CaseRepository,
    CaseSummary,
    ChangeSummary,
    case_digest,
    rows_with_sealed_fields,
)
from backchannel.store.crypto import FieldCipher, KeyRing, load_key_ring
from backchannel.store.db import connect
from backchannel.store.schema import AuditRow
from backchannel.store.screening import DecisionRepository, decision_rows_with_sealed_fields


class CaseStore:
    """Cases in a database, encrypted and audited, on behalf of one user."""

    def __init__(self, engine: Engine, ring: KeyRing, user_name: str) -> None:
        self.engine = engine
        self.cipher = FieldCipher(ring)
        self.user_name = user_name
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, settings: Settings, user_name: str | None = None) -> CaseStore:
        """Connect to the configured database (migrating it) with the configured keys."""
        return cls(
            connect(settings.resolved_database_url),
            load_key_ring(settings),
            user_name or settings.user,
        )

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls everything back on error."""
        with self._sessions() as session, session.begin():
            yield session

    # --- cases -------------------------------------------------------------------------

    def save_case(self, case: Case, action: str = "case.import") -> ChangeSummary:
        """Create or replace one case; audited as ``action`` with before/after digests."""
        return self.save_cases([case], action)[0]

    def save_cases(self, cases: list[Case], action: str = "case.import") -> list[ChangeSummary]:
        """Create or replace several cases in one transaction: all are stored or none is."""
        changes = []
        with self.transaction() as session:
            repository = CaseRepository(session, self.cipher)
            for case in cases:
                before, change = repository.save(case, self.user_name)
                audit.append(
                    session,
                    user_name=self.user_name,
                    action=action,
                    case_id=case.id,
                    detail=change.as_detail(),
                    before_digest=case_digest(before),
                    after_digest=case_digest(case),
                )
                changes.append(change)
        return changes

    def get_case(self, case_id: str) -> Case:
        """A stored case, decrypted."""
        with self.transaction() as session:
            return CaseRepository(session, self.cipher).get(case_id)

    def list_cases(self) -> list[CaseSummary]:
        """Every stored case, without sensitive fields."""
        with self.transaction() as session:
            return CaseRepository(session, self.cipher).summaries()

    def delete_case(self, case_id: str) -> None:
        """Remove a case; audited."""
        with self.transaction() as session:
            removed = CaseRepository(session, self.cipher).delete(case_id)
            audit.append(
                session,
                user_name=self.user_name,
                action="case.delete",
                case_id=case_id,
                detail={
                    "removed": {c: [r.id for r in getattr(removed, c)] for c in Case.COLLECTIONS}
                },
                before_digest=case_digest(removed),
            )

    # --- screening decisions -------------------------------------------------------------

    def record_decision(self, decision: HitDecision) -> int:
        """Append an analyst's verdict on a screening hit; audited. Returns its number."""
        if decision.user != self.user_name:
            raise ConfigurationError(
                f"a decision by {decision.user!r} cannot be recorded by {self.user_name!r}"
            )
        with self.transaction() as session:
            seq = DecisionRepository(session, self.cipher).append(decision)
            detail = {k: v for k, v in decision.as_dict().items() if k != "note"}
            audit.append(
                session,
                user_name=self.user_name,
                action="screening.decision",
                case_id=decision.case_id,
                detail={**detail, "seq": seq, "has_note": decision.note is not None},
            )
        return seq

    def screening_decisions(self, queries: list[str] | None = None) -> list[HitDecision]:
        """Every stored decision (or those on ``queries``), oldest first, notes decrypted."""
        with self.transaction() as session:
            return DecisionRepository(session, self.cipher).find(queries)

    # --- integrity and keys --------------------------------------------------------------

    def verify_audit(self) -> audit.Verification:
        """Walk the audit chain and report the first entry that does not hold."""
        with self.transaction() as session:
            return audit.verify(session)

    def audit_entries(self, case_id: str | None = None, limit: int = 100) -> list[AuditRow]:
        """The newest audit entries, oldest first, optionally for one case."""
        with self.transaction() as session:
            return audit.entries(session, case_id, limit)

    def reseal_all(self, ring: KeyRing) -> int:
        """Re-encrypt every sealed field with ``ring``'s active key, in one transaction.

        ``ring`` must also hold every key the stored values use (old and new during a
        rotation). Returns the number of values re-encrypted; audited as ``keys.rotate``.
        """
        cipher = FieldCipher(ring)
        count = 0
        with self.transaction() as session:
            sealed_rows = itertools.chain(
                rows_with_sealed_fields(session), decision_rows_with_sealed_fields(session)
            )
            for row, place in sealed_rows:
                resealed = {}
                for name, token in row.sealed.items():
                    value = cipher.unseal(token, f"{place}/{name}")
                    resealed[name] = cipher.seal(value, f"{place}/{name}")
                    count += 1
                row.sealed = resealed
            audit.append(
                session,
                user_name=self.user_name,
                action="keys.rotate",
                case_id=None,
                detail={"active_key": ring.active_id, "values_resealed": count},
            )
        self.cipher = cipher
        return count
