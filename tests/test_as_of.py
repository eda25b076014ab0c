"""The case as known on a day (``model.as_of``), dated commitment statuses, and whose
dialogue an engagement is (``model.attribution``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.casefile import load_case, parse_case
from backchannel.errors import InvalidInputError
from backchannel.model.as_of import known_on, status_on
from backchannel.model.attribution import engagement_holder, is_ours
from backchannel.model.case import Case, Commitment
from backchannel.model.vocabulary import CommitmentStatus
from tests.conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
STATUSES = list(CommitmentStatus)


def _dated_fields(case: Case) -> list[tuple[str, dt.date]]:
    """Every date a record of the case carries that says when it began or was known."""
    found: list[tuple[str, dt.date]] = []
    for source in case.sources:
        if source.date:
            found.append((f"source {source.id}", source.date))
    for actor in case.actors:
        if actor.active_from:
            found.append((f"actor {actor.id}", actor.active_from))
    for relation in case.relations:
        for day in (relation.valid_from, relation.valid_to):
            if day:
                found.append((f"relation {relation.id}", day))
    for engagement in case.engagements:
        for day in (engagement.date, engagement.end_date):
            if day:
                found.append((f"engagement {engagement.id}", day))
    for commitment in case.commitments:
        for day in (commitment.start, commitment.end, *(c.date for c in commitment.status_history)):
            if day:
                found.append((f"commitment {commitment.id}", day))
    for judgement in case.judgements:
        found.append((f"judgement {judgement.id}", judgement.at.date()))
    return found


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
@settings(max_examples=40, deadline=None)
@given(offset=st.integers(min_value=-400, max_value=1200))
def test_a_cut_case_holds_no_date_after_its_day(path: Any, offset: int) -> None:
    case = load_case(path)
    day = case.context.period.start + dt.timedelta(days=offset)
    cut = known_on(case, day).case
    later = [(what, d) for what, d in _dated_fields(cut) if d > day]
    assert later == []
    # and it is still a valid case: every reference resolves after the cut
    assert Case.model_validate(cut.model_dump()).id == case.id


def test_the_cut_is_whole_on_the_day_the_file_was_complete() -> None:
    case = load_case(EXAMPLES / "colombia-2012.yaml")
    end = case.context.period.end
    assert end is not None
    known = known_on(case, end)
    assert not known.withheld.replay and not known.withheld.text_withheld
    assert known.case.context.summary == case.context.summary
    assert [c.status for c in known.case.commitments] == [c.status for c in case.commitments]


def test_a_replay_withholds_free_text_written_with_hindsight() -> None:
    case = load_case(EXAMPLES / "somalia-2011.yaml")
    known = known_on(case, dt.date(2011, 6, 30))
    assert known.withheld.replay
    assert known.case.context.summary == ""
    assert all(a.notes is None for a in known.case.actors)
    icrc = next(r for r in known.case.relations if r.id == "r-icrc-negotiates-shabaab")
    assert icrc.valid_to is None and icrc.notes is None, "the expulsion was not known yet"


def test_an_engagement_still_running_reads_as_continuing() -> None:
    case = load_case(EXAMPLES / "colombia-2012.yaml")
    known = known_on(case, dt.date(2012, 5, 1)).case
    havana = next(e for e in known.engagements if e.id == "e-exploratory-havana")
    assert (havana.end_date, havana.outcome.value, havana.summary) == (None, "continuing", None)


def _commitment(history: list[tuple[str, dt.date]], start: dt.date) -> dict[str, Any]:
    return {
        "id": "c-test",
        "party": "g",
        "kind": "ceasefire",
        "text": "Stop.",
        "start": start.isoformat(),
        "status": history[-1][0] if history else "unknown",
        "status_history": [{"status": s, "date": d.isoformat()} for s, d in history],
    }


@settings(max_examples=80, deadline=None)
@given(
    start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2020, 1, 1)),
    steps=st.lists(
        st.tuples(st.sampled_from([s.value for s in STATUSES]), st.integers(0, 400)),
        min_size=1,
        max_size=5,
    ),
    probe=st.integers(-30, 2000),
)
def test_a_status_history_reads_the_status_known_on_each_day(
    start: dt.date, steps: list[tuple[str, int]], probe: int
) -> None:
    days = sorted(start + dt.timedelta(days=offset) for _, offset in steps)
    history = [(status, day) for (status, _), day in zip(steps, days, strict=True)]
    commitment = Commitment.model_validate(_commitment(history, start))
    day = start + dt.timedelta(days=probe)
    known = [status for status, when in history if when <= day]
    expected = known[-1] if known else "unknown"
    assert status_on(commitment, day, dt.date(2100, 1, 1)).value == expected


def test_an_undated_status_is_known_only_once_the_case_was_written() -> None:
    commitment = Commitment.model_validate(
        {**_commitment([], dt.date(2012, 1, 1)), "status": "violated", "status_history": []}
    )
    complete = dt.date(2013, 1, 31)
    assert status_on(commitment, dt.date(2012, 6, 1), complete) is CommitmentStatus.UNKNOWN
    assert status_on(commitment, complete, complete) is CommitmentStatus.VIOLATED


CASE_HEAD = """
id: t
context:
  title: Test
  country: COL
  period: {start: 2012-01-01, end: 2012-12-31}
