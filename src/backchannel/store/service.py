"""The case store as the surfaces use it: each operation one transaction, each change audited.

``CaseStore`` is the unit of work (``StoreBase``). Every method that changes anything
writes its audit entry in the same transaction, so a failure anywhere leaves both the
cases and the log exactly as they were. Users, sessions and memberships are in
``Accounts``; screening decisions, held per case, in ``DecisionRepository``; alerts
recorded by monitoring and dashboard visits in ``Monitoring``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backchannel.errors import ConfigurationError, ConflictError, NotFoundError
from backchannel.model.case import Case
from backchannel.screening.decisions import HitDecision, SharedDecision
from backchannel.settings import Settings
from backchannel.store import audit
from backchannel.store.accounts import Accounts
from backchannel.store.alerts import check_alerts
from backchannel.store.case_changes import (
    CaseSummary,
    CaseVersion,
    ChangeSummary,
    case_digest,
    content,
)
from backchannel.store.cases import UNREAD, CaseRepository, Unread, legacy_case_ids
from backchannel.store.content_check import ContentProblem, check_contents
from backchannel.store.crypto import FieldCipher, KeyRing
from backchannel.store.db import connect
from backchannel.store.files import private_dir
from backchannel.store.keyring_file import load_key_ring
from backchannel.store.keystate import read_state
from backchannel.store.monitoring import Monitoring
from backchannel.store.opening import open_ring
from backchannel.store.schema import AuditRow
from backchannel.store.screening import DecisionRepository, move_legacy_decisions
from backchannel.store.users import UserRepository


class CaseStore(Accounts, Monitoring):
    """Cases in a database, sealed and audited, on behalf of one user."""

    def __init__(
        self,
        engine: Engine,
        ring: KeyRing,
        user_name: str,
        reload: Callable[[], KeyRing] | None = None,
    ) -> None:
        super().__init__(engine, FieldCipher(ring, reload), user_name)

    @classmethod
    def open(cls, settings: Settings, user_name: str | None = None) -> CaseStore:
        """Connect to the configured database (migrating it) with the configured keys.

        The data folder is made private (0700) first. Cases and decisions stored in an
        older layout are rewritten sealed whole, audited, before the store is handed out.
        """
        private_dir(settings.data_dir)
        engine = connect(settings.resolved_database_url)
        try:
            ring = open_ring(engine, settings)
            store = cls(engine, ring, user_name or settings.user, lambda: load_key_ring(settings))
            with store.reading() as session:
                state = read_state(session)
            if state is not None:  # after a rotation that failed half-way, the ring's first
                store.cipher.require_active(state.active_key_id)  # key is not yet the store's
            store.upgrade_layouts()
        except BaseException:
            # A store refused (wrong keys, a half-done rotation) must not keep its
            # connections open until the garbage collector finds them.
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def acting_as(self, user_name: str) -> CaseStore:
        """This store acting for ``user_name``: the same engine, keys and session factory.

        A server serves many users from one connection pool: it opens one store and takes a
        view per request, so that every change is audited under the name of the user who
        made it. A view is cheap (a shallow copy); close only the store that was opened,
        never a view, since closing releases the shared engine.
        """
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)  # shares the engine, cipher and session factory
        view.user_name = user_name
        return view

    def _cases(self, session: Session) -> CaseRepository:
        return CaseRepository(session, self.cipher, self.keyed)

    # --- cases -------------------------------------------------------------------------

    def save_case(self, case: Case, action: str = "case.import") -> ChangeSummary:
        """Create or replace one case; audited as ``action`` with before/after digests."""
        return self.save_cases([case], action)[0]

    def save_cases(self, cases: list[Case], action: str = "case.import") -> list[ChangeSummary]:
        """Create or replace several cases in one transaction: all are stored or none is."""
        with self.transaction() as session:
            repository = self._cases(session)
            return [self._save(session, repository, case, action) for case in cases]

    def update_case(self, case_id: str, change: Callable[[Case], Case], action: str) -> Case:
        """Apply ``change`` to the stored case and save the result, audited as ``action``.

        The read and the write are one transaction holding the case's row lock from the
        start, so two updates of one case, from any number of server processes, apply one
        after the other and neither undoes the other. ``NotFoundError`` for an unknown
        case; whatever ``change`` raises leaves the case as it was.
        """
        with self.transaction() as session:
            repository = self._cases(session)
            repository.lock(case_id)
            before = repository.get(case_id)
            updated = change(before)
            if updated.id != case_id:
                raise ConfigurationError(f"an update of case {case_id!r} changed its id")
            self._save(session, repository, updated, action, before=before)
        return updated

    def create_case(self, case: Case, lead: str) -> None:
        """Store a new case with ``lead`` as its case lead, both audited, in one transaction.

        ``ConflictError`` if a case with this id exists already (nothing is changed then).
        """
        with self.transaction() as session:
            repository = self._cases(session)
            if repository.version(case.id) is not None:
                raise ConflictError(f"a case with id {case.id!r} exists already")
            self._save(session, repository, case, "case.create", before=None)
            self._add_member(session, case.id, lead, "case_lead")

    def _save(
        self,
        session: Session,
        repository: CaseRepository,
        case: Case,
        action: str,
        before: Case | Unread | None = UNREAD,
    ) -> ChangeSummary:
        before, change = repository.save(case, self.user_name, before)
        self._audit(
            session,
            action=action,
            case_id=case.id,
            detail={
                **change.as_detail(self.keyed, case.id),
                "content": content(self.keyed, case),
            },
            before_digest=case_digest(self.keyed, before),
            after_digest=case_digest(self.keyed, case),
        )
        return change

    def get_case(self, case_id: str) -> Case:
        """A stored case, decrypted."""
        with self.reading() as session:
            return self._cases(session).get(case_id)

    def case_version(self, case_id: str) -> CaseVersion | None:
        """Which version of the case is stored (cheap: nothing is decrypted); ``None`` if none."""
        with self.reading() as session:
            return self._cases(session).version(case_id)

    def versioned_case(self, case_id: str) -> tuple[Case, CaseVersion]:
        """The stored case and its version, read together; ``NotFoundError`` if none."""
        with self.reading() as session:
            repository = self._cases(session)
            version = repository.version(case_id)
            if version is None:
                raise NotFoundError(f"no case with id {case_id!r} in the store")
            return repository.get(case_id), version

    def list_cases(self) -> list[CaseSummary]:
        """Every stored case: title, counts, who saved it last."""
        with self.reading() as session:
            return self._cases(session).summaries()

    def cases_for(self, user_name: str) -> list[CaseSummary]:
        """The cases the user is a member of (none for a disabled or unknown user)."""
        with self.reading() as session:
            repository = UserRepository(session)
            user_row = repository.find(user_name)
            if user_row is None or user_row.disabled:
                return []
            return self._cases(session).summaries(only=repository.case_ids_for(user_name))

    def delete_case(self, case_id: str) -> None:
        """Remove a case, its records and its screening decisions; audited."""
        with self.transaction() as session:
            # the memberships go with the case (by cascade): say whose, so that the trail
            # shows who lost access when
            members = {
                user_row.name: membership.role
                for user_row, membership in UserRepository(session).members(case_id)
            }
            decisions = DecisionRepository(session, self.cipher, self.keyed).count(case_id)
            removed = self._cases(session).delete(case_id)
            self._audit(
                session,
                action="case.delete",
                case_id=case_id,
                detail={
                    "removed": {
                        c: [self.keyed.record_ref(case_id, c, r.id) for r in getattr(removed, c)]
                        for c in Case.COLLECTIONS
                    },
                    "memberships": members,
                    "screening_decisions": decisions,
                },
                before_digest=case_digest(self.keyed, removed),
            )

    def record_event(self, action: str, case_id: str, detail: dict[str, Any]) -> None:
        """Audit an act on a case that changes nothing stored (a brief downloaded, an
        assessment run): who did what, when, and what it gave. ``NotFoundError`` if the case
        does not exist."""
        with self.transaction() as session:
            if self._cases(session).version(case_id) is None:
                raise NotFoundError(f"no case with id {case_id!r} in the store")
            self._audit(session, action=action, case_id=case_id, detail=detail)

    # --- screening decisions (per case) ----------------------------------------------------

    def record_decision(self, decision: HitDecision) -> int:
        """Append an analyst's verdict on a hit of one case's screening; audited.

        The decision belongs to its case: it is shown and applied there only. Returns its
        number. ``NotFoundError`` if the case does not exist.
        """
        if decision.user != self.user_name:
            raise ConfigurationError(
                f"a decision by {decision.user!r} cannot be recorded by {self.user_name!r}"
            )
        with self.transaction() as session:
            if decision.case_id is None or self._cases(session).version(decision.case_id) is None:
                raise NotFoundError(
                    f"no case with id {decision.case_id!r} in the store: a screening decision "
                    "belongs to a case"
                )
            seq = DecisionRepository(session, self.cipher, self.keyed).append(decision)
            self._audit(
                session,
                action="screening.decision",
                case_id=decision.case_id,
                detail={"seq": seq, "verdict": decision.verdict.value},
            )
        return seq

    def screening_decisions(
        self, case_id: str, queries: list[str] | None = None
    ) -> list[HitDecision]:
        """The case's decisions (or those on ``queries``), oldest first, notes decrypted."""
        with self.reading() as session:
            return DecisionRepository(session, self.cipher, self.keyed).find(case_id, queries)

    def share_decision(self, case_id: str, seq: int, shared: bool = True) -> None:
        """Offer one of the case's decisions to the organisation (or withdraw it); audited.

        Elsewhere a shared decision shows as a suggestion (verdict, list and entry; never
        who made it, when, or the note) and changes nothing until someone there confirms it.
        """
        with self.transaction() as session:
            DecisionRepository(session, self.cipher, self.keyed).share(
                case_id, seq, shared, self.user_name
            )
            self._audit(
                session,
                action="screening.share" if shared else "screening.unshare",
                case_id=case_id,
                detail={"seq": seq},
            )

    def shared_decisions(self, case_id: str, queries: list[str]) -> list[SharedDecision]:
        """Decisions other cases shared on these names: suggestions for ``case_id``."""
        with self.reading() as session:
            return DecisionRepository(session, self.cipher, self.keyed).suggestions(
                case_id, queries
            )

    # --- integrity and keys --------------------------------------------------------------

    def verify_audit(self) -> audit.Verification:
        """Walk the audit chain and report the first entry that does not hold."""
        with self.reading() as session:
            state = read_state(session)
            keyed_from = 1 if state is None else state.audit_keyed_from
            return audit.verify(session, self.keyed, keyed_from)

    def verify_contents(self) -> list[ContentProblem]:
        """Every case whose stored content differs from its last audited change, and every
        alert recorded by monitoring that does not open or that the log does not account for."""
        with self.reading() as session:
            return check_contents(session, self._cases(session), self.keyed) + check_alerts(
                session, self.cipher, self.keyed
            )

    def audit_entries(self, case_id: str | None = None, limit: int = 100) -> list[AuditRow]:
        """The newest audit entries, oldest first, optionally for one case."""
        with self.reading() as session:
            return audit.entries(session, case_id, limit)

    def upgrade_layouts(self) -> int:
        """Rewrite cases and decisions stored in an older layout, sealed whole; audited.

        Returns how many cases were rewritten (none on a store already up to date).
        """
        with self.reading() as session:
            pending = legacy_case_ids(session)
            legacy_decisions = DecisionRepository.legacy_count(session)
        if not pending and not legacy_decisions:
            return 0
        with self.transaction() as session:
            repository = self._cases(session)
            for case_id in legacy_case_ids(session):
                case = repository.get(case_id)
                repository.save(case, self.user_name, before=case)
                self._audit(
                    session,
                    action="case.reseal",
                    case_id=case_id,
                    detail={"layout": 2, "content": content(self.keyed, case)},
                    before_digest=None,
                    after_digest=case_digest(self.keyed, case),
                )
            moved, dropped = move_legacy_decisions(session, self.cipher, self.keyed)
            if moved or dropped:
                self._audit(
                    session,
                    action="screening.reseal",
                    case_id=None,
                    detail={"moved": moved, "dropped_without_case": dropped},
                )
        return len(pending)
