"""What goes with a modality: objectives, safeguards, red lines and the trust-building plan.

Items of ``dialogue_plan.yaml`` apply when their modality matches, when they fit our role
(an item with ``roles`` applies only to those roles, so while our role is unknown only the
items that fit any role apply) and when their clauses hold. The objectives of the mandate
in force lead the objectives (``mandate_objectives``). The red lines are the case's own
(``case_red_lines``); the generic red lines of the rule file are a checklist to adopt from
(``red_line_checklist``), never a stand-in for lines nobody set.

The plan's stages are the ones for the modality; the current stage is read from *our own*
record with the counterpart (no channel of ours, no contact of ours yet, contact but no
commitment made to us, commitments to us on record, commitments kept). Others' talks are
context: they do not move our plan. A broken commitment made to us sends the process back
to small verifiable steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.rules import Citation, PlanItem, PlanRules, PlanStage
from backchannel.events.alerts import Alert
from backchannel.model.vocabulary import CommitmentStatus
from backchannel.rulefiles.clauses import evaluate


@dataclass(frozen=True)
class Placeholders:
    """Case words the plan's texts are filled with."""

    counterpart: str
    regions: str

    def fill(self, text: str) -> str:
        """The text with ``{counterpart}`` and ``{regions}`` filled, whitespace tidied."""
        filled = text.replace("{counterpart}", self.counterpart).replace("{regions}", self.regions)
        return " ".join(filled.split())


def placeholders(inputs: StrategyInputs) -> Placeholders:
    """The counterpart's name and the case's regions, as the plan's texts use them."""
    names = {a.id: a.name for a in inputs.case.actors}
    counterpart = " and ".join(names[c] for c in inputs.counterparts) or "the counterpart"
    regions = ", ".join(inputs.case.context.regions) or "the areas concerned"
    return Placeholders(counterpart, regions)


