"""Engagement risks: likelihood and impact from the rules, with reasons and mitigations.

Each risk of ``engagement_risks.yaml`` starts from its base rating; each adjustment whose
clauses hold moves the likelihood or impact and adds its reason. Ratings stay within 1-3,
and the level follows likelihood x impact against the file's thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backchannel.dialogue.clauses import evaluate, fill
from backchannel.dialogue.rules import RiskRule, RiskRules

LOWEST, HIGHEST = 1, 3


@dataclass(frozen=True)
class AdjustmentApplied:
    """An adjustment that fired, with the facts it read."""

    id: str
    likelihood: int
    impact: int
    reason: str
    read: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rule": self.id,
            "likelihood": self.likelihood,
            "impact": self.impact,
            "reason": self.reason,
            "inputs": self.read,
        }


@dataclass(frozen=True)
class RatedRisk:
    """One engagement risk as rated for the case."""

    rule: RiskRule
    likelihood: int
    impact: int
    level: str
    applied: tuple[AdjustmentApplied, ...]
    inputs: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: an item of the ``risks`` key."""
        reasons = [a.reason for a in self.applied] or [
            "No aggravating factor found in the inputs: the base rating stands."
        ]
        return {
            "id": self.rule.id,
            "name": self.rule.name,
            "description": " ".join(self.rule.description.split()),
            "likelihood": self.likelihood,
            "impact": self.impact,
            "level": self.level,
            "base": {"likelihood": self.rule.likelihood, "impact": self.rule.impact},
            "reasons": reasons,
            "rules_fired": [a.as_dict() for a in self.applied],
            "inputs": self.inputs,
            "mitigations": [" ".join(m.split()) for m in self.rule.mitigations],
            "sources": [c.model_dump() for c in self.rule.sources],
        }


def rate_risks(rules: RiskRules, facts: Mapping[str, Any]) -> list[RatedRisk]:
    """Every engagement risk rated on the facts, highest first (file order breaks ties)."""
    rated = [_rate(rule, rules.levels, facts) for rule in rules.risks]
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(rated, key=lambda r: (order[r.level], -r.likelihood * r.impact))


def _rate(rule: RiskRule, levels: Mapping[Any, int], facts: Mapping[str, Any]) -> RatedRisk:
    likelihood, impact = rule.likelihood, rule.impact
    applied = []
    inputs: dict[str, Any] = {}
    for adjustment in rule.adjust:
        result = evaluate(adjustment.when, facts)
        inputs.update(result.read)
        if not result.holds:
            continue
        likelihood += adjustment.likelihood
        impact += adjustment.impact
        applied.append(
            AdjustmentApplied(
                adjustment.id,
                adjustment.likelihood,
                adjustment.impact,
                fill(adjustment.reason, facts),
                result.read,
            )
        )
    likelihood = min(HIGHEST, max(LOWEST, likelihood))
    impact = min(HIGHEST, max(LOWEST, impact))
    product = likelihood * impact
    level = (
        "high" if product >= levels["high"] else "medium" if product >= levels["medium"] else "low"
    )
    return RatedRisk(rule, likelihood, impact, level, tuple(applied), inputs)
