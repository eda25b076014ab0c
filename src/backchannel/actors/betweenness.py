"""Betweenness along best routes: exact for case-sized maps, sampled for data-set-sized ones.

The betweenness of an actor is the share of best routes between other actors that pass
through it (Brandes' definition, with routes weighted by cost). Routes here are those of
``passage``: a broker is an actor that the *good* routes run through, not merely the
short ones.

The computation is Brandes' accumulation driven by scipy's Dijkstra: for each source,
the arcs that lie on some best route form a layered graph; route counts flow forward
through its layers and dependencies flow back, one vectorised step per layer. Costs are
whole numbers (``passage.COST_SCALE``), so equally good routes tie exactly and share the
credit as in networkx's exact betweenness, which the tests compare against.

Up to ``EXACT_LIMIT`` actors every actor is a source and the result is exact. Above it,
``SAMPLED_SOURCES`` sources drawn with a fixed seed give an estimate. Plain source
sampling (what networkx offers with ``k``) badly overrates actors next to a sampled
source; on a map given both ways (``symmetric``) the estimate uses the *linear scaling*
of Geisberger, Sanders and Schultes ("Better Approximation of Betweenness Centrality",
ALENEX 2008): a source credits an actor on its route to a target in proportion to how
far along the route the actor lies, which keeps the estimate unbiased and cuts that
error. ``benchmarks/actors.py`` measures what sampling costs in accuracy, both ways.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from backchannel.actors.passage import FloatArray, IntArray

#: Up to this many actors betweenness is exact (every actor a source): a case map of a few
#: hundred actors takes well under a second.
EXACT_LIMIT = 2_000
#: Sources sampled above ``EXACT_LIMIT``. On the 10,000-actor benchmark map (about 1.5 s)
#: the estimate ranks actors with Spearman 0.97 against exact, shares 14 of the exact top
#: 20, and its top 10 all lie within the exact top 25 (``benchmarks/actors.py``).
SAMPLED_SOURCES = 300
#: Fixed seed for the sample, so that the same map always gives the same brokers.
SAMPLE_SEED = 2_014
#: Sources run through Dijkstra together (bounds memory at BATCH x actors distances).
BATCH = 64


@dataclass(frozen=True)
class Betweenness:
    """Each actor's share of best routes between other actors, and how it was computed."""

    scores: FloatArray
    sources: int
    exact: bool


def _dependencies(
    size: int,
    arcs: tuple[IntArray, IntArray, FloatArray],
    distance: FloatArray,
    source: int,
    linear: bool = False,
) -> FloatArray:
    """How much each actor lies on best routes from ``source`` (Brandes' dependency).

    With ``linear``, each route's credit to an actor is scaled by the share of the
    route's cost that lies between the source and the actor (linear scaling).
    """
    tail, head, cost = arcs
    dependency = np.zeros(size)
    to_head = distance[head]
    on_best = (distance[tail] + cost == to_head) & np.isfinite(to_head)
    arc_tail, arc_head = tail[on_best], head[on_best]
    if arc_tail.size == 0:
        return dependency
    # Layer actors by the most arcs on any best route to them: an actor's route count then
    # depends only on earlier layers. Costs are positive, so the best-route arcs hold no
    # cycle and this settles in as many rounds as the deepest route has arcs.
    layer = np.zeros(size, dtype=np.int64)
    while True:
        deeper = np.zeros(size, dtype=np.int64)
        np.maximum.at(deeper, arc_head, layer[arc_tail] + 1)
        if np.array_equal(deeper, layer):
            break
        layer = deeper
    order = np.argsort(layer[arc_head], kind="stable")
    arc_tail, arc_head = arc_tail[order], arc_head[order]
    bounds = np.flatnonzero(np.diff(layer[arc_head])) + 1
    groups = list(zip(np.r_[0, bounds], np.r_[bounds, arc_head.size], strict=True))
    routes = np.zeros(size)
    routes[source] = 1.0
    for start, stop in groups:
        routes += np.bincount(
            arc_head[start:stop], weights=routes[arc_tail[start:stop]], minlength=size
        )
    for start, stop in reversed(groups):
        tails, heads = arc_tail[start:stop], arc_head[start:stop]
        share = routes[tails] / routes[heads] * (1.0 + dependency[heads])
        if linear:
            share *= distance[tails] / distance[heads]
        dependency += np.bincount(tails, weights=share, minlength=size)
    dependency[source] = 0.0
    return dependency


def _simple(
    size: int, tail: IntArray, head: IntArray, cost: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """The arcs without loops and with one arc (the cheapest) per ordered pair."""
    proper = tail != head
    tail, head, cost = tail[proper], head[proper], cost[proper]
    order = np.lexsort((cost, head, tail))
    tail, head, cost = tail[order], head[order], cost[order]
    pair = tail * size + head
    first = np.ones(pair.size, dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    return tail[first], head[first], cost[first]


def route_betweenness(
    size: int,
    tail: IntArray,
    head: IntArray,
    cost: FloatArray,
    *,
    sources: int | None = None,
    seed: int = SAMPLE_SEED,
    symmetric: bool = False,
) -> Betweenness:
    """Betweenness of ``size`` actors over the arcs ``tail -> head`` with positive ``cost``.

    Of parallel arcs only the cheapest counts, and loops are ignored. ``symmetric`` says
    that every tie is given as two arcs of equal cost (an undirected map), which lets a
    sample use linear scaling. ``sources`` sets the sample size; by default every actor
    up to ``EXACT_LIMIT`` and ``SAMPLED_SOURCES`` above it. Scores are normalised by the
    number of ordered pairs of other actors, as networkx does.
    """
    tail, head, cost = _simple(size, tail, head, cost)
    if size < 3 or tail.size == 0:
        return Betweenness(np.zeros(size), 0, True)
    wanted = sources if sources is not None else (size if size <= EXACT_LIMIT else SAMPLED_SOURCES)
    exact = wanted >= size
    if exact:
        chosen = np.arange(size)
    else:
        chosen = np.sort(np.random.default_rng(seed).choice(size, wanted, replace=False))
    linear = symmetric and not exact
    matrix = csr_matrix((cost, (tail, head)), shape=(size, size))
    total = np.zeros(size)
    for first in range(0, chosen.size, BATCH):
        batch = chosen[first : first + BATCH]
        distances = np.atleast_2d(dijkstra(matrix, indices=batch))
        for row, source in enumerate(batch):
            total += _dependencies(size, (tail, head, cost), distances[row], int(source), linear)
    scale = 1.0 / ((size - 1) * (size - 2))
    if not exact:
        # a sampled source stands for size / sample sources; under linear scaling the two
        # ends of a pair credit an actor shares that add up to one route, not two
        scale *= size / chosen.size * (2.0 if linear else 1.0)
    return Betweenness(total * scale, int(chosen.size), exact)
