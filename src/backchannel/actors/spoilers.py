"""Spoilers: actors with the means, the motive and the position to wreck talks.

An actor's spoiler score against one counterpart is the product of three readings, each
from 0 to 1, so that an actor lacking any one of them is no spoiler:

- *capability*, the means: from its kind (``KIND_CAPABILITY``), raised by fighting
  anyone (the strongest such relation) and, for a leader, by the force it commands;
- *opposition*, the motive: from its recorded stance on talks (``STANCE_OPPOSITION``);
  an actor whose stance nobody has assessed is taken as likely opposed when it fights,
  rivals or split from the counterpart, and as somewhat opposed otherwise;
- *tie*, the position: its strongest relation of any kind with the counterpart or the
  counterpart's decision-makers. An actor with no tie keeps a floor, because it can still
  attack the process itself (venues, envoys, civilians).

The score is the highest over the counterparts; actors from ``SPOILER_THRESHOLD`` up are
listed, each with the counterparts it threatens and how.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from backchannel.actors.counterparts import Counterpart
from backchannel.actors.edges import KINDS, RelationRow, relation_list
from backchannel.actors.wording import actor_name, listing, relation_phrase, rounded
from backchannel.model.vocabulary import ActorKind, RelationKind, Stance

#: The means to spoil, by kind of actor, with the reason.
KIND_CAPABILITY: Mapping[ActorKind, tuple[float, str]] = {
    ActorKind.ARMED_GROUP: (1.0, "an armed group can attack, obstruct or walk away"),
    ActorKind.STATE_FORCE: (1.0, "a state force can launch offensives that end talks"),
    ActorKind.MILITIA: (0.8, "a militia can attack, though with less reach than a group"),
    ActorKind.FACTION: (0.7, "a faction can break ranks and fight on"),
    ActorKind.GOVERNMENT: (0.7, "a government can ban contact, arrest envoys or order force"),
    ActorKind.LEADER: (0.5, "a leader can denounce talks and rally followers"),
    ActorKind.INTERNATIONAL_ACTOR: (0.4, "an international actor can withdraw cover or money"),
    ActorKind.DIASPORA: (0.3, "a diaspora can fund hardliners and campaign against a deal"),
    ActorKind.RELIGIOUS_LEADER: (0.3, "a religious leader can delegitimise a deal"),
    ActorKind.COMMUNITY_LEADER: (0.3, "a community leader can turn a constituency against it"),
    ActorKind.CIVIL_SOCIETY: (0.2, "civil society can campaign but not coerce"),
    ActorKind.INTERMEDIARY: (0.2, "an intermediary can leak or stall, little more"),
    ActorKind.OWN_ORGANISATION: (0.0, "our own organisation is not assessed as a spoiler"),
}
#: The motive to spoil, by recorded stance on talks.
STANCE_OPPOSITION: Mapping[Stance, float] = {
    Stance.HOSTILE: 1.0,
    Stance.OPPOSED: 0.8,
    Stance.AMBIVALENT: 0.4,
    Stance.OPEN: 0.1,
    Stance.SUPPORTS: 0.0,
}
#: Opposition assumed for an unassessed actor that fights, rivals or split from the
#: counterpart: it stands to lose from a deal it is not party to, until shown otherwise.
UNASSESSED_ADVERSARY_OPPOSITION = 0.5
#: Opposition assumed for any other unassessed actor: unknown is not the same as none.
UNASSESSED_OPPOSITION = 0.3
#: The tie factor of an actor with no tie at all to the counterpart (see the module text).
TIE_FLOOR = 0.25
#: Strength assumed for a tie that does not rate it.
DEFAULT_TIE_STRENGTH = 0.5
#: Spoilers listed, highest first: past a couple of dozen a list stops guiding attention.
MAX_SPOILERS = 20
#: Score from which an actor is listed as a possible spoiler: an armed actor opposed to
#: talks qualifies even with no tie; an ambivalent one needs a tie; a supportive one never.
SPOILER_THRESHOLD = 0.2

ADVERSARIAL = frozenset({RelationKind.FIGHTS, RelationKind.RIVAL, RelationKind.SPLINTER_OF})
INSIDE = frozenset(
    {
        RelationKind.ALLIED,
        RelationKind.COMMANDS,
        RelationKind.MEMBER_OF,
        RelationKind.FUNDS,
        RelationKind.KIN,
    }
)

#: How an actor can spoil, by the kind of its strongest tie to the counterpart.
HOW = {
    "outside": "from outside the talks it can use force or pressure to derail them",
    "inside": "from inside {c}'s camp it can pull {c} away from talks or undercut its word",
    "ear": "it has {c}'s ear and can talk it out of a deal",
    "none": "with no tie to {c} it can still attack the process itself",
}


@dataclass(frozen=True)
class Tie:
    """A relation between an actor and a counterpart (or its decision-makers)."""

    relation: str
    kind: RelationKind
    other: str
    strength: float
    rated: bool
    from_source: bool  # the actor is the relation's source


@dataclass(frozen=True)
class Spoiler:
    """A possible spoiler, its three readings and the counterparts it threatens."""

    actor: str
    score: float
    capability: float
    opposition: float
    tie: float
    threatens: tuple[str, ...]
    how: str
    why: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "actor": self.actor,
            "score": rounded(self.score),
            "capability": rounded(self.capability),
            "opposition": rounded(self.opposition),
            "tie": rounded(self.tie),
            "threatens": list(self.threatens),
            "how": self.how,
            "why": self.why,
        }


def _capabilities(
    graph: nx.MultiDiGraph, listed: Sequence[RelationRow]
) -> dict[str, tuple[float, str]]:
    """Every actor's capability and the reason for it."""
    found = {actor: KIND_CAPABILITY[ActorKind(kind)] for actor, kind in graph.nodes(data="kind")}
    base = dict(found)
    for source, target, _, data in listed:
        kind = KINDS[data["kind"]]
        strength = data.get("strength")
        strength = DEFAULT_TIE_STRENGTH if strength is None else float(strength)
        if kind is RelationKind.FIGHTS:
            for fighter, enemy in ((source, target), (target, source)):
                if strength > found[fighter][0]:
                    found[fighter] = (
                        strength,
                        f"it fights {actor_name(graph, enemy)}, strength {strength:g}",
                    )
        elif kind is RelationKind.COMMANDS:
            commanded = base[target][0] * strength
            if commanded > found[source][0]:
                found[source] = (
                    commanded,
                    f"it commands {actor_name(graph, target)}, strength {strength:g}",
                )
    return found


