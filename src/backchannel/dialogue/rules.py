"""The dialogue strategy's rules, read from the YAML files under ``data/rules``.

Seven files hold every rule the strategy engine applies, each with a description in plain
words and the sources it rests on (``dialogue_sources.yaml``): the conditions for dialogue
(``conditions.yaml``) and the data signals that read them (``signals.yaml``), the modality
rules and the decision statuses (``modality.yaml``), the engagement risks
(``engagement_risks.yaml``), the objectives, safeguards, exit criteria, red lines and
trust-building plan (``dialogue_plan.yaml``, its items fitted to modalities and to our
role), and the windows the facts are computed with
(``facts.yaml``). Every number carries its basis. Loading checks them all, and
``citation_problems`` refuses any rule whose source is missing or unknown, so no
recommendation can rest on an unexplained rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backchannel.dialogue.signals import SIGNALS, SignalRules
from backchannel.errors import Problem
from backchannel.model.vocabulary import Modality, OurRole
from backchannel.rulefiles.clauses import Clause
from backchannel.rulefiles.yaml_source import YamlDocument, read_packaged_yaml, read_yaml_file

#: The four recommendations: the three dialogue modalities of the case model and a hold.
MODALITIES: tuple[str, ...] = (*(m.value for m in Modality), "do_not_engage_yet")
GROUPS = ("counterpart", "context", "own")
#: The roles of our organisation a plan item may be fitted to.
ROLES = frozenset(role.value for role in OurRole)
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


class Cited(Strict):
    """A rule that explains itself and names its sources."""

    sources: list[Citation] = Field(min_length=1)


class SourceWorks(Strict):
    """``dialogue_sources.yaml``: the works the rules cite, by id."""

    sources: dict[str, SourceWork]


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
    short: str | None = Field(
        default=None, description="How the decision names it: 'security is lacking'."
    )
    settle_as: str | None = Field(
        default=None, description="How the decision asks to settle it: 'settle the mandate'."
    )


class LevelLines(Strict):
    """Where a score becomes partial or in place, and on what basis."""

    in_place: float = Field(gt=0, le=1)
    partial: float = Field(gt=0, le=1)
    basis: str = Text


class ConditionRules(Strict):
    """``conditions.yaml``."""

    levels: LevelLines
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
    hold_reason: str | None = Field(
        default=None,
        description="For a rule that holds engagement: the reason in a few words, as the "
        "status headline gives it when no critical condition already says it.",
    )


class StatusTexts(Strict):
    """The decision's headline for each status; ``{reasons}`` and ``{pending}`` are filled."""

    proceed: str = Text
    conditional: str = Text
    hold: str = Text


class ModalityRules(Strict):
    """``modality.yaml``: first matching rule decides; the statuses' headlines."""

    statuses: StatusTexts
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
    """An objective, safeguard, exit criterion or red line, for some modalities or all, and
    for some roles of ours or any (``roles`` absent: the item fits whatever our role)."""

    id: str = Text
    text: str = Text
    kind: str | None = None
    modalities: list[str] | None = None
    roles: list[str] | None = Field(
        default=None,
        description="The roles of our organisation (OurRole values) the item fits; absent, "
        "it fits any role, and it is the only kind that applies while our role is unknown.",
    )
    when: list[Clause] = Field(default_factory=list)
    met_when: list[Clause] = Field(
        default_factory=list,
        description="For exit criteria: the facts that show the criterion is met.",
    )
    evidence: str | None = Field(
        default=None, description="For exit criteria: what the facts show, with placeholders."
    )
    evidence_items: str | None = Field(
        default=None,
        description="For exit criteria: a fact holding one line of evidence per record "
        "(which commitment, on what evidence), each shown after the evidence text.",
    )

    def fits_role(self, role: str | None) -> bool:
        """Whether the item applies to our role (``None``: our role is unknown, so only an
        item that fits any role applies)."""
        if self.roles is None:
            return True
        return role is not None and role in self.roles


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


class FactValue(Strict):
    """One number of ``facts.yaml`` and its basis."""

    value: float
    basis: str = Text


class FactRules(Strict):
    """``facts.yaml``: the windows the facts are computed with."""

    values: dict[str, FactValue]

    def days(self, name: str) -> dt.timedelta:
        """A window in days."""
        return dt.timedelta(days=self.values[name].value)


class DialogueRules(Strict):
    """Every rule of the strategy engine, checked together."""

    sources: dict[str, SourceWork]
    conditions: ConditionRules
    signals: SignalRules
    modality: ModalityRules
    risks: RiskRules
    plan: PlanRules
    facts: FactRules

    def cited_rules(self) -> list[tuple[str, Cited]]:
        """Every rule that must explain itself, located as ``file: path`` (items by id)."""
        cited: list[tuple[str, Cited]] = []
        cited += [(f"conditions.yaml: conditions[{c.id}]", c) for c in self.conditions.conditions]
        cited += [(f"modality.yaml: rules[{r.id}]", r) for r in self.modality.rules]
        cited += [(f"engagement_risks.yaml: risks[{r.id}]", r) for r in self.risks.risks]
        for section in ("objectives", "safeguards", "exit_criteria", "red_lines"):
            items: list[PlanItem] = getattr(self.plan, section)
            cited += [(f"dialogue_plan.yaml: {section}[{i.id}]", i) for i in items]
        cited += [
            (f"dialogue_plan.yaml: monitoring_triggers[{index}]", t)
            for index, t in enumerate(self.plan.monitoring_triggers)
        ]
        cited += [(f"dialogue_plan.yaml: plan[{s.id}]", s) for s in self.plan.plan]
        return cited


