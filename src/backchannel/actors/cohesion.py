"""Cohesion: can the counterpart's leadership deliver on what it commits to?

Read from the relations in force:

- *command*: the strongest command link into the group. Without one, nothing on the map
  shows that anyone can bind the group, and the score starts low (``NO_COMMAND``);
- *splinters*: groups recorded as having split from it; each takes away a share of the
  score in proportion to how serious the split is (its strength);
- *rival factions*: members of the group, or factions, that rival or fight the group,
  its leaders or other members; each takes away a share likewise.

``score = command x product(1 - SPLINTER_PENALTY x s) x product(1 - RIVAL_FACTION_PENALTY x s)``

The latest analyst judgement on ``condition:cohesion`` made by ``as_of`` is shown beside
the score with whether the two agree, so that a map missing the splits an analyst knows
of is caught rather than trusted.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from backchannel.actors.counterparts import Counterpart, commanders
from backchannel.actors.wording import actor_name, listing, rounded
from backchannel.model.case import Judgement
from backchannel.model.vocabulary import ActorKind, RelationKind

#: Score of a group with no command link in force: an unrecorded command is not proof of
#: none, but nothing then shows that its leaders can bind it.
NO_COMMAND = 0.3
#: Share of the score one splinter of full strength takes away.
SPLINTER_PENALTY = 0.3
#: Share of the score one rival faction of full strength takes away (less than a split:
#: a rival faction is still inside, where leaders may yet bring it round).
RIVAL_FACTION_PENALTY = 0.25
#: Strength assumed for a split or rivalry that does not rate it (read as how serious it is).
DEFAULT_SPLIT_STRENGTH = 0.5
#: Lower bounds of the levels, highest first.
LEVELS: Sequence[tuple[float, str, str]] = (
    (0.6, "cohesive", "its leadership can likely deliver on what it commits to"),
    (0.35, "strained", "commitments may hold in part; expect some units to act on their own"),
    (0.0, "fragmented", "a commitment by its leadership is unlikely to bind the whole group"),
)
#: The judgement subject an analyst records cohesion under.
COHESION_SUBJECT = "condition:cohesion"
#: Severity (0-3) from which an analyst's cohesion judgement counts as a serious concern.
SERIOUS_CONCERN = 2

CONTESTING = frozenset({RelationKind.RIVAL, RelationKind.FIGHTS})


@dataclass(frozen=True)
class Part:
    """A command link, splinter or rival faction bearing on cohesion."""

    actor: str
    relation: str
    strength: float
    rated: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "actor": self.actor,
            "relation": self.relation,
            "strength": self.strength,
            "rated": self.rated,
        }


@dataclass(frozen=True)
class AnalystView:
    """The latest analyst judgement on cohesion, and whether the map agrees with it."""

    judgement: str
    at: dt.datetime
    severity: int | None
    agrees: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "judgement": self.judgement,
            "at": self.at.isoformat(),
            "severity": self.severity,
            "agrees": self.agrees,
        }


@dataclass(frozen=True)
class Cohesion:
    """How far a counterpart's leadership can deliver, with the parts of the reading."""

    counterpart: str
    score: float
    level: str
    command: Part | None
    splinters: tuple[Part, ...]
    rival_factions: tuple[Part, ...]
    members: tuple[str, ...]
    analyst: AnalystView | None
    why: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "counterpart": self.counterpart,
            "score": rounded(self.score),
            "level": self.level,
            "command": None if self.command is None else self.command.as_dict(),
            "splinters": [p.as_dict() for p in self.splinters],
            "rival_factions": [p.as_dict() for p in self.rival_factions],
            "members": list(self.members),
            "analyst_judgement": None if self.analyst is None else self.analyst.as_dict(),
            "why": self.why,
        }


def _part(actor: str, key: object, data: Mapping[str, Any]) -> Part:
    strength = data.get("strength")
    return Part(
        actor=actor,
        relation=str(key),
        strength=DEFAULT_SPLIT_STRENGTH if strength is None else float(strength),
        rated=strength is not None,
    )


def _members(graph: nx.MultiDiGraph, group: str) -> list[str]:
    """Actors inside the group: its members and the units it commands."""
    inside = {
        source
        for source, _, data in graph.in_edges(group, data=True)
        if data["kind"] == RelationKind.MEMBER_OF.value
    }
    inside |= {
        target
        for _, target, data in graph.out_edges(group, data=True)
        if data["kind"] == RelationKind.COMMANDS.value
    }
    return sorted(inside)


def _rival_factions(
    graph: nx.MultiDiGraph,
    counterpart: Counterpart,
    members: Sequence[str],
    splinters: Sequence[Part],
) -> list[Part]:
    """Members or factions that rival or fight the group, its leaders or other members.

    A member counts when it contests the group, its leaders or another member; an actor of
    kind faction that is not a recorded member counts when it contests the group or its
    leaders. Splinters are counted as splinters, not again here.
    """
    top = {counterpart.id, *counterpart.decision_makers}
    inside = set(members) - top
    split = {p.actor for p in splinters}
    strongest: dict[str, Part] = {}
    for actor in top | inside:
        for source, target, key, data in [
            *graph.out_edges(actor, keys=True, data=True),
            *graph.in_edges(actor, keys=True, data=True),
        ]:
            if RelationKind(data["kind"]) not in CONTESTING:
                continue
            other = target if source == actor else source
            if other in inside:
                found = [other] + ([actor] if actor in inside else [])
            elif actor in top and graph.nodes[other].get("kind") == ActorKind.FACTION.value:
                found = [other]
            else:
                continue
            for rival in found:
                part = _part(rival, key, data)
                if rival not in split and part.strength > _strength_of(strongest.get(rival)):
                    strongest[rival] = part
    return sorted(strongest.values(), key=lambda p: (-p.strength, p.actor))


