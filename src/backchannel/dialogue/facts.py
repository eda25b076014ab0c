"""The named facts the modality, risk, exit and plan rules read, each from a stated input.

``case_facts`` flattens the case as known on the day, its analyses and the condition
readings into one mapping of names to values; a value is ``None`` when its input is
missing, so a rule on it does not fire. ``FACT_SOURCES`` documents where every fact comes
from; the brief's annex shows it beside each rule's inputs. The numbers it computes with
(windows in days) come from ``facts.yaml``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from backchannel.dialogue.conditions import Readiness
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.legal_clearance import (
    activity_verdicts,
    designated_counterparts,
    worst_verdict,
)
from backchannel.dialogue.rules import FactRules
from backchannel.events.alerts import Alert
from backchannel.model.case import Commitment
from backchannel.model.vocabulary import Channel, CommitmentStatus

#: Alert kinds about conduct during talks or inside commitments.
TALKS_ALERTS = ("buying_time", "conduct_during_talks", "commitment_violation")
ALERT_KINDS = ("buying_time", "conduct_during_talks", "commitment_violation", "escalation")
#: Commitment statuses that say whether a party kept its word.
JUDGED = (
    CommitmentStatus.HONOURED,
    CommitmentStatus.PARTIALLY_HONOURED,
    CommitmentStatus.LAPSED,
    CommitmentStatus.VIOLATED,
)


FACT_SOURCES = {
    "stage": "the fused atrocity-risk stage (risk/stage.py); None when no source could read it",
    "condition.<id>.level": "the condition's reading (dialogue/conditions.py)",
    "condition.<id>.basis": "analyst, data or none",
    "condition.<id>.score": "0 (not in place) to 1 (in place)",
    "condition.<id>.contested": "an analyst's level and the data's differ by two levels",
    "readiness.<group>.level": "the mean of the group's known conditions",
    "readiness.known_share": "share of counterpart and situation conditions known",
    "readiness.own_or_mandate_lacking": "our own readiness, or our mandate, judged lacking",
    "commitments.judged": "counterpart commitments whose keeping is known (as known that day)",
    "commitments.violated": "counterpart commitments known as violated",
    "commitments.honoured": "counterpart commitments known as honoured",
    "commitments.broken_share": "violated among the judged commitments (0-1)",
    "commitments.broken_recent": "commitments known as violated within the last year",
    "commitments.broken_unremedied": "commitments whose latest known status is violated",
    "alerts.<kind>": "event alerts of that kind for a counterpart in the last year",
    "alerts.<kind>_strong": "those alerts with strong evidence",
    "alerts.talks": "buying-time, conduct-during-talks and commitment-violation alerts",
    "counterpart.designated": "a counterpart is designated on a list screened",
    "legal.screened": "the counterparts were screened against designation lists",
    "legal.worst_level": "the worst exposure over every planned activity",
    "engagements.ours": "engagements our organisation held with a counterpart",
    "engagements.public": "engagements with the counterpart held in public",
    "spoilers.top_score": "the strongest possible spoiler's score on the actor map",
    "spoilers.top_name": "the strongest possible spoiler",
    "framework.rf1": "analysts' status of UN Framework factor 1 (armed conflict)",
    "framework.rf14": "analysts' status of UN Framework factor 14",
    "risk.<id>.level": "the engagement risk's level (dialogue/risks.py)",
}


def case_facts(inputs: StrategyInputs, readiness: Readiness, rules: FactRules) -> dict[str, Any]:
    """Every fact the rules may read (risk levels are added once risks are rated)."""
    stage = inputs.stage.stage.stage if inputs.stage is not None else None
    facts: dict[str, Any] = {"stage": stage}
    for reading in readiness.conditions:
        prefix = f"condition.{reading.id}"
        facts[f"{prefix}.level"] = reading.level
        facts[f"{prefix}.basis"] = reading.basis
        facts[f"{prefix}.score"] = reading.score
        facts[f"{prefix}.contested"] = reading.contested
    for group in readiness.groups.values():
        facts[f"readiness.{group.group}.level"] = group.level
        facts[f"readiness.{group.group}.score"] = group.score
    facts["readiness.known_share"] = readiness.known_share
    facts["readiness.own_or_mandate_lacking"] = (
        readiness.groups["own"].level == "lacking"
        or readiness.condition("mandate").level == "lacking"
    )
    facts.update(commitment_facts(inputs.counterpart_commitments(), inputs.as_of, rules))
    facts.update(_alert_facts(inputs, rules))
    facts.update(_legal_facts(inputs))
    facts["engagements.ours"] = len(inputs.our_engagements())
    facts["engagements.public"] = sum(
        e.channel is Channel.PUBLIC for e in inputs.engagements_with_counterparts()
    )
    spoilers = inputs.actors.spoilers
    facts["spoilers.top_score"] = round(spoilers[0].score, 2) if spoilers else None
    names = {a.id: a.name for a in inputs.case.actors}
    facts["spoilers.top_name"] = names.get(spoilers[0].actor) if spoilers else None
    facts["framework.rf1"] = _factor_status(inputs, "rf1")
    facts["framework.rf14"] = _factor_status(inputs, "rf14")
    return facts


def commitment_facts(
    commitments: list[Commitment], as_of: dt.date, rules: FactRules
) -> dict[str, Any]:
    """How the counterparts kept their word, as known on ``as_of`` (statuses already cut)."""
    judged = [c for c in commitments if c.status in JUDGED]
    violated = [c for c in judged if c.status is CommitmentStatus.VIOLATED]
    recent = as_of - rules.days("recent_breach_days")
    return {
        "commitments.judged": len(judged),
        "commitments.violated": len(violated),
        "commitments.honoured": sum(c.status is CommitmentStatus.HONOURED for c in judged),
        "commitments.broken_share": round(len(violated) / len(judged), 2) if judged else None,
        "commitments.broken_recent": sum(breach_known_on(c) >= recent for c in violated),
        "commitments.broken_unremedied": len(violated),
    }


def breach_known_on(commitment: Commitment) -> dt.date:
    """The day the commitment's breach became known: its dated change to violated, else
    (an undated status) its end or start."""
    for change in reversed(commitment.status_history):
        if change.status is CommitmentStatus.VIOLATED:
            return change.date
    return commitment.end or commitment.start


def counterpart_alerts(inputs: StrategyInputs, rules: FactRules) -> list[Alert]:
    """The alerts about a counterpart that ended in the year up to the assessment date."""
    if inputs.alerts is None:
        return []
    names = {
        name.lower()
        for actor in inputs.case.actors
        if actor.id in inputs.counterparts
        for name in (actor.name, *actor.aliases)
    }
    since = inputs.as_of - rules.days("alert_window_days")
    until = inputs.as_of + rules.days("alert_grace_days")
    return [a for a in inputs.alerts if a.actor.lower() in names and since <= a.end <= until]


def _alert_facts(inputs: StrategyInputs, rules: FactRules) -> dict[str, Any]:
    if inputs.alerts is None:
        empty: dict[str, Any] = {f"alerts.{kind}": None for kind in ALERT_KINDS}
        empty |= {f"alerts.{kind}_strong": None for kind in ALERT_KINDS}
        return empty | {"alerts.talks": None}
    alerts = counterpart_alerts(inputs, rules)
    facts: dict[str, Any] = {}
    for kind in ALERT_KINDS:
        of_kind = [a for a in alerts if a.kind == kind]
        facts[f"alerts.{kind}"] = len(of_kind)
        facts[f"alerts.{kind}_strong"] = sum(
            getattr(a, "strength", None) == "strong" for a in of_kind
        )
    facts["alerts.talks"] = sum(a.kind in TALKS_ALERTS for a in alerts)
    return facts


def _legal_facts(inputs: StrategyInputs) -> dict[str, Any]:
    if inputs.screening is None:
        return {"legal.screened": False, "counterpart.designated": None, "legal.worst_level": None}
    verdicts = activity_verdicts(inputs.screening, inputs.counterparts)
    worst = worst_verdict(verdicts)
    return {
        "legal.screened": True,
        "counterpart.designated": bool(
            designated_counterparts(inputs.screening, inputs.counterparts)
        ),
        "legal.worst_level": worst.level if worst is not None else None,
    }


def _factor_status(inputs: StrategyInputs, factor_id: str) -> str | None:
    if inputs.stage is None:
        return None
    for factor in inputs.stage.factors:
        if factor.id == factor_id:
            return factor.status
    return None
