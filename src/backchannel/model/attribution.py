"""Whose dialogue an engagement or a channel is: ours, or someone else's.

Our organisation is the case's ``own_organisation`` actor. An engagement names who held it
(``by``); a channel or negotiation relation is held by its source. Only our own ties say
that *we* have a channel, trust or a place in a trust-building plan; other actors' contacts
are context.

Older case files have no ``by``. Such an engagement is taken as ours only when nobody else
in the case talks to anyone: no engagement names another holder and no channel or
negotiation relation starts from another actor. Otherwise its holder is unknown, and an
unknown holder is never counted as ours.
"""

from __future__ import annotations

from backchannel.model.case import Case, Engagement, Relation
from backchannel.model.vocabulary import ActorKind, RelationKind

#: Relations through which their source talks to their target.
TALKING_KINDS = frozenset({RelationKind.CHANNEL, RelationKind.NEGOTIATES_WITH})


def own_ids(case: Case) -> frozenset[str]:
    """The ids of the case's own-organisation actors (usually one)."""
    return frozenset(a.id for a in case.actors if a.kind is ActorKind.OWN_ORGANISATION)


def other_engagers(case: Case) -> frozenset[str]:
    """Actors other than ours that hold an engagement or a channel in the case."""
    ours = own_ids(case)
    held = {e.by for e in case.engagements if e.by is not None}
    talking = {r.source for r in case.relations if r.kind in TALKING_KINDS}
    return frozenset((held | talking) - ours)


def engagement_holder(case: Case, engagement: Engagement) -> str | None:
    """Who held the engagement: its ``by``, else ours when nobody else engages, else None."""
    if engagement.by is not None:
        return engagement.by
    ours = sorted(own_ids(case))
    if ours and not other_engagers(case):
        return ours[0]
    return None


def is_ours(case: Case, engagement: Engagement) -> bool:
    """Whether our organisation held the engagement (an unknown holder is not ours)."""
    return engagement_holder(case, engagement) in own_ids(case)


def relation_is_ours(case: Case, relation: Relation) -> bool:
    """Whether our organisation holds the relation (it is its source)."""
    return relation.source in own_ids(case)
