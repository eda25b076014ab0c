"""Legal clearance of the planned engagement, activity by activity.

Each planned activity gets one verdict over every designated counterpart and every
jurisdiction screened: the worst exposure level found, with where it arises. A counterpart
that no list designates leaves an activity permitted as far as the lists screened go; an
activity whose decisive designation was not screened stays unknown. The split is what the
decision page shows ("meeting: permitted; delivering humanitarian supplies: prohibited
(US)"), and its worst verdict is what the legal-clearance condition reads. Not legal advice.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, computed_field

from backchannel.screening.case_screening import ActorScreening, CaseScreening

#: Exposure levels from best to worst; ``unknown`` is kept apart (it is not a level of risk
#: but a gap in what was screened).
ORDER = ("permitted", "exposed", "licence_needed", "prohibited")


class ActivityVerdict(BaseModel):
    """One planned activity: its worst level, where it arises, and whether it was known."""

    model_config = ConfigDict(frozen=True)

    activity: str
    level: str  # permitted | exposed | licence_needed | prohibited | unknown
    where: list[str]
    designated: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """``delivering humanitarian supplies: prohibited (US)``; with no counterpart
        designated, ``meeting: no designation found`` (the lists screened say no more)."""
        activity = self.activity.replace("_", " ")
        if not self.designated:
            return f"{activity}: no designation found"
        where = f" ({', '.join(self.where)})" if self.where and self.level != "permitted" else ""
        return f"{activity}: {self.level.replace('_', ' ')}{where}"


def designated_counterparts(
    screening: CaseScreening, counterparts: Sequence[str]
) -> list[ActorScreening]:
    """The counterparts the screening found designated (hits and designations in force)."""
    return [
        a
        for a in screening.actors
        if a.actor in counterparts and a.hits and a.exposure and a.exposure.designations
    ]


def activity_verdicts(
    screening: CaseScreening, counterparts: Sequence[str]
) -> list[ActivityVerdict]:
    """One verdict per planned activity, in the order the activities were planned."""
    designated = designated_counterparts(screening, counterparts)
    verdicts = []
    for activity in screening.activities:
        if not designated:
            verdicts.append(
                ActivityVerdict(activity=activity, level="permitted", where=[], designated=False)
            )
            continue
        worst: str | None = None
        where: list[str] = []
        unknown: list[str] = []
        for actor in designated:
            assert actor.exposure is not None  # designated_counterparts keeps only these
            for cell in actor.exposure.cells:
                if cell.activity != activity:
                    continue
                level = cell.level.value
                if level not in ORDER:
                    unknown.append(cell.jurisdiction)
                    continue
                if worst is None or ORDER.index(level) > ORDER.index(worst):
                    worst, where = level, [cell.jurisdiction]
                elif level == worst and cell.jurisdiction not in where:
                    where.append(cell.jurisdiction)
        if worst in (None, "permitted") and unknown:
            verdicts.append(
                ActivityVerdict(
                    activity=activity, level="unknown", where=sorted(set(unknown)), designated=True
                )
            )
        else:
            verdicts.append(
                ActivityVerdict(
                    activity=activity, level=worst or "unknown", where=where, designated=True
                )
            )
    return verdicts


def worst_verdict(verdicts: Sequence[ActivityVerdict]) -> ActivityVerdict | None:
    """The verdict that decides clearance: the worst known level, else an unknown one."""
    known = [v for v in verdicts if v.level in ORDER]
    if known:
        worst = max(known, key=lambda v: ORDER.index(v.level))
        if worst.level != "permitted":
            return worst
    unknown = [v for v in verdicts if v.level == "unknown"]
    if unknown:
        return unknown[0]
    return known[0] if known else None
