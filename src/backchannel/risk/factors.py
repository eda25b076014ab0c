"""Roll-up of framework judgements into the 14 risk factors of the UN Framework.

A judgement concerns the framework when its subject is ``framework:<factor id>`` or
``framework:<indicator id>`` (``framework:rf8`` or ``framework:rf8.3``); its ``status``
says present, absent or unknown. The roll-up rule, stated once:

1. Judgements dated after the assessment date are set aside (and listed as such): an
   assessment "as of" a day uses only what was known that day.
2. Machine-suggested judgements do not count. They are shown beside the factor until an
   analyst reviews them; the analyst's review is an ordinary judgement and counts.
3. For each subject (indicator, or the factor as a whole) and each analyst, the latest
   judgement counts: judgements are append-only, so a change of mind is a later record.
   Two judgements by one analyst on one subject at the same moment with different statuses
   are contradictory and rejected (``contradictions``).
4. A subject is ``present`` if any analyst's latest judgement says present, ``absent`` if
   all say absent, ``unknown`` otherwise. It is ``contested`` when one analyst says present
   and another absent: the case then rests on the present finding, and the brief shows the
   dissent, because a missed risk costs more than a false alarm.
5. A factor takes the same rule over all its subjects, ``not_assessed`` when none has a
   counted judgement; its severity is the highest severity among present judgements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from backchannel.errors import InvalidInputError, Problem
from backchannel.model.case import FRAMEWORK_PREFIX, Judgement
from backchannel.model.vocabulary import Finding, JudgementOrigin
from backchannel.risk.framework import Framework

TRIGGERING_FACTOR = "rf8"
COMMON_FACTORS_FOR_TRIGGER = 4
#: The armed-conflict factor, and the severity analysts give a factor they judge serious.
ARMED_CONFLICT_FACTOR = "rf1"
HIGHEST_SEVERITY = 3
NOT_ASSESSED = "not_assessed"


def framework_subject(judgement: Judgement) -> str | None:
    """The factor or indicator id a judgement is on, or ``None`` for other subjects."""
    if not judgement.subject.startswith(FRAMEWORK_PREFIX):
        return None
    return judgement.subject.removeprefix(FRAMEWORK_PREFIX)


def factor_of(subject: str) -> str:
    """The factor id of a factor or indicator id (``rf8.3`` -> ``rf8``)."""
    return subject.split(".", maxsplit=1)[0]


def judgement_problems(framework: Framework, judgements: Iterable[Judgement]) -> list[Problem]:
    """Framework judgements on ids the framework does not know, and contradictory pairs.

    Locations are ``judgements[i].subject`` so the case-file loader can point at the line.
    """
    problems = []
    known = {f.id for f in framework} | {i.id for i in framework.indicators}
    seen: dict[tuple[str, str, dt.datetime], tuple[int, Judgement]] = {}
    for position, judgement in enumerate(judgements):
        subject = framework_subject(judgement)
        if subject is None:
            continue
        if subject not in known:
            hint = _known_ids_hint(framework, factor_of(subject))
            problems.append(
                Problem(
                    f"judgements[{position}].subject",
                    f"{subject!r} is not a factor or indicator of the UN Framework ({hint})",
                )
            )
            continue
        if judgement.origin is JudgementOrigin.MACHINE:
            continue
        key = (subject, judgement.analyst, judgement.at)
        earlier = seen.get(key)
        if earlier is not None and earlier[1].status != judgement.status:
            problems.append(
                Problem(
                    f"judgements[{position}].status",
                    f"contradicts judgements[{earlier[0]}] ({earlier[1].id!r}): "
                    f"{judgement.analyst!r} judged {subject} both {earlier[1].status} and "
                    f"{judgement.status} at {judgement.at.isoformat()}; record the later "
                    "view with a later time",
                )
            )
        seen.setdefault(key, (position, judgement))
    return problems


def _known_ids_hint(framework: Framework, factor_id: str) -> str:
    factors = [f.id for f in framework]
    if factor_id not in factors:
        return f"factors are {factors[0]} to {factors[-1]}"
    indicators = [i.id for i in framework.factor(factor_id).indicators]
    return f"{factor_id} has indicators {indicators[0]} to {indicators[-1]}"


@dataclass(frozen=True)
class JudgementView:
    """What the roll-up shows of one judgement (its sensitive evidence stays out)."""

    id: str
    subject: str
    analyst: str
    at: str
    status: str
    severity: int | None
    confidence: str
    finding: str
    observed: str | None
    events: list[str]
    origin: str
    reviews: str | None

    @classmethod
    def of(cls, judgement: Judgement) -> JudgementView:
        """The view of a judgement."""
        return cls(
            id=judgement.id,
            subject=framework_subject(judgement) or judgement.subject,
            analyst=judgement.analyst,
            at=judgement.at.isoformat(),
            status=judgement.status.value if judgement.status else Finding.UNKNOWN.value,
            severity=judgement.severity,
            confidence=judgement.confidence.value,
            finding=judgement.finding,
            observed=judgement.observed.isoformat() if judgement.observed else None,
            events=list(judgement.events),
            origin=judgement.origin.value,
            reviews=judgement.reviews,
        )


@dataclass(frozen=True)
class SubjectRollUp:
    """One indicator (or the factor as a whole) with the judgements that count for it."""

    id: str
    status: str
    contested: bool
    judgements: list[JudgementView]


@dataclass(frozen=True)
class FactorRollUp:
    """One factor's status from the judgements on it and its indicators."""

    id: str
    number: int
    name: str
    category: str
    status: str
    severity: int | None
    contested: bool
    judgements: list[str] = field(default_factory=list)
    indicators: list[SubjectRollUp] = field(default_factory=list)
    suggestions: list[JudgementView] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class FrameworkRollUp:
    """The 14 factors, and the judgements the assessment date set aside."""

    factors: list[FactorRollUp]
    set_aside: list[str]

    def factor(self, factor_id: str) -> FactorRollUp:
        """The roll-up of one factor; ``KeyError`` if the id is not a factor."""
        for factor in self.factors:
            if factor.id == factor_id:
                return factor
        raise KeyError(factor_id)


