"""The strategy engine: each rule moves the decision as it says, on real cases, failing closed.

The table-driven tests start from the Colombia example with our own organisation given a
working channel to the FARC and the three critical conditions judged in place (so that the
base reads "proceed"), and change one input at a time: the stage, a judgement, the channel,
the commitment record. Each row checks the status, the modality and the deciding rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from backchannel.actors.analysis import analyse_case
from backchannel.casefile import load_case
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.strategy import Strategy, recommend
from backchannel.events.alerts import Alert
from backchannel.events.rise_evidence import Strength
from backchannel.model.as_of import known_on
from backchannel.model.case import Case, Judgement
from backchannel.risk.assessment import assess_case
from tests.conftest import EXAMPLES
from tests.scenarios.variants import apply_changes

KEEP = "keep"


def _example(name: str) -> Case:
    return load_case(EXAMPLES / f"{name}.yaml")


def _strategy(
    case: Case,
    *,
    stage: str | None = KEEP,
    alerts: list[Alert] | None = None,
    day: dt.date | None = None,
) -> Strategy:
    day = day or case.context.period.end
    assert day is not None
    cut = known_on(case, day).case
    assessment = assess_case(cut, day)
    if stage != KEEP:
        assessment = dataclasses.replace(
            assessment, stage=dataclasses.replace(assessment.stage, stage=stage)
        )
    alerts_given = tuple(alerts) if alerts is not None else None
    return recommend(
        StrategyInputs(cut, day, analyse_case(cut, day), stage=assessment, alerts=alerts_given)
    )


def _judge(case: Case, subject: str, severity: int, at: str = "2013-01-05") -> Case:
    return apply_changes(
        case, [{"judge": {"subject": subject, "severity": severity, "at": at}}], "test"
    )


#: Our organisation's own channel to the FARC and a working contact on it.
OWN_CHANNEL: list[dict[str, Any]] = [
    {
        "add": {
            "collection": "relations",
            "record": {
                "id": "r-own-channel-farc",
                "source": "own-org",
                "target": "farc",
                "kind": "channel",
                "strength": 0.7,
                "trust": 0.7,
                "valid_from": "2012-09-01",
            },
        }
    },
    {
        "add": {
            "collection": "engagements",
            "record": {
                "id": "e-own-meeting",
                "by": "own-org",
                "date": "2012-12-10",
                "channel": "direct",
                "counterparts": ["farc"],
                "outcome": "continuing",
            },
        }
    },
]
CRITICAL_IN_PLACE: list[dict[str, Any]] = [
    {"judge": {"subject": f"condition:{c}", "severity": 0, "at": "2012-12-15"}}
    for c in ("security", "mandate", "legal_clearance")
]


def _ready_colombia() -> Case:
    return apply_changes(_example("colombia-2012"), OWN_CHANNEL + CRITICAL_IN_PLACE, "ready")


def _without_our_channel(case: Case) -> Case:
    return apply_changes(
        case,
        [
            {"remove": {"collection": "relations", "ids": ["r-own-channel-farc"]}},
            {"remove": {"collection": "engagements", "ids": ["e-own-meeting"]}},
        ],
        "no channel",
    )


def _all_broken(case: Case) -> Case:
    return apply_changes(
        case, [{"break_commitments": {"party": "farc", "date": "2012-12-01"}}], "all broken"
    )


Change = Callable[[Case], Case]
ROWS: list[tuple[str, Change, str | None, str, str, str]] = [
    # (what changes, change, stage, expected status, modality, deciding rule)
    ("nothing", lambda c: c, KEEP, "proceed", "political", "political-preventive"),
    ("stage remote", lambda c: c, "remote", "proceed", "political", "political-upstream"),
    ("stage imminent", lambda c: c, "imminent", "proceed", "humanitarian", "humanitarian-crisis"),
    ("stage unknown", lambda c: c, None, "proceed", "preparatory", "prepare-no-stage"),
    (
        "security judged lacking",
        lambda c: _judge(c, "condition:security", 3),
        KEEP,
        "hold",
        "do_not_engage_yet",
        "hold-security",
    ),
    (
        "security never judged",
        lambda c: apply_changes(
            _example("colombia-2012"), OWN_CHANNEL + CRITICAL_IN_PLACE[1:], "x"
        ),
        KEEP,
        "conditional",
        "political",
        "political-preventive",
    ),
    (
        "mandate judged lacking",
        lambda c: _judge(c, "condition:mandate", 3),
        KEEP,
        "hold",
        "do_not_engage_yet",
        "hold-own-readiness",
    ),
    (
        "legal clearance judged lacking (by its alias)",
        lambda c: _judge(c, "condition:restrictive_legislation", 3),
        KEEP,
        "hold",
        "do_not_engage_yet",
        "hold-legal",
    ),
    (
        "our channel removed",
        _without_our_channel,
        KEEP,
        "proceed",
        "preparatory",
        "prepare-channel",
    ),
    (
        "trust judged lacking",
        lambda c: _judge(c, "condition:trust", 3),
        KEEP,
        "proceed",
        "preparatory",
        "prepare-protective",
    ),
    (
        "every FARC commitment broken",
        _all_broken,
        KEEP,
        "hold",
        "preparatory",
        "prepare-manipulation",
    ),
]


@pytest.mark.parametrize(
    ("what", "change", "stage", "status", "modality", "rule"),
    ROWS,
    ids=[row[0] for row in ROWS],
)
def test_one_changed_input_moves_the_decision_as_the_rules_say(
    what: str, change: Change, stage: str | None, status: str, modality: str, rule: str
) -> None:
    strategy = _strategy(change(_ready_colombia()), stage=stage)
    document = strategy.as_dict()
    assert (document["recommendation"]["status"], document["modality"]) == (status, modality), what
    decided = document["recommendation"]["decided_by"]
    assert decided["rule"] == rule and decided["held"]
    # the rules above the deciding one were read and did not hold, each with its inputs
    for read in document["recommendation"]["rules_read"][:-1]:
        assert not read["held"] and read["inputs"]
    assert decided["inputs"], "a rule that decides names the facts it read"


def test_somalia_as_packaged_holds_for_stated_reasons() -> None:
    """Security lacking, two broken access commitments and a standing fee demand that
    crosses our red line: no contact now, whatever kind."""
    document = _strategy(_example("somalia-2011")).as_dict()
    recommendation = document["recommendation"]
    assert recommendation["status"] == "hold"
    assert recommendation["headline"].startswith("Hold:")
    assert "security is lacking" in recommendation["headline"]
    assert [e["id"] for e in recommendation["exit_criteria_met"]] == [
        "exit-repeated-breach",
        "exit-red-line",
    ]
    assert set(recommendation["pending"]) >= {"security", "mandate", "legal_clearance"}
    conditions = {c["id"]: c for c in document["readiness"]["conditions"]}
    # the ICRC's contact is someone else's channel: ours is unknown, so preparatory work
    assert conditions["access_channel"]["level"] == "unknown"
    assert document["modality"] == "preparatory"
    assert conditions["security"]["basis"] == "data"  # UN Framework factor 14, severity 3
    # of our own readiness only the red lines are on record (the case sets two)
    own = {c["id"]: (c["level"], c["basis"]) for c in conditions.values() if c["group"] == "own"}
    assert own.pop("red_lines") == ("in_place", "data")
    assert set(own.values()) == {("unknown", "none")}
    risks = {r["id"]: r for r in document["risks"]}
    assert risks["buying_time"]["level"] == "high"
    assert "Talk now" not in str(document)


def test_favourable_data_never_put_a_condition_in_place() -> None:
    """Colombia's commitment record reads well, but trust stays unknown without our tie."""
    document = _strategy(_example("colombia-2012")).as_dict()
    trust = next(c for c in document["readiness"]["conditions"] if c["id"] == "trust")
    assert trust["level"] == "unknown" and trust["favourable_data_only"]
    assert trust["data_level"] == "in_place" and trust["basis"] == "none"
    assert document["recommendation"]["status"] == "conditional"
    # and a lowering reading does count: all broken, trust from data is lacking
    broken = _strategy(_all_broken(_example("colombia-2012"))).as_dict()
    trust = next(c for c in broken["readiness"]["conditions"] if c["id"] == "trust")
    assert (trust["level"], trust["basis"]) == ("lacking", "data")


