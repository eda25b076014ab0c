"""Users, case memberships, web sessions and login attempts in the store.

Like the other repositories, ``UserRepository`` takes a session and never commits: the
unit of work in ``service.py`` owns the transaction and writes the audit entries.

Login throttling, and why it is shaped so:

- **Per name**: ``NAME_FAILURES`` failures for one name within ``WINDOW`` lock that name for
  ``LOCK`` from the failure that reached the limit; a successful login clears the count.
  Unknown names are counted and locked exactly like real ones (by the SHA-256 of the name
  as typed), so a lockout does not tell an attacker that a name exists.
- **Per source address**: ``SOURCE_FAILURES`` failures from one address within ``WINDOW``,
  whatever the names, lock the address for ``LOCK``; spraying one password over many names
  is slowed too. A success does not clear it (one known account must not reset the
  budget for guessing others).
- **No race**: the attempt is written (as ``pending``) before the password is checked,
  under a lock that serialises login bookkeeping, so a burst of parallel guesses cannot all
  slip in under the limit. The slow Argon2 check itself runs outside any transaction.
- **Pending attempts**: for a name, every pending attempt counts as a failure (a burst of
  guesses at one account gets 5 checks at most). For an address, a pending attempt counts
  only beyond ``SOURCE_CONCURRENT_CHECKS`` checks in flight: a team of 50 signing in at
  once behind one reverse proxy must not lock the proxy's address, while a sprayer still
  gets at most that many checks in flight plus ``SOURCE_FAILURES`` failures. An attempt
  left pending longer than ``PENDING_GRACE`` (its server died mid-check) is a failure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from backchannel.auth import Role, User, WebSession, validate_user_name
from backchannel.errors import ConflictError, InvalidInputError, NotFoundError, Problem
from backchannel.store.schema import (
    CaseRow,
    LoginAttemptRow,
    MembershipRow,
    SessionRow,
    UserRow,
)

NAME_FAILURES = 5
SOURCE_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)
#: Checks from one address that may be in flight before the pending ones count as failures.
SOURCE_CONCURRENT_CHECKS = 64
#: A check takes well under a second; one pending longer never finished.
PENDING_GRACE = dt.timedelta(minutes=1)

#: The PostgreSQL advisory lock that serialises login bookkeeping (SQLite's write
#: transactions are serialised already); any fixed 64-bit number unique to this use.
LOGIN_LOCK_ID = 0x6261636B6C6F67

PENDING, SUCCESS, FAILURE, LOCKED = "pending", "success", "failure", "locked"
_FAILED = (PENDING, FAILURE)


def utc(value: dt.datetime | None) -> dt.datetime:
    """``value`` in UTC (now when ``None``); naive values, as SQLite returns them, are UTC."""
    if value is None:
        return dt.datetime.now(dt.UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def sha256(text: str) -> str:
    """Hex SHA-256 of ``text`` (UTF-8): how session tokens and attempted names are kept."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def to_user(row: UserRow) -> User:
    """The public view of a user row: everything but the hash."""
    return User(
        name=row.name, role=Role(row.role), disabled=row.disabled, created_at=utc(row.created_at)
    )


def to_web_session(row: SessionRow, user: User) -> WebSession:
    """The web layer's view of a session row."""
    return WebSession(
        user=user,
        expires_at=utc(row.expires_at),
        csrf_token=row.csrf_token,
        idle_expires_at=utc(row.idle_expires_at),
    )


def role_value(value: Role | str, allowed: Iterable[Role], field: str = "role") -> Role:
    """``value`` as a ``Role`` if it is one of ``allowed``; an error naming the field otherwise."""
    choices = [role for role in Role if role in set(allowed)]
    try:
        role = Role(value)
    except ValueError:
        role = None
    if role is None or role not in choices:
        raise InvalidInputError(
            "user", [Problem(field, f"{value!r} is not one of {', '.join(choices)}")]
        )
    return role


