"""One atrocity-risk stage from several sources, with its reasons and disagreements.

The rules are data (``data/rules/stage.yaml``): each reads one measure from one source
(the structural forecast, event data, analysts' framework judgements) and, when its
threshold is met, places the case at least at its stage. The case's stage is the highest
stage any rule reaches. Each source also gets its own stage; where two sources differ by
two or more stages, the matching disagreement is reported, because a mediator must see
exactly when, say, a quiet structural forecast meets escalating violence.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from backchannel.errors import InvalidInputError, Problem
from backchannel.risk.thresholds import Threshold, parse_threshold

SOURCES = ("structural", "events", "framework")


@dataclass(frozen=True)
class StageRule:
    """One threshold on one measure of one source."""

    id: str
    source: str
    stage: str
    description: str
    condition: Threshold
    reference: str

    @property
    def measure(self) -> str:
        """The measure the rule reads."""
        return self.condition.measure

    def fires(self, measures: dict[str, float | None]) -> bool:
        """Whether the measure is known and meets the threshold."""
        return self.condition.met(measures)


@dataclass(frozen=True)
class DisagreementRule:
    """A named pattern of two sources pointing to stages two or more apart."""

    id: str
    low: str
    high: str
    description: str


@dataclass(frozen=True)
class StageRules:
    """The stage scale, its rules and its disagreement patterns."""

    stages: tuple[str, ...]
    rules: tuple[StageRule, ...]
    disagreements: tuple[DisagreementRule, ...]

    def rank(self, stage: str) -> int:
        """Position of a stage on the scale (0 = remote)."""
        return self.stages.index(stage)


@dataclass(frozen=True)
class Reason:
    """A rule that fired, with the value it read."""

    rule: str
    source: str
    stage: str
    description: str
    measure: str
    value: float
    reference: str
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Disagreement:
    """Two sources that point to stages two or more apart."""

    id: str
    description: str
    stages: dict[str, str]


@dataclass(frozen=True)
class StageAssessment:
    """The fused stage with its reasons, per-source stages and disagreements."""

    stage: str
    reasons: list[Reason]
    source_stages: dict[str, str | None]
    disagreements: list[Disagreement]
    missing_sources: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@functools.cache
def packaged_stage_rules() -> StageRules:
    """The packaged stage rules, read and checked once per process (they are immutable)."""
    return load_stage_rules()


def load_stage_rules(path: str | Path | None = None) -> StageRules:
    """Read and check the stage rules (default: the packaged ``rules/stage.yaml``)."""
    if path is None:
        text = resources.files("backchannel").joinpath("data/rules/stage.yaml").read_text()
        source = "rules/stage.yaml"
    else:
        text, source = Path(path).read_text(encoding="utf-8"), str(path)
    document = yaml.safe_load(text)
    stages = tuple(document["stages"])
    problems: list[Problem] = []
    rules = []
    for index, entry in enumerate(document.get("rules", [])):
        where = f"rules[{index}]"
        for key in ("id", "source", "stage", "description", "condition", "reference"):
            if not entry.get(key):
                problems.append(Problem(f"{where}.{key}", "required and must not be empty"))
        if problems:
            continue
        if entry["source"] not in SOURCES:
            problems.append(Problem(f"{where}.source", f"expected one of {SOURCES}"))
        if entry["stage"] not in stages:
            problems.append(Problem(f"{where}.stage", f"expected one of {stages}"))
        condition = parse_threshold(entry["condition"], f"{where}.condition", problems)
        if condition is None:
            continue
        rules.append(
            StageRule(
                id=entry["id"],
                source=entry["source"],
                stage=entry["stage"],
                description=" ".join(str(entry["description"]).split()),
                condition=condition,
                reference=" ".join(str(entry["reference"]).split()),
            )
        )
    disagreements = [
        DisagreementRule(
            d["id"], d["when"]["low"], d["when"]["high"], " ".join(d["description"].split())
        )
        for d in document.get("disagreements", [])
    ]
    if problems:
        raise InvalidInputError(source, problems)
    return StageRules(stages, tuple(rules), tuple(disagreements))


def assess_stage(
    measures: dict[str, float | None],
    rules: StageRules,
    evidence: dict[str, list[str]] | None = None,
) -> StageAssessment:
    """Apply every rule to the measures; fuse into one stage; flag disagreements.

    ``measures`` holds each measure a rule may read (``None`` when that source has no
    data); ``evidence`` maps a measure to what backs it (event ids, judgement ids).
    """
    evidence = evidence or {}
    reasons = [
        Reason(
            rule.id,
            rule.source,
            rule.stage,
            rule.description,
            rule.measure,
            float(measures[rule.measure] or 0),
            rule.reference,
            evidence.get(rule.measure, []),
        )
        for rule in rules.rules
        if rule.fires(measures)
    ]
    source_stages: dict[str, str | None] = {}
    missing = []
    for source in SOURCES:
        source_measures = [r.measure for r in rules.rules if r.source == source]
        if all(measures.get(m) is None for m in source_measures):
            source_stages[source] = None
            missing.append(source)
            continue
        fired = [rules.rank(r.stage) for r in reasons if r.source == source]
        source_stages[source] = rules.stages[max(fired, default=0)]
    highest = max((rules.rank(r.stage) for r in reasons), default=0)
    disagreements = []
    for pattern in rules.disagreements:
        low, high = source_stages.get(pattern.low), source_stages.get(pattern.high)
        if low is not None and high is not None and rules.rank(high) - rules.rank(low) >= 2:
            disagreements.append(
                Disagreement(
                    pattern.id, pattern.description, {pattern.low: low, pattern.high: high}
                )
            )
    reasons.sort(key=lambda r: -rules.rank(r.stage))
    return StageAssessment(rules.stages[highest], reasons, source_stages, disagreements, missing)
