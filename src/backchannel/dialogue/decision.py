"""Whether to start now: the decision status, which fails closed.

The modality says what kind of dialogue fits; the status says whether to start it now:

- ``hold`` when an exit criterion is met, when the modality is "do not engage yet", or when
  a critical condition (one that must be in place before any contact: security, mandate,
  legal clearance) is lacking;
- ``conditional`` when a critical condition is unknown, partial or contested: the
  ``pending`` ids say what to settle, and ``to_settle`` how;
- ``proceed`` only when every critical condition is in place.

Exit criteria (``dialogue_plan.yaml``) are evaluated, not only printed: each is met by the
facts its ``met_when`` clauses read, or by an analyst's judgement on ``exit:<id>`` whose
status is present (absent clears it). A criterion that neither can decide is shown as not
evaluable, never as not met. A criterion met on the facts names the records that meet it
(which commitments read as broken and on what evidence, which positions cross a red line).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from backchannel.dialogue.conditions import ConditionReading, Readiness
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.rules import PlanItem, StatusTexts
from backchannel.model.vocabulary import Finding, JudgementOrigin
from backchannel.rulefiles.clauses import evaluate, fill

EXIT_PREFIX = "exit:"
Status = Literal["proceed", "conditional", "hold"]


class ExitCriterion(BaseModel):
    """One exit criterion as evaluated: met, not met, or not evaluable, and on what."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    met: bool | None
    basis: str  # data | analyst | none
    evidence: list[str]


class ToSettle(BaseModel):
    """A critical condition still to settle, and how."""

    model_config = ConfigDict(frozen=True)

    condition: str
    name: str
    level: str
    contested: bool
    action: str


class Decision(BaseModel):
    """The status, why, and what stands between the case and ``proceed``."""

    model_config = ConfigDict(frozen=True)

    status: Status
    label: str
    headline: str
    pending: list[str]
    to_settle: list[ToSettle]
    hold_reasons: list[str]
    exit_criteria: list[ExitCriterion]
    exit_criteria_met: list[ExitCriterion]


def evaluate_exit_criteria(
    items: Sequence[PlanItem], inputs: StrategyInputs, facts: Mapping[str, Any]
) -> list[ExitCriterion]:
    """Each exit criterion met, not met or not evaluable, with the evidence it rests on."""
    judged = _exit_judgements(inputs)
    results = []
    for item in items:
        text = " ".join(item.text.split())
        judgement = judged.get(item.id)
        if judgement is not None:
            met = judgement[0] is Finding.PRESENT
            results.append(
                ExitCriterion(
                    id=item.id,
                    text=text,
                    met=met if judgement[0] is not Finding.UNKNOWN else None,
                    basis="analyst",
                    evidence=[judgement[1]],
                )
            )
            continue
        if not item.met_when:
            results.append(
                ExitCriterion(id=item.id, text=text, met=None, basis="none", evidence=[])
            )
            continue
        result = evaluate(item.met_when, facts)
        if any(value is None for value in result.read.values()):
            results.append(
                ExitCriterion(id=item.id, text=text, met=None, basis="none", evidence=[])
            )
            continue
        evidence = _evidence(item, facts) if result.holds else []
        results.append(
            ExitCriterion(id=item.id, text=text, met=result.holds, basis="data", evidence=evidence)
        )
    return results


def _evidence(item: PlanItem, facts: Mapping[str, Any]) -> list[str]:
    """What the facts show of a met criterion: its evidence text, then one line per record
    behind it (``evidence_items``), so the reader sees which records meet it and why."""
    lines = [fill(item.evidence, facts)] if item.evidence else []
    if item.evidence_items is not None:
        lines += [str(line) for line in facts.get(item.evidence_items) or []]
    return lines


def _exit_judgements(inputs: StrategyInputs) -> dict[str, tuple[Finding, str]]:
    """The latest analyst judgement per exit criterion: its status and finding."""
    latest: dict[str, Any] = {}
    for judgement in inputs.case.judgements:
        if (
            judgement.subject.startswith(EXIT_PREFIX)
            and judgement.origin is JudgementOrigin.ANALYST
            and judgement.status is not None
            and judgement.at.date() <= inputs.as_of
        ):
            key = judgement.subject.removeprefix(EXIT_PREFIX)
            held = latest.get(key)
            if held is None or (judgement.at, judgement.id) > (held.at, held.id):
                latest[key] = judgement
    return {
        key: (j.status, f"{j.analyst}, {j.at.date().isoformat()}: {' '.join(j.finding.split())}")
        for key, j in latest.items()
    }


def decide(
    readiness: Readiness,
    modality: str,
    hold_reason: str | None,
    exits: Sequence[ExitCriterion],
    texts: StatusTexts,
) -> Decision:
    """The status from the critical conditions, the modality and the exit criteria.

    ``hold_reason`` is the deciding modality rule's reason for holding (when it holds):
    it is given only when no exit criterion or critical condition says why already.
    """
    critical = [c for c in readiness.conditions if c.critical]
    lacking = [c for c in critical if c.level == "lacking"]
    unsettled = [c for c in critical if c.level != "in_place" or c.contested]
    met = [e for e in exits if e.met]
    reasons = [f"{e.text.rstrip('.').lower()} (an exit criterion)" for e in met]
    reasons += [f"{_short(c)} is lacking" for c in lacking]
    if modality == "do_not_engage_yet" and not reasons:
        reasons.append(
            hold_reason or "something that must be in place before any contact is missing"
        )
    to_settle = [
        ToSettle(
            condition=c.id,
            name=c.name,
            level=c.level,
            contested=c.contested,
            action=c.action or "",
        )
        for c in unsettled
    ]
    status: Status
    if reasons:
        status = "hold"
        headline = texts.hold.format(reasons=_join(reasons))
    elif unsettled:
        status = "conditional"
        headline = texts.conditional.format(pending=_join([_settle(c) for c in unsettled]))
    else:
        status = "proceed"
        headline = texts.proceed
    headline = headline[0].upper() + headline[1:]
    return Decision(
        status=status,
        label=status.capitalize(),
        headline=headline,
        pending=[c.id for c in unsettled],
        to_settle=to_settle,
        hold_reasons=reasons,
        exit_criteria=list(exits),
        exit_criteria_met=met,
    )


def _short(condition: ConditionReading) -> str:
    return condition.short or condition.name.lower()


def _settle(condition: ConditionReading) -> str:
    what = condition.settle_as or _short(condition)
    return f"{what} (contested)" if condition.contested else what


def _join(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