actors:
  - {id: g, name: Group, kind: armed_group}
  - {id: us, name: Us, kind: own_organisation}
  - {id: other, name: Other agency, kind: international_actor}
"""


@pytest.mark.parametrize(
    ("commitment", "message"),
    [
        (
            "status: violated\n    status_history: [{status: pending, date: 2012-03-01}]",
            "differs from the last entry of status_history",
        ),
        (
            "status: violated\n    status_history: [{status: violated, date: 2012-05-01}, "
            "{status: violated, date: 2012-04-01}]",
            "oldest first",
        ),
        (
            "status: pending\n    status_history: [{status: pending, date: 2011-12-01}]",
            "before the commitment's start",
        ),
    ],
    ids=["history disagrees", "out of order", "before the start"],
)
def test_a_bad_status_history_is_refused_with_its_line(commitment: str, message: str) -> None:
    text = (
        CASE_HEAD
        + "commitments:\n  - id: c1\n    party: g\n    kind: ceasefire\n    text: Stop.\n"
        + "    start: 2012-02-01\n    "
        + commitment
        + "\n"
    )
    with pytest.raises(InvalidInputError) as caught:
        parse_case(text, "case.yaml")
    assert message in str(caught.value) and "case.yaml:" in str(caught.value)


def test_an_engagement_without_holder_is_ours_only_when_nobody_else_engages() -> None:
    engagement = (
        "engagements:\n  - {id: e1, date: 2012-02-01, channel: direct, counterparts: [g]}\n"
    )
    alone = parse_case(CASE_HEAD + engagement, "alone.yaml")
    assert engagement_holder(alone, alone.engagements[0]) == "us" and is_ours(
        alone, alone.engagements[0]
    )
    crowded = parse_case(
        CASE_HEAD
        + "relations:\n  - {id: r1, source: other, target: g, kind: negotiates_with}\n"
        + engagement,
        "crowded.yaml",
    )
    assert engagement_holder(crowded, crowded.engagements[0]) is None
    assert not is_ours(crowded, crowded.engagements[0])
    held = parse_case(
        CASE_HEAD + "engagements:\n  - {id: e1, by: other, date: 2012-02-01, channel: direct, "
        "counterparts: [g]}\n",
        "held.yaml",
    )
    assert not is_ours(held, held.engagements[0])
    with pytest.raises(InvalidInputError, match="is not the id of any actor"):
        parse_case(
            CASE_HEAD
            + "engagements:\n  - {id: e1, by: nobody, date: 2012-02-01, channel: direct}\n",
            "bad.yaml",
        )
