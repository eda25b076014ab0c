"""Users, logins, sessions and case memberships in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Iterator

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from backchannel.auth import Role, User
from backchannel.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    LockedOutError,
    NotFoundError,
)
from backchannel.settings import Settings
from backchannel.store.crypto import FieldCipher, KeyRing, new_key
from backchannel.store.db import MIGRATIONS, make_engine, migrate
from backchannel.store.keyring_file import read_key_file, write_key_file
from backchannel.store.schema import LoginAttemptRow, MembershipRow, SessionRow, UserRow
from backchannel.store.service import CaseStore
from backchannel.store.users import utc
from tests.store.legacy_rows import (
    append_legacy_audit,
    write_legacy_case,
    write_legacy_decision,
)
from tests.store.test_store import raw_contents, secret_case

PASSWORD = "the river crossing at dawn"
OTHER_PASSWORD = "a different long passphrase"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HERE = "10.0.0.7"


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def team(store: CaseStore) -> CaseStore:
    """A store with an admin, an analyst and a viewer, and one case."""
    store.add_user("root.admin", Role.admin, PASSWORD)
    store.add_user("amina", Role.analyst, PASSWORD)
    store.add_user("olu", Role.viewer, PASSWORD)
    store.save_case(secret_case("somalia"))
    return store


def rows(store: CaseStore, table: type[object]) -> list[object]:
    with Session(store.engine) as session:
        return list(session.execute(select(table)).scalars())


def attempts(store: CaseStore) -> list[LoginAttemptRow]:
    with Session(store.engine) as session:
        query = select(LoginAttemptRow).order_by(LoginAttemptRow.id)
        return list(session.execute(query).scalars())


def failed_login(store: CaseStore, name: str, at: dt.datetime, source: str = HERE) -> Exception:
    with pytest.raises(AuthenticationError) as raised:
        store.authenticate(name, "not the password at all", source=source, now=at)
    return raised.value


def actions(store: CaseStore) -> list[tuple[str, str, str | None, dict[str, object]]]:
    return [(e.user_name, e.action, e.case_id, e.detail) for e in store.audit_entries(limit=1000)]


# --- users ---------------------------------------------------------------------------------


def test_users_are_added_listed_and_never_expose_the_hash(store: CaseStore) -> None:
    added = store.add_user("amina", Role.analyst, PASSWORD)
    assert isinstance(added, User)
    assert (added.name, added.role, added.disabled) == ("amina", Role.analyst, False)
    assert added.created_at.tzinfo is not None
    store.add_user("root.admin", "admin", PASSWORD)
    assert [(u.name, u.role) for u in store.users()] == [
        ("amina", Role.analyst),
        ("root.admin", Role.admin),
    ]
    assert not hasattr(added, "password_hash")
    assert "argon2" not in repr(store.users())


def test_the_stored_hash_is_argon2id_and_the_password_is_nowhere(
    store: CaseStore, settings: Settings
) -> None:
    store.add_user("amina", Role.analyst, PASSWORD)
    (row,) = rows(store, UserRow)
    assert isinstance(row, UserRow) and row.password_hash.startswith("$argon2id$v=19$")
    store.authenticate("amina", PASSWORD, source=HERE)
    assert PASSWORD not in raw_contents(store, settings)


@pytest.mark.parametrize(
    ("name", "role", "password", "field"),
    [
        ("Amina", Role.analyst, PASSWORD, "name"),
        ("amina smith", Role.analyst, PASSWORD, "name"),
        ("a" * 65, Role.analyst, PASSWORD, "name"),
        ("", Role.analyst, PASSWORD, "name"),
        ("amina", "superuser", PASSWORD, "role"),
        ("amina", Role.analyst, "short pass", "password"),
    ],
)
def test_bad_users_are_refused_naming_the_field_and_nothing_is_written(
    store: CaseStore, name: str, role: str, password: str, field: str
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        store.add_user(name, role, password)
    assert [p.location for p in raised.value.problems] == [field]
    assert store.users() == []
    assert [e.action for e in store.audit_entries()] == ["keys.establish"]


def test_a_name_is_taken_once(store: CaseStore) -> None:
    store.add_user("amina", Role.analyst, PASSWORD)
    with pytest.raises(ConflictError, match="a user named 'amina' already exists"):
        store.add_user("amina", Role.viewer, OTHER_PASSWORD)
    assert [u.role for u in store.users()] == [Role.analyst]


def test_disable_and_reset_of_unknown_users_are_not_found(store: CaseStore) -> None:
    with pytest.raises(NotFoundError, match="no user named 'ghost'"):
        store.disable_user("ghost")
    with pytest.raises(NotFoundError, match="no user named 'ghost'"):
        store.reset_password("ghost", OTHER_PASSWORD)


# --- authentication -----------------------------------------------------------------------


def test_the_right_password_logs_in_and_is_audited_by_that_user(team: CaseStore) -> None:
    user = team.authenticate("amina", PASSWORD, source=HERE, now=T0)
    assert (user.name, user.role) == ("amina", Role.analyst)
    assert actions(team)[-1] == ("amina", "user.login", None, {"user": "amina", "source": HERE})
    assert [a.outcome for a in attempts(team)] == ["success"]


def test_wrong_password_unknown_user_and_disabled_user_fail_alike(team: CaseStore) -> None:
    team.disable_user("olu")
    failures = [
        failed_login(team, "amina", T0),
        failed_login(team, "nobody-here", T0),
        failed_login(team, "Not A Valid Name!", T0),
    ]
    with pytest.raises(AuthenticationError) as disabled:
        team.authenticate("olu", PASSWORD, source=HERE, now=T0)  # the right password
    failures.append(disabled.value)
    assert {(type(f), str(f)) for f in failures} == {
        (AuthenticationError, "wrong user name or password")
    }
    assert [a.outcome for a in attempts(team)] == ["failure"] * 4
    assert "user.login" not in [a for _, a, _, _ in actions(team)]


def test_attempts_keep_unknown_names_only_as_digests(team: CaseStore) -> None:
    failed_login(team, "amina", T0)
    failed_login(team, "my-password-typed-as-a-name", T0, source="192.0.2.1")
    known, unknown = attempts(team)
    assert (known.user_name, known.source, known.outcome) == ("amina", HERE, "failure")
    assert unknown.user_name is None and unknown.source == "192.0.2.1"
    assert unknown.name_sha256 == hashlib.sha256(b"my-password-typed-as-a-name").hexdigest()


def test_five_failures_lock_the_name_for_fifteen_minutes(team: CaseStore) -> None:
    for n in range(5):
        error = failed_login(team, "amina", minutes(n))
        assert not isinstance(error, LockedOutError)
    # Locked now, even with the right password, which is not even checked.
    with pytest.raises(LockedOutError) as locked:
        team.authenticate("amina", PASSWORD, source=HERE, now=minutes(5))
    assert locked.value.retry_after == 14 * 60  # 15 minutes from the fifth failure
    assert "try again in 14 minute(s)" in str(locked.value)
    with pytest.raises(LockedOutError) as still:
        team.authenticate("amina", PASSWORD, source=HERE, now=minutes(18.5))
    assert still.value.retry_after == 30
    assert team.authenticate("amina", PASSWORD, source=HERE, now=minutes(19)).name == "amina"
    assert [a.outcome for a in attempts(team)] == ["failure"] * 5 + ["locked"] * 2 + ["success"]
    # Other names are not affected.
    assert team.authenticate("olu", PASSWORD, source=HERE, now=minutes(5)).name == "olu"


def test_unknown_names_lock_out_exactly_like_real_ones(team: CaseStore) -> None:
    results = {}
    for name in ("amina", "no-such-user"):
        for n in range(5):
            failed_login(team, name, minutes(n), source=f"source-of-{name}")
        with pytest.raises(LockedOutError) as locked:
            team.authenticate(name, PASSWORD, source=f"source-of-{name}", now=minutes(6))
        results[name] = (str(locked.value), locked.value.retry_after)
    assert results["amina"] == results["no-such-user"]


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(team: CaseStore) -> None:
    for n in (0, 4, 8, 12, 16, 20):  # never five within 15 minutes
        failed_login(team, "amina", minutes(n))
    assert team.authenticate("amina", PASSWORD, source=HERE, now=minutes(21)).name == "amina"


def test_a_success_clears_the_name_count(team: CaseStore) -> None:
    for n in range(4):
        failed_login(team, "amina", minutes(n))
    team.authenticate("amina", PASSWORD, source=HERE, now=minutes(4))
    error = failed_login(team, "amina", minutes(5))
    assert not isinstance(error, LockedOutError)
    assert team.authenticate("amina", PASSWORD, source=HERE, now=minutes(6)).name == "amina"


def test_twenty_failures_from_one_address_lock_that_address(team: CaseStore) -> None:
    for n in range(20):  # one guess each for twenty names: no name reaches its limit
        error = failed_login(team, f"sprayed-{n}", minutes(n / 2), source="203.0.113.9")
        assert not isinstance(error, LockedOutError)
    with pytest.raises(LockedOutError) as locked:
        team.authenticate("amina", PASSWORD, source="203.0.113.9", now=minutes(10))
    assert locked.value.retry_after == int(
        (minutes(9.5) + dt.timedelta(minutes=15) - minutes(10)).total_seconds()
    )
    # The same user from another address is not locked; a success there does not unlock
    # the first address.
    assert team.authenticate("amina", PASSWORD, source=HERE, now=minutes(10)).name == "amina"
    with pytest.raises(LockedOutError):
        team.authenticate("olu", PASSWORD, source="203.0.113.9", now=minutes(11))
    assert team.authenticate("olu", PASSWORD, source="203.0.113.9", now=minutes(25)).name == "olu"


def test_parallel_guesses_cannot_slip_under_the_limit(team: CaseStore) -> None:
    errors: list[Exception] = []

    def guess() -> None:
        try:
            team.authenticate("amina", "parallel wrong guess", source=HERE, now=T0)
        except AuthenticationError as error:
            errors.append(error)

    threads = [threading.Thread(target=guess) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 10
    assert sum(isinstance(e, LockedOutError) for e in errors) == 5
    assert sorted(a.outcome for a in attempts(team)) == ["failure"] * 5 + ["locked"] * 5


def pending_checks(store: CaseStore, count: int, at: dt.datetime, source: str) -> None:
    """``count`` logins from ``source`` still being checked at ``at``, each for its own name."""
    from backchannel.store.users import PENDING, UserRepository

    with Session(store.engine) as session, session.begin():
        repository = UserRepository(session)
        for n in range(count):
            repository.record_attempt(f"colleague-{n}", None, source, at, PENDING)


def test_a_team_signing_in_at_once_behind_one_proxy_does_not_lock_it(team: CaseStore) -> None:
    from backchannel.store.users import SOURCE_CONCURRENT_CHECKS, SOURCE_FAILURES

    proxy = "192.0.2.1"
    # 50 colleagues' checks in flight: well over the 20 failures that lock an address.
    assert SOURCE_FAILURES < 50 <= SOURCE_CONCURRENT_CHECKS
    pending_checks(team, 50, T0, proxy)
    assert team.authenticate("amina", PASSWORD, source=proxy, now=T0).name == "amina"


def test_checks_in_flight_beyond_the_allowance_count_as_failures(team: CaseStore) -> None:
    from backchannel.store.users import SOURCE_CONCURRENT_CHECKS, SOURCE_FAILURES

    proxy = "192.0.2.2"
    pending_checks(team, SOURCE_CONCURRENT_CHECKS + SOURCE_FAILURES, T0, proxy)
    with pytest.raises(LockedOutError):
        team.authenticate("amina", PASSWORD, source=proxy, now=T0)


def test_a_check_left_pending_by_a_dead_server_counts_as_a_failure(team: CaseStore) -> None:
    from backchannel.store.users import SOURCE_FAILURES

    proxy = "192.0.2.3"
    pending_checks(team, SOURCE_FAILURES, T0, proxy)
    assert team.authenticate("amina", PASSWORD, source=proxy, now=T0).name == "amina"
    with pytest.raises(LockedOutError):  # two minutes on, they never finished
        team.authenticate("olu", PASSWORD, source=proxy, now=minutes(2))


@pytest.mark.real_argon2
def test_an_outdated_hash_is_upgraded_at_login(team: CaseStore) -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with Session(team.engine) as session, session.begin():
        row = session.get(UserRow, "amina")
        assert row is not None
        row.password_hash = weak
    team.authenticate("amina", PASSWORD, source=HERE)
    with Session(team.engine) as session:
        upgraded = session.get(UserRow, "amina")
        assert upgraded is not None
        assert upgraded.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_new_password_replaces_the_old_one(team: CaseStore) -> None:
    team.reset_password("amina", OTHER_PASSWORD)
    failed_login(team, "amina", T0)
    with pytest.raises(AuthenticationError):
        team.authenticate("amina", PASSWORD, source=HERE, now=T0)
    assert team.authenticate("amina", OTHER_PASSWORD, source=HERE, now=T0).name == "amina"
    with pytest.raises(InvalidInputError, match="at least 12"):
        team.reset_password("amina", "too short")


# --- sessions -----------------------------------------------------------------------------


def test_a_session_is_found_by_its_token_which_is_never_stored(team: CaseStore) -> None:
    token, opened = team.open_session("amina", now=T0)
    assert len(token) >= 43 and opened.user.name == "amina"
    assert opened.expires_at == minutes(8 * 60)
    assert opened.idle_expires_at == minutes(30)
    found = team.session(token, now=minutes(1))
    assert found is not None and found.user == opened.user
    assert found.csrf_token == opened.csrf_token and len(found.csrf_token) >= 43
    (row,) = rows(team, SessionRow)
    assert isinstance(row, SessionRow)
    assert row.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(getattr(row, c.key)) for c in inspect(SessionRow).columns]
    assert all(token not in value for value in stored)
    assert row.csrf_token == opened.csrf_token


def test_each_session_has_its_own_token_and_csrf_token(team: CaseStore) -> None:
    first, one = team.open_session("amina", now=T0)
    second, two = team.open_session("amina", now=T0)
    assert first != second and one.csrf_token != two.csrf_token


@pytest.mark.parametrize("token", ["", "made-up-token", "x" * 500])
def test_unknown_tokens_find_nothing(team: CaseStore, token: str) -> None:
    team.open_session("amina", now=T0)
    assert team.session(token, now=T0) is None


def test_an_idle_session_ends_and_use_slides_its_idle_expiry(team: CaseStore) -> None:
    token, _ = team.open_session("amina", now=T0)
    used = team.session(token, now=minutes(29))
    assert used is not None and used.idle_expires_at == minutes(59)
    assert team.session(token, now=minutes(58)) is not None
    assert team.session(token, now=minutes(88) + dt.timedelta(seconds=1)) is None
    assert rows(team, SessionRow) == []  # deleted, not just refused
    assert team.session(token, now=minutes(60)) is None  # and never comes back


def test_uses_within_a_minute_do_not_rewrite_the_session(team: CaseStore) -> None:
    token, _ = team.open_session("amina", now=T0)
    for seconds in (10, 30, 59):  # page views in quick succession: reads only
        seen = team.session(token, now=T0 + dt.timedelta(seconds=seconds))
        assert seen is not None and seen.idle_expires_at == minutes(30)
    (row,) = rows(team, SessionRow)
    assert isinstance(row, SessionRow) and utc(row.idle_expires_at) == minutes(30)
    moved = team.session(token, now=minutes(1.5))
    assert moved is not None and moved.idle_expires_at == minutes(31.5)


def test_a_session_ends_after_its_lifetime_however_busy(team: CaseStore) -> None:
    token, _ = team.open_session("amina", now=T0, lifetime=dt.timedelta(hours=1))
    for n in range(0, 60, 20):
        assert team.session(token, now=minutes(n)) is not None
    last = team.session(token, now=minutes(50))
    assert last is not None and last.idle_expires_at == minutes(60)  # capped at the lifetime
    assert team.session(token, now=minutes(60)) is None


def test_disabling_a_user_ends_their_sessions(team: CaseStore) -> None:
    token, _ = team.open_session("amina", now=T0)
    other, _ = team.open_session("olu", now=T0)
    team.disable_user("amina")
    assert team.session(token, now=minutes(1)) is None
    assert team.session(other, now=minutes(1)) is not None
    assert [r.user_name for r in rows(team, SessionRow)] == ["olu"]  # type: ignore[attr-defined]
    with pytest.raises(AuthenticationError):
        team.open_session("amina", now=minutes(2))
    with pytest.raises(AuthenticationError):
        team.open_session("ghost", now=minutes(2))


def test_a_session_of_a_user_disabled_behind_the_store_s_back_is_refused(team: CaseStore) -> None:
    token, _ = team.open_session("amina", now=T0)
    with Session(team.engine) as session, session.begin():
        row = session.get(UserRow, "amina")
        assert row is not None
        row.disabled = True
    assert team.session(token, now=minutes(1)) is None


def test_a_new_password_ends_the_user_s_sessions(team: CaseStore) -> None:
    token, _ = team.open_session("amina", now=T0)
    team.reset_password("amina", OTHER_PASSWORD)
    assert team.session(token, now=minutes(1)) is None


def test_logout_ends_the_session_and_is_audited_by_its_user(team: CaseStore) -> None:
    token, _ = team.open_session("amina", now=T0)
    team.close_session(token)
    assert team.session(token, now=minutes(1)) is None
    assert actions(team)[-1] == ("amina", "user.logout", None, {"user": "amina"})
    entries = len(team.audit_entries(limit=1000))
    team.close_session(token)  # twice, or an unknown token: nothing happens
    team.close_session("never-issued")
    assert len(team.audit_entries(limit=1000)) == entries


def test_expired_sessions_are_purged_when_a_new_one_opens(team: CaseStore) -> None:
    team.open_session("amina", now=T0)
    team.open_session("olu", now=minutes(45))
    assert [r.user_name for r in rows(team, SessionRow)] == ["olu"]  # type: ignore[attr-defined]


def test_a_session_needs_a_positive_lifetime_and_idle_time(team: CaseStore) -> None:
    with pytest.raises(ValueError, match="positive"):
        team.open_session("amina", now=T0, idle=dt.timedelta(0))


# --- memberships --------------------------------------------------------------------------


def test_members_are_added_listed_changed_and_removed(team: CaseStore) -> None:
    team.add_member("somalia", "amina", Role.analyst)
    team.add_member("somalia", "olu", "viewer")
    assert [(u.name, r) for u, r in team.members("somalia")] == [
        ("amina", Role.analyst),
        ("olu", Role.viewer),
    ]
    assert team.membership("somalia", "amina") is Role.analyst
    team.add_member("somalia", "amina", Role.case_lead)
    assert team.membership("somalia", "amina") is Role.case_lead
    team.remove_member("somalia", "olu")
    assert team.membership("somalia", "olu") is None
    assert [u.name for u, _ in team.members("somalia")] == ["amina"]
    with pytest.raises(NotFoundError, match="'olu' is not a member of case 'somalia'"):
        team.remove_member("somalia", "olu")


@pytest.mark.parametrize("role", ["admin", "owner", "", "Analyst"])
def test_a_membership_role_must_be_one_of_three(team: CaseStore, role: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        team.add_member("somalia", "amina", role)
    assert raised.value.problems[0].location == "role"
    assert "case_lead, analyst, viewer" in raised.value.problems[0].message
    assert team.membership("somalia", "amina") is None


def test_memberships_need_a_real_case_and_an_enabled_user(team: CaseStore) -> None:
    with pytest.raises(NotFoundError, match="no case with id 'nowhere'"):
        team.add_member("nowhere", "amina", Role.analyst)
    with pytest.raises(NotFoundError, match="no user named 'ghost'"):
        team.add_member("somalia", "ghost", Role.analyst)
    with pytest.raises(NotFoundError, match="no case with id 'nowhere'"):
        team.members("nowhere")
    team.disable_user("olu")
    with pytest.raises(InvalidInputError, match="'olu' is disabled"):
        team.add_member("somalia", "olu", Role.viewer)


def test_cases_for_lists_only_the_user_s_compartments(team: CaseStore) -> None:
    team.save_case(secret_case("colombia"))
    team.save_case(secret_case("car"))
    team.add_member("somalia", "amina", Role.analyst)
    team.add_member("car", "amina", Role.viewer)
    team.add_member("colombia", "olu", Role.viewer)
    assert [c.id for c in team.cases_for("amina")] == ["car", "somalia"]
    assert [c.id for c in team.cases_for("olu")] == ["colombia"]
    # Need-to-know: the administrator is a member of nothing and sees nothing.
    assert team.cases_for("root.admin") == []
    assert team.membership("somalia", "root.admin") is None
    assert team.cases_for("ghost") == []


def test_a_disabled_member_holds_no_role(team: CaseStore) -> None:
    team.add_member("somalia", "amina", Role.analyst)
    team.disable_user("amina")
    assert team.membership("somalia", "amina") is None
    assert team.cases_for("amina") == []
    assert [(u.name, u.disabled) for u, _ in team.members("somalia")] == [("amina", True)]


def test_deleting_a_case_deletes_its_memberships(team: CaseStore) -> None:
    team.save_case(secret_case("car"))
    team.add_member("somalia", "amina", Role.analyst)
    team.add_member("car", "amina", Role.analyst)
    team.delete_case("somalia")
    remaining = rows(team, MembershipRow)
    assert [(m.case_id, m.user_name) for m in remaining] == [("car", "amina")]  # type: ignore[attr-defined]
    team.save_case(secret_case("somalia"))  # the same id again: a new, empty compartment
    assert team.members("somalia") == []
    assert team.membership("somalia", "amina") is None
    entry = team.audit_entries(case_id="somalia")[-2]  # before the new case's import
    assert entry.action == "case.delete"
    assert entry.detail["memberships"] == {"amina": "analyst"}


def test_the_last_active_administrator_cannot_be_disabled(team: CaseStore) -> None:
    with pytest.raises(InvalidInputError, match="last active administrator"):
        team.disable_user("root.admin")
    assert not team.users()[[u.name for u in team.users()].index("root.admin")].disabled
    team.add_user("second.admin", Role.admin, PASSWORD)
    team.disable_user("root.admin")  # another remains
    with pytest.raises(InvalidInputError, match="last active administrator"):
        team.disable_user("second.admin")
    team.disable_user("amina")  # other roles are not held back


# --- audit --------------------------------------------------------------------------------


def test_every_change_is_in_the_audit_chain_with_the_acting_user(team: CaseStore) -> None:
    team.add_member("somalia", "amina", Role.analyst)
    team.add_member("somalia", "amina", Role.case_lead)
    team.remove_member("somalia", "amina")
    team.reset_password("olu", OTHER_PASSWORD)
    team.authenticate("olu", OTHER_PASSWORD, source=HERE, now=T0)
    token, _ = team.open_session("olu", now=T0)
    team.close_session(token)
    team.disable_user("olu")
    logged = [(user, action, case, detail) for user, action, case, detail in actions(team)]
    assert [entry for entry in logged if entry[1] not in ("case.import", "keys.establish")] == [
        ("tester", "user.add", None, {"user": "root.admin", "role": "admin"}),
        ("tester", "user.add", None, {"user": "amina", "role": "analyst"}),
        ("tester", "user.add", None, {"user": "olu", "role": "viewer"}),
        (
            "tester",
            "member.add",
            "somalia",
            {"user": "amina", "role": "analyst", "previous_role": None},
        ),
        (
            "tester",
            "member.add",
            "somalia",
            {"user": "amina", "role": "case_lead", "previous_role": "analyst"},
        ),
        ("tester", "member.remove", "somalia", {"user": "amina", "role": "case_lead"}),
        ("tester", "user.password", None, {"user": "olu", "sessions_ended": 0}),
        ("olu", "user.login", None, {"user": "olu", "source": HERE}),
        ("olu", "user.logout", None, {"user": "olu"}),
        ("tester", "user.disable", None, {"user": "olu", "sessions_ended": 0}),
    ]
    text = json.dumps(logged)
    assert "$argon2" not in text and PASSWORD not in text and OTHER_PASSWORD not in text
    assert team.verify_audit().ok
    assert [e.action for e in team.audit_entries("somalia")] == [
        "case.import",
        "member.add",
        "member.add",
        "member.remove",
    ]


def test_a_refused_change_leaves_no_audit_entry(team: CaseStore) -> None:
    before = len(team.audit_entries(limit=1000))
    attempts: tuple[Callable[[], object], ...] = (
        lambda: team.add_member("somalia", "amina", "admin"),
        lambda: team.add_member("nowhere", "amina", Role.analyst),
        lambda: team.remove_member("somalia", "amina"),
        lambda: team.disable_user("ghost"),
    )
    for attempt in attempts:
        with pytest.raises((InvalidInputError, NotFoundError)):
            attempt()
    assert len(team.audit_entries(limit=1000)) == before
    assert team.verify_audit().ok


# --- migration ----------------------------------------------------------------------------


def _alembic(engine_url: str, revision: str, *, down: bool = False) -> None:
    engine = make_engine(engine_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


@pytest.fixture
def store_at_0002(settings: Settings) -> Iterator[str]:
    """A database created at revision 0002 holding one case and its audit entry, as that
    release wrote them (sensitive fields sealed one by one, a plain-hash audit chain)."""
    url = settings.resolved_database_url
    _alembic(url, "0002")
    engine = make_engine(url)
    ring = KeyRing.of(new_key())  # a ring file of that release: no audit key yet
    write_key_file(settings.resolved_key_file, ring)
    with engine.begin() as connection:
        write_legacy_case(connection, FieldCipher(ring), secret_case("somalia"))
        append_legacy_audit(connection, "case.import", "somalia")
        write_legacy_decision(connection, FieldCipher(ring), "somalia", "Harakat X", "why")
        write_legacy_decision(connection, FieldCipher(ring), None, "Caseless Y", "why not")
    tables = set(inspect(engine).get_table_names())
    assert "cases" in tables and "users" not in tables
    engine.dispose()
    yield url


def test_a_database_at_0002_upgrades_keeping_its_cases_sealed_whole(
    store_at_0002: str, settings: Settings
) -> None:
    store = CaseStore.open(settings)
    try:
        expected = {"users", "case_members", "web_sessions", "login_attempts", "store_keys"}
        assert expected <= set(inspect(store.engine).get_table_names())
        assert store.ring.audit_key is not None  # given its audit key once, kept in the file
        assert read_key_file(settings.resolved_key_file).audit_key == store.ring.audit_key
        assert store.get_case("somalia") == secret_case("somalia")
        (moved,) = store.screening_decisions("somalia")
        assert (moved.query, moved.note, moved.user) == ("Harakat X", "why", "before")
        raw = raw_contents(store, settings)
        for text_in_clear_before in ("Discretion test", "Harakat X", "Caseless Y"):
            assert text_in_clear_before not in raw
    finally:
        store.close()
    store = CaseStore.open(settings)  # opened again: the upgrade ran once, on the first open
    try:
        store.add_user("amina", Role.analyst, PASSWORD)
        store.add_member("somalia", "amina", Role.analyst)
        assert [c.id for c in store.cases_for("amina")] == ["somalia"]
        verification = store.verify_audit()
        # the old entry, the key entry, the re-sealings, the user and the member
        assert verification.ok and verification.entries == 6
        actions = [e.action for e in store.audit_entries()]
        assert actions[:4] == ["case.import", "keys.establish", "case.reseal", "screening.reseal"]
        assert store.audit_entries()[3].detail == {"moved": 1, "dropped_without_case": 1}
        assert store.verify_contents() == []
    finally:
        store.close()


def test_0003_downgrades_to_0002_and_up_again(store_at_0002: str) -> None:
    _alembic(store_at_0002, "head")
    _alembic(store_at_0002, "0002", down=True)
    engine = make_engine(store_at_0002)
    tables = set(inspect(engine).get_table_names())
    assert "users" not in tables and "case_members" not in tables and "cases" in tables
    migrate(engine)
    assert "users" in set(inspect(engine).get_table_names())
    engine.dispose()


def test_the_migration_sets_database_checks_on_roles(team: CaseStore) -> None:
    from sqlalchemy.exc import IntegrityError as DatabaseIntegrityError

    with (
        pytest.raises(DatabaseIntegrityError),
        Session(team.engine) as session,
        session.begin(),
    ):
        row = session.get(UserRow, "amina")
        assert row is not None
        row.role = "superuser"
    with (
        pytest.raises(DatabaseIntegrityError),
        Session(team.engine) as session,
        session.begin(),
    ):
        session.add(
            MembershipRow(
                case_id="somalia", user_name="amina", role="admin", added_at=T0, added_by="x"
            )
        )
