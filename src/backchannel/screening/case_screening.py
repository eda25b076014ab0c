"""Screening a case: its armed counterparts against the lists, and the legal exposure of the
planned engagement with each.

Who is screened: every actor a designation regime could list (armed groups, factions,
militias, and leaders as persons), under its name and each alias. The date is the case's
(its period's end unless given), so a case from 2012 meets the designations in force then
as far as the lists date them. A hit an analyst has decided is a false positive does not
count as a designation; every other hit above the threshold does until decided, because
treating an unreviewed hit as clear is the error a legal check exists to prevent.

The screening names each list's publication date and its age on that day (``currency``):
a stale or undated copy may miss designations, which the legal clearance must reflect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from backchannel.model.case import Actor, Case
from backchannel.model.vocabulary import ActorKind
from backchannel.screening.decisions import HitDecision, Verdict
from backchannel.screening.designations import designations_of
from backchannel.screening.entity import EntityType
from backchannel.screening.exposure import Exposure, assess_exposure
from backchannel.screening.freshness import ListCurrency
from backchannel.screening.law import Law, load_law
from backchannel.screening.screen import NameScreening, ScreenedHit, Screening

#: Actor kinds designation regimes list, and the entry type to look for.
SCREENED_KINDS: dict[ActorKind, EntityType] = {
    ActorKind.ARMED_GROUP: EntityType.ORGANISATION,
    ActorKind.FACTION: EntityType.ORGANISATION,
    ActorKind.MILITIA: EntityType.ORGANISATION,
    ActorKind.LEADER: EntityType.PERSON,
}
#: With no planned activity named, the first contact is what is assessed.
DEFAULT_ACTIVITIES = ("meeting",)


@dataclass(frozen=True)
class ActorScreening:
    """One actor: the names screened, the hits (best per entry), and its exposure."""

    actor: str
    name: str
    names_screened: list[str]
    hits: list[ScreenedHit]
    listed_later: list[ScreenedHit]
    exposure: Exposure | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (decision notes left out: they are sensitive)."""
        return {
            "actor": self.actor,
            "name": self.name,
            "names_screened": self.names_screened,
            "hits": [h.as_dict() for h in self.hits],
            "listed_later": [h.as_dict() for h in self.listed_later],
            "exposure": None if self.exposure is None else self.exposure.as_dict(),
        }


@dataclass(frozen=True)
class CaseScreening:
    """The case's screening: lists used, each screened actor, and notes.

    ``lists`` describes each list's copy (its publication date included) and ``currency``
    sets each publication date against ``as_of``.
    """

    case: str
    as_of: dt.date
    lists: list[dict[str, Any]]
    actors: list[ActorScreening]
    activities: list[str]
    jurisdictions: list[str]
    disclaimer: str
    notes: list[str] = field(default_factory=list)
    currency: list[ListCurrency] = field(default_factory=list)

    def limiting_lists(self) -> list[ListCurrency]:
        """The lists whose copy cannot support a legal clearance: stale or undated."""
        return [c for c in self.currency if c.limits_clearance]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "case": self.case,
            "as_of": self.as_of.isoformat(),
            "lists": self.lists,
            "activities": self.activities,
            "jurisdictions": self.jurisdictions,
            "actors": [a.as_dict() for a in self.actors],
            "notes": self.notes,
            "disclaimer": self.disclaimer,
        }


def _merge(
    results: Iterable[NameScreening], attribute: str, list_order: dict[str, int]
) -> list[ScreenedHit]:
    """The best hit per listed entry across the screenings of several names; equal scores
    keep the order the lists were loaded in."""
    best: dict[tuple[str, str], ScreenedHit] = {}
    for result in results:
        for screened in getattr(result, attribute):
            key = (screened.hit.list, screened.hit.entity_id)
            if key not in best or screened.hit.score > best[key].hit.score:
                best[key] = screened
    return sorted(
        best.values(),
        key=lambda s: (-s.hit.score, list_order.get(s.hit.list, len(list_order)), s.hit.entity_id),
    )


def screen_actor(
    screening: Screening,
    actor: Actor,
    as_of: dt.date,
    decisions: Sequence[HitDecision] = (),
) -> tuple[list[str], list[ScreenedHit], list[ScreenedHit], list[str]]:
    """Screen an actor under each of its names; hits merged per entry, best first."""
    names = list(dict.fromkeys([actor.name, *actor.aliases]))
    results = [
        screening.screen(
            name, as_of=as_of, decisions=decisions, entity_type=SCREENED_KINDS[actor.kind]
        )
        for name in names
    ]
    notes = list(dict.fromkeys(n for r in results for n in r.notes))
    order = {s.list_id: i for i, s in enumerate(screening.snapshots)}
    designated = {(h.hit.list, h.hit.entity_id) for r in results for h in r.designated}
    hits = [
        h for h in _merge(results, "hits", order) if (h.hit.list, h.hit.entity_id) in designated
    ]
    ruled_out = [
        h for h in _merge(results, "hits", order) if (h.hit.list, h.hit.entity_id) not in designated
    ]
    return names, hits + ruled_out, _merge(results, "listed_later", order), notes


def screen_case(
    case: Case,
    screening: Screening,
    *,
    activities: Sequence[str] = DEFAULT_ACTIVITIES,
    jurisdictions: Sequence[str] | None = None,
    organisation: Sequence[str] | None = None,
    as_of: dt.date | None = None,
    decisions: Sequence[HitDecision] = (),
    law: Law | None = None,
) -> CaseScreening:
    """Screen the case's listable actors and assess the engagement's exposure with each.

    ``jurisdictions`` defaults to every jurisdiction the rules know, so the brief shows the
    whole picture; a team names its own with the command's ``--jurisdiction``.
    """
    law = law or load_law()
    day = as_of or case.context.period.end or case.context.period.start
    chosen = list(
        jurisdictions or [j for j, rule in law.jurisdictions.items() if not rule.always_assessed]
    )
    searched = [s.list_id for s in screening.snapshots]
    currency = screening.currency(day)
    screened = []
    notes: list[str] = [warning for c in currency if (warning := c.warning) is not None]
    for actor in case.actors:
        if actor.kind not in SCREENED_KINDS:
            continue
        names, hits, later, actor_notes = screen_actor(screening, actor, day, decisions)
        notes.extend(n for n in actor_notes if n not in notes)
        designated = [
            h.entity
            for h in hits
            if h.decision is None or h.decision.verdict is not Verdict.FALSE_POSITIVE
        ]
        exposure = None
        if designated or actor.kind is not ActorKind.LEADER:
            exposure = assess_exposure(
                designations_of(designated + [h.entity for h in later], searched, law=law),
                list(activities),
                chosen,
                day,
                law=law,
                organisation=organisation,
            )
        screened.append(ActorScreening(actor.id, actor.name, names, hits, later, exposure))
    return CaseScreening(
        case=case.id,
        as_of=day,
        lists=[
            {**s.as_dict(), **{k: v for k, v in c.as_dict().items() if k != "list"}}
            for s, c in zip(screening.snapshots, currency, strict=True)
        ],
        actors=screened,
        activities=list(activities),
        jurisdictions=chosen,
        disclaimer=law.disclaimer,
        notes=notes,
        currency=currency,
    )
