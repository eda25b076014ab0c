"""The named facts the modality, risk, exit and plan rules read, each from a stated input.

``case_facts`` flattens the case as known on the day, its analyses and the condition
readings into one mapping of names to values; a value is ``None`` when its input is
missing, so a rule on it does not fire. ``FACT_SOURCES`` documents where every fact comes
from; the brief's annex shows it beside each rule's inputs. The numbers it computes with
(windows in days) come from ``facts.yaml``. A fact ending in ``_evidence`` holds one line
per record behind a count (which commitment, on what evidence), which an exit criterion
shows as its evidence.
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
from backchannel.model.compliance import breach_known_on, compliance_on
from backchannel.model.vocabulary import NORM_KINDS, Channel, CommitmentKind, CommitmentStatus, Side

#: Alert kinds about conduct during talks or inside commitments.
TALKS_ALERTS = ("buying_time", "conduct_during_talks", "commitment_violation")
ALERT_KINDS = ("buying_time", "conduct_during_talks", "commitment_violation", "escalation")
#: Commitment kinds that show the case concerns detention.
DETENTION_KINDS = frozenset({CommitmentKind.RELEASE_OF_DETAINEES, CommitmentKind.DETENTION})
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
    "commitments.broken_evidence": "for each of those, its id and the evidence that decided "
    "it (model/compliance.py): how it became known and when",
    "commitments.norms_violated": "counterpart commitments to a humanitarian norm (children, "
    "mines, sexual violence, health care, displacement, detention) known as violated",
    "commitments.concern_detention": "a commitment of the case, by any party, on release of "
    "detainees or on detention, as known that day",
    "our_role": "what our organisation is in the context (context.our_role); None = unknown",
    "mandate.recorded": "a mandate given by the day is on record",
    "mandate.in_force": "that mandate had not lapsed on the day; None without a mandate",
    "red_lines.recorded": "the case's own red lines set by the day",
    "positions.crossing_red_lines": "counterpart positions held on the day that cross a red "
    "line of the case; None when the case records no red line or no counterpart position",
    "positions.crossing_red_lines_evidence": "for each of those, the counterpart, the day "
    "it was stated and how many red lines it crosses",
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
    facts["commitments.concern_detention"] = any(
        c.kind in DETENTION_KINDS for c in inputs.case.commitments if c.start <= inputs.as_of
    )
    facts.update(negotiation_facts(inputs))
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
    """How the counterparts kept their word, as known on ``as_of`` (statuses already cut).

    The case handed in is cut at ``as_of``, so what it holds was known that day: the day a
    breach became known is the date of the evidence that decided it (a dated status, a
    monitoring entry), read as on that day.
    """
    judged = [c for c in commitments if c.status in JUDGED]
    violated = [c for c in judged if c.status is CommitmentStatus.VIOLATED]
    recent = as_of - rules.days("recent_breach_days")
    return {
        "commitments.judged": len(judged),
        "commitments.violated": len(violated),
        "commitments.honoured": sum(c.status is CommitmentStatus.HONOURED for c in judged),
        "commitments.broken_share": round(len(violated) / len(judged), 2) if judged else None,
        "commitments.broken_recent": sum(
            breach_known_on(c, as_of, as_of) >= recent for c in violated
        ),
        "commitments.broken_unremedied": len(violated),
        "commitments.broken_evidence": [breach_evidence(c, as_of) for c in violated],
        "commitments.norms_violated": sum(c.kind in NORM_KINDS for c in violated),
    }


def breach_evidence(commitment: Commitment, as_of: dt.date) -> str:
    """``c-x: third party report, 2014-09-02``: the commitment and the evidence that made
    it read as broken on ``as_of``, without who reported it (that is sensitive)."""
    decided = compliance_on(commitment, as_of, as_of).decided_by
    if decided is None:
        return f"{commitment.id}: no dated evidence"
    if decided.kind == "monitoring" and decided.method is not None:
        how = decided.method.value.replace("_", " ")
    elif decided.kind == "history":
        how = "status recorded"
    else:
        how = "status recorded without a date"
    when = f", {decided.date.isoformat()}" if decided.date is not None else ""
    return f"{commitment.id}: {how}{when}"


def negotiation_facts(inputs: StrategyInputs) -> dict[str, Any]:
    """Our role, the mandate, the case's red lines and the counterpart positions that cross
    them, as known on the day. A count that cannot be read (no red line, or no position of
    the counterpart, on record) is ``None``: no exit criterion is judged not met on it."""
    case, day = inputs.case, inputs.as_of
    mandate = case.mandate if case.mandate is not None and case.mandate.date <= day else None
    lines = {line.id for line in case.red_lines if line.date is None or line.date <= day}
    wanted = set(inputs.counterparts)
    theirs = [
        p
        for p in case.positions
        if p.side is Side.THEM and p.date <= day and (not wanted or p.counterpart in wanted)
    ]
    crossing = [p for p in theirs if p.held_on(day) and lines.intersection(p.crosses_red_lines)]
    names = {a.id: a.name for a in case.actors}
    readable = bool(lines) and bool(theirs)
    return {
        "our_role": case.context.our_role.value if case.context.our_role else None,
        "mandate.recorded": mandate is not None,
        "mandate.in_force": mandate.in_force(day) if mandate is not None else None,
        "red_lines.recorded": len(lines),
        "positions.crossing_red_lines": len(crossing) if readable else None,
        "positions.crossing_red_lines_evidence": [
            f"{names.get(p.counterpart, p.counterpart)}, position stated on "
            f"{p.date.isoformat()} and not withdrawn by {day.isoformat()}: crosses "
            f"{len(lines.intersection(p.crosses_red_lines))} red line(s) of the case"
            for p in sorted(crossing, key=lambda p: (p.date, p.id))
        ],
    }


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
