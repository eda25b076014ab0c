"""The dialogue strategy of a case: readiness, risks, modality, safeguards and plan.

``recommend`` runs the engine in a fixed order, each step reading only what the steps
before it produced:

1. read every condition for dialogue (``conditions``), from analysts and data;
2. flatten the case, its analyses and the readings into named facts (``facts``);
3. rate the engagement risks on the facts (``risks``) and add their levels to the facts;
4. choose the modality with the first rule that holds (``modality``);
5. attach the objectives, safeguards, triggers, exit criteria and red lines that apply,
   and the trust-building plan with the stage reached (``plan``);
6. list what to do first.

Every item in the result names the rule that produced it, the facts it read and its
sources; ``Strategy.as_dict`` is the JSON contract of ``backchannel assess``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backchannel.dialogue.conditions import Readiness, assess_readiness
from backchannel.dialogue.facts import case_facts, counterpart_alerts
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.modality import ModalityChoice, choose_modality
from backchannel.dialogue.plan import (
    applicable_items,
    monitoring_triggers,
    placeholders,
    trust_plan,
)
from backchannel.dialogue.risks import RatedRisk, rate_risks
from backchannel.dialogue.rules import DialogueRules, load_dialogue_rules

#: How many first steps the brief's summary shows.
FIRST_STEPS = 6


@dataclass(frozen=True)
class Strategy:
    """The whole recommendation for one case on one day."""

    inputs: StrategyInputs
    readiness: Readiness
    risks: tuple[RatedRisk, ...]
    choice: ModalityChoice
    facts: dict[str, Any]
    recommendation: dict[str, Any]
    plan: dict[str, Any]
    first_steps: tuple[dict[str, Any], ...]

    @property
    def modality(self) -> str:
        """The recommended modality."""
        return self.choice.modality

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``modality``, ``recommendation``, ``readiness``, ``risks``,
        ``plan`` and ``evidence``, with the inputs missing and the facts read."""
        names = {a.id: a.name for a in self.inputs.case.actors}
        return {
            "as_of": self.inputs.as_of.isoformat(),
            "counterparts": [{"id": c, "name": names[c]} for c in self.inputs.counterparts],
            "modality": self.modality,
            "recommendation": self.recommendation,
            "first_steps": list(self.first_steps),
            "readiness": self.readiness.as_dict(),
            "risks": [r.as_dict() for r in self.risks],
            "plan": self.plan,
            "evidence": None if self.inputs.evidence is None else dict(self.inputs.evidence),
            "missing_inputs": self.inputs.missing(),
            "facts": {k: _plain(v) for k, v in sorted(self.facts.items())},
            "notes": list(self.inputs.notes),
        }


def recommend(inputs: StrategyInputs, rules: DialogueRules | None = None) -> Strategy:
    """Run the strategy engine on whatever inputs exist."""
    rules = rules or load_dialogue_rules()
    readiness = assess_readiness(rules.conditions, inputs)
    facts = case_facts(inputs, readiness)
    risks = tuple(rate_risks(rules.risks, facts))
    facts.update({f"risk.{r.rule.id}.level": r.level for r in risks})
    choice = choose_modality(rules.modality, facts)
    words = placeholders(inputs)
    modality = choice.modality
    plan = trust_plan(rules.plan, modality, inputs, facts)
    recommendation = {
        "modality": modality,
        "label": choice.label,
        "summary": choice.summary,
        "why": choice.why,
        "decided_by": choice.decided_by.as_dict(),
        "rules_read": [r.as_dict() for r in (*choice.passed_over, choice.decided_by)],
        "objectives": applicable_items(rules.plan.objectives, modality, facts, words),
        "safeguards": applicable_items(rules.plan.safeguards, modality, facts, words),
        "monitoring_triggers": monitoring_triggers(
            rules.plan, counterpart_alerts(inputs), inputs.alerts is not None
        ),
        "exit_criteria": applicable_items(rules.plan.exit_criteria, modality, facts, words),
        "red_lines": applicable_items(rules.plan.red_lines, modality, facts, words),
    }
    return Strategy(
        inputs,
        readiness,
        risks,
        choice,
        facts,
        recommendation,
        plan,
        tuple(_first_steps(readiness, risks, plan)),
    )


def _first_steps(
    readiness: Readiness, risks: tuple[RatedRisk, ...], plan: dict[str, Any]
) -> list[dict[str, Any]]:
    """What to do first: blocking gaps, the current stage's milestones, other critical gaps,
    then the first mitigation of each high risk."""
    actions = readiness.actions()
    steps: list[dict[str, Any]] = []

    def add(text: str, why: str, source: str) -> None:
        if len(steps) < FIRST_STEPS and all(s["step"] != text for s in steps):
            steps.append({"step": text, "why": why, "from": source})

    for action in actions:
        if action["critical"] and action["level"] == "lacking":
            add(
                action["action"],
                f"{action['name']} is lacking.",
                f"condition:{action['condition']}",
            )
    current = next(s for s in plan["stages"] if s["status"] == "current")
    for milestone in current["milestones"][:2]:
        add(
            milestone,
            f"The plan is at stage {current['number']}: {current['name']}.",
            f"plan:{current['id']}",
        )
    for action in actions:
        if action["critical"] and action["level"] == "unknown":
            add(
                action["action"],
                f"{action['name']} is unknown.",
                f"condition:{action['condition']}",
            )
    for risk in risks:
        if risk.level == "high":
            add(
                " ".join(risk.rule.mitigations[0].split()),
                f"The risk '{risk.rule.name}' is high.",
                f"risk:{risk.rule.id}",
            )
    return steps


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    return value
