"""Proposing a country's actors and relations from UCDP data, for the analyst to confirm.

Three UCDP data sets are read, each for what it knows best:

- the **actor list** (22.1) names every group, its other names and its organisation type,
  and codes ties between actors: splits, alliances coded as actors themselves (such as
  the CPC), joining another actor (a rebellion that took power joins the government), and
  the ad-hoc coalitions under which GED records actors acting jointly
  (``events.ucdp_actors``);
- the **dyadic data set** (25.1): who fought the state, year by year, and the secondary
  warring parties (foreign governments) that supported a side (``events.ucdp_dyadic``);
- **GED** (23.1): every event, so who fought whom and when (types 1 and 2), and attacks on
  civilians (type 3, one-sided violence, ``side_a`` the perpetrator).

Nothing is hard-coded about any country: the actors are those the data place in it.
Everything proposed is marked ``proposed`` and carries its evidence (rows, years, deaths);
attacks on civilians, which are not a tie between two actors, are an actor-level fact and
also become a machine-suggested judgement on the actor for the analyst to review.

This module runs the seeding; the parts live beside it: ``seed_inputs`` (files, country
names, sources, GED events), ``seed_actors`` (who is who, kinds, record ids),
``seed_ties`` (sightings of fighting and acting together), ``seed_relations`` (relations
and their dating), ``seed_civilians`` (attacks on civilians) and ``seed_output`` (the
proposal types).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from backchannel.actors.seed_actors import Cast, actor_proposal, located_actors
from backchannel.actors.seed_civilians import civilian_harm, harm_judgement
from backchannel.actors.seed_inputs import (
    UCDP_SPELLINGS,
    GedEvent,
    SeedSources,
    UcdpFiles,
    read_country_events,
    seed_sources,
    ucdp_country_names,
)
from backchannel.actors.seed_output import (
    ActorProposal,
    CivilianHarm,
    Evidence,
    RelationProposal,
    SeedProposal,
)
from backchannel.actors.seed_relations import list_ties, relation_proposals
from backchannel.actors.seed_ties import observe
from backchannel.events.ucdp_actors import read_actor_list
from backchannel.events.ucdp_dyadic import DyadYear, read_dyadic

__all__ = [
    "UCDP_SPELLINGS",
    "ActorProposal",
    "CivilianHarm",
    "Evidence",
    "RelationProposal",
    "SeedProposal",
    "UcdpFiles",
    "seed_country",
    "ucdp_country_names",
]


def seed_country(
    iso3: str,
    files: UcdpFiles,
    *,
    include_supporters: bool = False,
    at: dt.datetime | None = None,
) -> SeedProposal:
    """Propose the actors and relations of a country from UCDP data, with evidence.

    Actors are those the actor list places in the country, the state's own government,
    every side of a dyad or GED event located there (coalitions resolved to their members),
    and the actors these are tied to in the actor list. Relations: ``splinter_of`` and
    ``member_of`` from the actor list; ``fights`` from the dyadic data and GED (state-based
    and non-state events); ``allied`` between actors that GED records acting as one
    coalition. Each fighting or alliance tie is split into spells of consecutive years.
    ``include_supporters`` also proposes the foreign governments that the dyadic data name
    as secondary warring parties, ``allied`` with the side they backed (many: UCDP counts
    the troop contributors of some peace operations); otherwise they are named in the
    evidence of the fighting they joined. ``at`` dates the machine-suggested judgements
    (default: now).

    Raises ``NotFoundError`` for an unknown country code and ``InvalidInputError`` for a
    malformed UCDP file.
    """
    names = ucdp_country_names(iso3)
    cast = Cast(read_actor_list(files.actor_list), names, iso3.strip().upper())
    dyads = read_dyadic(files.dyadic, names) if files.dyadic is not None else []
    events, rejected = read_country_events(files.ged, names)
    notes = _input_notes(files, cast, events, rejected)
    moment = at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    return _propose(
        cast,
        dyads=dyads,
        events=events,
        sources=seed_sources(files),
        include_supporters=include_supporters,
        notes=notes,
        at=moment,
    )


def _input_notes(
    files: UcdpFiles, cast: Cast, events: Sequence[GedEvent], rejected: int
) -> list[str]:
    """What the analyst should know of the data given: what is missing, what was refused."""
    notes: list[str] = []
    if files.dyadic is None:
        notes.append("no UCDP dyadic data given: fighting with the state comes from GED only")
    if not files.ged:
        notes.append(
            "no UCDP GED data given: no events, so no non-state fighting, coalitions or "
            "attacks on civilians"
        )
    elif not events:
        notes.append(f"the GED files hold no events in {cast.names[0]}")
    if rejected:
        notes.append(
            f"{rejected} GED rows were refused by the reader and not used "
            "(`backchannel events ingest FILE` lists them)"
        )
    if not cast.own_government:
        notes.append(f"the actor list has no 'Government of {cast.names[0]}'")
    return notes


def _propose(
    cast: Cast,
    *,
    dyads: Sequence[DyadYear],
    events: Sequence[GedEvent],
    sources: SeedSources,
    include_supporters: bool,
    notes: list[str],
    at: dt.datetime,
) -> SeedProposal:
    """The proposal: actors located in the country, then every actor the data tie to them."""
    included = located_actors(cast, sources)  # actor id -> why it is proposed
    seen = observe(cast, dyads, events, include_supporters)
    for table in (seen.fights, seen.alliances):
        for pair in table:
            for actor_id in pair:
                included.setdefault(actor_id, [])
    for actor_id in seen.attacks:
        included.setdefault(actor_id, [])
    ties, tie_notes = list_ties(cast, list(included), sources)
    for tie in ties:
        included.setdefault(tie.target, [])
    ids = cast.record_ids(list(included))
    actors = tuple(
        actor_proposal(
            cast,
            actor_id,
            ids=ids,
            found=included[actor_id],
            harm=civilian_harm(seen.attacks.get(actor_id, [])),
            sources=sources,
        )
        for actor_id in sorted(included, key=cast.order)
    )
    judgements = tuple(
        harm_judgement(p, sources, at) for p in actors if p.civilian_harm is not None
    )
    return SeedProposal(
        country=cast.iso3,
        country_names=tuple(cast.names),
        sources=sources.given(),
        actors=actors,
        relations=relation_proposals(ties, seen, cast, sources, ids),
        judgements=judgements,
        notes=tuple(dict.fromkeys([*notes, *seen.notes, *tie_notes])),
    )
