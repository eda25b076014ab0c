"""The dialogue strategy's rules, read from the YAML files under ``data/rules``.

Five files hold every rule the strategy engine applies, each with a description in plain
words and the sources it rests on (``dialogue_sources.yaml``): the conditions for dialogue
(``conditions.yaml``), the modality rules (``modality.yaml``), the engagement risks
(``engagement_risks.yaml``), and the objectives, safeguards, red lines and trust-building
plan (``dialogue_plan.yaml``). Loading checks them all, and ``citation_problems`` refuses
any rule whose source is missing or unknown, so no recommendation can rest on an
unexplained rule.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from backchannel.dialogue.signals import SIGNALS
from backchannel.errors import InvalidInputError, Problem
from backchannel.model.vocabulary import Modality

#: The four recommendations: the three dialogue modalities of the case model and a hold.
MODALITIES: tuple[str, ...] = (*(m.value for m in Modality), "do_not_engage_yet")
GROUPS = ("counterpart", "context", "own")
LEVELS = ("in_place", "partial", "lacking", "unknown")

Text = Field(min_length=1)


class Strict(BaseModel):
    """Base of every rule record: unknown keys are mistakes, and records never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(Strict):
    """A source a rule rests on, and the point of it the rule draws on."""

    id: str = Text
    point: str = Text


class SourceWork(Strict):
    """A work cited by the rules."""

    title: str = Text
    author: str | None = None
    publisher: str = Text
    date: dt.date | None = None
    url: str | None = None
    note: str = Text
    checked: bool


class Clause(Strict):
    """One test on one fact; exactly one of the tests is given."""

    fact: str = Text
    is_: Any = Field(default=None, alias="is")
    is_not: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    at_least: float | None = None
    below: float | None = None
    missing: bool | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_test(self) -> Self:
        given = [
            name
            for name in ("is_", "is_not", "in_", "at_least", "below", "missing")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                f"a clause on {self.fact!r} needs exactly one test of: is, is_not, in, "
                f"at_least, below, missing (got {len(given)})"
            )
        return self


class Cited(Strict):
    """A rule that explains itself and names its sources."""

    sources: list[Citation] = Field(min_length=1)


class ConditionRule(Cited):
    """A condition for dialogue: how it is read from data and from analysts."""

    id: str = Text
    name: str = Text
    group: Literal["counterpart", "context", "own"]
    critical: bool
    description: str = Text
    signals: list[str]
    combine: Literal["mean", "weakest"] = "mean"
    aliases: list[str] = Field(default_factory=list)
    gap_action: str = Text


class ConditionRules(Strict):
    """``conditions.yaml``."""

    groups: dict[str, str]
    conditions: list[ConditionRule] = Field(min_length=1)


class ModalityText(Strict):
    """How a modality is named and summed up."""

    label: str = Text
    summary: str = Text


class ModalityRule(Cited):
    """A rule that recommends a modality when all its clauses hold."""

    id: str = Text
    modality: str
    description: str = Text
    when: list[Clause] = Field(min_length=1)


class ModalityRules(Strict):
    """``modality.yaml``: first matching rule decides."""

    modalities: dict[str, ModalityText]
    rules: list[ModalityRule] = Field(min_length=1)


class Adjustment(Strict):
    """A change to a risk's likelihood or impact when its clauses hold."""

    id: str = Text
    when: list[Clause] = Field(min_length=1)
    likelihood: int = 0
    impact: int = 0
    reason: str = Text


class RiskRule(Cited):
    """An engagement risk, its base rating, adjustments and mitigations."""

    id: str = Text
    name: str = Text
    description: str = Text
    likelihood: int = Field(ge=1, le=3)
    impact: int = Field(ge=1, le=3)
    adjust: list[Adjustment] = Field(default_factory=list)
    mitigations: list[str] = Field(min_length=1)


class RiskRules(Strict):
    """``engagement_risks.yaml``."""

    levels: dict[Literal["high", "medium"], int]
    risks: list[RiskRule] = Field(min_length=1)


class PlanItem(Cited):
    """An objective, safeguard, exit criterion or red line, for some modalities or all."""

    id: str = Text
    text: str = Text
    kind: str | None = None
    modalities: list[str] | None = None
    when: list[Clause] = Field(default_factory=list)


class Trigger(Cited):
    """What to do when the event monitoring raises one kind of alert."""

    alert: str = Text
    action: str = Text


class PlanStage(Cited):
    """One stage of the trust-building plan."""

    id: str = Text
    name: str = Text
    modalities: list[str] | None = None
    goal: str | dict[str, str]
    milestones: list[str] = Field(min_length=1)
    advance_when: list[str] = Field(min_length=1)
    stop_when: list[str] = Field(min_length=1)

    def goal_for(self, modality: str) -> str:
        """The stage's goal under one modality."""
        if isinstance(self.goal, str):
            return self.goal
        return self.goal[modality]


