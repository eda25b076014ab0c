"""Screening decisions: held by their case, sealed, reused there, shared only on purpose.

The attack these tests replay: a case lead who adds the same group to a throwaway case of
their own must learn nothing of another case's vetting (who, when, what), and a verdict
recorded in their case must not change the other case's exposure; in both directions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from backchannel.errors import ConfigurationError, NotFoundError
from backchannel.screening.decisions import (
    HitDecision,
    Verdict,
    decision_for,
    decision_key,
    latest_decisions,
)
from backchannel.settings import Settings
from backchannel.store.keys import rotate
from backchannel.store.service import CaseStore
from tests.store.test_store import raw_contents, secret_case

NOTE = "Confirmed with the legal adviser by phone on 3 May; counterpart's alias matches."
T0 = dt.datetime(2026, 5, 3, 9, 0, tzinfo=dt.UTC)


def decided(
    verdict: Verdict, minutes: int = 0, query: str = "Al-Shabaab", **extra: object
) -> HitDecision:
    values: dict[str, object] = {
        "query": query,
        "list_id": "un-sc",
        "entity_id": "6908443",
        "verdict": verdict,
        "user": "tester",
        "at": T0 + dt.timedelta(minutes=minutes),
        **extra,
    }
    return HitDecision(**values)  # type: ignore[arg-type]


@pytest.fixture
def tester_store(settings: Settings) -> Iterator[CaseStore]:
    store = CaseStore.open(settings, "tester")
    store.save_cases([secret_case("somalia"), secret_case("throwaway")])
    yield store
    store.close()


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Al-Shabaab", "al shabaab", True),
        ("AL SHABAAB", "Al_Shabaab", True),
        ("\uff28\uff41\uff52\uff41\uff4b\uff41\uff54", "harakat", True),  # full-width letters
        ("Al-Shabaab", "Al Shabab", False),  # a new spelling is a new question
    ],
)
def test_decision_keys(a: str, b: str, same: bool) -> None:
    assert (decision_key(a) == decision_key(b)) is same


def test_the_latest_decision_holds_and_as_of_looks_back() -> None:
    first = decided(Verdict.NEEDS_REVIEW, 0)
    later = decided(Verdict.TRUE_MATCH, 30, query="AL SHABAAB")
    holding = latest_decisions([later, first])
    assert decision_for(holding, "al-shabaab", "un-sc", "6908443") == later
    earlier = latest_decisions([first, later], as_of=T0 + dt.timedelta(minutes=10))
    assert decision_for(earlier, "Al-Shabaab", "un-sc", "6908443") == first
    assert decision_for(holding, "Al-Shabaab", "ofac-sdn", "6908443") is None


def test_decisions_are_stored_sealed_audited_and_read_back_in_their_case(
    tester_store: CaseStore, settings: Settings
) -> None:
    somalia = {"case_id": "somalia"}
    tester_store.record_decision(decided(Verdict.NEEDS_REVIEW, 0, note=NOTE, **somalia))
    tester_store.record_decision(decided(Verdict.TRUE_MATCH, 5, query="al shabaab", **somalia))
    tester_store.record_decision(
        decided(Verdict.FALSE_POSITIVE, 6, query="Al-Shabab FC", **somalia)
    )
    found = tester_store.screening_decisions("somalia", ["AL-SHABAAB"])
    assert [d.verdict for d in found] == [Verdict.NEEDS_REVIEW, Verdict.TRUE_MATCH]
    assert found[0].note == NOTE and found[0].at == T0 and found[0].case_id == "somalia"
    assert len(tester_store.screening_decisions("somalia")) == 3
    entries = tester_store.audit_entries()
    decisions = [e for e in entries if e.action == "screening.decision"]
    assert len(decisions) == 3 and decisions[0].user_name == "tester"
    assert decisions[0].detail == {"seq": 1, "verdict": "needs_review"}
    assert tester_store.verify_audit().ok
    raw = raw_contents(tester_store, settings)
    for text_in_decision in (NOTE, "Al-Shabaab", "al shabaab", "Al-Shabab FC", "6908443"):
        assert text_in_decision not in raw


def test_a_decision_needs_a_stored_case(tester_store: CaseStore) -> None:
    for case_id in (None, "nowhere"):
        with pytest.raises(NotFoundError, match="belongs to a case"):
            tester_store.record_decision(decided(Verdict.TRUE_MATCH, case_id=case_id))
    assert tester_store.screening_decisions("somalia") == []


def test_a_verdict_in_one_case_neither_shows_nor_applies_in_another(
    tester_store: CaseStore,
) -> None:
    tester_store.record_decision(
        decided(Verdict.TRUE_MATCH, note=NOTE, user="tester", case_id="somalia")
    )
    tester_store.record_decision(decided(Verdict.FALSE_POSITIVE, 1, case_id="throwaway"))
    # each case sees its own verdict only: the throwaway's false positive does not clear
    # the group in Somalia, and Somalia's vetting (who, when, note) does not show there
    assert [d.verdict for d in tester_store.screening_decisions("somalia")] == [Verdict.TRUE_MATCH]
    assert [d.verdict for d in tester_store.screening_decisions("throwaway")] == [
        Verdict.FALSE_POSITIVE
    ]
    assert tester_store.shared_decisions("throwaway", ["Al-Shabaab"]) == []
    assert tester_store.shared_decisions("somalia", ["Al-Shabaab"]) == []


def test_a_shared_decision_is_a_suggestion_until_confirmed(tester_store: CaseStore) -> None:
    seq = tester_store.record_decision(
        decided(Verdict.FALSE_POSITIVE, note=NOTE, case_id="somalia")
    )
    with pytest.raises(NotFoundError, match="holds no screening decision"):
        tester_store.share_decision("throwaway", seq)  # only the decision's own case shares it
    tester_store.share_decision("somalia", seq)
    (suggestion,) = tester_store.shared_decisions("throwaway", ["AL SHABAAB"])
    assert (suggestion.list_id, suggestion.entity_id, suggestion.verdict) == (
        "un-sc",
        "6908443",
        Verdict.FALSE_POSITIVE,
    )
    assert not hasattr(suggestion, "user") and not hasattr(suggestion, "note")
    assert tester_store.screening_decisions("throwaway") == []  # nothing applied yet
    assert tester_store.shared_decisions("somalia", ["Al-Shabaab"]) == []  # not to itself
    tester_store.record_decision(decided(Verdict.FALSE_POSITIVE, 9, case_id="throwaway"))
    assert len(tester_store.screening_decisions("throwaway")) == 1
    tester_store.share_decision("somalia", seq, shared=False)
    assert tester_store.shared_decisions("throwaway", ["Al-Shabaab"]) == []
    actions = [e.action for e in tester_store.audit_entries()]
    assert actions.count("screening.share") == 1 and actions.count("screening.unshare") == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE case_screening_decisions SET user_name = 'someone else'",
        "UPDATE case_screening_decisions SET case_id = 'throwaway'",
        "DELETE FROM case_screening_decisions",
        "UPDATE screening_shares SET shared = false",
        "INSERT INTO screening_decisions (query_key, query, list_id, entity_id, verdict, "
        "user_name, at, case_id, sealed) VALUES ('k', 'q', 'l', 'e', 'v', 'u', "
        "CURRENT_TIMESTAMP, NULL, '{}')",
    ],
)
def test_the_database_refuses_to_rewrite_a_decision(
    tester_store: CaseStore, statement: str
) -> None:
    seq = tester_store.record_decision(decided(Verdict.TRUE_MATCH, case_id="somalia"))
    tester_store.share_decision("somalia", seq)
    with (
        pytest.raises(DBAPIError, match=r"append-only|closed"),
        tester_store.engine.begin() as connection,
    ):
        connection.execute(text(statement))
    assert [d.verdict for d in tester_store.screening_decisions("somalia")] == [Verdict.TRUE_MATCH]


def test_decisions_go_with_their_case(tester_store: CaseStore) -> None:
    tester_store.record_decision(decided(Verdict.TRUE_MATCH, case_id="somalia"))
    tester_store.delete_case("somalia")
    assert tester_store.audit_entries()[-1].detail["screening_decisions"] == 1
    tester_store.save_case(secret_case("somalia"))  # the same id again: a new case
    assert tester_store.screening_decisions("somalia") == []


def test_a_store_records_only_its_own_users_decisions(tester_store: CaseStore) -> None:
    with pytest.raises(ConfigurationError, match="cannot be recorded by 'tester'"):
        tester_store.record_decision(
            decided(Verdict.TRUE_MATCH, user="impostor", case_id="somalia")
        )
    assert tester_store.screening_decisions("somalia") == []


def test_key_rotation_reseals_decisions(settings: Settings) -> None:
    store = CaseStore.open(settings, "tester")
    store.save_case(secret_case("somalia"))
    store.record_decision(decided(Verdict.TRUE_MATCH, note=NOTE, case_id="somalia"))
    store.close()
    result = rotate(settings)
    assert result.values >= 3
    reopened = CaseStore.open(settings, "tester")
    assert reopened.screening_decisions("somalia")[0].note == NOTE
    assert reopened.verify_audit().ok
    reopened.close()
