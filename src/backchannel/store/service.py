"""The case store as the surfaces use it: each operation one transaction, each change audited.

``CaseStore`` is the unit of work. Every method that changes anything writes its audit
entry in the same transaction, so a failure anywhere leaves both the cases and the log
exactly as they were.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import math
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session, sessionmaker

from backchannel.auth import MEMBERSHIP_ROLES, Role, User, WebSession, validate_user_name
from backchannel.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from backchannel.errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    InvalidInputError,
    LockedOutError,
    NotFoundError,
    Problem,
)
from backchannel.model.case import Case
from backchannel.screening.decisions import HitDecision
from backchannel.settings import Settings
from backchannel.store import audit
from backchannel.store.cases import (
    UNREAD,
    CaseRepository,
    CaseSummary,
    CaseVersion,
    ChangeSummary,
    Unread,
    case_digest,
    rows_with_sealed_fields,
)
from backchannel.store.crypto import FieldCipher, KeyRing, load_key_ring
from backchannel.store.db import READ_ONLY, connect
from backchannel.store.schema import AuditRow, MembershipRow, SessionRow
from backchannel.store.screening import DecisionRepository, decision_rows_with_sealed_fields
from backchannel.store.users import (
    FAILURE,
    LOCKED,
    PENDING,
    SUCCESS,
    UserRepository,
    role_value,
    sha256,
    to_user,
    to_web_session,
    utc,
)

#: The one message for every failed login: it never says whether the name exists.
LOGIN_FAILED = "wrong user name or password"
#: How much of a client's address is kept with a login attempt.
SOURCE_LENGTH = 100
#: Why the last active administrator stays: without one, nobody could manage users.
LAST_ADMIN = (
    "{name!r} is the last active administrator: add another before disabling this one, "
    "or nobody could manage users"
)
#: How far a session's idle expiry may lag behind its last use (at most a minute early).
SESSION_TOUCH_SLACK = dt.timedelta(minutes=1)


class CaseStore:
    """Cases in a database, encrypted and audited, on behalf of one user."""

    def __init__(self, engine: Engine, ring: KeyRing, user_name: str) -> None:
        self.engine = engine
        self.cipher = FieldCipher(ring)
        self.user_name = user_name
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(
            engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

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

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls everything back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A consistent read that writes nothing; on SQLite it does not wait for writers."""
        with self._readers() as session, session.begin():
            yield session

    # --- cases -------------------------------------------------------------------------

    def save_case(self, case: Case, action: str = "case.import") -> ChangeSummary:
        """Create or replace one case; audited as ``action`` with before/after digests."""
        return self.save_cases([case], action)[0]

    def save_cases(self, cases: list[Case], action: str = "case.import") -> list[ChangeSummary]:
        """Create or replace several cases in one transaction: all are stored or none is."""
        with self.transaction() as session:
            repository = CaseRepository(session, self.cipher)
            return [self._save(session, repository, case, action) for case in cases]

    def update_case(self, case_id: str, change: Callable[[Case], Case], action: str) -> Case:
        """Apply ``change`` to the stored case and save the result, audited as ``action``.

        The read and the write are one transaction holding the case's row lock from the
        start, so two updates of one case, from any number of server processes, apply one
        after the other and neither undoes the other. ``NotFoundError`` for an unknown
        case; whatever ``change`` raises leaves the case as it was.
        """
        with self.transaction() as session:
            repository = CaseRepository(session, self.cipher)
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
            repository = CaseRepository(session, self.cipher)
            if repository.version(case.id) is not None:
                raise ConflictError(f"a case with id {case.id!r} exists already")
            self._save(session, repository, case, "case.create", before=None)
            self._add_member(session, case.id, lead, Role.case_lead)

    def _save(
        self,
        session: Session,
        repository: CaseRepository,
        case: Case,
        action: str,
        before: Case | Unread | None = UNREAD,
    ) -> ChangeSummary:
        before, change = repository.save(case, self.user_name, before)
        audit.append(
            session,
            user_name=self.user_name,
            action=action,
            case_id=case.id,
            detail=change.as_detail(),
            before_digest=case_digest(before),
            after_digest=case_digest(case),
        )
        return change

    def get_case(self, case_id: str) -> Case:
        """A stored case, decrypted."""
        with self.reading() as session:
            return CaseRepository(session, self.cipher).get(case_id)

    def case_version(self, case_id: str) -> CaseVersion | None:
        """Which version of the case is stored (cheap: nothing is decrypted); ``None`` if none."""
        with self.reading() as session:
            return CaseRepository(session, self.cipher).version(case_id)

    def versioned_case(self, case_id: str) -> tuple[Case, CaseVersion]:
        """The stored case and its version, read together; ``NotFoundError`` if none."""
        with self.reading() as session:
            repository = CaseRepository(session, self.cipher)
            version = repository.version(case_id)
            if version is None:
                raise NotFoundError(f"no case with id {case_id!r} in the store")
            return repository.get(case_id), version

    def list_cases(self) -> list[CaseSummary]:
        """Every stored case, without sensitive fields."""
        with self.reading() as session:
            return CaseRepository(session, self.cipher).summaries()

    def delete_case(self, case_id: str) -> None:
        """Remove a case; audited."""
        with self.transaction() as session:
            # the memberships go with the case (by cascade): say whose, so that the trail
            # shows who lost access when
            members = {
                user_row.name: membership.role
                for user_row, membership in UserRepository(session).members(case_id)
            }
            removed = CaseRepository(session, self.cipher).delete(case_id)
            audit.append(
                session,
                user_name=self.user_name,
                action="case.delete",
                case_id=case_id,
                detail={
                    "removed": {c: [r.id for r in getattr(removed, c)] for c in Case.COLLECTIONS},
                    "memberships": members,
                },
                before_digest=case_digest(removed),
            )

    def record_event(self, action: str, case_id: str, detail: dict[str, Any]) -> None:
        """Audit an act on a case that changes nothing stored (a brief downloaded, an
        assessment run): who did what, when, and what it gave. ``NotFoundError`` if the case
        does not exist."""
        with self.transaction() as session:
            if CaseRepository(session, self.cipher).version(case_id) is None:
                raise NotFoundError(f"no case with id {case_id!r} in the store")
            audit.append(
                session, user_name=self.user_name, action=action, case_id=case_id, detail=detail
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
        with self.reading() as session:
            return DecisionRepository(session, self.cipher).find(queries)

    # --- users ------------------------------------------------------------------------

    def add_user(self, name: str, role: Role | str, password: str) -> User:
        """Create a user with a global role and an Argon2id-hashed password; audited."""
        validate_user_name(name)
        global_role = role_value(role, Role)
        password_hash = hash_password(password)
        with self.transaction() as session:
            row = UserRepository(session).add(name, global_role, password_hash, utc(None))
            audit.append(
                session,
                user_name=self.user_name,
                action="user.add",
                case_id=None,
                detail={"user": name, "role": global_role.value},
            )
            return to_user(row)

    def disable_user(self, name: str) -> None:
        """Stop a user from logging in and end their sessions; audited. Users are never deleted."""
        with self.transaction() as session:
            repository = UserRepository(session)
            row = repository.get(name)
            if row.role == Role.admin.value and [u.name for u in repository.active_admins()] == [
                name
            ]:
                raise InvalidInputError("user", [Problem("user", LAST_ADMIN.format(name=name))])
            row.disabled = True
            ended = repository.end_sessions(name)
            audit.append(
                session,
                user_name=self.user_name,
                action="user.disable",
                case_id=None,
                detail={"user": name, "sessions_ended": ended},
            )

    def reset_password(self, name: str, password: str) -> None:
        """Give a user a new password and end their sessions; audited (never the hash)."""
        password_hash = hash_password(password)
        with self.transaction() as session:
            repository = UserRepository(session)
            row = repository.get(name)
            row.password_hash = password_hash
            row.password_changed_at = utc(None)
            ended = repository.end_sessions(name)
            audit.append(
                session,
                user_name=self.user_name,
                action="user.password",
                case_id=None,
                detail={"user": name, "sessions_ended": ended},
            )

    def users(self) -> list[User]:
        """Every user, by name, disabled ones included."""
        with self.reading() as session:
            return [to_user(row) for row in UserRepository(session).all()]

    def authenticate(
        self, name: str, password: str, *, source: str, now: dt.datetime | None = None
    ) -> User:
        """The user whose name and password these are; ``AuthenticationError`` otherwise.

        An unknown name, a wrong password and a disabled user fail alike, with one message
        and (checking a dummy hash for unknown names) in about the same time. A name or a
        source address with too many recent failures gets ``LockedOutError`` without its
        password being checked (see ``backchannel.store.users``). Every attempt is recorded;
        a successful login is audited as ``user.login`` by the user who logged in.
        """
        moment = utc(now)
        source = source[:SOURCE_LENGTH]
        with self.transaction() as session:
            repository = UserRepository(session)
            repository.serialise_logins()
            row = repository.find(name)
            stored_hash = None if row is None else row.password_hash
            locked_until = repository.locked_until(name, source, moment)
            attempt = repository.record_attempt(
                name,
                None if row is None else row.name,
                source,
                moment,
                PENDING if locked_until is None else LOCKED,
            )
        if locked_until is not None:
            wait = math.ceil((locked_until - moment).total_seconds())
            raise LockedOutError(
                "too many failed logins for this name or from this address: "
                f"try again in {math.ceil(wait / 60)} minute(s)",
                retry_after=wait,
            )
        matches = verify_password(stored_hash or dummy_hash(), password)
        new_hash = None
        if matches and stored_hash is not None and needs_rehash(stored_hash):
            with contextlib.suppress(InvalidInputError):  # a legacy short password stays as is
                new_hash = hash_password(password)
        with self.transaction() as session:
            repository = UserRepository(session)
            row = repository.find(name)
            succeeded = (
                matches
                and row is not None
                and not row.disabled
                and row.password_hash == stored_hash  # not reset in the meantime
            )
            repository.settle_attempt(attempt, SUCCESS if succeeded else FAILURE)
            if not succeeded or row is None:
                user = None
            else:
                if new_hash is not None:
                    row.password_hash = new_hash
                audit.append(
                    session,
                    user_name=row.name,
                    action="user.login",
                    case_id=None,
                    detail={"user": row.name, "source": source},
                )
                user = to_user(row)
        if user is None:
            raise AuthenticationError(LOGIN_FAILED)
        return user

    # --- web sessions -------------------------------------------------------------------

    def open_session(
        self,
        user_name: str,
        *,
        now: dt.datetime | None = None,
        lifetime: dt.timedelta = dt.timedelta(hours=8),
        idle: dt.timedelta = dt.timedelta(minutes=30),
    ) -> tuple[str, WebSession]:
        """Start a session for a user who has just authenticated.

        Returns the token for the client (a cookie) and the session. Only the token's
        SHA-256 is stored; the CSRF token is random per session. The session ends at
        ``now + lifetime`` at the latest, or after ``idle`` without use.
        """
        if lifetime <= dt.timedelta(0) or idle <= dt.timedelta(0):
            raise ValueError("a session's lifetime and idle time must be positive")
        moment = utc(now)
        token = secrets.token_urlsafe(32)
        with self.transaction() as session:
            repository = UserRepository(session)
            row = repository.find(user_name)
            if row is None or row.disabled:
                raise AuthenticationError(LOGIN_FAILED)
            repository.purge_sessions(moment)
            expires_at = moment + lifetime
            session_row = SessionRow(
                token_sha256=sha256(token),
                user_name=row.name,
                csrf_token=secrets.token_urlsafe(32),
                created_at=moment,
                expires_at=expires_at,
                idle_seconds=math.ceil(idle.total_seconds()),
                idle_expires_at=min(moment + idle, expires_at),
            )
            session.add(session_row)
            return token, to_web_session(session_row, to_user(row))

    def session(self, token: str, *, now: dt.datetime | None = None) -> WebSession | None:
        """The live session of this token, its idle expiry moved on; ``None`` otherwise.

        ``None`` for an unknown token, a session past its lifetime or idle time (which is
        then deleted), and any session of a disabled user.
        """
        if not token:
            return None
        moment = utc(now)
        key = sha256(token)
        with self.reading() as session:
            row = session.get(SessionRow, key)
            if row is None:
                return None
            user_row = UserRepository(session).find(row.user_name)
            expires_at = utc(row.expires_at)
            ended = (
                moment >= expires_at
                or moment >= utc(row.idle_expires_at)
                or user_row is None
                or user_row.disabled
            )
            moved_on = min(moment + dt.timedelta(seconds=row.idle_seconds), expires_at)
            live = None if ended or user_row is None else to_web_session(row, to_user(user_row))
        # Most uses only read. The expiry is written only when it moves by more than the
        # slack, so that page views do not queue behind one another for the write lock.
        if live is None:
            with self.transaction() as session:
                session.execute(delete(SessionRow).where(SessionRow.token_sha256 == key))
            return None
        if moved_on - live.idle_expires_at > SESSION_TOUCH_SLACK:
            with self.transaction() as session:
                session.execute(
                    update(SessionRow)
                    .where(SessionRow.token_sha256 == key)
                    .values(idle_expires_at=moved_on)
                )
            live = dataclasses.replace(live, idle_expires_at=moved_on)
        return live

    def close_session(self, token: str) -> None:
        """End a session (log out); audited as ``user.logout`` by its user. Unknown: no-op."""
        if not token:
            return
        with self.transaction() as session:
            row = session.get(SessionRow, sha256(token))
            if row is None:
                return
            session.delete(row)
            audit.append(
                session,
                user_name=row.user_name,
                action="user.logout",
                case_id=None,
                detail={"user": row.user_name},
            )

    # --- case membership (compartments) ---------------------------------------------------

    def add_member(self, case_id: str, user_name: str, role: Role | str) -> None:
        """Give a user a role in a case (or change it); audited as ``member.add``."""
        with self.transaction() as session:
            self._add_member(session, case_id, user_name, role)

    def _add_member(self, session: Session, case_id: str, user_name: str, role: Role | str) -> None:
        case_role = role_value(role, MEMBERSHIP_ROLES)
        repository = UserRepository(session)
        repository.require_case(case_id)
        user_row = repository.get(user_name)
        if user_row.disabled:
            raise InvalidInputError("member", [Problem("user", f"user {user_name!r} is disabled")])
        membership = repository.membership(case_id, user_name)
        previous = None if membership is None else membership.role
        if membership is None:
            membership = MembershipRow(case_id=case_id, user_name=user_name)
            session.add(membership)
        membership.role = case_role.value
        membership.added_at = utc(None)
        membership.added_by = self.user_name
        audit.append(
            session,
            user_name=self.user_name,
            action="member.add",
            case_id=case_id,
            detail={"user": user_name, "role": case_role.value, "previous_role": previous},
        )

    def remove_member(self, case_id: str, user_name: str) -> None:
        """Take a user out of a case; audited as ``member.remove``."""
        with self.transaction() as session:
            repository = UserRepository(session)
            repository.require_case(case_id)
            membership = repository.membership(case_id, user_name)
            if membership is None:
                raise NotFoundError(f"{user_name!r} is not a member of case {case_id!r}")
            role = membership.role
            session.delete(membership)
            audit.append(
                session,
                user_name=self.user_name,
                action="member.remove",
                case_id=case_id,
                detail={"user": user_name, "role": role},
            )

    def members(self, case_id: str) -> list[tuple[User, Role]]:
        """The members of a case with their roles, by user name."""
        with self.reading() as session:
            repository = UserRepository(session)
            repository.require_case(case_id)
            return [
                (to_user(user_row), Role(membership.role))
                for user_row, membership in repository.members(case_id)
            ]

    def membership(self, case_id: str, user_name: str) -> Role | None:
        """The user's role in the case now: ``None`` if not a member, or disabled."""
        with self.reading() as session:
            repository = UserRepository(session)
            user_row = repository.find(user_name)
            membership = repository.membership(case_id, user_name)
            if membership is None or user_row is None or user_row.disabled:
                return None
            return Role(membership.role)

    def cases_for(self, user_name: str) -> list[CaseSummary]:
        """The cases the user is a member of (none for a disabled or unknown user)."""
        with self.reading() as session:
            repository = UserRepository(session)
            user_row = repository.find(user_name)
            if user_row is None or user_row.disabled:
                return []
            case_ids = repository.case_ids_for(user_name)
            return CaseRepository(session, self.cipher).summaries(only=case_ids)

    # --- integrity and keys --------------------------------------------------------------

    def verify_audit(self) -> audit.Verification:
        """Walk the audit chain and report the first entry that does not hold."""
        with self.reading() as session:
            return audit.verify(session)

    def audit_entries(self, case_id: str | None = None, limit: int = 100) -> list[AuditRow]:
        """The newest audit entries, oldest first, optionally for one case."""
        with self.reading() as session:
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
