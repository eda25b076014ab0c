"""Screening decisions: appended with user and time, sealed, reused, never rewritten."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from backchannel.errors import ConfigurationError
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
def tester_store(settings: Settings) -> CaseStore:
    store = CaseStore.open(settings, "tester")
    yield store  # type: ignore[misc]
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


def test_decisions_are_stored_sealed_audited_and_read_back(
    tester_store: CaseStore, settings: Settings
) -> None:
    tester_store.record_decision(decided(Verdict.NEEDS_REVIEW, 0, note=NOTE, case_id="somalia"))
    tester_store.record_decision(decided(Verdict.TRUE_MATCH, 5, query="al shabaab"))
    tester_store.record_decision(decided(Verdict.FALSE_POSITIVE, 6, query="Al-Shabab FC"))
    found = tester_store.screening_decisions(["AL-SHABAAB"])
    assert [d.verdict for d in found] == [Verdict.NEEDS_REVIEW, Verdict.TRUE_MATCH]
    assert found[0].note == NOTE and found[0].at == T0 and found[0].case_id == "somalia"
    assert len(tester_store.screening_decisions()) == 3
    with tester_store.engine.connect() as connection:
        raw = connection.execute(text("SELECT sealed FROM screening_decisions")).all()
    assert NOTE not in str(raw) and "Confirmed" not in str(raw)
    entries = tester_store.audit_entries()
    decisions = [e for e in entries if e.action == "screening.decision"]
    assert len(decisions) == 3 and NOTE not in str([e.detail for e in decisions])
    assert decisions[0].detail["verdict"] == "needs_review" and decisions[0].user_name == "tester"
    assert tester_store.verify_audit().ok


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE screening_decisions SET verdict = 'false_positive'",
        "UPDATE screening_decisions SET user_name = 'someone else'",
        "DELETE FROM screening_decisions",
    ],
)
def test_the_database_refuses_to_rewrite_a_decision(
    tester_store: CaseStore, statement: str
) -> None:
    tester_store.record_decision(decided(Verdict.TRUE_MATCH))
    with pytest.raises(DBAPIError, match="append-only"), tester_store.engine.begin() as connection:
        connection.execute(text(statement))
    assert [d.verdict for d in tester_store.screening_decisions()] == [Verdict.TRUE_MATCH]


def test_a_store_records_only_its_own_users_decisions(tester_store: CaseStore) -> None:
    with pytest.raises(ConfigurationError, match="cannot be recorded by 'tester'"):
        tester_store.record_decision(decided(Verdict.TRUE_MATCH, user="impostor"))
    assert tester_store.screening_decisions() == []


def test_key_rotation_reseals_decision_notes(settings: Settings) -> None:
    store = CaseStore.open(settings, "tester")
    store.record_decision(decided(Verdict.TRUE_MATCH, note=NOTE))
    store.close()
    result = rotate(settings)
    assert result.values >= 1
    reopened = CaseStore.open(settings, "tester")
    assert reopened.screening_decisions()[0].note == NOTE
    assert reopened.verify_audit().ok
    reopened.close()
