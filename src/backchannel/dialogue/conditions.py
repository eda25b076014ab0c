"""Conditions for dialogue and our own readiness, scored with their evidence and gaps.

Each condition of ``conditions.yaml`` gets a score from 0 to 1 and a level:

- analysts decide when they have judged it (``condition:<id>`` or an alias): the latest
  judgement of each analyst up to the assessment date counts, and the most cautious one
  (highest severity) wins, so one analyst's warning is never averaged away. Severity
  0-3 says how much the condition is a problem: score = 1 - severity / 3;
- otherwise the data signals decide (their mean, or the weakest where the rule says so);
- otherwise the condition is unknown and its gap action is listed.

Machine-suggested judgements never count. The data reading is kept beside an analyst's,
so a reader sees when the two disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.rules import ConditionRule, ConditionRules
from backchannel.dialogue.signals import SIGNALS, Signal
from backchannel.model.case import Judgement
from backchannel.model.vocabulary import JudgementOrigin

CONDITION_PREFIX = "condition:"
#: Score thresholds of the levels: a severity-1 judgement (a minor problem) still reads as
#: in place, a severity-2 one as partial, a severity-3 one as lacking.
IN_PLACE = 0.6
PARTIAL = 0.3
MAX_SEVERITY = 3


def level_of(score: float | None) -> str:
    """The level a score reads as."""
    if score is None:
        return "unknown"
    if score >= IN_PLACE:
        return "in_place"
    if score >= PARTIAL:
        return "partial"
    return "lacking"


@dataclass(frozen=True)
class JudgementUsed:
    """An analyst judgement a condition reading rests on."""

    id: str
    analyst: str
    at: str
    severity: int | None
    finding: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the evidence text is sensitive and stays in the case)."""
        return {
            "id": self.id,
            "analyst": self.analyst,
            "at": self.at,
            "severity": self.severity,
            "finding": self.finding,
        }


@dataclass(frozen=True)
class ConditionReading:
    """One condition's score, level, basis, evidence and, when not in place, the action."""

    rule: ConditionRule
    score: float | None
    basis: str  # analyst | data | none
    judgements: tuple[JudgementUsed, ...]
    signals: tuple[Signal, ...]
    data_score: float | None

    @property
    def level(self) -> str:
        """in_place, partial, lacking or unknown."""
        return level_of(self.score)

    @property
    def action(self) -> str | None:
        """What to do about the condition, when it is not in place."""
        return None if self.level == "in_place" else " ".join(self.rule.gap_action.split())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the rule's description and sources for traceability."""
        return {
            "id": self.rule.id,
            "name": self.rule.name,
            "group": self.rule.group,
            "critical": self.rule.critical,
            "score": None if self.score is None else round(self.score, 3),
            "level": self.level,
            "basis": self.basis,
            "data_score": None if self.data_score is None else round(self.data_score, 3),
            "judgements": [j.as_dict() for j in self.judgements],
            "signals": [s.as_dict() for s in self.signals],
            "action": self.action,
            "description": " ".join(self.rule.description.split()),
            "sources": [c.model_dump() for c in self.rule.sources],
        }


def read_condition(rule: ConditionRule, inputs: StrategyInputs) -> ConditionReading:
    """Score one condition from analyst judgements, else from its data signals."""
    signals = tuple(
        signal for name in rule.signals if (signal := SIGNALS[name](inputs)) is not None
    )
    data_score: float | None = None
    if signals:
        scores = [s.score for s in signals]
        data_score = min(scores) if rule.combine == "weakest" else fmean(scores)
    used = _counted_judgements(rule, inputs)
    severities = [j.severity for j in used if j.severity is not None]
    if severities:
        score: float | None = 1.0 - max(severities) / MAX_SEVERITY
        basis = "analyst"
    elif data_score is not None:
        score, basis = data_score, "data"
    else:
        score, basis = None, "none"
    return ConditionReading(rule, score, basis, used, signals, data_score)


def _counted_judgements(rule: ConditionRule, inputs: StrategyInputs) -> tuple[JudgementUsed, ...]:
    """The latest analyst judgement of each analyst on the condition, up to ``as_of``."""
    subjects = {CONDITION_PREFIX + name for name in (rule.id, *rule.aliases)}
    latest: dict[str, Judgement] = {}
    for judgement in inputs.case.judgements:
        if (
            judgement.subject in subjects
            and judgement.origin is JudgementOrigin.ANALYST
            and judgement.at.date() <= inputs.as_of
        ):
            held = latest.get(judgement.analyst)
            if held is None or (judgement.at, judgement.id) > (held.at, held.id):
                latest[judgement.analyst] = judgement
    return tuple(
        JudgementUsed(j.id, j.analyst, j.at.isoformat(), j.severity, " ".join(j.finding.split()))
        for j in sorted(latest.values(), key=lambda j: (j.at, j.id))
    )


@dataclass(frozen=True)
class GroupReadiness:
    """The readiness of one group of conditions."""

    group: str
    label: str
    score: float | None
    known: int
    total: int

    @property
    def level(self) -> str:
        """The level the group's mean score reads as."""
        return level_of(self.score)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "group": self.group,
            "label": self.label,
            "score": None if self.score is None else round(self.score, 3),
            "level": self.level,
            "known": self.known,
            "total": self.total,
        }


@dataclass(frozen=True)
class Readiness:
    """Every condition read, the three groups, and the actions the gaps call for."""

    conditions: tuple[ConditionReading, ...]
    groups: tuple[GroupReadiness, ...]

    def condition(self, condition_id: str) -> ConditionReading:
        """One condition's reading."""
        for reading in self.conditions:
            if reading.rule.id == condition_id:
                return reading
        raise KeyError(condition_id)

    def group(self, group: str) -> GroupReadiness:
        """One group's readiness."""
        return next(g for g in self.groups if g.group == group)

    @property
    def known_share(self) -> float:
        """Share of the conditions on the counterpart and the situation that are known.

        Our own readiness is left out: it is judged by the team, and its gaps are
        reported on their own rather than hiding how much is known about the situation.
        """
        outside = [c for c in self.conditions if c.rule.group != "own"]
        return sum(c.level != "unknown" for c in outside) / len(outside) if outside else 0.0

    def actions(self) -> list[dict[str, Any]]:
        """Gap actions, critical lacking first, then critical unknown, then the others."""
        order = {"lacking": 0, "unknown": 1, "partial": 2}
        pending = [c for c in self.conditions if c.action is not None]
        pending.sort(key=lambda c: (not c.rule.critical, order[c.level]))
        return [
            {
                "condition": c.rule.id,
                "name": c.rule.name,
                "level": c.level,
                "critical": c.rule.critical,
                "action": c.action,
            }
            for c in pending
        ]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: the ``readiness`` key of the strategy document."""
        return {
            "groups": {g.group: g.as_dict() for g in self.groups},
            "known_share": round(self.known_share, 3),
            "conditions": [c.as_dict() for c in self.conditions],
            "actions": self.actions(),
        }


def assess_readiness(rules: ConditionRules, inputs: StrategyInputs) -> Readiness:
    """Read every condition and sum up each group."""
    readings = tuple(read_condition(rule, inputs) for rule in rules.conditions)
    return Readiness(
        readings, tuple(_group(g, label, readings) for g, label in rules.groups.items())
    )


def _group(group: str, label: str, readings: Sequence[ConditionReading]) -> GroupReadiness:
    members = [r for r in readings if r.rule.group == group]
    known = [r.score for r in members if r.score is not None]
    return GroupReadiness(group, label, fmean(known) if known else None, len(known), len(members))
