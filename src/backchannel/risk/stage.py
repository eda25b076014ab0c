"""One atrocity-risk stage from several sources, with its reasons and disagreements.

The rules are data (``data/rules/stage.yaml``): each reads measures of one source (the
structural forecast, event data, analysts' framework judgements, the UCDP record of armed
conflict) and, when all the clauses of its ``when`` hold (``rulefiles.clauses``), places
the case at least at its stage. The case's stage is the highest stage any rule reaches.

A source whose measures are all missing has no stage: the caller leaves out the measures
of a source whose data are inadequate (event data that do not cover the country, too few
framework judgements), so thin data are never read as no risk. When no rule fires, the
case is remote only if a source the file names in ``remote_needs`` has adequate data;
otherwise its stage is unknown (``None``). Each source gets its own stage; where two
sources differ by two or more stages, the matching disagreement is reported, because a
mediator must see exactly when, say, a quiet structural forecast meets escalating violence.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backchannel.errors import Problem
from backchannel.rulefiles.clauses import Clause, MeasuredWhen, ReadsMeasures, evaluate
from backchannel.rulefiles.yaml_source import YamlDocument, read_rule_file

SOURCES = ("structural", "events", "framework", "conflict")
PACKAGED_RULES = "data/rules/stage.yaml"


@dataclass(frozen=True)
class StageRule(ReadsMeasures):
    """Clauses on measures of one source that, when all hold, place a case at a stage."""

    id: str
    source: str
    stage: str
    description: str
    when: tuple[Clause, ...]
    reference: str

    def fires(self, measures: Mapping[str, float | None]) -> bool:
        """Whether every clause holds (a measure that is missing fails its clause)."""
        return evaluate(self.when, measures).holds


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
    remote_needs: tuple[str, ...] = ("events", "framework")
    framework_min_judged: int = 8

    def rank(self, stage: str) -> int:
        """Position of a stage on the scale (0 = remote)."""
        return self.stages.index(stage)


@dataclass(frozen=True)
class Reason:
    """A rule that fired, with the value it read.

    ``measure`` and ``value`` are those of the rule's first clause; ``inputs`` holds every
    measure the rule read with its value, and ``evidence`` what backs any of them.
    """

    rule: str
    source: str
    stage: str
    description: str
    measure: str
    value: float
    reference: str
    evidence: list[str] = field(default_factory=list)
    inputs: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Disagreement:
    """Two sources that point to stages two or more apart."""

    id: str
    description: str
    stages: dict[str, str]


@dataclass(frozen=True)
class StageAssessment:
    """The fused stage (``None``: unknown) with its reasons, per-source stages,
    disagreements, and why each missing source is missing."""

    stage: str | None
    reasons: list[Reason]
    source_stages: dict[str, str | None]
    disagreements: list[Disagreement]
    missing_sources: list[str]
    source_notes: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


# --- the file's shape -----------------------------------------------------------------

Text = Annotated[str, StringConstraints(min_length=1)]
Source = Literal["structural", "events", "framework", "conflict"]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _RuleEntry(_Entry):
    id: Text
    source: Source
    stage: Text
    description: Text
    when: MeasuredWhen
    reference: Text


class _SourcePair(_Entry):
    low: Source
    high: Source


class _DisagreementEntry(_Entry):
    id: Text
    when: _SourcePair
    description: Text


class _RemoteNeeds(_Entry):
    sources: list[Source] = Field(min_length=1)
    basis: Text


class _Number(_Entry):
    value: float
    basis: Text


class _Adequacy(_Entry):
    framework_min_judged: _Number


class _StageFile(_Entry):
    stages: list[Text] = Field(min_length=1)
    remote_needs: _RemoteNeeds
    adequacy: _Adequacy
    rules: list[_RuleEntry] = Field(default_factory=list)
    disagreements: list[_DisagreementEntry] = Field(default_factory=list)


@functools.cache
def packaged_stage_rules() -> StageRules:
    """The packaged stage rules, read and checked once per process (they are immutable)."""
    return load_stage_rules()


def load_stage_rules(path: str | Path | None = None) -> StageRules:
    """Read and check the stage rules (default: the packaged ``rules/stage.yaml``).

    Raises ``InvalidInputError`` naming the file and every problem with its path and line:
    the file's shape first, then stages and ids that do not add up.
    """
    document = read_rule_file(path, PACKAGED_RULES)
    content = document.validate(_StageFile)
    problems = [
        *_repeated(document, "stages", content.stages),
        *_repeated(document, "rules", [rule.id for rule in content.rules], ".id"),
        *_repeated(document, "disagreements", [d.id for d in content.disagreements], ".id"),
    ]
    for index, entry in enumerate(content.rules):
        if entry.stage not in content.stages:
            problems.append(
                document.problem(
                    f"rules[{index}].stage",
                    f"expected one of {content.stages}, got {entry.stage!r}",
                )
            )
    if problems:
        document.refuse(problems)
    rules = tuple(
        StageRule(
            id=entry.id,
            source=entry.source,
            stage=entry.stage,
            description=_tidy(entry.description),
            when=tuple(entry.when),
            reference=_tidy(entry.reference),
        )
        for entry in content.rules
    )
    disagreements = tuple(
        DisagreementRule(d.id, d.when.low, d.when.high, _tidy(d.description))
        for d in content.disagreements
    )
    return StageRules(
        tuple(content.stages),
        rules,
        disagreements,
        tuple(content.remote_needs.sources),
        int(content.adequacy.framework_min_judged.value),
    )


def _repeated(
    document: YamlDocument, section: str, values: list[str], key: str = ""
) -> list[Problem]:
    """A problem at every value of ``section`` that an earlier entry already used."""
    seen: set[str] = set()
    problems = []
    for index, value in enumerate(values):
        if value in seen:
            problems.append(document.problem(f"{section}[{index}]{key}", f"{value!r} repeats"))
        seen.add(value)
    return problems


def _tidy(text: str) -> str:
    return " ".join(text.split())


def evidence_behind(evidence: Mapping[str, list[str]], measures: Iterable[str]) -> list[str]:
    """What backs the measures, each item once, the first measure's items first."""
    return list(dict.fromkeys(item for m in measures for item in evidence.get(m, [])))


