"""Entry points: the best routes from our own organisation to a counterpart's decision-makers.

A route is a chain of relations that carry messages (``passage.PASSAGE_RULES``); its
*reach* is the product of its links' passabilities (trust x access, less a share per hop),
so the best route is the one most likely to deliver a message with trust intact. The
entry point is the first actor on it: the one to approach.

When our organisation holds ties, each of its contacts that leads on to the
decision-makers is an entry point, best first. When it holds none (the usual case at the
start), the entry points are the actors with the best routes of all, and building a tie
to one of them is the first step; an actor whose best route runs through a better-ranked
one is left out, since approaching the better one directly is the better plan.

For every link on a route the analysis also finds the best route left if that one
relation breaks (a channel closes, a contact is arrested), or says there is none.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from backchannel.actors.counterparts import Counterpart
from backchannel.actors.passage import FloatArray, IntArray, PassageGraph, Rating
from backchannel.actors.wording import actor_name, listing, rounded
from backchannel.model.vocabulary import ActorKind, RelationKind, Stance

#: Entry points listed per counterpart: a mediator weighs a handful of doors, not dozens.
MAX_ENTRY_POINTS = 5
#: Relations between an entry actor and the counterpart that make it a doubtful messenger.
HOSTILE_KINDS = frozenset({RelationKind.FIGHTS, RelationKind.RIVAL, RelationKind.SPLINTER_OF})
#: Relations that put an actor inside the counterpart.
INSIDE_KINDS = frozenset({RelationKind.COMMANDS, RelationKind.MEMBER_OF})
#: Stances that make an actor a doubtful messenger for talks.
DOUBTFUL_STANCES = frozenset({Stance.OPPOSED, Stance.HOSTILE})

#: How each kind of link is named in explanations.
LINK_WORDS: dict[RelationKind, str] = {
    RelationKind.CHANNEL: "channel",
    RelationKind.NEGOTIATES_WITH: "negotiation",
    RelationKind.KIN: "kinship",
    RelationKind.ALLIED: "alliance",
    RelationKind.FUNDS: "funding",
    RelationKind.INFLUENCES: "influence",
    RelationKind.COMMANDS: "command link",
    RelationKind.MEMBER_OF: "membership",
}

#: How an explanation says where a link's access figure came from.
ACCESS_WORDS = {"access": "", "strength": " from its strength", "default": " assumed"}

NO_PREDECESSOR = -9999  # scipy's marker for "no predecessor"


@dataclass(frozen=True)
class Link:
    """One relation on a route, walked from ``source`` to ``target``."""

    relation: str
    kind: str
    source: str
    target: str
    against_direction: bool
    rating: Rating

    @property
    def passability(self) -> float:
        """The chance this link passes a message on with trust intact."""
        return self.rating.passability

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "relation": self.relation,
            "kind": self.kind,
            "from": self.source,
            "to": self.target,
            "against_direction": self.against_direction,
            "passability": rounded(self.passability),
            "trust": self.rating.trust,
            "access": self.rating.access,
            "assumed": self.rating.assumptions(),
        }


@dataclass(frozen=True)
class Route:
    """A chain of links and the chance it delivers a message with trust intact."""

    actors: tuple[str, ...]
    links: tuple[Link, ...]

    @property
    def reach(self) -> float:
        """The product of the links' passabilities."""
        return math.prod(link.passability for link in self.links)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "actors": list(self.actors),
            "reach": rounded(self.reach),
            "links": [link.as_dict() for link in self.links],
        }


@dataclass(frozen=True)
class Alternative:
    """The best route left when one relation of a route breaks (``None``: no route left)."""

    broken: str
    route: Route | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "if_broken": self.broken,
            "route": None if self.route is None else self.route.as_dict(),
        }


@dataclass(frozen=True)
class EntryPoint:
    """An actor to approach, the route it opens to a decision-maker, and its fallbacks."""

    counterpart: str
    entry: str
    decision_maker: str
    direct: bool  # our organisation already holds the first link
    route: Route
    alternatives: tuple[Alternative, ...]
    cautions: tuple[str, ...]
    why: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "counterpart": self.counterpart,
            "entry": self.entry,
            "decision_maker": self.decision_maker,
            "direct": self.direct,
            "reach": rounded(self.route.reach),
            "route": self.route.as_dict(),
            "alternatives": [alternative.as_dict() for alternative in self.alternatives],
            "cautions": list(self.cautions),
            "why": self.why,
        }