def _strength_of(part: Part | None) -> float:
    return -1.0 if part is None else part.strength


def _analyst_view(
    judgements: Sequence[Judgement], as_of: dt.date, level: str
) -> AnalystView | None:
    made = [j for j in judgements if j.subject == COHESION_SUBJECT and j.at.date() <= as_of]
    if not made:
        return None
    latest = max(made, key=lambda j: (j.at, j.id))
    if latest.severity is None:
        agrees = True  # nothing to compare against
    elif latest.severity >= SERIOUS_CONCERN:
        agrees = level != "cohesive"
    else:
        agrees = level != "fragmented"
    return AnalystView(latest.id, latest.at, latest.severity, agrees)


def assess_cohesion(
    graph: nx.MultiDiGraph,
    counterpart: Counterpart,
    judgements: Sequence[Judgement] = (),
    as_of: dt.date | None = None,
) -> Cohesion:
    """How far ``counterpart``'s leadership can deliver, from the relations in ``graph``."""
    group = counterpart.id
    leaders = commanders(graph, group)
    command = None
    if leaders:
        leader, strength, relation = leaders[0]
        rated = graph.edges[leader, group, relation].get("strength") is not None
        command = Part(leader, relation, strength, rated)
    splinters = sorted(
        (
            _part(source, key, data)
            for source, _, key, data in graph.in_edges(group, keys=True, data=True)
            if data["kind"] == RelationKind.SPLINTER_OF.value
        ),
        key=lambda p: (-p.strength, p.actor),
    )
    members = _members(graph, group)
    rivals = _rival_factions(graph, counterpart, members, splinters)
    score = (command.strength if command else NO_COMMAND) * math.prod(
        [1 - SPLINTER_PENALTY * p.strength for p in splinters]
        + [1 - RIVAL_FACTION_PENALTY * p.strength for p in rivals]
    )
    level, meaning = next((name, text) for bound, name, text in LEVELS if score >= bound)
    analyst = _analyst_view(judgements, as_of, level) if as_of is not None else None
    return Cohesion(
        counterpart=group,
        score=score,
        level=level,
        command=command,
        splinters=tuple(splinters),
        rival_factions=tuple(rivals),
        members=tuple(members),
        analyst=analyst,
        why=_why(
            graph,
            counterpart,
            score=score,
            level=level,
            meaning=meaning,
            command=command,
            splinters=splinters,
            rivals=rivals,
            analyst=analyst,
        ),
    )


def _check(analyst: AnalystView) -> str:
    if analyst.severity is not None and analyst.severity >= SERIOUS_CONCERN:
        return "check the map for splits, rivalries or weak command it does not record"
    return "check whether the splits and rivalries on the map still hold"


def _strength_words(part: Part) -> str:
    return f"strength {part.strength:g}" + ("" if part.rated else " assumed")


def _why(
    graph: nx.MultiDiGraph,
    counterpart: Counterpart,
    *,
    score: float,
    level: str,
    meaning: str,
    command: Part | None,
    splinters: Sequence[Part],
    rivals: Sequence[Part],
    analyst: AnalystView | None,
) -> str:
    name = counterpart.name
    parts = [f"{name} is {level} (score {score:.2f}): {meaning}."]
    if command is None:
        parts.append(f"No command link to it is in force (counted as {NO_COMMAND:g}).")
    else:
        parts.append(
            f"{actor_name(graph, command.actor)} commands it ({_strength_words(command)})."
        )
    if splinters:
        names = [f"{actor_name(graph, p.actor)} ({_strength_words(p)})" for p in splinters]
        parts.append(f"Split from it: {listing(names)}.")
        further = sorted(
            {
                source
                for p in splinters
                for source, _, data in graph.in_edges(p.actor, data=True)
                if data["kind"] == RelationKind.SPLINTER_OF.value
            }
        )
        if further:
            parts.append(
                f"Its splinters split again: {listing([actor_name(graph, a) for a in further])}."
            )
    if rivals:
        names = [f"{actor_name(graph, p.actor)} ({_strength_words(p)})" for p in rivals]
        parts.append(f"Rival factions: {listing(names)}.")
    if not splinters and not rivals:
        parts.append("No splinter or rival faction is recorded.")
    if analyst is not None:
        severity = "no severity" if analyst.severity is None else f"severity {analyst.severity}"
        verdict = "agrees with" if analyst.agrees else "disagrees with"
        parts.append(
            f"The map {verdict} the latest analyst judgement on cohesion ({analyst.judgement}, "
            f"{analyst.at.date().isoformat()}, {severity} of 3)"
            + ("." if analyst.agrees else f": {_check(analyst)}.")
        )
    return " ".join(parts)