class UserRepository:
    """Reads and writes users, memberships, sessions and login attempts in one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- users -----------------------------------------------------------------------

    def find(self, name: str) -> UserRow | None:
        """The user row with this name, or ``None``."""
        return self.session.get(UserRow, name)

    def active_admins(self) -> list[UserRow]:
        """The administrators who are not disabled."""
        statement = select(UserRow).where(
            UserRow.role == Role.admin.value, UserRow.disabled.is_(False)
        )
        return list(self.session.execute(statement).scalars())

    def get(self, name: str) -> UserRow:
        """The user row with this name; ``NotFoundError`` if there is none."""
        row = self.find(name)
        if row is None:
            raise NotFoundError(f"no user named {name!r}")
        return row

    def add(self, name: str, role: Role, password_hash: str, now: dt.datetime) -> UserRow:
        """A new user; refuses a name already taken (users are never deleted, so ever taken)."""
        validate_user_name(name)
        if self.find(name) is not None:
            raise ConflictError(f"a user named {name!r} already exists")
        row = UserRow(
            name=name,
            role=role.value,
            password_hash=password_hash,
            disabled=False,
            created_at=now,
            password_changed_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def all(self) -> list[UserRow]:
        """Every user, by name."""
        return list(self.session.execute(select(UserRow).order_by(UserRow.name)).scalars())

    # --- memberships -----------------------------------------------------------------

    def require_case(self, case_id: str) -> None:
        """``NotFoundError`` unless the case exists."""
        if self.session.get(CaseRow, case_id) is None:
            raise NotFoundError(f"no case with id {case_id!r} in the store")

    def membership(self, case_id: str, user_name: str) -> MembershipRow | None:
        """The user's membership of the case, or ``None``."""
        return self.session.get(MembershipRow, (case_id, user_name))

    def members(self, case_id: str) -> list[tuple[UserRow, MembershipRow]]:
        """The case's members with their memberships, by user name."""
        statement = (
            select(UserRow, MembershipRow)
            .join(MembershipRow, MembershipRow.user_name == UserRow.name)
            .where(MembershipRow.case_id == case_id)
            .order_by(UserRow.name)
        )
        return [(user, member) for user, member in self.session.execute(statement)]

    def case_ids_for(self, user_name: str) -> set[str]:
        """The ids of the cases the user is a member of."""
        statement = select(MembershipRow.case_id).where(MembershipRow.user_name == user_name)
        return set(self.session.execute(statement).scalars())

    # --- sessions --------------------------------------------------------------------

    def end_sessions(self, user_name: str) -> int:
        """Delete every session of the user; returns how many there were."""
        ended = self.session.execute(
            select(func.count()).select_from(SessionRow).where(SessionRow.user_name == user_name)
        ).scalar_one()
        self.session.execute(delete(SessionRow).where(SessionRow.user_name == user_name))
        return int(ended)

    def purge_sessions(self, now: dt.datetime) -> None:
        """Delete every session past its hard or idle expiry."""
        self.session.execute(
            delete(SessionRow).where(
                or_(SessionRow.expires_at <= now, SessionRow.idle_expires_at <= now)
            )
        )

    # --- login attempts --------------------------------------------------------------

    def serialise_logins(self) -> None:
        """Hold the login lock until the transaction ends (PostgreSQL; SQLite needs none)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(LOGIN_LOCK_ID)))

    def locked_until(self, name: str, source: str, now: dt.datetime) -> dt.datetime | None:
        """When the lock on this name or this source ends, if either is locked at ``now``."""
        name_key = sha256(name)
        last_success = self.session.execute(
            select(func.max(LoginAttemptRow.at)).where(
                LoginAttemptRow.name_sha256 == name_key,
                LoginAttemptRow.outcome == SUCCESS,
                LoginAttemptRow.at <= now,
            )
        ).scalar_one_or_none()
        since = now - WINDOW - LOCK
        if last_success is not None:
            since = max(since, utc(last_success))
        ends = [
            _lock_end(
                self._failures(LoginAttemptRow.name_sha256 == name_key, since, now), NAME_FAILURES
            ),
            _lock_end(
                self._failures(
                    LoginAttemptRow.source == source,
                    now - WINDOW - LOCK,
                    now,
                    pending_allowance=SOURCE_CONCURRENT_CHECKS,
                ),
                SOURCE_FAILURES,
            ),
        ]
        locked = [end for end in ends if end is not None and end > now]
        return max(locked) if locked else None

    def _failures(
        self,
        which: ColumnElement[bool],
        since: dt.datetime,
        now: dt.datetime,
        *,
        pending_allowance: int = 0,
    ) -> list[dt.datetime]:
        """When the failures counted against ``which`` happened, in time order.

        Settled failures and stale pending attempts count; of the attempts still being
        checked, those beyond the first ``pending_allowance`` (the oldest go free).
        """
        statement = (
            select(LoginAttemptRow.at, LoginAttemptRow.outcome)
            .where(
                which,
                LoginAttemptRow.outcome.in_(_FAILED),
                LoginAttemptRow.at > since,
                LoginAttemptRow.at <= now,
            )
            .order_by(LoginAttemptRow.at)
        )
        counted: list[dt.datetime] = []
        in_flight = 0
        for at, outcome in self.session.execute(statement):
            moment = utc(at)
            if outcome == PENDING and now - moment < PENDING_GRACE:
                in_flight += 1
                if in_flight <= pending_allowance:
                    continue
            counted.append(moment)
        return counted

    def record_attempt(
        self, name: str, user_name: str | None, source: str, now: dt.datetime, outcome: str
    ) -> int:
        """Write one attempt; returns its id, to settle its outcome later."""
        row = LoginAttemptRow(
            name_sha256=sha256(name),
            user_name=user_name,
            source=source,
            at=now,
            outcome=outcome,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def settle_attempt(self, attempt_id: int, outcome: str) -> None:
        """Set a pending attempt's final outcome."""
        row = self.session.get(LoginAttemptRow, attempt_id)
        if row is not None:
            row.outcome = outcome


def _lock_end(failures: list[dt.datetime], limit: int) -> dt.datetime | None:
    """The end of the latest lock the failures (in time order) set off, if any.

    A lock starts at a failure that makes ``limit`` failures within ``WINDOW`` and lasts
    ``LOCK`` from there.
    """
    end = None
    for position in range(limit - 1, len(failures)):
        if failures[position] - failures[position - limit + 1] <= WINDOW:
            end = failures[position] + LOCK
    return end
