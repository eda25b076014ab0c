"""Engagement risks: likelihood and impact from the rules, with reasons and mitigations.

Each risk of ``engagement_risks.yaml`` starts from its base rating; each adjustment whose
clauses hold moves the likelihood or impact and adds its reason. Ratings stay within 1-3,
and the level follows likelihood x impact against the file's thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from backchannel.dialogue.rules import Citation, RiskRule, RiskRules
from backchannel.rulefiles.clauses import evaluate, fill

LOWEST, HIGHEST = 1, 3
#: Said when no adjustment fired, so a low rating never reads as unexplained.
BASE_ONLY = "No aggravating factor found in the inputs: the base rating stands."


class AdjustmentApplied(BaseModel):
    """An adjustment that fired, with the facts it read."""

    model_config = ConfigDict(frozen=True)

    rule: str
    likelihood: int
    impact: int
    reason: str
    inputs: dict[str, Any]


class RatedRisk(BaseModel):
    """One engagement risk as rated for the case: an item of the ``risks`` key."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    description: str
    likelihood: int
    impact: int
    level: str
    base: dict[str, int]
    reasons: list[str]
    rules_fired: list[AdjustmentApplied]
    inputs: dict[str, Any]
    mitigations: list[str]
    sources: list[Citation]


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
                rule=adjustment.id,
                likelihood=adjustment.likelihood,
                impact=adjustment.impact,
                reason=fill(adjustment.reason, facts),
                inputs=result.read,
            )
        )
    likelihood = min(HIGHEST, max(LOWEST, likelihood))
    impact = min(HIGHEST, max(LOWEST, impact))
    product = likelihood * impact
    level = (
        "high" if product >= levels["high"] else "medium" if product >= levels["medium"] else "low"
    )
    return RatedRisk(
        id=rule.id,
        name=rule.name,
        description=" ".join(rule.description.split()),
        likelihood=likelihood,
        impact=impact,
        level=level,
        base={"likelihood": rule.likelihood, "impact": rule.impact},
        reasons=[a.reason for a in applied] or [BASE_ONLY],
        rules_fired=applied,
        inputs=inputs,
        mitigations=[" ".join(m.split()) for m in rule.mitigations],
        sources=list(rule.sources),
    )