class _Search:
    """Best routes over the passage graph, with our own organisation never passed through.

    The table of best arcs (one per ordered pair, sorted by pair) and its matrix are built
    once; a broken relation only swaps its pairs to their next-best arc, or to none.
    """

    def __init__(self, passage: PassageGraph, barred: Sequence[int]) -> None:
        self.passage = passage
        arcs = passage.best_arcs()
        if barred:
            arcs = arcs[~np.isin(passage.head[arcs], np.asarray(barred, dtype=np.int64))]
        self.arcs = arcs
        self.keys = passage.pair_keys(arcs)
        self.all_keys = passage.pair_keys(passage.pair_order)
        tails = passage.tail[arcs]
        self.indptr = np.searchsorted(tails, np.arange(passage.size + 1))
        self.indices = passage.head[arcs]
        self.cache: dict[tuple[int, int], Route | None] = {}

    def _matrix(self, costs: FloatArray) -> csr_matrix:
        size = self.passage.size
        return csr_matrix((costs, self.indices, self.indptr), shape=(size, size))

    def route(self, nodes: Sequence[int], arcs: IntArray | None = None) -> Route:
        """The route through ``nodes`` over the best arcs (or the given replacement table)."""
        passage = self.passage
        table = self.arcs if arcs is None else arcs
        links = []
        for tail, head in itertools.pairwise(nodes):
            arc = int(table[np.searchsorted(self.keys, tail * passage.size + head)])
            relation = int(passage.relation[arc])
            links.append(
                Link(
                    relation=passage.relation_ids[relation],
                    kind=passage.relation_kinds[relation].value,
                    source=passage.actors[tail],
                    target=passage.actors[head],
                    against_direction=bool(passage.backward[arc]),
                    rating=passage.rating(relation),
                )
            )
        return Route(tuple(passage.actors[n] for n in nodes), tuple(links))

    def best_from(self, start: int, targets: IntArray, broken: int) -> Route | None:
        """The best route from ``start`` to any target once relation ``broken`` is gone."""
        if (start, broken) in self.cache:
            return self.cache[start, broken]
        passage = self.passage
        arcs = self.arcs.copy()
        costs = passage.cost[arcs]
        for position in np.flatnonzero(passage.relation[arcs] == broken):
            low, high = (
                np.searchsorted(self.all_keys, self.keys[position], side="left"),
                (np.searchsorted(self.all_keys, self.keys[position], side="right")),
            )
            others = passage.pair_order[low:high]
            others = others[passage.relation[others] != broken]
            if others.size:  # the next-best relation between the same two actors
                arcs[position] = others[0]
                costs[position] = passage.cost[others[0]]
            else:
                costs[position] = np.inf  # scipy reads an infinite cost as no arc
        distances, predecessors = dijkstra(
            self._matrix(costs), indices=start, return_predecessors=True
        )
        reached = distances[targets]
        found = None
        if np.isfinite(reached).any():
            nodes = [int(targets[int(np.argmin(reached))])]
            while nodes[-1] != start:
                nodes.append(int(predecessors[nodes[-1]]))
            found = self.route(nodes[::-1], arcs)
        self.cache[start, broken] = found
        return found


def find_entry_points(
    graph: nx.MultiDiGraph,
    passage: PassageGraph,
    counterpart: Counterpart,
    limit: int = MAX_ENTRY_POINTS,
) -> list[EntryPoint]:
    """The best entry points to ``counterpart``'s decision-makers, best first."""
    origins = [
        passage.index[a]
        for a, kind in graph.nodes(data="kind")
        if kind == ActorKind.OWN_ORGANISATION.value
    ]
    targets = np.asarray([passage.index[a] for a in counterpart.decision_makers], dtype=np.int64)
    # our own organisation is where routes start, never a go-between on them
    search = _Search(passage, origins)
    arcs = search.arcs
    # distance from every actor to the nearest decision-maker, walking arcs backwards
    to_target, next_hop, _ = dijkstra(
        passage.directed_matrix(arcs, reverse=True),
        indices=targets,
        return_predecessors=True,
        min_only=True,
    )
    from_origins = arcs[np.isin(passage.tail[arcs], np.asarray(origins, dtype=np.int64))]
    first_hops = [
        (int(passage.tail[a]), int(passage.head[a]), float(passage.cost[a])) for a in from_origins
    ]
    direct = any(np.isfinite(to_target[hop]) for _, hop, _ in first_hops)
    excluded = set(origins) | {passage.index[counterpart.id]} | set(targets.tolist())
    starts: list[tuple[float, int | None, int]] = []  # (cost, origin or None, entry)
    if direct:
        best: dict[int, tuple[float, int]] = {}
        for ours, hop, cost in first_hops:
            total = cost + float(to_target[hop])
            if np.isfinite(total) and total < best.get(hop, (math.inf, -1))[0]:
                best[hop] = (total, ours)
        starts = sorted((total, ours, hop) for hop, (total, ours) in best.items())
    else:
        reachable = np.flatnonzero(np.isfinite(to_target))
        order = reachable[np.lexsort((reachable, to_target[reachable]))]
        starts = [(float(to_target[v]), None, int(v)) for v in order if int(v) not in excluded]

    found: list[EntryPoint] = []
    listed: set[int] = set()
    for _, origin, entry in starts:
        if len(found) >= limit:
            break
        nodes = [entry]
        while int(next_hop[nodes[-1]]) != NO_PREDECESSOR:
            nodes.append(int(next_hop[nodes[-1]]))
        if origin is None and listed & set(nodes):
            continue  # the route runs through a better entry point: approach that one
        listed.add(entry)
        path = [origin, *nodes] if origin is not None else nodes
        route = search.route(path)
        start = entry if origin is None else origin
        alternatives = tuple(
            Alternative(
                link.relation,
                search.best_from(start, targets, passage.relation_position(link.relation)),
            )
            for link in route.links
        )
        found.append(_entry_point(graph, counterpart, route, origin is not None, alternatives))
    return found


