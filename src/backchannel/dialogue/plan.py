"""What goes with a modality: objectives, safeguards, red lines and the trust-building plan.

Items of ``dialogue_plan.yaml`` apply when their modality matches and their clauses hold.
The plan's stages are the ones for the modality; the current stage is read from the case
(no contact yet, contact but no commitment, commitments on record, commitments kept), and a
record of broken commitments sends the process back to small verifiable steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backchannel.dialogue.clauses import evaluate
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.rules import PlanItem, PlanRules, PlanStage


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


def applicable_items(
    items: Sequence[PlanItem], modality: str, facts: Mapping[str, Any], words: Placeholders
) -> list[dict[str, Any]]:
    """The items that apply to the modality whose clauses hold, with why they apply."""
    chosen = []
    for item in items:
        if item.modalities is not None and modality not in item.modalities:
            continue
        result = evaluate(item.when, facts)
        if not result.holds:
            continue
        chosen.append(
            {
                "id": item.id,
                "kind": item.kind,
                "text": words.fill(item.text),
                "applies_because": result.read or None,
                "sources": [c.model_dump() for c in item.sources],
            }
        )
    return chosen


def monitoring_triggers(
    rules: PlanRules, alerts: Sequence[Mapping[str, Any]], events_available: bool
) -> list[dict[str, Any]]:
    """The alert-tied triggers, each with the alerts of its kind already raised."""
    triggers = []
    for trigger in rules.monitoring_triggers:
        raised = [a for a in alerts if a.get("kind") == trigger.alert]
        triggers.append(
            {
                "alert": trigger.alert,
                "action": " ".join(trigger.action.split()),
                "raised": len(raised) if events_available else None,
                "latest": _latest(raised),
                "sources": [c.model_dump() for c in trigger.sources],
            }
        )
    return triggers


def _latest(alerts: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    if not alerts:
        return None
    latest = max(alerts, key=lambda a: str(a.get("end")))
    return {
        "actor": latest.get("actor"),
        "start": str(latest.get("start")),
        "end": str(latest.get("end")),
        "summary": latest.get("summary"),
        "events": len(latest.get("event_ids") or []),
    }


def trust_plan(
    rules: PlanRules, modality: str, inputs: StrategyInputs, facts: Mapping[str, Any]
) -> dict[str, Any]:
    """The staged plan for the modality, with the stage the case has reached and why."""
    stages = [s for s in rules.plan if s.modalities is None or modality in s.modalities]
    position, why = _position(stages, modality, inputs, facts)
    words = placeholders(inputs)
    return {
        "current_stage": stages[position].id,
        "position_reason": why,
        "stages": [
            _stage(stage, modality, words, index, position) for index, stage in enumerate(stages)
        ],
    }


def _stage(
    stage: PlanStage, modality: str, words: Placeholders, index: int, position: int
) -> dict[str, Any]:
    return {
        "id": stage.id,
        "number": index + 1,
        "name": stage.name,
        "status": "done" if index < position else "current" if index == position else "ahead",
        "goal": words.fill(stage.goal_for(modality)),
        "milestones": [words.fill(m) for m in stage.milestones],
        "advance_when": [words.fill(s) for s in stage.advance_when],
        "stop_when": [words.fill(s) for s in stage.stop_when],
        "sources": [c.model_dump() for c in stage.sources],
    }


def _position(
    stages: Sequence[PlanStage], modality: str, inputs: StrategyInputs, facts: Mapping[str, Any]
) -> tuple[int, str]:
    """Index of the current stage and the reason, read from the case's record."""
    ids = [s.id for s in stages]
    if modality == "do_not_engage_yet":
        return 0, "Something that must be in place before any contact is missing."

    def at(stage_id: str, reason: str) -> tuple[int, str]:
        return ids.index(stage_id), reason

    if facts.get("condition.access_channel.level") in ("lacking", "unknown"):
        return at("prepare", "No channel to a decision-maker is known yet.")
    engagements = inputs.engagements_with_counterparts()
    commitments = inputs.counterpart_commitments()
    if not engagements:
        return at("prepare", "No engagement with the counterpart is on record.")
    if not commitments:
        return at(
            "first-contact",
            f"{len(engagements)} engagement(s) on record but no commitment by the counterpart.",
        )
    violated = int(facts.get("commitments.violated") or 0)
    if violated:
        return at(
            "confidence-steps",
            f"{violated} of {len(commitments)} commitment(s) on record were broken: back to "
            "small steps whose delivery can be verified.",
        )
    kept = int(facts.get("commitments.honoured") or 0)
    partly = sum(c.status.value == "partially_honoured" for c in commitments)
    if kept + partly:
        return at(
            "substantive",
            f"{kept} commitment(s) honoured and {partly} partly honoured, none broken.",
        )
    return at(
        "confidence-steps",
        f"{len(commitments)} commitment(s) on record, none verified as kept yet.",
    )
