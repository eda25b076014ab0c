"""All actor analyses of a case at one date: entry points, brokers, spoilers, cohesion, influence.

``analyse_case`` builds the map as it stood on ``as_of`` (default: the end of the case
period, else today), chooses the counterparts (``counterparts``) and runs each analysis
on the same map. ``ActorAnalysis.as_dict`` is the JSON document of
``backchannel actors analyse``; its keys ``entry_points``, ``brokers``, ``spoilers``,
``cohesion`` and ``influence`` are a contract other parts of the product rely on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from backchannel.actors.brokers import MAX_BROKERS, BrokerReading, find_brokers
from backchannel.actors.cohesion import Cohesion, assess_cohesion
from backchannel.actors.counterparts import Counterpart, choose_counterparts
from backchannel.actors.edges import KINDS, RelationRow, relation_list
from backchannel.actors.entry_points import MAX_ENTRY_POINTS, EntryPoint, find_entry_points
from backchannel.actors.graph import build_graph
from backchannel.actors.influence import MAX_RANKED, Influence, rank_influence
from backchannel.actors.passage import PASSAGE_RULES, passage_graph
from backchannel.actors.spoilers import MAX_SPOILERS, Spoiler, find_spoilers
from backchannel.actors.wording import actor_name, listing
from backchannel.model.case import Case, Judgement
from backchannel.model.vocabulary import ActorKind, Stance


@dataclass(frozen=True)
class ActorAnalysis:
    """The five analyses of one map, the counterparts they are about, and notes on gaps."""

    as_of: dt.date
    counterparts: list[Counterpart]
    entry_points: list[EntryPoint]
    brokers: BrokerReading
    spoilers: list[Spoiler]
    cohesion: list[Cohesion]
    influence: list[Influence]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON document: the five analyses under their contract keys, and context."""
        reading = self.brokers.betweenness
        return {
            "as_of": self.as_of.isoformat(),
            "counterparts": [c.as_dict() for c in self.counterparts],
            "entry_points": [e.as_dict() for e in self.entry_points],
            "brokers": [b.as_dict() for b in self.brokers.brokers],
            "spoilers": [s.as_dict() for s in self.spoilers],
            "cohesion": [c.as_dict() for c in self.cohesion],
            "influence": [i.as_dict() for i in self.influence],
            "method": {
                "betweenness": "exact" if reading.exact else "sampled",
                "betweenness_sources": reading.sources,
                "camps": self.brokers.camps,
                "camp_method": self.brokers.camp_method,
            },
            "notes": self.notes,
        }


def analyse_graph(
    graph: nx.MultiDiGraph,
    counterparts: Sequence[Counterpart],
    as_of: dt.date,
    *,
    judgements: Sequence[Judgement] = (),
    limit: int | None = None,
    notes: Sequence[str] = (),
) -> ActorAnalysis:
    """Run every analysis on a map already built for ``as_of``.

    ``limit`` caps each ranked list (default: each analysis's own cap); ``notes`` go
    before the notes the analyses add.
    """
    listed = relation_list(graph)
    passage = passage_graph(graph, listed)
    entry_points = [
        point
        for counterpart in counterparts
        for point in find_entry_points(graph, passage, counterpart, limit or MAX_ENTRY_POINTS)
    ]
    ends = {c.id for c in counterparts} | {d for c in counterparts for d in c.decision_makers}
    ends |= {a for a, kind in graph.nodes(data="kind") if kind == ActorKind.OWN_ORGANISATION}
    brokers = find_brokers(graph, passage, ends, limit or MAX_BROKERS)
    spoilers = find_spoilers(graph, counterparts, listed)
    unlisted = max(0, len(spoilers) - (limit or MAX_SPOILERS))
    spoilers = spoilers[: limit or MAX_SPOILERS]
    cohesion = [assess_cohesion(graph, c, judgements, as_of) for c in counterparts]
    influence = rank_influence(graph, counterparts, limit or MAX_RANKED, listed)
    said = [*notes, *_notes(graph, listed, counterparts, entry_points, brokers)]
    if unlisted:
        said.append(f"{unlisted} more actor(s) score as possible spoilers but are not listed.")
    return ActorAnalysis(
        as_of, list(counterparts), entry_points, brokers, spoilers, cohesion, influence, said
    )


def analyse_case(
    case: Case,
    as_of: dt.date | None = None,
    counterpart: str | None = None,
    limit: int | None = None,
) -> ActorAnalysis:
    """Analyse the case's actor map as it stood on ``as_of``.

    ``as_of`` defaults to the end of the case period, else today. ``counterpart`` names the
    group to analyse; by default the armed actors the case engaged most recently
    (``counterparts.choose_counterparts``). An unknown id raises ``NotFoundError``.
    """
    day = as_of or case.context.period.end or dt.date.today()
    graph = build_graph(case, day)
    counterparts = choose_counterparts(case, graph, day, counterpart)
    when = day.isoformat()
    if as_of is None:
        when += " (the end of the case period)" if case.context.period.end else " (today)"
    held = f"{graph.number_of_edges()} of {len(case.relations)} relations in force"
    return analyse_graph(
        graph,
        counterparts,
        day,
        judgements=case.judgements,
        limit=limit,
        notes=[f"The map as of {when}: {held}."],
    )


def _notes(
    graph: nx.MultiDiGraph,
    listed: Sequence[RelationRow],
    counterparts: Sequence[Counterpart],
    entry_points: Sequence[EntryPoint],
    brokers: BrokerReading,
) -> list[str]:
    """What the reader should know about the gaps behind the results."""
    notes = []
    if not counterparts:
        notes.append(
            "No counterpart: the case has no armed actor. Name one with --counterpart; "
            "entry points, spoilers and cohesion need one."
        )
    own = [a for a, kind in graph.nodes(data="kind") if kind == ActorKind.OWN_ORGANISATION]
    if not own:
        notes.append(
            "The case records no actor of kind own_organisation, so entry points start from "
            "whoever has the best route."
        )
    elif entry_points and not any(e.direct for e in entry_points):
        notes.append(
            "Our organisation holds no recorded tie that leads to a counterpart: the entry "
            "points are the actors with the best routes, and a tie to one of them comes first."
        )
    for counterpart in counterparts:
        if not any(e.counterpart == counterpart.id for e in entry_points):
            notes.append(
                f"No recorded route reaches the decision-makers of {counterpart.name}: "
                "record the channels, kin or intermediaries that lead to it."
            )
    unassessed = [
        actor_name(graph, a)
        for a, data in graph.nodes(data=True)
        if data["stance"] == Stance.UNKNOWN and data["kind"] != ActorKind.OWN_ORGANISATION
    ]
    if unassessed:
        notes.append(
            f"{len(unassessed)} actor(s) have no assessed stance on talks "
            f"({listing(unassessed, 3)}); spoiler scores assume some opposition until they do."
        )
    carrying = [data for *_, data in listed if PASSAGE_RULES[KINDS[data["kind"]]].forward]
    unrated = sum(1 for data in carrying if data.get("trust") is None)
    if unrated:
        notes.append(
            f"{unrated} of the {len(carrying)} relations that can carry a message rate no "
            "trust; routes use the documented defaults and say so link by link."
        )
    reading = brokers.betweenness
    if not reading.exact:
        notes.append(
            f"Betweenness is estimated from {reading.sources} sampled actors "
            f"({graph.number_of_nodes()} actors are too many to count every route exactly)."
        )
    return notes