class AppliedItem(BaseModel):
    """An objective, safeguard or red line that applies, and the facts that made it apply."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str | None
    text: str
    applies_because: dict[str, Any] | None
    sources: list[Citation]


class LatestAlert(BaseModel):
    """The most recent alert under a trigger."""

    model_config = ConfigDict(frozen=True)

    actor: str
    start: str
    end: str
    summary: str
    strength: str | None
    events: int


class TriggerState(BaseModel):
    """A monitoring trigger: what to do, and how often its alert was raised so far."""

    model_config = ConfigDict(frozen=True)

    alert: str
    action: str
    raised: int | None  # None without usable event data
    latest: LatestAlert | None
    sources: list[Citation]


class StageState(BaseModel):
    """One stage of the trust-building plan and where the case stands on it."""

    model_config = ConfigDict(frozen=True)

    id: str
    number: int
    name: str
    status: str  # done | current | ahead
    goal: str
    milestones: list[str]
    advance_when: list[str]
    stop_when: list[str]
    sources: list[Citation]


class TrustPlan(BaseModel):
    """The staged plan for the modality, with the stage reached and why."""

    model_config = ConfigDict(frozen=True)

    current_stage: str
    position_reason: str
    stages: list[StageState]

    def current(self) -> StageState:
        """The stage the case stands at."""
        return next(s for s in self.stages if s.status == "current")


class ChecklistItem(AppliedItem):
    """A generic red line that applies to the modality, and whether the case adopted it."""

    adopted: bool


def applicable_items(
    items: Sequence[PlanItem],
    modality: str,
    facts: Mapping[str, Any],
    words: Placeholders,
    role: str | None = None,
) -> list[AppliedItem]:
    """The items that apply to the modality and fit our ``role`` (``None``: unknown) whose
    clauses hold, with why they apply (our role among the reasons when it decided)."""
    chosen = []
    for item in items:
        if item.modalities is not None and modality not in item.modalities:
            continue
        if not item.fits_role(role):
            continue
        result = evaluate(item.when, facts)
        if not result.holds:
            continue
        because = ({"our_role": role} if item.roles is not None else {}) | result.read
        chosen.append(
            AppliedItem(
                id=item.id,
                kind=item.kind,
                text=words.fill(item.text),
                applies_because=because or None,
                sources=list(item.sources),
            )
        )
    return chosen


def mandate_objectives(inputs: StrategyInputs) -> list[AppliedItem]:
    """The objectives of the mandate in force on the day, in the mandator's order.

    A lapsed mandate, or one given later, states no objective for the day: pursuing what
    nobody mandates any longer is the very thing the mandate condition guards against.
    """
    mandate = inputs.case.mandate
    if mandate is None or mandate.date > inputs.as_of or not mandate.in_force(inputs.as_of):
        return []
    return [
        AppliedItem(
            id=f"mandate-objective-{number}",
            kind="mandate",
            text=" ".join(objective.split()),
            applies_because={"mandate_given": mandate.date.isoformat(), "in_force": True},
            sources=[],
        )
        for number, objective in enumerate(mandate.objectives, start=1)
        if objective.strip()
    ]


def case_red_lines(inputs: StrategyInputs, generic: Sequence[PlanItem]) -> list[AppliedItem]:
    """The case's own red lines set by the day, each with who set it and the generic line
    it adopts; an adopted line carries that line's sources. Empty when the case records
    none: the generic list is never put in their place."""
    by_id = {item.id: item for item in generic}
    lines = [
        line for line in inputs.case.red_lines if line.date is None or line.date <= inputs.as_of
    ]
    items = []
    for line in lines:
        adopted = by_id.get(line.adopted_from or "")
        items.append(
            AppliedItem(
                id=line.id,
                kind="case",
                text=" ".join(line.text.split()),
                applies_because={
                    "set_by": line.set_by,
                    "adopted_from": line.adopted_from,
                    "date": line.date.isoformat() if line.date else None,
                    "references": list(line.references),
                },
                sources=list(adopted.sources) if adopted else [],
            )
        )
    return items


def red_line_checklist(
    generic: Sequence[PlanItem],
    modality: str,
    facts: Mapping[str, Any],
    words: Placeholders,
    inputs: StrategyInputs,
    *,
    role: str | None = None,
) -> list[ChecklistItem]:
    """Each generic red line that applies to the modality, marked adopted when a red line
    of the case (set by the day) names it in ``adopted_from``."""
    adopted = {
        line.adopted_from
        for line in inputs.case.red_lines
        if line.adopted_from and (line.date is None or line.date <= inputs.as_of)
    }
    return [
        ChecklistItem(**item.model_dump(), adopted=item.id in adopted)
        for item in applicable_items(generic, modality, facts, words, role)
    ]


def monitoring_triggers(
    rules: PlanRules, alerts: Sequence[Alert], events_available: bool
) -> list[TriggerState]:
    """The alert-tied triggers, each with the alerts of its kind already raised."""
    triggers = []
    for trigger in rules.monitoring_triggers:
        raised = [a for a in alerts if a.kind == trigger.alert]
        latest = max(raised, key=lambda a: a.end) if raised else None
        triggers.append(
            TriggerState(
                alert=trigger.alert,
                action=" ".join(trigger.action.split()),
                raised=len(raised) if events_available else None,
                latest=None
                if latest is None
                else LatestAlert(
                    actor=latest.actor,
                    start=latest.start.isoformat(),
                    end=latest.end.isoformat(),
                    summary=latest.summary,
                    strength=getattr(latest, "strength", None),
                    events=len(latest.event_ids),
                ),
                sources=list(trigger.sources),
            )
        )
    return triggers


def trust_plan(
    rules: PlanRules, modality: str, inputs: StrategyInputs, facts: Mapping[str, Any]
) -> TrustPlan:
    """The staged plan for the modality, with the stage the case has reached and why."""
    stages = [s for s in rules.plan if s.modalities is None or modality in s.modalities]
    position, why = _position(stages, modality, inputs, facts)
    words = placeholders(inputs)
    return TrustPlan(
        current_stage=stages[position].id,
        position_reason=why,
        stages=[
            _stage(stage, modality, words, index, position) for index, stage in enumerate(stages)
        ],
    )


def _stage(
    stage: PlanStage, modality: str, words: Placeholders, index: int, position: int
) -> StageState:
    return StageState(
        id=stage.id,
        number=index + 1,
        name=stage.name,
        status="done" if index < position else "current" if index == position else "ahead",
        goal=words.fill(stage.goal_for(modality)),
        milestones=[words.fill(m) for m in stage.milestones],
        advance_when=[words.fill(s) for s in stage.advance_when],
        stop_when=[words.fill(s) for s in stage.stop_when],
        sources=list(stage.sources),
    )


def _position(
    stages: Sequence[PlanStage], modality: str, inputs: StrategyInputs, facts: Mapping[str, Any]
) -> tuple[int, str]:
    """Index of the current stage and the reason, read from our own record."""
    ids = [s.id for s in stages]
    if modality == "do_not_engage_yet":
        return 0, "Something that must be in place before any contact is missing."

    def at(stage_id: str, reason: str) -> tuple[int, str]:
        return ids.index(stage_id), reason

    if facts.get("condition.access_channel.level") in ("lacking", "unknown"):
        return at("prepare", "Our organisation has no known channel to a decision-maker yet.")
    engagements = inputs.our_engagements()
    commitments = inputs.commitments_to_us()
    others = len(inputs.engagements_with_counterparts()) - len(engagements)
    context = f" ({others} engagement(s) by others are context only.)" if others else ""
    if not engagements:
        return at(
            "prepare", "Our organisation has held no engagement with the counterpart." + context
        )
    if not commitments:
        return at(
            "first-contact",
            f"{len(engagements)} engagement(s) of ours on record but no commitment made to us."
            + context,
        )
    violated = sum(c.status is CommitmentStatus.VIOLATED for c in commitments)
    if violated:
        return at(
            "confidence-steps",
            f"{violated} of {len(commitments)} commitment(s) made to us were broken: back to "
            "small steps whose delivery can be verified.",
        )
    kept = sum(c.status is CommitmentStatus.HONOURED for c in commitments)
    partly = sum(c.status is CommitmentStatus.PARTIALLY_HONOURED for c in commitments)
    if kept + partly:
        return at(
            "substantive",
            f"{kept} commitment(s) made to us honoured and {partly} partly honoured, none broken.",
        )
    return at(
        "confidence-steps",
        f"{len(commitments)} commitment(s) made to us on record, none verified as kept yet.",
    )
