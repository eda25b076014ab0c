"""Brokers: the actors that good routes between others run through, and that bridge camps.

Three readings of the contact map (every tie that carries messages, ``passage``), each
said in plain words:

- *betweenness*: the share of best routes between other actors that pass through the
  actor (``betweenness``), weighted by trust and access as entry points are;
- *bridging*: the camps (``camps``: groups of actors tied more closely to each other
  than to the rest) that the actor's own ties reach, each named by its best-connected
  member;
- *cut point*: whether some actors would lose every route to the rest if it dropped out.

The counterparts, their decision-makers and our own organisation are not listed: they are
the ends a mediator wants to join, not go-betweens.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from backchannel.actors.betweenness import Betweenness, route_betweenness
from backchannel.actors.camps import find_camps
from backchannel.actors.passage import COST_SCALE, IntArray, PassageGraph
from backchannel.actors.wording import actor_name, listing, rounded

#: Brokers listed: beyond the first few the scores say little a mediator can act on.
MAX_BROKERS = 10
#: Actors named when a broker's departure would cut some off.
NAMED_CUT_OFF = 4


@dataclass(frozen=True)
class Broker:
    """An actor many good routes run through, the camps it links and who hangs on it."""

    actor: str
    betweenness: float
    route_share: float  # share of all best routes on the map that pass through the actor
    camps: tuple[str, ...]  # each camp named by its best-connected member
    cut_off: tuple[str, ...]  # actors left with no route to the rest without it
    why: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "actor": self.actor,
            "betweenness": rounded(self.betweenness),
            "route_share": rounded(self.route_share),
            "camps_linked": list(self.camps),
            "cut_point": bool(self.cut_off),
            "cut_off_without_it": list(self.cut_off),
            "why": self.why,
        }


@dataclass(frozen=True)
class BrokerReading:
    """The brokers, and how the betweenness behind them was computed."""

    brokers: list[Broker]
    betweenness: Betweenness
    camps: int
    camp_method: str


def find_brokers(
    graph: nx.MultiDiGraph,
    passage: PassageGraph,
    ends: Collection[str],
    limit: int = MAX_BROKERS,
) -> BrokerReading:
    """The top brokers of the map, leaving out the ``ends`` (counterparts, ourselves)."""
    tail, head, cost = passage.contact_arcs()
    reading = route_betweenness(passage.size, tail, head, cost, symmetric=True)
    order = np.lexsort((np.arange(passage.size), -reading.scores))
    excluded = {passage.index[a] for a in ends if a in passage.index}
    top = [int(v) for v in order if reading.scores[v] > 0 and int(v) not in excluded][:limit]
    if not top:
        return BrokerReading([], reading, 0, "none")

    camps_found = find_camps(passage.size, tail, head, np.exp(-cost / COST_SCALE))
    camp_of = camps_found.of
    named = _best_connected(camp_of, np.bincount(tail, minlength=passage.size))
    _, before = connected_components(_adjacency(passage.size, tail, head), directed=False)
    # betweenness is normalised over all pairs of actors; a mediator asks what share of the
    # routes that exist at all run through an actor, and most pairs on a map have none
    component_sizes = np.bincount(before).astype(np.float64)
    routes = float(np.sum(component_sizes * (component_sizes - 1)))
    to_share = (passage.size - 1) * (passage.size - 2) / routes

    brokers = []
    for actor in top:
        reached = {int(c) for c in camp_of[head[tail == actor]]} - {int(camp_of[actor])}
        camps = [int(camp_of[actor]), *sorted(reached)]
        camp_names = tuple(passage.actors[named[c]] for c in camps)
        cut_off = _cut_off(passage, tail, head, before, actor)
        share = float(reading.scores[actor]) * to_share
        brokers.append(
            Broker(
                actor=passage.actors[actor],
                betweenness=float(reading.scores[actor]),
                route_share=share,
                camps=camp_names,
                cut_off=cut_off,
                why=_why(
                    graph,
                    passage.actors[actor],
                    score=share,
                    reading=reading,
                    camps=camp_names,
                    cut_off=cut_off,
                ),
            )
        )
    return BrokerReading(brokers, reading, len(np.unique(camp_of)), camps_found.method)


def _best_connected(camp_of: IntArray, degree: IntArray) -> dict[int, int]:
    """For each camp, its member with the most ties (the lowest-numbered among equals)."""
    actors = np.arange(camp_of.size)
    order = np.lexsort((actors, -degree, camp_of))
    first = np.ones(order.size, dtype=bool)
    first[1:] = camp_of[order][1:] != camp_of[order][:-1]
    return {int(camp_of[a]): int(a) for a in order[first]}


def _adjacency(size: int, tail: IntArray, head: IntArray) -> csr_matrix:
    return csr_matrix((np.ones(tail.size), (tail, head)), shape=(size, size))


def _cut_off(
    passage: PassageGraph, tail: IntArray, head: IntArray, before: IntArray, actor: int
) -> tuple[str, ...]:
    """Actors that share ``actor``'s component but lose every route to its bulk without it."""
    keep = (tail != actor) & (head != actor)
    _, after = connected_components(
        _adjacency(passage.size, tail[keep], head[keep]), directed=False
    )
    own = np.flatnonzero(before == before[actor])
    own = own[own != actor]
    if own.size == 0:
        return ()
    pieces, sizes = np.unique(after[own], return_counts=True)
    bulk = pieces[np.argmax(sizes)]  # the largest piece; the first of equals
    return tuple(passage.actors[int(v)] for v in own[after[own] != bulk])


def _why(
    graph: nx.MultiDiGraph,
    actor: str,
    *,
    score: float,
    reading: Betweenness,
    camps: tuple[str, ...],
    cut_off: tuple[str, ...],
) -> str:
    name = actor_name(graph, actor)
    estimate = "" if reading.exact else f" (estimated from {reading.sources} sampled actors)"
    parts = [f"{name} lies on {score:.0%} of the best routes on the map{estimate}."]
    if len(camps) > 1:
        around = [f"the camp around {actor_name(graph, leader)}" for leader in camps]
        parts.append(f"Its ties link {listing(around)}.")
    if cut_off:
        names = [actor_name(graph, a) for a in cut_off]
        parts.append(
            f"Without it, {listing(names, NAMED_CUT_OFF)} would be cut off from the others "
            "they now reach."
        )
    return " ".join(parts)