class PlanRules(Strict):
    """``dialogue_plan.yaml``."""

    objectives: list[PlanItem]
    safeguards: list[PlanItem]
    monitoring_triggers: list[Trigger]
    exit_criteria: list[PlanItem]
    red_lines: list[PlanItem]
    plan: list[PlanStage] = Field(min_length=1)


class DialogueRules(Strict):
    """Every rule of the strategy engine, checked together."""

    sources: dict[str, SourceWork]
    conditions: ConditionRules
    modality: ModalityRules
    risks: RiskRules
    plan: PlanRules

    def cited_rules(self) -> list[tuple[str, Cited]]:
        """Every rule that must explain itself, with a readable location."""
        cited: list[tuple[str, Cited]] = []
        cited += [(f"conditions.yaml: {c.id}", c) for c in self.conditions.conditions]
        cited += [(f"modality.yaml: {r.id}", r) for r in self.modality.rules]
        cited += [(f"engagement_risks.yaml: {r.id}", r) for r in self.risks.risks]
        for section in ("objectives", "safeguards", "exit_criteria", "red_lines"):
            items: list[PlanItem] = getattr(self.plan, section)
            cited += [(f"dialogue_plan.yaml: {section}: {i.id}", i) for i in items]
        cited += [
            (f"dialogue_plan.yaml: monitoring_triggers: {t.alert}", t)
            for t in self.plan.monitoring_triggers
        ]
        cited += [(f"dialogue_plan.yaml: plan: {s.id}", s) for s in self.plan.plan]
        return cited


FILES = {
    "sources": "dialogue_sources.yaml",
    "conditions": "conditions.yaml",
    "modality": "modality.yaml",
    "risks": "engagement_risks.yaml",
    "plan": "dialogue_plan.yaml",
}


def load_dialogue_rules(folder: Path | None = None) -> DialogueRules:
    """Read and check the five rule files (default: the packaged ones, read once)."""
    if folder is None:
        return _packaged_rules()
    return _load({key: (folder / name).read_text(encoding="utf-8") for key, name in FILES.items()})


@cache
def _packaged_rules() -> DialogueRules:
    base = resources.files("backchannel").joinpath("data/rules")
    return _load({key: base.joinpath(name).read_text("utf-8") for key, name in FILES.items()})


def _load(texts: dict[str, str]) -> DialogueRules:
    documents: dict[str, Any] = {}
    for key, text in texts.items():
        document = yaml.safe_load(text)
        if not isinstance(document, dict):
            raise InvalidInputError(FILES[key], [Problem("", "expected a mapping at the top")])
        documents[key] = document.get("sources", {}) if key == "sources" else document
    try:
        rules = DialogueRules.model_validate(documents)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = [str(part) for part in item["loc"]]
            file = FILES.get(where[0], where[0]) if where else "rules"
            problems.append(Problem(f"{file}: {'.'.join(where[1:])}", item["msg"]))
        raise InvalidInputError("dialogue rules", problems) from None
    problems = rule_problems(rules)
    if problems:
        raise InvalidInputError("dialogue rules", problems)
    return rules


def rule_problems(rules: DialogueRules) -> list[Problem]:
    """Cross-file checks: citations resolve, ids are unique, modalities and signals exist."""
    problems = citation_problems(rules)
    ids = [c.id for c in rules.conditions.conditions]
    for duplicate in {i for i in ids if ids.count(i) > 1}:
        problems.append(Problem(f"conditions.yaml: {duplicate}", "duplicate condition id"))
    for condition in rules.conditions.conditions:
        for signal in condition.signals:
            if signal not in SIGNALS:
                problems.append(
                    Problem(f"conditions.yaml: {condition.id}", f"unknown signal {signal!r}")
                )
    if set(rules.modality.modalities) != set(MODALITIES):
        problems.append(Problem("modality.yaml: modalities", f"expected exactly {MODALITIES}"))
    for rule in rules.modality.rules:
        if rule.modality not in MODALITIES:
            problems.append(
                Problem(f"modality.yaml: {rule.id}", f"modality must be one of {MODALITIES}")
            )
    for section in ("objectives", "safeguards", "exit_criteria", "red_lines"):
        for item in getattr(rules.plan, section):
            unknown = set(item.modalities or ()) - set(MODALITIES)
            if unknown:
                problems.append(
                    Problem(f"dialogue_plan.yaml: {item.id}", f"unknown modalities {unknown}")
                )
    for stage in rules.plan.plan:
        if isinstance(stage.goal, dict):
            covered = set(stage.modalities or MODALITIES)
            if not covered <= set(stage.goal):
                problems.append(
                    Problem(f"dialogue_plan.yaml: plan: {stage.id}", "a goal for every modality")
                )
    return problems


def citation_problems(rules: DialogueRules) -> list[Problem]:
    """Rules whose description is empty or whose sources are missing or unknown."""
    problems = []
    for location, rule in rules.cited_rules():
        if not rule.sources:
            problems.append(Problem(location, "cites no source"))
        for citation in rule.sources:
            if citation.id not in rules.sources:
                problems.append(Problem(location, f"cites unknown source {citation.id!r}"))
    return problems
