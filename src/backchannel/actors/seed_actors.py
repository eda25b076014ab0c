"""Who is who in a seeding run: the UCDP actors, each one's kind and record id.

The actor list gives every actor's organisation type (``Org``: 4 a state government,
1 a formally organised group, 2 supporters of a party, 3 a group sharing an identity);
the kind proposed follows from it, from the actor's name and from the splits the list
codes. GED sides that are coalitions are resolved to their members, and a side id the
actor list does not hold becomes an actor under the name GED gives it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from backchannel.actors.seed_civilians import harm_evidence
from backchannel.actors.seed_inputs import SeedSources
from backchannel.actors.seed_output import ActorProposal, CivilianHarm, Evidence
from backchannel.events.ucdp_actors import UcdpActor, normalise
from backchannel.events.ucdp_dyadic import location_mentions
from backchannel.model.case import Actor
from backchannel.model.vocabulary import ActorKind

__all__ = ["STATE", "Cast", "actor_proposal", "located_actors"]

STATE = 4  # UCDP Org code of a state government
FORMAL_GROUP = 1  # a formally organised group
PARTY_SUPPORTERS = 2  # informally organised: supporters of a party or candidate
IDENTITY_GROUP = 3  # informally organised: a group sharing an ethnic, religious... identity
_MILITIA_WORDS = re.compile(r"\b(militia|militias|milice|milices|self[- ]defen[cs]e)\b", re.I)
_FACTION_WORD = re.compile(r"\bfaction\b", re.I)
_GOVERNMENT_PREFIX = "Government of "
_ORGANISATIONS = {
    STATE: "a state government",
    FORMAL_GROUP: "a formally organised group",
    PARTY_SUPPORTERS: "supporters of a party or candidate (informally organised)",
    IDENTITY_GROUP: "a group sharing an identity (informally organised); it has no "
    "command to talk to, so community and religious leaders are the likely entry points",
}


class Cast:
    """The actors of one seeding run: the actor list indexed, and those only GED knows."""

    def __init__(self, actors: Sequence[UcdpActor], names: Sequence[str], iso3: str) -> None:
        self.iso3 = iso3
        self.names = names
        self.by_id = {a.actor_id: a for a in actors}
        self.by_name: dict[str, UcdpActor] = {}
        for actor in actors:
            for name in actor.names:
                self.by_name.setdefault(normalise(name), actor)
        self.coalitions: dict[int, list[int]] = {}
        for actor in self.by_id.values():
            for coalition in actor.coalition_ids:
                self.coalitions.setdefault(coalition, []).append(actor.actor_id)
        self.unknown: dict[int, UcdpActor] = {}
        government_names = {normalise(_GOVERNMENT_PREFIX + n) for n in names}
        #: the state's own government (UCDP may code it under more than one id)
        self.own_government = {
            a.actor_id
            for a in actors
            if a.organisation_type == STATE
            and any(normalise(n) in government_names for n in a.names)
        }

    def actor(self, actor_id: int) -> UcdpActor:
        """The actor with this id, from the actor list or as GED named it."""
        return self.by_id.get(actor_id) or self.unknown[actor_id]

    def members(self, actor_id: int | None, name: str) -> tuple[list[int], str | None]:
        """The actor ids a GED side stands for, and the coalition's name if it is one.

        GED codes joint action as a coalition with its own id; the actor list says which
        actors belong to it (``OSCoalitionID``/``NSCoalitionID``). Failing that, the
        coalition's name lists its members, separated by commas.
        """
        if actor_id is not None and actor_id in self.by_id:
            return [actor_id], None
        if actor_id is not None and self.coalitions.get(actor_id):
            return sorted(self.coalitions[actor_id]), name
        parts = [p.strip() for p in name.split(",") if p.strip()]
        found = [self.by_name.get(normalise(p)) for p in parts]
        if len(parts) > 1 and all(found):
            return sorted({a.actor_id for a in found if a is not None}), name
        if actor_id is None:
            return [], None
        # an id the actor list does not hold: propose it under the name GED gives
        self.unknown.setdefault(
            actor_id,
            UcdpActor(
                actor_id=actor_id,
                name=name,
                names=(name,),
                organisation_type=0,
                location=self.names[0],
                alliance_ids=(),
                splinter_of_ids=(),
            ),
        )
        return [actor_id], None

    def kind(self, actor: UcdpActor) -> ActorKind:
        """The kind of actor proposed, from its organisation type, name and splits."""
        if actor.actor_id in self.own_government:
            return ActorKind.GOVERNMENT
        if actor.organisation_type == STATE:
            return ActorKind.STATE_FORCE  # a foreign state's forces fighting in the country
        if actor.organisation_type in (PARTY_SUPPORTERS, IDENTITY_GROUP) or any(
            _MILITIA_WORDS.search(n) for n in actor.names
        ):
            return ActorKind.MILITIA
        parents = [
            self.by_id[p]
            for p in (*actor.splinter_of_ids, *actor.split_temp_ids)
            if p in self.by_id
        ]
        named_after_parent = any(
            normalise(actor.name).startswith(normalise(p.name) + " ") for p in parents
        )
        if named_after_parent or actor.split_temp_ids or _FACTION_WORD.search(actor.name):
            return ActorKind.FACTION
        return ActorKind.ARMED_GROUP

    def order(self, actor_id: int) -> tuple[int, str]:
        """Sort key of the proposed actors: the government, then groups, then foreign states."""
        actor = self.actor(actor_id)
        rank = (
            0 if actor_id in self.own_government else 2 if actor.organisation_type == STATE else 1
        )
        return rank, normalise(actor.name)

    def record_ids(self, actor_ids: Sequence[int]) -> dict[int, str]:
        """Readable record ids: the name as a slug, the UCDP id added where two collide."""
        slugs: dict[int, str] = {}
        for actor_id in actor_ids:
            actor = self.actor(actor_id)
            if actor_id in self.own_government:
                slug = f"gov-{self.iso3.lower()}"
            elif actor.organisation_type == STATE:
                slug = "gov-" + _slug(actor.name.removeprefix(_GOVERNMENT_PREFIX))
            else:
                slug = _slug(actor.name)
            slugs[actor_id] = slug[:70].strip("-") or f"ucdp-{actor_id}"
        counts = Counter(slugs.values())
        return {
            actor_id: slug if counts[slug] == 1 else f"{slug}-{actor_id}"
            for actor_id, slug in slugs.items()
        }


def _slug(name: str) -> str:
    return re.sub(r"-+", "-", normalise(name).replace(" ", "-")).strip("-")


def _kind_reason(actor: UcdpActor, kind: ActorKind) -> str:
    org = _ORGANISATIONS.get(actor.organisation_type, "not in the actor list")
    code = actor.organisation_type or "?"
    return f"UCDP organisation type {code}: {org}; proposed as {kind.value}."


def located_actors(cast: Cast, sources: SeedSources) -> dict[int, list[Evidence]]:
    """The actors the actor list places in the country, and the state's own government.

    Foreign governments are left out: the list locates a state where it fought, so it
    places many abroad; they come in where the data show them fighting in the country.
    """
    found: dict[int, list[Evidence]] = {}
    for actor in cast.by_id.values():
        if actor.organisation_type != STATE and location_mentions(actor.location, cast.names):
            found.setdefault(actor.actor_id, []).append(
                Evidence(
                    sources.actors.id,
                    f"UCDP lists {actor.name} as located in {cast.names[0]}.",
                    (f"ActorId {actor.actor_id}",),
                )
            )
    for actor_id in cast.own_government:
        evidence = Evidence(
            sources.actors.id,
            f"UCDP's actor for the state of {cast.names[0]}.",
            (f"ActorId {actor_id}",),
        )
        entries = found.setdefault(actor_id, [])
        if evidence not in entries:
            entries.append(evidence)
    return found


def actor_proposal(
    cast: Cast,
    actor_id: int,
    *,
    ids: Mapping[int, str],
    found: Sequence[Evidence],
    harm: CivilianHarm | None,
    sources: SeedSources,
) -> ActorProposal:
    """The actor's record with its evidence: why it is proposed (``found``), why of its
    kind, and its attacks on civilians."""
    actor = cast.actor(actor_id)
    kind = cast.kind(actor)
    aliases = [n for n in dict.fromkeys(actor.names) if normalise(n) != normalise(actor.name)]
    evidence = [
        *found,
        Evidence(
            sources.actors.id if actor_id in cast.by_id else sources.events_id,
            _kind_reason(actor, kind),
        ),
    ]
    if harm is not None:
        evidence.append(harm_evidence(actor.name, harm, sources))
    cited = {e.source for e in evidence}
    record = Actor(
        id=ids[actor_id],
        name=actor.name.strip(),
        aliases=[a.strip() for a in aliases],
        kind=kind,
        ucdp_actor_id=actor_id,
        references=[s.id for s in sources.given() if s.id in cited],
    )
    return ActorProposal(record, tuple(evidence), harm)
