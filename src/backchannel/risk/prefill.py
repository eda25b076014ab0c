"""Machine-suggested framework judgements, from the data that speak to an indicator.

The rules are data (``data/rules/prefill.yaml``), each naming the UN Framework indicator
it informs, the clauses on measures that must all hold (``rulefiles.clauses``), and the
source of its thresholds. A rule
that fires yields a judgement with ``origin: machine`` by the analyst ``backchannel``;
the roll-up shows it beside its factor and counts it nowhere until an analyst records a
judgement that ``reviews`` it (see ``risk/factors.py``). Suggestions are deterministic:
the same data and date give the same ids, so a suggestion pasted into a case file and
later recomputed is recognised as the same one.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationInfo, field_validator

from backchannel.model.case import FRAMEWORK_PREFIX, Judgement
from backchannel.model.vocabulary import Confidence, Finding, JudgementOrigin
from backchannel.risk.framework import Framework, load_framework
from backchannel.risk.stage import evidence_behind
from backchannel.rulefiles.clauses import Clause, MeasuredWhen, ReadsMeasures, evaluate
from backchannel.rulefiles.yaml_source import read_rule_file

#: The analyst name machine suggestions carry.
MACHINE_ANALYST = "backchannel"
#: Event ids quoted per suggestion: enough to open the worst cases, not the whole record.
EVENTS_QUOTED = 20
PACKAGED_RULES = "data/rules/prefill.yaml"
#: Validation context key: the indicator ids a rule may name.
_INDICATORS = "indicators"


@dataclass(frozen=True)
class PrefillRule(ReadsMeasures):
    """When every clause of ``when`` holds, suggest that ``indicator`` is present."""

    id: str
    indicator: str
    when: tuple[Clause, ...]
    finding: str
    reference: str


Text = Annotated[str, StringConstraints(min_length=1)]


class _RuleEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Text
    indicator: Text
    when: MeasuredWhen
    finding: Text
    reference: Text

    @field_validator("indicator")
    @classmethod
    def _known_indicator(cls, value: str, info: ValidationInfo) -> str:
        # checked here rather than after validation, so that it is reported together with
        # every other problem of the file
        known = (info.context or {}).get(_INDICATORS)
        if known is not None and value not in known:
            raise ValueError("not a UN Framework indicator")
        return value


class _PrefillFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[_RuleEntry]


@functools.cache
def packaged_prefill_rules() -> tuple[PrefillRule, ...]:
    """The packaged pre-fill rules, read and checked once per process (immutable)."""
    return load_prefill_rules()


def load_prefill_rules(
    path: str | Path | None = None, framework: Framework | None = None
) -> tuple[PrefillRule, ...]:
    """Read and check the pre-fill rules; every indicator must exist in the framework.

    Raises ``InvalidInputError`` naming the file and every problem with its path and line.
    """
    document = read_rule_file(path, PACKAGED_RULES)
    framework = framework or load_framework()
    indicators = frozenset(i.id for i in framework.indicators)
    content = document.validate(_PrefillFile, context={_INDICATORS: indicators})
    problems = []
    seen: set[str] = set()
    for index, entry in enumerate(content.rules):
        if entry.id in seen:
            problems.append(document.problem(f"rules[{index}].id", f"{entry.id!r} repeats"))
        seen.add(entry.id)
    if problems:
        document.refuse(problems)
    return tuple(
        PrefillRule(
            id=entry.id,
            indicator=entry.indicator,
            when=tuple(entry.when),
            finding=" ".join(entry.finding.split()),
            reference=" ".join(entry.reference.split()),
        )
        for entry in content.rules
    )


def suggest_judgements(
    measures: dict[str, float | None],
    evidence: dict[str, list[str]],
    as_of: dt.date,
    rules: tuple[PrefillRule, ...] | None = None,
) -> list[Judgement]:
    """The machine suggestions the data support on ``as_of``.

    ``evidence`` maps a measure to the event ids behind it; each suggestion quotes up to
    ``EVENTS_QUOTED`` of them. Measures from yearly data (``ewp_*``) describe the year
    before ``as_of``, the last one complete on that day.
    """
    suggestions = []
    fields: dict[str, Any] = {"as_of": as_of.isoformat(), "base_year": as_of.year - 1}
    for rule in rules if rules is not None else packaged_prefill_rules():
        if not evaluate(rule.when, measures).holds:
            continue
        value = measures[rule.measure]
        suggestions.append(
            Judgement(
                id=f"suggested-{rule.id}-{as_of:%Y%m%d}",
                analyst=MACHINE_ANALYST,
                at=dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC),
                subject=f"{FRAMEWORK_PREFIX}{rule.indicator}",
                status=Finding.PRESENT,
                finding=rule.finding.format(value=value, **fields),
                confidence=Confidence.MEDIUM,
                evidence=f"Rule {rule.id}: {rule.reference}",
                observed=as_of,
                events=evidence_behind(evidence, rule.measures)[:EVENTS_QUOTED],
                origin=JudgementOrigin.MACHINE,
            )
        )
    return suggestions
