"""The dialogue strategy of a case: readiness, risks, modality, status, safeguards and plan.

``recommend`` runs the engine in a fixed order, each step reading only what the steps
before it produced:

1. read every condition for dialogue (``conditions``), from analysts and data;
2. flatten the case, its analyses and the readings into named facts (``facts``);
3. rate the engagement risks on the facts (``risks``) and add their levels to the facts;
4. choose the modality with the first rule that holds (``modality``);
5. evaluate the exit criteria and decide the status (``decision``): proceed, conditional
   or hold, failing closed;
6. attach the objectives (the mandate's first, then those fitting the modality and our
   role), safeguards, triggers, the case's red lines with the generic checklist, and the
   trust-building plan with the stage reached (``plan``), and list what to do first;
7. set out the negotiation itself (``negotiation``): mandate, our role, lines, Island of
   Agreement, positions, other engagers and how commitments are kept.

Every item names the rule that produced it, the facts it read and its sources. The result
is one typed model; ``Strategy.as_dict`` is the JSON contract of ``backchannel assess``,
serialised once at the edges.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backchannel.dialogue.conditions import Readiness, assess_readiness
from backchannel.dialogue.decision import (
    Decision,
    ExitCriterion,
    ToSettle,
    decide,
    evaluate_exit_criteria,
)
from backchannel.dialogue.facts import case_facts, counterpart_alerts
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.legal_clearance import ActivityVerdict, activity_verdicts
from backchannel.dialogue.modality import RuleRead, choose_modality
from backchannel.dialogue.negotiation import NegotiationView, negotiation_view
from backchannel.dialogue.plan import (
    AppliedItem,
    ChecklistItem,
    TriggerState,
    TrustPlan,
    applicable_items,
    case_red_lines,
    mandate_objectives,
    monitoring_triggers,
    placeholders,
    red_line_checklist,
    trust_plan,
)
from backchannel.dialogue.risks import RatedRisk, rate_risks
from backchannel.dialogue.rules import DialogueRules, load_dialogue_rules

#: How many first steps the brief's summary shows.
FIRST_STEPS = 6


class Recommendation(BaseModel):
    """Whether to start now (status) and what kind of dialogue (modality), with everything
    that goes with them: the ``recommendation`` key of ``backchannel assess``."""

    model_config = ConfigDict(frozen=True)

    status: str = Field(description="proceed, conditional or hold")
    headline: str
    pending: list[str] = Field(description="Critical conditions still to settle, by id.")
    to_settle: list[ToSettle]
    hold_reasons: list[str]
    exit_criteria: list[ExitCriterion]
    exit_criteria_met: list[ExitCriterion]
    modality: str
    label: str
    summary: str
    why: str
    decided_by: RuleRead
    rules_read: list[RuleRead]
    legal_split: list[ActivityVerdict] | None = Field(
        description="Each planned activity's legal verdict; null when nothing was screened."
    )
    objectives: list[AppliedItem] = Field(
        description="The mandate's own objectives first (kind mandate), then those of "
        "dialogue_plan.yaml that fit the modality and our role."
    )
    safeguards: list[AppliedItem]
    monitoring_triggers: list[TriggerState]
    red_lines: list[AppliedItem] = Field(
        description="The case's own red lines (kind case), with who set them and the generic "
        "line each adopts; empty when the case records none."
    )
    red_line_checklist: list[ChecklistItem] = Field(
        description="The generic red lines that apply to the modality, each marked adopted "
        "when a red line of the case adopts it."
    )

    def withheld(self, marker: str) -> Recommendation:
        """The recommendation as a redacted output shows it: the case's own texts (its red
        lines, the mandate's objectives) each replaced by ``marker``, who set a line
        withheld, and the case red lines' ids replaced by opaque labels in case order
        ("red-line-1"), as the withheld negotiation labels them. Everything written by the
        rules stays."""

        def objective(item: AppliedItem) -> AppliedItem:
            if item.kind != "mandate":
                return item
            return item.model_copy(update={"text": marker})

        def line(number: int, item: AppliedItem) -> AppliedItem:
            because = dict(item.applies_because or {})
            because["set_by"] = marker
            return item.model_copy(
                update={"id": f"red-line-{number}", "text": marker, "applies_because": because}
            )

        return self.model_copy(
            update={
                "objectives": [objective(item) for item in self.objectives],
                "red_lines": [line(n, item) for n, item in enumerate(self.red_lines, start=1)],
            }
        )


class FirstStep(BaseModel):
    """What to do first, why, and which finding it comes from."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    step: str
    why: str
    origin: str = Field(alias="from")


