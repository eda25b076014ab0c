"""Camps: groups of actors tied more closely to each other than to the rest of the map.

Up to ``LOUVAIN_LIMIT`` actors the camps are networkx's Louvain communities (modularity,
weighted by the ties' passability, fixed seed): the better method, and instant at the
size of a case map. Above it they come from weighted label propagation, which runs in
vectorised rounds: on the 10,000-actor benchmark map a fraction of a second where
Louvain takes several. On the example cases both find the same camps; on very small or
evenly tied maps label propagation tends to merge neighbouring camps, hence the limit.

Label propagation: every actor starts in a camp of its own, then repeatedly joins the
camp that holds most of the weight of its ties, keeping its own camp when that is among
the heaviest and otherwise taking the lowest-numbered of the heaviest. Each round moves a
random half of the actors that would move (drawn with a fixed seed, so the same map
always gives the same camps; moving all at once can make the two ends of a tie swap
camps forever). It stops when no actor would move.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from backchannel.actors.passage import FloatArray, IntArray

#: Actors up to which camps are Louvain communities (see the module text).
LOUVAIN_LIMIT = 2_000
#: Fixed seed for Louvain and for the propagation rounds' draws.
CAMP_SEED = 7
#: Rounds after which propagation stops even if some actors still move (it rarely needs
#: more than a few dozen).
MAX_ROUNDS = 100


@dataclass(frozen=True)
class Camps:
    """A camp number per actor, and the method that found them."""

    of: IntArray
    method: str


def find_camps(size: int, tail: IntArray, head: IntArray, weight: FloatArray) -> Camps:
    """The camps of ``size`` actors tied by ``tail -> head`` with ``weight`` (both ways).

    Camp numbers are arbitrary but stable; an actor with no tie is a camp of its own.
    """
    if size <= LOUVAIN_LIMIT:
        return Camps(louvain_camps(size, tail, head, weight), "louvain")
    return Camps(propagated_camps(size, tail, head, weight), "label propagation")


def louvain_camps(size: int, tail: IntArray, head: IntArray, weight: FloatArray) -> IntArray:
    """Louvain communities (networkx, fixed seed) as a camp number per actor."""
    contact = nx.Graph()
    contact.add_nodes_from(range(size))
    contact.add_weighted_edges_from(zip(tail.tolist(), head.tolist(), weight.tolist(), strict=True))
    camp = np.arange(size, dtype=np.int64)
    for members in nx.community.louvain_communities(contact, weight="weight", seed=CAMP_SEED):
        camp[list(members)] = min(members)
    return camp


def propagated_camps(
    size: int, tail: IntArray, head: IntArray, weight: FloatArray, seed: int = CAMP_SEED
) -> IntArray:
    """Camps by weighted label propagation (see the module text)."""
    camp = np.arange(size, dtype=np.int64)
    if tail.size == 0:
        return camp
    draws = np.random.default_rng(seed)
    for _ in range(MAX_ROUNDS):
        # total tie weight from each actor into each camp around it
        # pairs come out sorted by actor, then camp: each actor's offers are one run
        pairs, where = np.unique(tail * size + camp[head], return_inverse=True)
        totals = np.bincount(where, weights=weight)
        actor, offered = pairs // size, pairs % size
        starts = np.flatnonzero(np.r_[True, actor[1:] != actor[:-1]])
        heaviest = np.zeros(size)
        heaviest[actor[starts]] = np.maximum.reduceat(totals, starts)
        # the lowest-numbered camp among the heaviest: each actor's first offer at its maximum
        best = np.flatnonzero(totals == heaviest[actor])
        first = best[np.r_[True, actor[best[1:]] != actor[best[:-1]]]]
        choice = camp.copy()
        choice[actor[first]] = offered[first]
        own = np.zeros(size)
        stays = offered == camp[actor]
        own[actor[stays]] = totals[stays]
        moving = (choice != camp) & (own < heaviest)
        if not moving.any():
            break
        half = draws.random(size) < 0.5
        camp = np.where(moving & half, choice, camp)
    return camp
