"""The strategy engine: each rule changes the recommendation as it says, on real cases.

The table-driven tests start from the Somalia and Colombia example cases and change one
input at a time (the stage, an analyst judgement, the channel, the commitment record),
checking the rule that decides and the modality it gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from backchannel.actors.analysis import analyse_case
from backchannel.casefile import load_case
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.strategy import Strategy, recommend
from backchannel.model.case import Case, Judgement
from backchannel.model.vocabulary import CommitmentStatus, RelationKind
from backchannel.risk.assessment import assess_case
from tests.conftest import EXAMPLES


def _example(name: str) -> Case:
    return load_case(EXAMPLES / f"{name}.yaml")


def _strategy(
    case: Case,
    *,
    stage: str | None = "keep",
    alerts: list[dict[str, Any]] | None = None,
) -> Strategy:
    day = case.context.period.end
    assert day is not None
    assessment = assess_case(case, day).as_dict()
    if stage != "keep":
        assessment = {**assessment, "stage": stage}
    return recommend(
        StrategyInputs(
            case, day, analyse_case(case, day), stage=assessment if stage else None, alerts=alerts
        )
    )


def _judge(case: Case, subject: str, severity: int) -> Case:
    judgement = Judgement(
        id=f"j-test-{subject.replace(':', '-')}",
        analyst="test analyst",
        at=dt.datetime(2011, 1, 1, 12, tzinfo=dt.UTC),
        subject=subject,
        finding=f"Test judgement on {subject}.",
        severity=severity,
    )
    return case.model_copy(update={"judgements": [*case.judgements, judgement]})


def _without_channels(case: Case) -> Case:
    channels = {RelationKind.CHANNEL, RelationKind.NEGOTIATES_WITH}
    return case.model_copy(
        update={
            "relations": [r for r in case.relations if r.kind not in channels],
            "engagements": [],
            "commitments": [],
        }
    )


def _all_violated(case: Case) -> Case:
    return case.model_copy(
        update={
            "commitments": [
                c.model_copy(update={"status": CommitmentStatus.VIOLATED}) for c in case.commitments
            ]
        }
    )


Change = Callable[[Case], Case]
ROWS: list[tuple[str, str, Change, str | None, str, str]] = [
    # (case, what changes, change, stage, expected modality, deciding rule)
    ("somalia-2011", "nothing", lambda c: c, "keep", "humanitarian", "humanitarian-crisis"),
    ("somalia-2011", "stage remote", lambda c: c, "remote", "preparatory", "prepare-trust"),
    (
        "somalia-2011",
        "security judged lacking",
        lambda c: _judge(c, "condition:security", 3),
        "keep",
        "do_not_engage_yet",
        "hold-security",
    ),
    (
        "somalia-2011",
        "mandate judged lacking",
        lambda c: _judge(c, "condition:mandate", 3),
        "keep",
        "do_not_engage_yet",
        "hold-own-readiness",
    ),
    (
        "somalia-2011",
        "legal clearance judged lacking (by its alias)",
        lambda c: _judge(c, "condition:restrictive_legislation", 3),
        "keep",
        "do_not_engage_yet",
        "hold-legal",
    ),
    (
        "somalia-2011",
        "no channel at all",
        _without_channels,
        "keep",
        "preparatory",
        "prepare-channel",
    ),
    ("somalia-2011", "stage unknown", lambda c: c, None, "preparatory", "prepare-no-stage"),
    ("colombia-2012", "nothing", lambda c: c, "keep", "political", "political-upstream"),
    (
        "colombia-2012",
        "stage imminent",
        lambda c: c,
        "imminent",
        "humanitarian",
        "humanitarian-crisis",
    ),
    (
        "colombia-2012",
        "trust judged lacking",
        lambda c: _judge(c, "condition:trust", 3),
        "keep",
        "preparatory",
        "prepare-trust",
    ),
    (
        "colombia-2012",
        "every commitment broken and the counterpart uninterested",
        lambda c: _judge(_all_violated(c), "condition:interest_in_talks", 3),
        "keep",
        "preparatory",
        "prepare-manipulation",
    ),
]


@pytest.mark.parametrize(
    ("name", "what", "change", "stage", "modality", "rule"),
    ROWS,
    ids=[f"{row[0]}: {row[1]}" for row in ROWS],
)
def test_one_changed_input_moves_the_recommendation_as_the_rule_says(
    name: str, what: str, change: Change, stage: str | None, modality: str, rule: str
) -> None:
    strategy = _strategy(change(_example(name)), stage=stage)
    document = strategy.as_dict()
    assert document["modality"] == modality, what
    decided = document["recommendation"]["decided_by"]
    assert decided["rule"] == rule and decided["held"]
    # the rules above the deciding one were read and did not hold, each with its inputs
    for read in document["recommendation"]["rules_read"][:-1]:
        assert not read["held"] and read["inputs"]
    assert decided["inputs"], "a rule that decides names the facts it read"


def test_the_somalia_case_is_humanitarian_for_stated_reasons() -> None:
    document = _strategy(_example("somalia-2011")).as_dict()
    assert document["modality"] == "humanitarian"
    why = document["recommendation"]["decided_by"]
    assert why["inputs"] == {"stage": "imminent"}
    assert "crisis mitigation" in document["recommendation"]["why"]
    conditions = {c["id"]: c for c in document["readiness"]["conditions"]}
    # the analyst's cohesion judgement outranks the actor map, and both are shown
    assert conditions["cohesion"]["basis"] == "analyst"
    assert conditions["cohesion"]["judgements"][0]["id"] == "j-cohesion"
    assert conditions["cohesion"]["signals"][0]["signal"] == "actor_cohesion"
    # two broken access commitments: trust is lacking and the plan steps back
    assert conditions["trust"]["level"] == "lacking"
    assert document["plan"]["current_stage"] == "confidence-steps"
    risks = {r["id"]: r for r in document["risks"]}
    assert risks["buying_time"]["level"] == "high"
    assert any("broken 2 commitment" in reason for reason in risks["buying_time"]["reasons"])
    safeguards = {s["id"] for s in document["recommendation"]["safeguards"]}
    assert {"sg-time-bound", "sg-verifiable", "sg-monitoring", "sg-exit"} <= safeguards
    assert {"sg-local-check", "sg-third-party-verification"} <= safeguards
    assert document["first_steps"], "the brief must say what to do first"
    assert any(m.startswith("events:") for m in document["missing_inputs"])


def test_the_colombia_case_is_political_for_stated_reasons() -> None:
    document = _strategy(_example("colombia-2012")).as_dict()
    assert document["modality"] == "political"
    assert document["recommendation"]["decided_by"]["inputs"] == {
        "stage": "remote",
        "readiness.counterpart.level": "in_place",
        "condition.trust.level": "in_place",
    }
    red_lines = {r["id"] for r in document["recommendation"]["red_lines"]}
    assert "rl-no-amnesty" in red_lines and "rl-principles" not in red_lines
    objectives = {o["id"] for o in document["recommendation"]["objectives"]}
    assert objectives == {"obj-agenda", "obj-grievances", "obj-violence-reduction"}


def test_talks_alerts_raise_the_buying_time_risk_and_show_under_the_trigger() -> None:
    case = _example("colombia-2012")
    farc = case.actor("farc")
    alert = {
        "kind": "buying_time",
        "actor": farc.name,
        "start": "2012-11-01",
        "end": "2012-12-31",
        "summary": "Civilian killings rose during talks.",
        "event_ids": ["ged:1", "ged:2"],
        "figures": {},
    }
    quiet = {r["id"]: r for r in _strategy(case, alerts=[]).as_dict()["risks"]}
    loud_document = _strategy(case, alerts=[alert]).as_dict()
    loud = {r["id"]: r for r in loud_document["risks"]}
    assert loud["buying_time"]["likelihood"] == quiet["buying_time"]["likelihood"] + 1
    assert [a["rule"] for a in loud["buying_time"]["rules_fired"]] == ["bt-talks-alerts"]
    trigger = next(
        t
        for t in loud_document["recommendation"]["monitoring_triggers"]
        if t["alert"] == "buying_time"
    )
    assert trigger["raised"] == 1 and trigger["latest"]["events"] == 2
    # an alert about another actor, or a year before the date, does not count
    stale = {**alert, "start": "2010-01-01", "end": "2010-12-31"}
    other = {**alert, "actor": "someone else"}
    unmoved = {r["id"]: r for r in _strategy(case, alerts=[stale, other]).as_dict()["risks"]}
    assert unmoved["buying_time"]["likelihood"] == quiet["buying_time"]["likelihood"]


def test_machine_suggested_and_later_judgements_do_not_count() -> None:
    case = _example("somalia-2011")
    late = Judgement(
        id="j-late-security",
        analyst="test analyst",
        at=dt.datetime(2013, 1, 1, tzinfo=dt.UTC),
        subject="condition:security",
        finding="Judged after the assessment date.",
        severity=3,
    )
    changed = case.model_copy(update={"judgements": [*case.judgements, late]})
    assert _strategy(changed).modality == "humanitarian"
    machine = late.model_copy(
        update={
            "id": "j-machine",
            "at": dt.datetime(2011, 1, 1, tzinfo=dt.UTC),
            "origin": "machine",
        }
    )
    changed = case.model_copy(update={"judgements": [*case.judgements, machine]})
    assert _strategy(changed).modality == "humanitarian"


def test_the_most_cautious_analyst_decides_a_condition() -> None:
    case = _judge(_example("colombia-2012"), "condition:trust", 0)
    second = Judgement(
        id="j-second-analyst",
        analyst="second analyst",
        at=dt.datetime(2011, 1, 1, tzinfo=dt.UTC),
        subject="condition:trust",
        finding="Trust is thin.",
        severity=3,
    )
    case = case.model_copy(update={"judgements": [*case.judgements, second]})
    trust = next(
        c for c in _strategy(case).as_dict()["readiness"]["conditions"] if c["id"] == "trust"
    )
    assert trust["level"] == "lacking" and len(trust["judgements"]) == 2