class Confidence(BaseModel):
    """How sure the recommendation is, and what it does not know, in plain words."""

    model_config = ConfigDict(frozen=True)

    level: str  # low | medium | high
    unknowns: list[str]
    text: str


class Counterpart(BaseModel):
    """A counterpart the strategy is about."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str


class Strategy(BaseModel):
    """The whole recommendation for one case on one day."""

    model_config = ConfigDict(frozen=True)

    as_of: str
    counterparts: list[Counterpart]
    modality: str
    recommendation: Recommendation
    confidence: Confidence
    first_steps: list[FirstStep]
    readiness: Readiness
    risks: list[RatedRisk]
    plan: TrustPlan
    evidence: dict[str, Any] | None
    negotiation: NegotiationView
    missing_inputs: list[str]
    facts: dict[str, Any]
    notes: list[str]

    @property
    def status(self) -> str:
        """proceed, conditional or hold."""
        return self.recommendation.status

    def as_dict(self) -> dict[str, Any]:
        """The JSON document (``from`` for a first step's origin)."""
        return self.model_dump(mode="json", by_alias=True)


def recommend(inputs: StrategyInputs, rules: DialogueRules | None = None) -> Strategy:
    """Run the strategy engine on whatever inputs exist."""
    rules = rules or load_dialogue_rules()
    readiness = assess_readiness(rules.conditions, rules.signals, inputs)
    facts = case_facts(inputs, readiness, rules.facts)
    risks = rate_risks(rules.risks, facts)
    facts.update({f"risk.{r.id}.level": r.level for r in risks})
    choice = choose_modality(rules.modality, facts)
    modality = choice.modality
    exits = evaluate_exit_criteria(rules.plan.exit_criteria, inputs, facts)
    decision = decide(
        readiness, modality, choice.decided_by.hold_reason, exits, rules.modality.statuses
    )
    words = placeholders(inputs)
    role = inputs.case.context.our_role.value if inputs.case.context.our_role else None
    plan = trust_plan(rules.plan, modality, inputs, facts)
    legal = (
        activity_verdicts(inputs.screening, inputs.counterparts)
        if inputs.screening is not None
        else None
    )
    recommendation = Recommendation(
        status=decision.status,
        headline=decision.headline,
        pending=decision.pending,
        to_settle=decision.to_settle,
        hold_reasons=decision.hold_reasons,
        exit_criteria=decision.exit_criteria,
        exit_criteria_met=decision.exit_criteria_met,
        modality=modality,
        label=choice.label,
        summary=choice.summary,
        why=choice.why,
        decided_by=choice.decided_by,
        rules_read=[*choice.passed_over, choice.decided_by],
        legal_split=legal,
        objectives=[
            *mandate_objectives(inputs),
            *applicable_items(rules.plan.objectives, modality, facts, words, role),
        ],
        safeguards=applicable_items(rules.plan.safeguards, modality, facts, words, role),
        monitoring_triggers=monitoring_triggers(
            rules.plan, counterpart_alerts(inputs, rules.facts), inputs.alerts is not None
        ),
        red_lines=case_red_lines(inputs, rules.plan.red_lines),
        red_line_checklist=red_line_checklist(
            rules.plan.red_lines, modality, facts, words, inputs, role=role
        ),
    )
    names = {a.id: a.name for a in inputs.case.actors}
    return Strategy(
        as_of=inputs.as_of.isoformat(),
        counterparts=[Counterpart(id=c, name=names[c]) for c in inputs.counterparts],
        modality=modality,
        recommendation=recommendation,
        confidence=confidence_of(inputs, readiness, decision),
        first_steps=_first_steps(
            readiness,
            risks,
            plan,
            decision,
            ours=bool(facts["engagements.ours"]),
            role_known=role is not None,
        ),
        readiness=readiness,
        risks=risks,
        plan=plan,
        evidence=None if inputs.evidence is None else inputs.evidence.as_dict(),
        negotiation=negotiation_view(inputs),
        missing_inputs=inputs.missing(),
        facts={k: _plain(v) for k, v in sorted(facts.items())},
        notes=list(inputs.notes),
    )


def confidence_of(inputs: StrategyInputs, readiness: Readiness, decision: Decision) -> Confidence:
    """What the recommendation does not know, and how much that weighs."""
    unknowns: list[str] = []
    stage = inputs.stage.stage if inputs.stage is not None else None
    if stage is None or stage.stage is None:
        unknowns.append("the risk stage (no source had adequate data)")
    elif stage.missing_sources:
        unknowns.append("the stage's " + " and ".join(stage.missing_sources) + " source(s)")
    unknown = [c for c in readiness.conditions if c.level == "unknown"]
    critical_unknown = [c.name.lower() for c in unknown if c.critical]
    if unknown:
        among = f", among them {', '.join(critical_unknown)}" if critical_unknown else ""
        unknowns.append(f"{len(unknown)} of {len(readiness.conditions)} conditions{among}")
    open_exits = [e for e in decision.exit_criteria if e.met is None]
    if open_exits:
        unknowns.append(f"whether {len(open_exits)} exit criteria are met")
    if inputs.alerts is None:
        unknowns.append("the counterparts' recent conduct in event data")
    if inputs.screening is None:
        unknowns.append("designations (no list screened)")
    if (
        stage is None
        or stage.stage is None
        or critical_unknown
        or len(unknown) * 2 >= len(readiness.conditions)
    ):
        level = "low"
    elif unknowns:
        level = "medium"
    else:
        level = "high"
    text = (
        f"Confidence {level}. Not known: {'; '.join(unknowns)}."
        if unknowns
        else f"Confidence {level}: every input was available and every condition is judged."
    )
    return Confidence(level=level, unknowns=unknowns, text=text)


def _first_steps(
    readiness: Readiness,
    risks: list[RatedRisk],
    plan: TrustPlan,
    decision: Decision,
    *,
    ours: bool,
    role_known: bool = True,
) -> list[FirstStep]:
    """What to do first: exit criteria met, blocking gaps, recording our role when it is
    unknown, the current stage's milestones, other critical gaps, then the first
    mitigation of each high risk."""
    steps: list[FirstStep] = []

    def add(text: str, why: str, origin: str) -> None:
        if len(steps) < FIRST_STEPS and all(s.step != text for s in steps):
            steps.append(FirstStep(step=text, why=why, origin=origin))

    for criterion in decision.exit_criteria_met:
        add(
            "Suspend new asks and review our engagement with the mandator: an exit criterion "
            "is met."
            if ours
            else "Open no talks until the counterpart's conduct that meets an exit criterion "
            "is explained or remedied.",
            criterion.text,
            f"exit:{criterion.id}",
        )
    for action in readiness.actions:
        if action.critical and action.level == "lacking":
            add(action.action, f"{action.name} is lacking.", f"condition:{action.condition}")
    if not role_known:
        add(
            "Record what our organisation is in this context: humanitarian agency, official "
            "mediator, facilitator, insider mediator, party or analyst.",
            "Our role is not recorded, so only the objectives and safeguards that fit any "
            "role are listed; what we may pursue depends on it.",
            "negotiation:our_role",
        )
    current = plan.current()
    for milestone in current.milestones[:2]:
        add(
            milestone,
            f"The plan is at stage {current.number}: {current.name}.",
            f"plan:{current.id}",
        )
    for action in readiness.actions:
        if action.critical and action.level in ("unknown", "partial"):
            add(
                action.action,
                f"{action.name} is {action.level.replace('_', ' ')}.",
                f"condition:{action.condition}",
            )
    for risk in risks:
        if risk.level == "high":
            add(risk.mitigations[0], f"The risk '{risk.name}' is high.", f"risk:{risk.id}")
    return steps


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 2)
    return value
