"""What a counterpart is designated as: the designations matched list entries establish.

``designations_of`` turns screening hits (``ListedEntity`` values) into the designations the
rules know ("us-fto", "un-isil-al-qaida", ...), remembering which lists were searched,
because a list nobody searched proves nothing; ``exposure.assess_exposure`` takes the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from backchannel.errors import InvalidInputError, Problem
from backchannel.screening.entity import ListedEntity
from backchannel.screening.law import DesignationRule, Law, load_law

__all__ = ["DesignationHit", "Designations", "designations_of"]


@dataclass(frozen=True)
class DesignationHit:
    """One list entry that establishes one designation."""

    designation: str
    list_id: str
    entity_id: str
    name: str
    programmes: tuple[str, ...]
    listed_on: dt.date | None


@dataclass(frozen=True)
class Designations:
    """What the counterpart is designated as, and which lists were searched to know it.

    ``screened`` holds the list ids searched, with or without hits; ``declared`` holds
    designation ids an analyst established from a list backchannel does not hold (say, after
    checking the UK proscribed organisations list by hand).
    """

    hits: tuple[DesignationHit, ...] = ()
    screened: frozenset[str] = frozenset()
    declared: frozenset[str] = frozenset()

    @property
    def ids(self) -> frozenset[str]:
        """Every designation found or declared, whatever its date."""
        return frozenset(h.designation for h in self.hits) | self.declared


def designations_of(
    entities: Iterable[ListedEntity],
    screened: Iterable[str] = (),
    declared: Iterable[str] = (),
    law: Law | None = None,
) -> Designations:
    """The designations that the matched list entries establish.

    ``entities`` are the entries the analyst accepted as the counterpart; ``screened`` every
    list id that was searched (the lists of the entities count as searched); ``declared``
    designation ids established outside backchannel.
    """
    law = law or load_law()
    entities = list(entities)
    declared_ids = frozenset(declared)
    unknown = sorted(declared_ids - set(law.designations))
    if unknown:
        raise InvalidInputError(
            "declared designations",
            [
                Problem("declared", f"unknown designation {d!r}; known: {sorted(law.designations)}")
                for d in unknown
            ],
        )
    hits: list[DesignationHit] = []
    for entity in entities:
        for rule in _rules_matching(entity, law):
            hits.append(
                DesignationHit(
                    designation=rule.id,
                    list_id=entity.list_id,
                    entity_id=entity.entity_id,
                    name=entity.primary_name,
                    programmes=entity.programmes,
                    listed_on=entity.listed_on,
                )
            )
    searched = frozenset(screened) | {e.list_id for e in entities}
    return Designations(tuple(hits), searched, declared_ids)


def _rules_matching(entity: ListedEntity, law: Law) -> list[DesignationRule]:
    """The designations an entry establishes; a fallback only when nothing specific did."""

    def hit(rule: DesignationRule) -> bool:
        return any(detector.matches(entity) for detector in rule.detected_by)

    specific = [r for r in law.designations.values() if not r.fallback and hit(r)]
    if specific:
        return specific
    return [r for r in law.designations.values() if r.fallback and hit(r)]