def assess_stage(
    measures: dict[str, float | None],
    rules: StageRules,
    evidence: dict[str, list[str]] | None = None,
    source_notes: Mapping[str, str] | None = None,
) -> StageAssessment:
    """Apply every rule to the measures; fuse into one stage; flag disagreements.

    ``measures`` holds each measure a rule may read (``None`` when that source has no
    adequate data); ``evidence`` maps a measure to what backs it (event ids, judgement
    ids); ``source_notes`` says why a source's data were left out.
    """
    evidence = evidence or {}
    reasons = []
    for rule in rules.rules:
        result = evaluate(rule.when, measures)
        if result.holds:
            reasons.append(
                Reason(
                    rule.id,
                    rule.source,
                    rule.stage,
                    rule.description,
                    rule.measure,
                    float(measures.get(rule.measure) or 0),
                    rule.reference,
                    evidence_behind(evidence, rule.measures),
                    dict(result.read),
                )
            )
    source_stages: dict[str, str | None] = {}
    missing = []
    for source in SOURCES:
        source_measures = [m for r in rules.rules if r.source == source for m in r.measures]
        if all(measures.get(m) is None for m in source_measures):
            source_stages[source] = None
            missing.append(source)
            continue
        fired = [rules.rank(r.stage) for r in reasons if r.source == source]
        source_stages[source] = rules.stages[max(fired, default=0)]
    fused: str | None
    if reasons:
        fused = rules.stages[max(rules.rank(r.stage) for r in reasons)]
    elif any(source_stages.get(source) is not None for source in rules.remote_needs):
        fused = rules.stages[0]
    else:
        fused = None
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
    notes = {k: v for k, v in (source_notes or {}).items() if k in missing}
    return StageAssessment(fused, reasons, source_stages, disagreements, missing, notes)
