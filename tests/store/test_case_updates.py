"""Case versions, atomic read-change-save updates, new cases with their lead, and audited
events, on SQLite and PostgreSQL.

The concurrency tests use separate ``CaseStore`` objects, each with its own engine and
connection pool, as separate server processes would: no lock inside Python is shared.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator

import pytest

from backchannel.auth import Role
from backchannel.errors import ConflictError, InvalidInputError, NotFoundError, Problem
from backchannel.model.case import Case, Engagement
from backchannel.model.vocabulary import Channel
from backchannel.settings import Settings
from backchannel.store.case_changes import case_digest
from backchannel.store.service import CaseStore
from tests.store.test_store import secret_case

PASSWORD = "the river crossing at dawn"


@pytest.fixture
def other_processes(settings: Settings) -> Iterator[list[CaseStore]]:
    """Four more stores on the same database, each with its own engine."""
    opened = [CaseStore.open(settings) for _ in range(4)]
    yield opened
    for each in opened:
        each.close()


def engagement(n: int) -> Engagement:
    return Engagement(
        id=f"e-{n}",
        date=dt.date(2011, 8, 1),
        channel=Channel.DIRECT,
        counterparts=["group"],
        summary=f"meeting {n}",
    )


def with_engagement(n: int) -> Callable[[Case], Case]:
    def change(case: Case) -> Case:
        return case.model_copy(update={"engagements": [*case.engagements, engagement(n)]})

    return change


def test_the_version_moves_with_every_change_and_not_otherwise(store: CaseStore) -> None:
    assert store.case_version("secret") is None
    store.save_case(secret_case())
    first = store.case_version("secret")
    assert first is not None and first.revision == 1
    store.save_case(secret_case())  # the same content: no new revision
    same = store.case_version("secret")
    assert same is not None and same.revision == first.revision
    store.update_case("secret", with_engagement(1), "engagement.add")
    moved = store.case_version("secret")
    assert moved is not None and moved.revision == 2 and moved.updated_at >= first.updated_at


def test_a_case_deleted_and_made_again_has_a_new_version(store: CaseStore) -> None:
    store.save_case(secret_case())
    before = store.case_version("secret")
    store.delete_case("secret")
    assert store.case_version("secret") is None
    store.save_case(secret_case())
    after = store.case_version("secret")
    assert after is not None and before is not None
    assert after.revision == before.revision and after != before  # the time tells them apart


def test_versioned_case_reads_the_case_with_its_version(store: CaseStore) -> None:
    store.save_case(secret_case())
    case, version = store.versioned_case("secret")
    assert case == secret_case() and version == store.case_version("secret")
    with pytest.raises(NotFoundError):
        store.versioned_case("missing")


def test_an_update_is_audited_with_both_digests(store: CaseStore) -> None:
    store.save_case(secret_case())
    updated = store.update_case("secret", with_engagement(1), "engagement.add")
    assert [e.id for e in store.get_case("secret").engagements] == ["e1", "e-1"]
    entry = store.audit_entries(case_id="secret")[-1]
    assert entry.action == "engagement.add" and entry.user_name == "tester"
    # the log names records by their opaque keyed ids and quotes no text
    assert entry.detail["added"] == {
        "engagements": [store.keyed.record_ref("secret", "engagements", "e-1")]
    }
    assert entry.before_digest == case_digest(store.keyed, secret_case())
    assert entry.after_digest == case_digest(store.keyed, updated)


def test_a_refused_change_leaves_the_case_and_the_audit_as_they_were(store: CaseStore) -> None:
    store.save_case(secret_case())
    entries = len(store.audit_entries())

    def refuse(_case: Case) -> Case:
        raise InvalidInputError("request", [Problem("body", "not this")])

    with pytest.raises(InvalidInputError):
        store.update_case("secret", refuse, "engagement.add")
    with pytest.raises(NotFoundError):
        store.update_case("missing", with_engagement(1), "engagement.add")
    assert store.get_case("secret") == secret_case()
    assert len(store.audit_entries()) == entries


def test_parallel_updates_from_separate_processes_all_land(
    store: CaseStore, other_processes: list[CaseStore]
) -> None:
    store.save_case(secret_case())
    errors: list[BaseException] = []

    def writer(process: CaseStore, first: int) -> None:
        try:
            for n in range(first, first + 5):
                process.update_case("secret", with_engagement(n), "engagement.add")
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=writer, args=(process, 100 * (i + 1)))
        for i, process in enumerate(other_processes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    stored = {e.id for e in store.get_case("secret").engagements}
    wanted = {f"e-{100 * (i + 1) + n}" for i in range(4) for n in range(5)}
    assert wanted <= stored and len(stored) == len(wanted) + 1  # none lost, none doubled
    version = store.case_version("secret")
    assert version is not None and version.revision == 1 + len(wanted)
    assert store.verify_audit().ok


def test_a_new_case_gets_its_lead_and_a_taken_id_is_refused(store: CaseStore) -> None:
    store.add_user("amina", Role.analyst, PASSWORD)
    store.add_user("olu", Role.analyst, PASSWORD)
    store.acting_as("amina").create_case(secret_case(), lead="amina")
    assert store.membership("secret", "amina") is Role.case_lead
    actions = [e.action for e in store.audit_entries(case_id="secret")]
    assert actions == ["case.create", "member.add"]
    taken = secret_case().model_copy(update={"engagements": []})
    with pytest.raises(ConflictError):
        store.acting_as("olu").create_case(taken, lead="olu")
    assert store.get_case("secret") == secret_case()  # the first one stands
    assert store.membership("secret", "olu") is None


def test_a_new_case_whose_lead_cannot_be_added_is_not_kept(store: CaseStore) -> None:
    with pytest.raises(NotFoundError):
        store.create_case(secret_case(), lead="nobody")
    assert store.case_version("secret") is None
    assert store.audit_entries(case_id="secret") == []


def test_events_are_audited_against_existing_cases_only(store: CaseStore) -> None:
    store.save_case(secret_case())
    store.acting_as("amina").record_event("brief.download", "secret", {"version": "redacted"})
    entry = store.audit_entries(case_id="secret")[-1]
    assert (entry.action, entry.user_name, entry.detail) == (
        "brief.download",
        "amina",
        {"version": "redacted"},
    )
    with pytest.raises(NotFoundError):
        store.record_event("brief.download", "missing", {})
    assert store.verify_audit().ok