def test_only_our_working_contact_puts_the_channel_in_place() -> None:
    ready = {c["id"]: c for c in _strategy(_ready_colombia()).as_dict()["readiness"]["conditions"]}
    assert (ready["access_channel"]["level"], ready["access_channel"]["basis"]) == (
        "in_place",
        "data",
    )
    assert ready["access_channel"]["signals"][0]["direct"]
    untested = apply_changes(
        _example("colombia-2012"), [OWN_CHANNEL[0]], "a tie of ours, never used"
    )
    channel = next(
        c
        for c in _strategy(untested).as_dict()["readiness"]["conditions"]
        if c["id"] == "access_channel"
    )
    assert channel["level"] == "partial", "an untested tie of ours is a possible channel only"


def test_a_contested_critical_condition_is_pending() -> None:
    """Security judged in place while analysts judge threats to humanitarians severe."""
    case = _ready_colombia()
    case = apply_changes(
        case,
        [
            {
                "judge": {
                    "subject": "framework:rf14",
                    "status": "present",
                    "severity": 3,
                    "at": "2012-12-20",
                }
            }
        ],
        "contested",
    )
    document = _strategy(case).as_dict()
    security = next(c for c in document["readiness"]["conditions"] if c["id"] == "security")
    assert security["contested"] and security["level"] == "in_place"
    assert document["recommendation"]["status"] == "conditional"
    assert "security" in document["recommendation"]["pending"]