def _ties(graph: nx.MultiDiGraph, counterpart: Counterpart) -> dict[str, list[Tie]]:
    """Each actor's relations with the counterpart or its decision-makers."""
    sides = {counterpart.id, *counterpart.decision_makers}
    ties: dict[str, list[Tie]] = {}
    for side in sides:
        for source, target, key, data in [
            *graph.out_edges(side, keys=True, data=True),
            *graph.in_edges(side, keys=True, data=True),
        ]:
            other = target if source == side else source
            if other in sides:
                continue
            strength = data.get("strength")
            ties.setdefault(other, []).append(
                Tie(
                    relation=str(key),
                    kind=RelationKind(data["kind"]),
                    other=side,
                    strength=DEFAULT_TIE_STRENGTH if strength is None else float(strength),
                    rated=strength is not None,
                    from_source=source == other,
                )
            )
    return ties


def _opposition(stance: Stance, ties: Sequence[Tie]) -> tuple[float, str]:
    if stance is not Stance.UNKNOWN:
        return STANCE_OPPOSITION[stance], f"{stance.value} on talks"
    adversarial = [t for t in ties if t.kind in ADVERSARIAL]
    if adversarial:
        return UNASSESSED_ADVERSARY_OPPOSITION, (
            "its stance on talks is not assessed; as an adversary of the counterpart it is "
            "taken as likely opposed until assessed"
        )
    return UNASSESSED_OPPOSITION, (
        "its stance on talks is not assessed, so some opposition is assumed until it is"
    )


def _role(tie: Tie | None) -> str:
    if tie is None:
        return "none"
    if tie.kind in ADVERSARIAL:
        return "outside"
    if tie.kind in INSIDE:
        return "inside"
    return "ear"


def _tie_words(graph: nx.MultiDiGraph, tie: Tie) -> str:
    strength = f"strength {tie.strength:g}" + ("" if tie.rated else " assumed")
    phrase = relation_phrase(tie.kind.value, tie.from_source, actor_name(graph, tie.other))
    return f"{phrase}, {strength}"


def find_spoilers(
    graph: nx.MultiDiGraph,
    counterparts: Sequence[Counterpart],
    listed: Sequence[RelationRow] | None = None,
) -> list[Spoiler]:
    """Possible spoilers of talks with any of the counterparts, highest score first.

    ``listed`` is the graph's relations if the caller has them already.
    """
    capabilities = _capabilities(graph, relation_list(graph, listed))
    ties_by_counterpart = [(c, _ties(graph, c)) for c in counterparts]
    found = []
    for actor, data in graph.nodes(data=True):
        kind = ActorKind(data["kind"])
        if kind is ActorKind.OWN_ORGANISATION:
            continue
        capability, means = capabilities[actor]
        stance = Stance(data["stance"])
        readings = []
        for counterpart, ties_of in ties_by_counterpart:
            if actor == counterpart.id or actor in counterpart.decision_makers:
                continue
            ties = ties_of.get(actor, [])
            opposition, motive = _opposition(stance, ties)
            strongest = max(ties, key=lambda t: (t.strength, t.relation), default=None)
            tie = TIE_FLOOR + (1 - TIE_FLOOR) * (strongest.strength if strongest else 0.0)
            readings.append(
                (capability * opposition * tie, counterpart, opposition, motive, tie, ties)
            )
        if not readings:
            continue
        threatening = [r for r in readings if r[0] >= SPOILER_THRESHOLD]
        if not threatening:
            continue
        threatening.sort(key=lambda r: (-r[0], r[1].id))
        score, counterpart, opposition, motive, tie, ties = threatening[0]
        strongest = max(ties, key=lambda t: (t.strength, t.relation), default=None)
        how = HOW[_role(strongest)].format(c=counterpart.name)
        name = actor_name(graph, actor)
        kind_words = kind.value.replace("_", " ")
        tie_text = (
            "; ".join(_tie_words(graph, t) for t in ties)
            if ties
            else f"no recorded tie to {counterpart.name}"
        )
        why = (
            f"{name} ({kind_words}). Means {capability:.2f}: {means}. "
            f"Motive {opposition:.2f}: {motive}. Position {tie:.2f}: it {tie_text}. "
            f"So {how}. Score {score:.2f} (means x motive x position)."
        )
        if len(threatening) > 1:
            others = [r[1].name for r in threatening[1:]]
            why += f" It also threatens talks with {listing(others)}."
        found.append(
            Spoiler(
                actor=actor,
                score=score,
                capability=capability,
                opposition=opposition,
                tie=tie,
                threatens=tuple(r[1].id for r in threatening),
                how=how,
                why=why,
            )
        )
    found.sort(key=lambda s: (-s.score, s.actor))
    return found
