"""Conditions for dialogue and our own readiness, read so that unknown stays unknown.

Each condition of ``conditions.yaml`` gets a level (in place, partial, lacking, unknown),
the basis of that level (analyst, data, none), its score where one exists, and, when it is
not in place, the action that would settle it:

- analysts decide when they have judged it (``condition:<id>`` or an alias): the latest
  judgement of each analyst up to the assessment date counts, and the most cautious one
  (highest severity) wins, so one analyst's warning is never averaged away. Severity 0-3
  says how much the condition is a problem: score = 1 - severity / 3;
- otherwise the data signals may *lower* it: a data reading below the in-place line makes
  the condition partial or lacking. Data may *raise* it to in place only through a direct
  signal, evidence of our own organisation (a working channel of ours with a recent
  contact, the trust recorded on our own tie, the mandate on record, the case's own red
  lines); a favourable reading from any other data
  leaves the condition unknown, with that reading shown, until an analyst judges it;
- otherwise the condition is unknown, and its gap action is listed.

A signal marked ``caps`` (signals.yaml) sets the most the condition can read, whatever the
basis: a legal clearance resting on a stale or undated designation list is at most partial,
even when an analyst judged it in place. The reading then says it was capped and its action
opens with the reason.

Machine-suggested judgements never count. Where an analyst's level and the data's differ
by two levels (in place against lacking), the reading is marked contested, so the decision
can ask for the two to be reconciled.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean

from pydantic import BaseModel, ConfigDict

from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.rules import Citation, ConditionRule, ConditionRules, LevelLines
from backchannel.dialogue.signals import SIGNALS, Signal, SignalRules
from backchannel.model.case import Judgement
from backchannel.model.vocabulary import JudgementOrigin

CONDITION_PREFIX = "condition:"
MAX_SEVERITY = 3
#: Levels in order of how much they allow.
LEVEL_ORDER = ("lacking", "partial", "in_place")


def level_of(score: float | None, lines: LevelLines) -> str:
    """The level a score reads as on the file's lines."""
    if score is None:
        return "unknown"
    if score >= lines.in_place:
        return "in_place"
    if score >= lines.partial:
        return "partial"
    return "lacking"


class JudgementUsed(BaseModel):
    """An analyst judgement a condition reading rests on (its evidence text stays sealed)."""

    model_config = ConfigDict(frozen=True)

    id: str
    analyst: str
    at: str
    severity: int | None
    finding: str


