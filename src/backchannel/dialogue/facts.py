"""The named facts the modality, risk and plan rules read, each from a stated input.

``case_facts`` flattens the case, its analyses and the condition readings into one mapping
of names to values; a value is ``None`` when its input is missing, so a rule on it does
not fire. ``FACT_SOURCES`` documents where every fact comes from; the brief shows it
beside each rule's inputs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from backchannel.dialogue.conditions import Readiness
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.signals import worst_exposure
from backchannel.model.vocabulary import Channel, CommitmentStatus

#: Alerts older than this before the assessment date no longer count as current.
ALERT_WINDOW = dt.timedelta(days=365)
#: Alert kinds about conduct during talks or inside commitments.
TALKS_ALERTS = ("buying_time", "conduct_during_talks", "commitment_violation")

FACT_SOURCES = {
    "stage": "the fused atrocity-risk stage (risk/stage.py)",
    "condition.<id>.level": "the condition's reading (dialogue/conditions.py)",
    "condition.<id>.basis": "analyst, data or none",
    "condition.<id>.score": "0 (not in place) to 1 (in place)",
    "readiness.<group>.level": "the mean of the group's known conditions",
    "readiness.known_share": "share of counterpart and situation conditions known",
    "readiness.own_or_mandate_lacking": "our own readiness, or our mandate, judged lacking",
    "commitments.violated": "counterpart commitments recorded as violated",
    "commitments.honoured": "counterpart commitments recorded as honoured",
    "alerts.<kind>": "event alerts of that kind for a counterpart in the last year",
    "alerts.talks": "buying-time, conduct-during-talks and commitment-violation alerts",
    "counterpart.designated": "a counterpart is designated on a list screened",
    "legal.screened": "the counterparts were screened against designation lists",
    "legal.worst_level": "the worst exposure of a planned activity with a designated counterpart",
    "engagements.public": "engagements with the counterpart held in public",
    "spoilers.top_score": "the strongest possible spoiler's score on the actor map",
    "spoilers.top_name": "the strongest possible spoiler",
    "framework.rf14": "analysts' status of UN Framework factor 14",
    "risk.<id>.level": "the engagement risk's level (dialogue/risks.py)",
}


def case_facts(inputs: StrategyInputs, readiness: Readiness) -> dict[str, Any]:
    """Every fact the rules may read (risk levels are added once risks are rated)."""
    facts: dict[str, Any] = {"stage": inputs.stage.get("stage") if inputs.stage else None}
    for reading in readiness.conditions:
        prefix = f"condition.{reading.rule.id}"
        facts[f"{prefix}.level"] = reading.level
        facts[f"{prefix}.basis"] = reading.basis
        facts[f"{prefix}.score"] = reading.score
    for group in readiness.groups:
        facts[f"readiness.{group.group}.level"] = group.level
        facts[f"readiness.{group.group}.score"] = group.score
    facts["readiness.known_share"] = readiness.known_share
    facts["readiness.own_or_mandate_lacking"] = (
        readiness.group("own").level == "lacking"
        or readiness.condition("mandate").level == "lacking"
    )
    commitments = inputs.counterpart_commitments()
    facts["commitments.violated"] = sum(c.status is CommitmentStatus.VIOLATED for c in commitments)
    facts["commitments.honoured"] = sum(c.status is CommitmentStatus.HONOURED for c in commitments)
    facts.update(_alert_facts(inputs))
    facts.update(_legal_facts(inputs))
    facts["engagements.public"] = sum(
        e.channel is Channel.PUBLIC for e in inputs.engagements_with_counterparts()
    )
    spoilers = inputs.actors.spoilers
    facts["spoilers.top_score"] = spoilers[0].score if spoilers else None
    names = {a.id: a.name for a in inputs.case.actors}
    facts["spoilers.top_name"] = names.get(spoilers[0].actor) if spoilers else None
    facts["framework.rf14"] = _factor_status(inputs.stage, "rf14")
    return facts


def counterpart_alerts(inputs: StrategyInputs) -> list[Mapping[str, Any]]:
    """The alerts about a counterpart that ended in the year up to the assessment date."""
    if inputs.alerts is None:
        return []
    names = {
        name.lower()
        for actor in inputs.case.actors
        if actor.id in inputs.counterparts
        for name in (actor.name, *actor.aliases)
    }
    chosen = []
    for alert in inputs.alerts:
        end = _day(alert.get("end"))
        if str(alert.get("actor", "")).lower() not in names or end is None:
            continue
        if inputs.as_of - ALERT_WINDOW <= end <= inputs.as_of + dt.timedelta(days=31):
            chosen.append(alert)
    return chosen


def _alert_facts(inputs: StrategyInputs) -> dict[str, Any]:
    kinds = ("buying_time", "conduct_during_talks", "commitment_violation", "escalation")
    if inputs.alerts is None:
        return {f"alerts.{kind}": None for kind in kinds} | {"alerts.talks": None}
    alerts = counterpart_alerts(inputs)
    counts = {f"alerts.{kind}": sum(a.get("kind") == kind for a in alerts) for kind in kinds}
    counts["alerts.talks"] = sum(a.get("kind") in TALKS_ALERTS for a in alerts)
    return counts


def _legal_facts(inputs: StrategyInputs) -> dict[str, Any]:
    if inputs.screening is None:
        return {"legal.screened": False, "counterpart.designated": None, "legal.worst_level": None}
    designated = [
        a
        for a in inputs.screening.actors
        if a.actor in inputs.counterparts and a.hits and a.exposure and a.exposure.designations
    ]
    worst, _ = worst_exposure(designated)
    return {
        "legal.screened": True,
        "counterpart.designated": bool(designated),
        "legal.worst_level": worst,
    }


def _factor_status(stage: Mapping[str, Any] | None, factor_id: str) -> str | None:
    if not stage:
        return None
    factors: Sequence[Mapping[str, Any]] = stage.get("factors", [])
    for factor in factors:
        if factor.get("id") == factor_id:
            return str(factor.get("status"))
    return None


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None
