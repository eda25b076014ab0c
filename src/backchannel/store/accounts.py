"""Users, web sessions and case memberships: who may log in, and to which compartments.

Every change is audited in the transaction that makes it, under the acting user's name
(``StoreBase``). Users are disabled, never deleted; a failed login never says whether the
name exists.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import secrets

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from backchannel.auth import MEMBERSHIP_ROLES, Role, User, WebSession, validate_user_name
from backchannel.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from backchannel.errors import (
    AuthenticationError,
    InvalidInputError,
    LockedOutError,
    NotFoundError,
    Problem,
)
from backchannel.store.base import StoreBase
from backchannel.store.schema import MembershipRow, SessionRow
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


class Accounts(StoreBase):
    """The users, sessions and memberships of a store."""

    # --- users ------------------------------------------------------------------------

    def add_user(self, name: str, role: Role | str, password: str) -> User:
        """Create a user with a global role and an Argon2id-hashed password; audited."""
        validate_user_name(name)
        global_role = role_value(role, Role)
        password_hash = hash_password(password)
        with self.transaction() as session:
            row = UserRepository(session).add(name, global_role, password_hash, utc(None))
            self._audit(
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
            self._audit(
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
            self._audit(
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
                self._audit(
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
            self._audit(
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
        self._audit(
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
            self._audit(
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