FILES = {
    "sources": "dialogue_sources.yaml",
    "conditions": "conditions.yaml",
    "signals": "signals.yaml",
    "modality": "modality.yaml",
    "risks": "engagement_risks.yaml",
    "plan": "dialogue_plan.yaml",
    "facts": "facts.yaml",
}


def load_dialogue_rules(folder: Path | None = None) -> DialogueRules:
    """Read and check the seven rule files (default: the packaged ones, read once).

    Raises ``InvalidInputError`` naming the first file (in ``FILES`` order) that has
    problems, with every problem of that file located by path and line: one error names
    one file, so its line numbers are unambiguous.
    """
    if folder is None:
        return _packaged_rules()
    return _load(
        {key: read_yaml_file(Path(folder) / name, "rule files") for key, name in FILES.items()}
    )


@cache
def _packaged_rules() -> DialogueRules:
    return _load({key: read_packaged_yaml(f"data/rules/{name}") for key, name in FILES.items()})


def _load(documents: dict[str, YamlDocument]) -> DialogueRules:
    # each file against its own model, so a structural problem is located in its file
    rules = DialogueRules(
        sources=documents["sources"].validate(SourceWorks).sources,
        conditions=documents["conditions"].validate(ConditionRules),
        signals=documents["signals"].validate(SignalRules),
        modality=documents["modality"].validate(ModalityRules),
        risks=documents["risks"].validate(RiskRules),
        plan=documents["plan"].validate(PlanRules),
        facts=documents["facts"].validate(FactRules),
    )
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for problem in rule_problems(rules):
        file, _, path = problem.location.partition(": ")
        by_file[file].append(Problem(path, problem.message))
    for key, name in FILES.items():
        if by_file.get(name):
            documents[key].refuse(by_file[name])
    return rules


def rule_problems(rules: DialogueRules) -> list[Problem]:
    """Cross-file checks: citations resolve, ids are unique, modalities and signals exist.

    Each problem is located as ``file: path`` (``modality.yaml: rules[2].modality``).
    """
    problems = citation_problems(rules)
    described = {rule.id for rule in rules.signals.signals}
    for index, described_signal in enumerate(rules.signals.signals):
        if described_signal.id not in SIGNALS:
            problems.append(
                Problem(
                    f"signals.yaml: signals[{index}].id",
                    f"no signal {described_signal.id!r} in the code",
                )
            )
    for name in sorted(set(SIGNALS) - described):
        problems.append(Problem("signals.yaml: signals", f"signal {name!r} is not described"))
    if rules.conditions.levels.partial >= rules.conditions.levels.in_place:
        problems.append(
            Problem("conditions.yaml: levels.partial", "must lie below the in-place line")
        )
    seen: set[str] = set()
    for index, condition in enumerate(rules.conditions.conditions):
        where = f"conditions.yaml: conditions[{index}]"
        if condition.id in seen:
            problems.append(Problem(f"{where}.id", f"duplicate condition id {condition.id!r}"))
        seen.add(condition.id)
        for position, signal in enumerate(condition.signals):
            if signal not in SIGNALS or signal not in described:
                problems.append(
                    Problem(f"{where}.signals[{position}]", f"unknown signal {signal!r}")
                )
    if set(rules.modality.modalities) != set(MODALITIES):
        problems.append(Problem("modality.yaml: modalities", f"expected exactly {MODALITIES}"))
    for index, rule in enumerate(rules.modality.rules):
        if rule.modality not in MODALITIES:
            problems.append(
                Problem(
                    f"modality.yaml: rules[{index}].modality",
                    f"modality must be one of {MODALITIES}",
                )
            )
    for section in ("objectives", "safeguards", "exit_criteria", "red_lines"):
        for index, item in enumerate(getattr(rules.plan, section)):
            unknown = set(item.modalities or ()) - set(MODALITIES)
            if unknown:
                problems.append(
                    Problem(
                        f"dialogue_plan.yaml: {section}[{index}].modalities",
                        f"unknown modalities {sorted(unknown)}",
                    )
                )
            roles = set(item.roles or ()) - ROLES
            if roles or item.roles == []:
                problems.append(
                    Problem(
                        f"dialogue_plan.yaml: {section}[{index}].roles",
                        f"unknown roles {sorted(roles)}; roles are {sorted(ROLES)}"
                        if roles
                        else "an empty list fits no role: leave roles out to fit any role",
                    )
                )
    for index, stage in enumerate(rules.plan.plan):
        if isinstance(stage.goal, dict):
            covered = set(stage.modalities or MODALITIES)
            if not covered <= set(stage.goal):
                problems.append(
                    Problem(
                        f"dialogue_plan.yaml: plan[{index}].goal",
                        f"a goal for every modality (missing: {sorted(covered - set(stage.goal))})",
                    )
                )
    return problems


def citation_problems(rules: DialogueRules) -> list[Problem]:
    """Rules whose sources are missing or unknown, located as ``file: path``."""
    problems = []
    for location, rule in rules.cited_rules():
        if not rule.sources:
            problems.append(Problem(f"{location}.sources", "cites no source"))
        for index, citation in enumerate(rule.sources):
            if citation.id not in rules.sources:
                problems.append(
                    Problem(
                        f"{location}.sources[{index}].id",
                        f"cites unknown source {citation.id!r}",
                    )
                )
    return problems