class ConditionReading(BaseModel):
    """One condition's level, basis, evidence and, when not in place, the action."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    short: str | None
    settle_as: str | None
    group: str
    critical: bool
    score: float | None
    level: str  # in_place | partial | lacking | unknown
    basis: str  # analyst | data | none
    data_score: float | None
    data_level: str  # what the data alone say, "in_place" included
    favourable_data_only: bool
    contested: bool
    judgements: list[JudgementUsed]
    signals: list[Signal]
    action: str | None
    description: str
    sources: list[Citation]
    capped_by: list[str] = []


def read_condition(
    rule: ConditionRule,
    inputs: StrategyInputs,
    signal_rules: SignalRules,
    lines: LevelLines,
) -> ConditionReading:
    """Read one condition: analysts decide; data may lower it; only our own evidence raises."""
    signals = [
        signal
        for name in rule.signals
        if (signal := SIGNALS[name](inputs, signal_rules.rule(name))) is not None
    ]
    data_score: float | None = None
    if signals:
        scores = [s.score for s in signals]
        data_score = min(scores) if rule.combine == "weakest" else fmean(scores)
    data_level = level_of(data_score, lines)
    used = _counted_judgements(rule, inputs)
    severities = [j.severity for j in used if j.severity is not None]
    favourable_only = False
    if severities:
        score: float | None = 1.0 - max(severities) / MAX_SEVERITY
        basis = "analyst"
    elif (data_score is not None and data_level != "in_place") or (
        data_score is not None and any(s.direct and s.score >= lines.in_place for s in signals)
    ):
        score, basis = data_score, "data"
    else:
        score, basis = None, "none"
        favourable_only = data_score is not None
    score, capped_by = _capped(score, signals)
    level = level_of(score, lines)
    contested = (
        basis == "analyst"
        and data_level != "unknown"
        and abs(LEVEL_ORDER.index(level) - LEVEL_ORDER.index(data_level)) >= 2
    )
    return ConditionReading(
        id=rule.id,
        name=rule.name,
        short=rule.short,
        settle_as=rule.settle_as,
        group=rule.group,
        critical=rule.critical,
        score=None if score is None else round(score, 2),
        level=level,
        basis=basis,
        data_score=None if data_score is None else round(data_score, 2),
        data_level=data_level,
        favourable_data_only=favourable_only,
        contested=contested,
        judgements=list(used),
        signals=signals,
        action=None if level == "in_place" and not contested else _action(rule, signals),
        description=" ".join(rule.description.split()),
        sources=list(rule.sources),
        capped_by=capped_by,
    )


def _capped(score: float | None, signals: Sequence[Signal]) -> tuple[float | None, list[str]]:
    """The score held to the lowest capping signal, and the signals that held it down.

    An unknown score stays unknown: a cap says how far a condition may go, not where it is.
    """
    ceilings = [s for s in signals if s.caps]
    if score is None or not ceilings:
        return score, []
    ceiling = min(s.score for s in ceilings)
    if score <= ceiling:
        return score, []
    return ceiling, [s.signal for s in ceilings if s.score < score]


def _action(rule: ConditionRule, signals: Sequence[Signal]) -> str:
    """The rule's gap action, opened by the reason of any capping signal, so that whoever
    settles the condition sees first what holds it down."""
    reasons = [s.reason or s.text for s in signals if s.caps]
    return " ".join([*reasons, " ".join(rule.gap_action.split())])


def _counted_judgements(rule: ConditionRule, inputs: StrategyInputs) -> tuple[JudgementUsed, ...]:
    """The latest analyst judgement of each analyst on the condition, up to ``as_of``."""
    subjects = {CONDITION_PREFIX + name for name in (rule.id, *rule.aliases)}
    latest: dict[str, Judgement] = {}
    for judgement in inputs.case.judgements:
        if (
            judgement.subject in subjects
            and judgement.origin is JudgementOrigin.ANALYST
            and judgement.at.date() <= inputs.as_of
        ):
            held = latest.get(judgement.analyst)
            if held is None or (judgement.at, judgement.id) > (held.at, held.id):
                latest[judgement.analyst] = judgement
    return tuple(
        JudgementUsed(
            id=j.id,
            analyst=j.analyst,
            at=j.at.isoformat(),
            severity=j.severity,
            finding=" ".join(j.finding.split()),
        )
        for j in sorted(latest.values(), key=lambda j: (j.at, j.id))
    )


class GroupReadiness(BaseModel):
    """The readiness of one group of conditions: the mean of the known ones, and how many."""

    model_config = ConfigDict(frozen=True)

    group: str
    label: str
    score: float | None
    level: str
    known: int
    total: int


class GapAction(BaseModel):
    """What to do about a condition that is not in place."""

    model_config = ConfigDict(frozen=True)

    condition: str
    name: str
    level: str
    critical: bool
    action: str


class Readiness(BaseModel):
    """Every condition read, the three groups, and the actions the gaps call for."""

    model_config = ConfigDict(frozen=True)

    groups: dict[str, GroupReadiness]
    known_share: float
    conditions: list[ConditionReading]
    actions: list[GapAction]

    def condition(self, condition_id: str) -> ConditionReading:
        """One condition's reading."""
        for reading in self.conditions:
            if reading.id == condition_id:
                return reading
        raise KeyError(condition_id)


def assess_readiness(
    rules: ConditionRules, signal_rules: SignalRules, inputs: StrategyInputs
) -> Readiness:
    """Read every condition and sum up each group."""
    readings = [
        read_condition(rule, inputs, signal_rules, rules.levels) for rule in rules.conditions
    ]
    groups = {
        group: _group(group, label, readings, rules.levels) for group, label in rules.groups.items()
    }
    # our own readiness is judged by the team and reported apart, so it does not hide how
    # much is known of the counterpart and the situation
    outside = [c for c in readings if c.group != "own"]
    known_share = sum(c.level != "unknown" for c in outside) / len(outside) if outside else 0.0
    return Readiness(
        groups=groups,
        known_share=round(known_share, 2),
        conditions=readings,
        actions=_actions(readings),
    )


def _group(
    group: str, label: str, readings: Sequence[ConditionReading], lines: LevelLines
) -> GroupReadiness:
    members = [r for r in readings if r.group == group]
    known = [r.score for r in members if r.score is not None]
    score = fmean(known) if known else None
    return GroupReadiness(
        group=group,
        label=label,
        score=None if score is None else round(score, 2),
        level=level_of(score, lines),
        known=len(known),
        total=len(members),
    )


def _actions(readings: Sequence[ConditionReading]) -> list[GapAction]:
    """Gap actions, critical lacking first, then critical unknown, then the others."""
    order = {"lacking": 0, "unknown": 1, "partial": 2, "in_place": 3}
    pending = [c for c in readings if c.action is not None]
    pending.sort(key=lambda c: (not c.critical, order[c.level]))
    return [
        GapAction(
            condition=c.id, name=c.name, level=c.level, critical=c.critical, action=c.action or ""
        )
        for c in pending
    ]
