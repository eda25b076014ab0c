"""Machine-suggested framework judgements, from the data that speak to an indicator.

The rules are data (``data/rules/prefill.yaml``), each naming the UN Framework indicator
it informs, the measure and threshold it reads, and the source of that threshold. A rule
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
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from backchannel.errors import InvalidInputError, Problem
from backchannel.model.case import FRAMEWORK_PREFIX, Judgement
from backchannel.model.vocabulary import Confidence, Finding, JudgementOrigin
from backchannel.risk.framework import Framework, load_framework
from backchannel.risk.thresholds import Threshold, parse_threshold

#: The analyst name machine suggestions carry.
MACHINE_ANALYST = "backchannel"
#: Event ids quoted per suggestion: enough to open the worst cases, not the whole record.
EVENTS_QUOTED = 20
PACKAGED_RULES = "data/rules/prefill.yaml"


@dataclass(frozen=True)
class PrefillRule:
    """When ``condition`` holds, suggest that ``indicator`` is present."""

    id: str
    indicator: str
    condition: Threshold
    finding: str
    reference: str


@functools.cache
def packaged_prefill_rules() -> tuple[PrefillRule, ...]:
    """The packaged pre-fill rules, read and checked once per process (immutable)."""
    return load_prefill_rules()


def load_prefill_rules(
    path: str | Path | None = None, framework: Framework | None = None
) -> tuple[PrefillRule, ...]:
    """Read and check the pre-fill rules; every indicator must exist in the framework."""
    if path is None:
        text = resources.files("backchannel").joinpath(PACKAGED_RULES).read_text("utf-8")
        source = PACKAGED_RULES
    else:
        text, source = Path(path).read_text(encoding="utf-8"), str(path)
    document = yaml.safe_load(text)
    framework = framework or load_framework()
    indicators = {i.id for i in framework.indicators}
    problems: list[Problem] = []
    rules = []
    entries = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise InvalidInputError(source, [Problem("rules", "expected a list of rules")])
    for index, entry in enumerate(entries):
        where = f"rules[{index}]"
        missing = [
            key
            for key in ("id", "indicator", "condition", "finding", "reference")
            if not isinstance(entry, dict) or not entry.get(key)
        ]
        if missing:
            problems.append(Problem(where, f"missing or empty: {', '.join(missing)}"))
            continue
        if entry["indicator"] not in indicators:
            problems.append(
                Problem(
                    f"{where}.indicator", f"{entry['indicator']!r} is not a UN Framework indicator"
                )
            )
            continue
        condition = parse_threshold(entry["condition"], f"{where}.condition", problems)
        if condition is not None:
            rules.append(
                PrefillRule(
                    id=entry["id"],
                    indicator=entry["indicator"],
                    condition=condition,
                    finding=" ".join(str(entry["finding"]).split()),
                    reference=" ".join(str(entry["reference"]).split()),
                )
            )
    if problems:
        raise InvalidInputError(source, problems)
    return tuple(rules)


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
        if not rule.condition.met(measures):
            continue
        value = measures[rule.condition.measure]
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
                events=evidence.get(rule.condition.measure, [])[:EVENTS_QUOTED],
                origin=JudgementOrigin.MACHINE,
            )
        )
    return suggestions