def test_an_analyst_can_declare_an_exit_criterion_met() -> None:
    case = apply_changes(
        _ready_colombia(),
        [
            {
                "judge": {
                    "subject": "exit:exit-red-line",
                    "status": "present",
                    "at": "2013-01-10",
                    "finding": "The counterpart keeps demanding an amnesty we refused.",
                }
            }
        ],
        "red line",
    )
    document = _strategy(case).as_dict()
    assert document["recommendation"]["status"] == "hold"
    [met] = document["recommendation"]["exit_criteria_met"]
    assert met["id"] == "exit-red-line" and met["basis"] == "analyst"
    assert "amnesty" in met["evidence"][0]


def _alert(actor: str, start: str, end: str, strength: Strength = "moderate") -> Alert:
    return Alert(
        kind="buying_time",
        actor=actor,
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end),
        summary="Civilian killings rose during talks.",
        event_ids=["ged:1", "ged:2"],
        strength=strength,
    )


def test_talks_alerts_raise_the_buying_time_risk_and_strong_ones_meet_an_exit() -> None:
    case = _ready_colombia()
    farc = case.actor("farc").name
    quiet = _strategy(case, alerts=[])
    loud = _strategy(case, alerts=[_alert(farc, "2012-11-01", "2012-12-31")])
    quiet_risk = next(r for r in quiet.risks if r.id == "buying_time")
    loud_risk = next(r for r in loud.risks if r.id == "buying_time")
    assert loud_risk.likelihood == quiet_risk.likelihood + 1
    assert "bt-talks-alerts" in [a.rule for a in loud_risk.rules_fired]
    trigger = next(t for t in loud.recommendation.monitoring_triggers if t.alert == "buying_time")
    assert trigger.raised == 1 and trigger.latest is not None and trigger.latest.events == 2
    assert loud.status == "proceed", "moderate evidence is a trigger, not an exit"
    strong = _strategy(case, alerts=[_alert(farc, "2012-11-01", "2012-12-31", "strong")])
    assert strong.status == "hold"
    assert [e.id for e in strong.recommendation.exit_criteria_met] == ["exit-atrocity"]
    # an alert about another actor, or a year before the date, does not count
    stale = _alert(farc, "2010-01-01", "2010-12-31", "strong")
    other = _alert("someone else", "2012-11-01", "2012-12-31", "strong")
    assert _strategy(case, alerts=[stale, other]).status == "proceed"
    # without event data the criterion cannot be evaluated: it is never read as not met
    atrocity = next(e for e in quiet.recommendation.exit_criteria if e.id == "exit-atrocity")
    unknown = next(
        e for e in _strategy(case).recommendation.exit_criteria if e.id == "exit-atrocity"
    )
    assert (atrocity.met, unknown.met) == (False, None)


def test_machine_suggested_and_later_judgements_do_not_count() -> None:
    case = _ready_colombia()
    late = Judgement(
        id="j-late-security",
        analyst="test analyst",
        at=dt.datetime(2013, 6, 1, tzinfo=dt.UTC),
        subject="condition:security",
        finding="Judged after the assessment date.",
        severity=3,
    )
    changed = case.model_copy(update={"judgements": [*case.judgements, late]})
    assert _strategy(changed).status == "proceed"
    machine = late.model_copy(
        update={
            "id": "j-machine",
            "at": dt.datetime(2012, 12, 20, tzinfo=dt.UTC),
            "origin": "machine",
        }
    )
    changed = case.model_copy(update={"judgements": [*case.judgements, machine]})
    assert _strategy(changed).status == "proceed"


def test_the_most_cautious_analyst_decides_a_condition() -> None:
    case = _judge(_example("colombia-2012"), "condition:trust", 0)
    second = Judgement(
        id="j-second-analyst",
        analyst="second analyst",
        at=dt.datetime(2012, 12, 1, tzinfo=dt.UTC),
        subject="condition:trust",
        finding="Trust is thin.",
        severity=3,
    )
    case = case.model_copy(update={"judgements": [*case.judgements, second]})
    trust = next(c for c in _strategy(case).readiness.conditions if c.id == "trust")
    assert trust.level == "lacking" and len(trust.judgements) == 2


def test_no_decision_says_proceed_while_a_critical_condition_is_unknown() -> None:
    for name in ("somalia-2011", "colombia-2012", "central-african-republic-2013"):
        strategy = _strategy(_example(name))
        unknown = [c for c in strategy.readiness.conditions if c.critical and c.level != "in_place"]
        assert unknown and strategy.status != "proceed", name
