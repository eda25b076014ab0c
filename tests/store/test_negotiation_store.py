"""The negotiation records in the store: sealed whole, read back unchanged, edits caught, and
cases stored before these records existed keep the digests their audit entries recorded."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from backchannel.casefile import load_case
from backchannel.errors import IntegrityError
from backchannel.model.base import stored_form
from backchannel.model.case import Case
from backchannel.settings import Settings
from backchannel.store.schema import RECORD_TABLES, CommitmentRow, IslandEntryRow, PositionRow
from backchannel.store.service import CaseStore
from tests.negotiation_records import (
    AGREED_FACT,
    BOTTOM_LINE,
    MANDATOR,
    MONITORING_SEEN,
    OFFER,
    RED_LINE,
    with_negotiation,
)
from tests.store.test_sealed_records import database_dump
from tests.test_example_cases import EXAMPLES

SECRETS = (MANDATOR, BOTTOM_LINE, OFFER, AGREED_FACT, RED_LINE, MONITORING_SEEN)


@pytest.fixture
def negotiated() -> Case:
    somalia = load_case(EXAMPLES / "somalia-2011.yaml")
    return with_negotiation(somalia, "al-shabaab", "own-org", "icrc")


def test_every_negotiation_record_reads_back_and_none_of_its_texts_is_in_clear(
    store: CaseStore, settings: Settings, negotiated: Case
) -> None:
    store.save_case(negotiated)
    assert store.get_case(negotiated.id) == negotiated
    assert store.verify_contents() == []
    dumped = database_dump(store, settings)
    assert negotiated.id in dumped  # the search sees what is in clear
    assert [s for s in SECRETS if s in dumped] == []


def test_a_position_put_back_to_its_older_copy_is_caught(
    store: CaseStore, negotiated: Case
) -> None:
    store.save_case(negotiated)
    ref = store.keyed.record_ref(negotiated.id, "positions", "p-theirs")
    with Session(store.engine) as session:
        older = session.get(PositionRow, (negotiated.id, ref))
        assert older is not None
        old_sealed = dict(older.sealed)
    withdrawn = negotiated.positions[1].model_copy(
        update={"withdrawn": negotiated.positions[1].date}
    )
    store.save_case(
        negotiated.model_copy(update={"positions": [negotiated.positions[0], withdrawn]})
    )
    with Session(store.engine) as session, session.begin():
        row = session.get(PositionRow, (negotiated.id, ref))
        assert row is not None
        row.sealed = old_sealed
    with pytest.raises(IntegrityError, match=r"'p-theirs'.*not the version the case was saved"):
        store.get_case(negotiated.id)


def test_every_collection_has_its_table() -> None:
    assert set(RECORD_TABLES) == set(Case.COLLECTIONS)
    assert len({t.__tablename__ for t in RECORD_TABLES.values()}) == len(Case.COLLECTIONS)


#: The keys each record had before the negotiation records existed: the stored form of a
#: case without them must be exactly what was sealed and digested then.
EARLIER_KEYS = {
    "case": {
        "schema_version",
        "id",
        "context",
        "sources",
        "actors",
        "relations",
        "engagements",
        "commitments",
        "judgements",
    },
    "context": {"title", "country", "regions", "period", "summary"},
    "engagement": {
        "id",
        "date",
        "end_date",
        "channel",
        "modality",
        "by",
        "counterparts",
        "location",
        "participants",
        "summary",
        "outcome",
        "references",
    },
    "commitment": {
        "id",
        "party",
        "kind",
        "text",
        "area",
        "start",
        "end",
        "engagement",
        "verification",
        "status",
        "status_history",
        "references",
    },
}


@pytest.mark.parametrize("name", ["somalia-2011", "colombia-2012", "central-african-republic-2013"])
def test_a_case_without_negotiation_records_keeps_its_earlier_stored_form(name: str) -> None:
    case = load_case(EXAMPLES / f"{name}.yaml")
    bare = Case.model_validate(
        {
            **case.model_dump(),
            "context": {**case.context.model_dump(), "our_role": None},
            "mandate": None,
            **{c: [] for c in Case.COLLECTIONS if c not in EARLIER_KEYS["case"]},
            "engagements": [{**e.model_dump(), "asks": []} for e in case.engagements],
            "commitments": [
                {
                    **c.model_dump(),
                    "kind": "other" if c.kind.value not in _EARLIER_KINDS else c.kind,
                    "verification_plan": None,
                    "monitoring": [],
                }
                for c in case.commitments
            ],
        }
    )
    form = stored_form(bare)
    assert set(form) == EARLIER_KEYS["case"]
    assert set(form["context"]) == EARLIER_KEYS["context"]
    assert all(set(e) == EARLIER_KEYS["engagement"] for e in form["engagements"])
    assert all(set(c) == EARLIER_KEYS["commitment"] for c in form["commitments"])
    # and the digest is that of the full dump without the later keys
    assert _digest(form) == _digest(_without_later(bare.model_dump(mode="json")))


_EARLIER_KINDS = {
    "ceasefire",
    "cessation_of_hostilities",
    "humanitarian_access",
    "civilian_protection",
    "release_of_detainees",
    "disarmament",
    "cantonment",
    "withdrawal",
    "political_process",
    "other",
}


def _without_later(document: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in document.items() if k in EARLIER_KEYS["case"]}
    kept["context"] = {k: v for k, v in kept["context"].items() if k in EARLIER_KEYS["context"]}
    kept["engagements"] = [
        {k: v for k, v in e.items() if k in EARLIER_KEYS["engagement"]} for e in kept["engagements"]
    ]
    kept["commitments"] = [
        {k: v for k, v in c.items() if k in EARLIER_KEYS["commitment"]} for c in kept["commitments"]
    ]
    return kept


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def test_an_island_entrys_quadrant_stays_sealed(store: CaseStore, negotiated: Case) -> None:
    store.save_case(negotiated)
    with Session(store.engine) as session:
        island = session.query(IslandEntryRow).all()
        commitments = session.query(CommitmentRow).all()
    assert len(island) == 2 and {row.kind for row in island} == {None}
    # commitment kinds stay in clear, as the README says
    assert "child_recruitment" in {row.kind for row in commitments}
