"""A replay as of a past day sees only the negotiation as it was known that day."""

from __future__ import annotations

import datetime as dt

from backchannel.casefile import load_case
from backchannel.model.as_of import known_on
from backchannel.model.case import Case
from backchannel.model.vocabulary import CommitmentStatus
from tests.negotiation_records import with_negotiation
from tests.test_example_cases import EXAMPLES


def _negotiated() -> Case:
    somalia = load_case(EXAMPLES / "somalia-2011.yaml")
    return with_negotiation(somalia, "al-shabaab", "own-org", "icrc")


def test_before_the_mandate_was_given_there_is_none() -> None:
    case = _negotiated()
    assert case.mandate is not None
    before = known_on(case, case.mandate.date - dt.timedelta(days=1))
    assert before.case.mandate is None
    assert before.withheld.mandate_later
    assert any("mandate on record was given after" in n for n in before.withheld.notes())
    on_the_day = known_on(case, case.mandate.date).case.mandate
    # its lapse lies after the day, so it is not known then
    assert on_the_day is not None and on_the_day.valid_until is None


def test_entries_recorded_later_are_left_out_and_named() -> None:
    case = _negotiated()
    day = case.positions[0].date - dt.timedelta(days=1)
    known = known_on(case, day)
    assert known.case.island_of_agreement == []
    assert known.case.positions == []
    assert known.case.common_positions == []
    assert known.withheld.positions == ("p-ours", "p-theirs")
    assert known.withheld.counts()["Island of Agreement entries"] == 2
    # red and bottom lines set before the day stay
    assert [line.id for line in known.case.red_lines] == ["rl-fee"]


def test_a_breach_reported_later_is_not_known_on_the_day() -> None:
    case = _negotiated()
    commitment = next(c for c in case.commitments if c.id == "c-no-child-recruitment")
    report = commitment.monitoring[1]
    before = known_on(case, report.date - dt.timedelta(days=1))
    kept = next(c for c in before.case.commitments if c.id == commitment.id)
    assert len(kept.monitoring) == 1
    # the group's own claim of compliance waits for verification: nothing known yet
    assert kept.status is CommitmentStatus.UNKNOWN
    assert before.withheld.monitoring == {commitment.id: 1}
    after = known_on(case, report.date)
    assert next(c for c in after.case.commitments if c.id == commitment.id).status is (
        CommitmentStatus.VIOLATED
    )


def test_a_position_withdrawn_after_the_day_still_stands_on_it() -> None:
    case = _negotiated()
    theirs = case.positions[1]
    withdrawn = theirs.model_copy(update={"withdrawn": theirs.date + dt.timedelta(days=30)})
    case = case.model_copy(update={"positions": [case.positions[0], withdrawn]})
    known = known_on(case, theirs.date + dt.timedelta(days=10)).case
    position = next(p for p in known.positions if p.id == theirs.id)
    assert position.withdrawn is None
    assert position.held_on(theirs.date + dt.timedelta(days=10))
    assert position.crosses_red_lines == ["rl-fee"]