def _combine(statuses: list[Finding]) -> str:
    if not statuses:
        return NOT_ASSESSED
    if Finding.PRESENT in statuses:
        return Finding.PRESENT.value
    if all(s is Finding.ABSENT for s in statuses):
        return Finding.ABSENT.value
    return Finding.UNKNOWN.value


def _contested(latest: list[Judgement]) -> bool:
    statuses = {j.status for j in latest}
    return Finding.PRESENT in statuses and Finding.ABSENT in statuses


def roll_up(
    framework: Framework,
    judgements: Iterable[Judgement],
    as_of: dt.date | None = None,
    suggestions: Iterable[Judgement] = (),
) -> FrameworkRollUp:
    """The 14 factors by the rule in the module docstring.

    ``suggestions`` are machine suggestions computed from data for this assessment; those
    not already recorded in the case and not yet reviewed are shown beside their factor.
    Raises ``InvalidInputError`` for unknown ids or contradictory judgements.
    """
    judgements = list(judgements)
    problems = judgement_problems(framework, judgements)
    if problems:
        raise InvalidInputError("framework judgements", problems)
    on_framework = [j for j in judgements if framework_subject(j) is not None]
    set_aside = sorted(j.id for j in on_framework if as_of is not None and j.at.date() > as_of)
    known = [j for j in on_framework if j.id not in set(set_aside)]
    reviewed = {j.reviews for j in known if j.reviews is not None}
    recorded_ids = {j.id for j in judgements}
    pending = [j for j in known if j.origin is JudgementOrigin.MACHINE and j.id not in reviewed] + [
        s for s in suggestions if s.id not in recorded_ids and s.id not in reviewed
    ]
    latest: dict[tuple[str, str], Judgement] = {}
    for judgement in known:
        if judgement.origin is JudgementOrigin.MACHINE:
            continue
        key = (framework_subject(judgement) or "", judgement.analyst)
        if key not in latest or judgement.at > latest[key].at:
            latest[key] = judgement
    factors = []
    for factor in framework:
        own = [j for (subject, _), j in latest.items() if factor_of(subject) == factor.id]
        subjects = sorted({framework_subject(j) or "" for j in own}, key=framework.subject_order)
        indicators = []
        for subject in subjects:
            counted = [j for j in own if framework_subject(j) == subject]
            indicators.append(
                SubjectRollUp(
                    id=subject,
                    status=_combine([j.status for j in counted if j.status]),
                    contested=_contested(counted),
                    judgements=[JudgementView.of(j) for j in sorted(counted, key=_by_time)],
                )
            )
        severities = [
            j.severity for j in own if j.status is Finding.PRESENT and j.severity is not None
        ]
        factors.append(
            FactorRollUp(
                id=factor.id,
                number=factor.number,
                name=factor.name,
                category=factor.category,
                status=_combine([j.status for j in own if j.status]),
                severity=max(severities) if severities else None,
                contested=any(i.contested for i in indicators),
                judgements=sorted(j.id for j in own),
                indicators=indicators,
                suggestions=[
                    JudgementView.of(s)
                    for s in sorted(pending, key=_by_time)
                    if factor_of(framework_subject(s) or "") == factor.id
                ],
            )
        )
    return FrameworkRollUp(factors, set_aside)


def _by_time(judgement: Judgement) -> tuple[dt.datetime, str]:
    return judgement.at, judgement.id


def framework_measures(rolled: FrameworkRollUp) -> dict[str, float | None]:
    """The measures the stage rules read from the roll-up (none when nothing was assessed)."""
    factors = rolled.factors
    if all(f.status == NOT_ASSESSED for f in factors):
        return {}
    present = {f.id for f in factors if f.status == Finding.PRESENT.value}
    common_present = {f.id for f in factors if f.category == "common" and f.id in present}
    trigger = TRIGGERING_FACTOR in present and len(common_present - {TRIGGERING_FACTOR}) >= (
        COMMON_FACTORS_FOR_TRIGGER
    )
    # Crime-specific factors (10-14) judged present at the highest severity during an armed
    # conflict: the analysts see the specific crimes within reach, not only the conditions.
    specific_severe = [
        f.id
        for f in factors
        if f.category != "common" and f.id in present and f.severity == HIGHEST_SEVERITY
    ]
    return {
        "framework_factors_present": float(len(present)),
        "framework_armed_conflict": 1.0 if ARMED_CONFLICT_FACTOR in present else 0.0,
        "framework_trigger_with_factors": 1.0 if trigger else 0.0,
        "framework_specific_severe_in_conflict": (
            float(len(specific_severe)) if ARMED_CONFLICT_FACTOR in present else 0.0
        ),
    }
