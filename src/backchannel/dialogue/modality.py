"""Choosing the dialogue modality: the first rule of ``modality.yaml`` whose clauses hold.

Every rule read on the way is reported with the facts it read and whether it held, so the
brief can say not only why the chosen modality won but why the ones above it did not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backchannel.dialogue.clauses import evaluate
from backchannel.dialogue.rules import ModalityRule, ModalityRules


@dataclass(frozen=True)
class RuleRead:
    """One modality rule as evaluated: whether it held and the facts it read."""

    rule: ModalityRule
    held: bool
    read: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rule": self.rule.id,
            "modality": self.rule.modality,
            "held": self.held,
            "description": " ".join(self.rule.description.split()),
            "inputs": self.read,
            "sources": [c.model_dump() for c in self.rule.sources],
        }


@dataclass(frozen=True)
class ModalityChoice:
    """The recommended modality, the rule that decided it, and the rules read before it."""

    modality: str
    label: str
    summary: str
    decided_by: RuleRead
    passed_over: tuple[RuleRead, ...]

    @property
    def why(self) -> str:
        """The deciding rule's description: the reason in plain words."""
        return " ".join(self.decided_by.rule.description.split())


class NoModalityRuleError(ValueError):
    """No modality rule held: the rule file lacks a catch-all for these facts."""


def choose_modality(rules: ModalityRules, facts: Mapping[str, Any]) -> ModalityChoice:
    """The first rule whose clauses all hold decides."""
    passed: list[RuleRead] = []
    for rule in rules.rules:
        result = evaluate(rule.when, facts)
        read = RuleRead(rule, result.holds, result.read)
        if result.holds:
            text = rules.modalities[rule.modality]
            return ModalityChoice(
                rule.modality,
                text.label,
                " ".join(text.summary.split()),
                read,
                tuple(passed),
            )
        passed.append(read)
    raise NoModalityRuleError(
        "no modality rule held; the last rule of modality.yaml should catch every case "
        f"(facts read: {sorted({k for r in passed for k in r.read})})"
    )
