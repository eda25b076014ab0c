"""Evaluating the rules' clauses against the facts of a case, remembering what was read.

A clause tests one named fact (``{fact: stage, in: [imminent, ongoing]}``). A fact that is
unknown (absent or ``None``) makes every test false except ``missing: true``, so no rule
fires on a guess. Each evaluation returns the facts it read with their values, which is
what the brief shows as a rule's inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backchannel.dialogue.rules import Clause


@dataclass(frozen=True)
class Evaluation:
    """Whether all clauses held, and every fact they read with its value."""

    holds: bool
    read: dict[str, Any]


def clause_holds(clause: Clause, facts: Mapping[str, Any]) -> bool:
    """Whether one clause holds on the facts."""
    value = facts.get(clause.fact)
    if clause.missing is not None:
        return (value is None) is clause.missing
    if value is None:
        return False
    if clause.is_ is not None:
        return bool(value == clause.is_)
    if clause.is_not is not None:
        return bool(value != clause.is_not)
    if clause.in_ is not None:
        return value in clause.in_
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    if clause.at_least is not None:
        return value >= clause.at_least
    assert clause.below is not None  # the model admits exactly one test
    return value < clause.below


def evaluate(clauses: Sequence[Clause], facts: Mapping[str, Any]) -> Evaluation:
    """All clauses on the facts (every clause is read, so every input is reported)."""
    results = [clause_holds(clause, facts) for clause in clauses]
    return Evaluation(all(results), {c.fact: facts.get(c.fact) for c in clauses})


def fill(template: str, facts: Mapping[str, Any]) -> str:
    """A reason template with ``{fact.name}`` placeholders replaced by the facts' values."""
    text = template
    for name, value in facts.items():
        placeholder = "{" + name + "}"
        if placeholder in text:
            shown = f"{value:g}" if isinstance(value, float) else str(value).replace("_", " ")
            text = text.replace(placeholder, shown)
    return " ".join(text.split())