def _link_label(graph: nx.MultiDiGraph, link: Link) -> str:
    words = LINK_WORDS.get(RelationKind(link.kind), link.kind)
    return (
        f"the {words} between {actor_name(graph, link.source)} and {actor_name(graph, link.target)}"
    )


def _describe_link(graph: nx.MultiDiGraph, link: Link) -> str:
    words = LINK_WORDS.get(RelationKind(link.kind), link.kind)
    source, target = actor_name(graph, link.source), actor_name(graph, link.target)
    if link.against_direction:
        text = f"{source} to {target} back along {target}'s {words}"
    else:
        text = f"{source} to {target} by {words}"
    rating = link.rating
    trust = f"trust {rating.trust:g}" + (" assumed" if rating.trust_assumed else "")
    access = f"access {rating.access:g}" + ACCESS_WORDS[rating.access_from]
    return f"{text} ({trust}, {access})"


def _cautions(graph: nx.MultiDiGraph, counterpart: Counterpart, entry: str) -> list[str]:
    said = []
    stance = graph.nodes[entry].get("stance")
    if stance in {s.value for s in DOUBTFUL_STANCES}:
        said.append(f"{actor_name(graph, entry)} is {stance} to talks")
    sides = {counterpart.id, *counterpart.decision_makers}
    for source, target, data in [
        *graph.out_edges(entry, data=True),
        *graph.in_edges(entry, data=True),
    ]:
        other = target if source == entry else source
        if other not in sides:
            continue
        kind = RelationKind(data["kind"])
        name = actor_name(graph, other)
        if kind in HOSTILE_KINDS:
            said.append(
                f"{actor_name(graph, entry)} has a {kind.value.replace('_', ' ')} relation "
                f"with {name}: a message through it may be read as pressure"
            )
        elif kind in INSIDE_KINDS:
            said.append(
                f"{actor_name(graph, entry)} is inside {name} ({kind.value.replace('_', ' ')}): "
                "contact may expose it and will be read as talking to the group itself"
            )
    return said


def _entry_point(
    graph: nx.MultiDiGraph,
    counterpart: Counterpart,
    route: Route,
    direct: bool,
    alternatives: tuple[Alternative, ...],
) -> EntryPoint:
    entry = route.actors[1] if direct else route.actors[0]
    decision_maker = route.actors[-1]
    steps = "; then ".join(_describe_link(graph, link) for link in route.links) or (
        f"{actor_name(graph, entry)} is itself the decision-maker"
    )
    if direct:
        opening = (
            f"Our organisation reaches {actor_name(graph, decision_maker)} through "
            f"{actor_name(graph, entry)}: {steps}."
        )
    else:
        opening = (
            f"No tie of our organisation leads there yet; "
            f"{actor_name(graph, entry)} has one of the best routes to "
            f"{actor_name(graph, decision_maker)}: {steps}. A tie to it is the first step."
        )
    count = len(route.links)
    reach = (
        f"Reach {route.reach:.2g} over {count} link{'s' if count != 1 else ''} "
        "(the chance, 0 to 1, that a message arrives with trust intact)."
    )
    labels = {link.relation: _link_label(graph, link) for link in route.links}
    single = [labels[a.broken] for a in alternatives if a.route is None]
    if len(single) == 1:
        fragility = f"No other route if {single[0]} breaks: it is a single point of failure."
    elif single:
        fragility = (
            f"No other route if {listing(single, joiner='or')} breaks: each is a single "
            "point of failure."
        )
    elif alternatives:
        worst = min(a.route.reach for a in alternatives if a.route is not None)
        fragility = f"If any one link breaks another route remains (the weakest reach {worst:.2g})."
    else:
        fragility = ""
    cautions = tuple(_cautions(graph, counterpart, entry))
    why = " ".join(part for part in (opening, reach, fragility) if part)
    if cautions:
        why += " Caution: " + "; ".join(cautions) + "."
    return EntryPoint(
        counterpart=counterpart.id,
        entry=entry,
        decision_maker=decision_maker,
        direct=direct,
        route=route,
        alternatives=alternatives,
        cautions=cautions,
        why=why,
    )
