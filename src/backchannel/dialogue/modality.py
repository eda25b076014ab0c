"""Choosing the dialogue modality: the first rule of ``modality.yaml`` whose clauses hold.

Every rule read on the way is reported with the facts it read and whether it held, so the
brief can say not only why the chosen modality won but why the ones above it did not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from backchannel.dialogue.rules import Citation, ModalityRules
from backchannel.rulefiles.clauses import evaluate


class RuleRead(BaseModel):
    """One modality rule as evaluated: whether it held and the facts it read."""

    model_config = ConfigDict(frozen=True)

    rule: str
    modality: str
    held: bool
    description: str
    inputs: dict[str, Any]
    sources: list[Citation]
    hold_reason: str | None = None


class ModalityChoice(BaseModel):
    """The recommended modality, the rule that decided it, and the rules read before it."""

    model_config = ConfigDict(frozen=True)

    modality: str
    label: str
    summary: str
    decided_by: RuleRead
    passed_over: list[RuleRead]

    @property
    def why(self) -> str:
        """The deciding rule's description: the reason in plain words."""
        return self.decided_by.description


class NoModalityRuleError(ValueError):
    """No modality rule held: the rule file lacks a catch-all for these facts."""


def choose_modality(rules: ModalityRules, facts: Mapping[str, Any]) -> ModalityChoice:
    """The first rule whose clauses all hold decides."""
    passed: list[RuleRead] = []
    for rule in rules.rules:
        result = evaluate(rule.when, facts)
        read = RuleRead(
            rule=rule.id,
            modality=rule.modality,
            held=result.holds,
            description=" ".join(rule.description.split()),
            inputs=result.read,
            sources=list(rule.sources),
            hold_reason=rule.hold_reason,
        )
        if result.holds:
            text = rules.modalities[rule.modality]
            return ModalityChoice(
                modality=rule.modality,
                label=text.label,
                summary=" ".join(text.summary.split()),
                decided_by=read,
                passed_over=passed,
            )
        passed.append(read)
    raise NoModalityRuleError(
        "no modality rule held; the last rule of modality.yaml should catch every case "
        f"(facts read: {sorted({k for r in passed for k in r.inputs})})"
    )
