"""Which relations can carry a message, in which direction, and how well: the passage rules.

Entry points and brokers both ask how a message travels from one actor to another. A
relation carries it when its kind allows (``PASSAGE_RULES``); how well is its
*passability*, ``trust x access x HOP_RETENTION``, read as the chance that the message
arrives with its sender's trust intact. A route's passability is the product over its
links, so the best route is the shortest one when each link costs ``-log(passability)``.

Weights a relation leaves unrated get the documented defaults below, and every rating
says which of its parts were assumed so that explanations can say so.

The compact ``PassageGraph`` holds the traversable arcs as numpy arrays for scipy's
shortest-path routines: the analyses must stay fast on maps seeded from whole data sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from backchannel.actors.edges import KINDS, RelationRow, relation_list
from backchannel.model.vocabulary import RelationKind

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Trust assumed when a relation does not rate it: neither trusted nor distrusted, so an
#: unrated link stays usable but always ranks behind a link rated as trusted.
DEFAULT_TRUST = 0.5
#: Access assumed when a relation rates neither access nor strength (strength stands in
#: for access when only it is rated: a strong tie is one its holder can use readily).
DEFAULT_ACCESS = 0.5
#: Share of a message's chance kept at each hop. Every extra go-between is one more person
#: who may distort, delay or leak it, so a longer route must be clearly better to win; it
#: also keeps every link's cost above zero, which shortest-route counting needs.
HOP_RETENTION = 0.9
#: Costs are ``-log(passability)`` rounded to millionths and held as whole numbers, so that
#: sums along routes are exact and equally good routes tie exactly (a relative difference
#: in passability of one in a million is far below what any rating can tell apart).
COST_SCALE = 1_000_000.0


@dataclass(frozen=True)
class PassageRule:
    """Whether a kind of relation carries messages forward (source to target) and back."""

    kind: RelationKind
    forward: bool
    backward: bool
    default_trust: float
    reason: str


def _rule(
    kind: RelationKind, forward: bool, backward: bool, default_trust: float, reason: str
) -> tuple[RelationKind, PassageRule]:
    return kind, PassageRule(kind, forward, backward, default_trust, reason)


#: The rule table: every relation kind, whether it carries a message each way, and the
#: trust assumed when it is unrated.
PASSAGE_RULES: Mapping[RelationKind, PassageRule] = dict(
    [
        _rule(
            RelationKind.CHANNEL,
            True,
            True,
            DEFAULT_TRUST,
            "a channel is a line of communication; it carries messages both ways",
        ),
        _rule(
            RelationKind.NEGOTIATES_WITH,
            True,
            True,
            0.4,
            "parties at one table can pass messages both ways; unrated trust is set lower "
            "because negotiating parties are usually adversaries",
        ),
        _rule(
            RelationKind.KIN,
            True,
            True,
            0.7,
            "kinship is mutual and carries obligations, so an unrated kin tie is trusted more",
        ),
        _rule(
            RelationKind.ALLIED,
            True,
            True,
            DEFAULT_TRUST,
            "allies keep lines open to each other both ways",
        ),
        _rule(
            RelationKind.FUNDS,
            True,
            True,
            DEFAULT_TRUST,
            "money keeps a line open both ways: the funder is heard, the funded ask",
        ),
        _rule(
            RelationKind.INFLUENCES,
            True,
            False,
            DEFAULT_TRUST,
            "influence runs one way: the influenced need not have the influencer's ear",
        ),
        _rule(
            RelationKind.COMMANDS,
            True,
            True,
            0.8,
            "orders go down a chain of command and reports go up it; inside an organisation "
            "messages pass as a matter of course, so unrated trust is set high and the "
            "link's strength decides",
        ),
        _rule(
            RelationKind.MEMBER_OF,
            True,
            True,
            0.8,
            "a member reaches its organisation and the organisation its members, as for "
            "command links",
        ),
        _rule(
            RelationKind.SPLINTER_OF,
            False,
            False,
            0.0,
            "a splinter broke away from its parent: it is the last one the parent would take "
            "a message from",
        ),
        _rule(
            RelationKind.RIVAL,
            False,
            False,
            0.0,
            "a rival does not carry a third party's message to the actor it competes with",
        ),
        _rule(
            RelationKind.FIGHTS,
            False,
            False,
            0.0,
            "fighting is contact, not a channel: a message through an enemy is a threat",
        ),
    ]
)


@dataclass(frozen=True)
class Rating:
    """How well one relation carries a message in one direction, and what was assumed."""

    passability: float
    trust: float
    access: float
    trust_assumed: bool
    access_from: str  # "access", "strength" or "default"

    def assumptions(self) -> list[str]:
        """The parts of this rating that were not recorded, in plain words."""
        said = []
        if self.trust_assumed:
            said.append(f"trust not rated, assumed {self.trust:g}")
        if self.access_from == "strength":
            said.append(f"access not rated, strength {self.access:g} used")
        elif self.access_from == "default":
            said.append(f"access and strength not rated, assumed {self.access:g}")
        return said


def rate(
    kind: RelationKind,
    strength: float | None,
    trust: float | None,
    access: float | None,
) -> Rating:
    """The passability of a relation of ``kind`` with these (possibly missing) weights."""
    rule = PASSAGE_RULES[kind]
    used_trust = rule.default_trust if trust is None else trust
    if access is not None:
        used_access, access_from = access, "access"
    elif strength is not None:
        used_access, access_from = strength, "strength"
    else:
        used_access, access_from = DEFAULT_ACCESS, "default"
    return Rating(
        passability=used_trust * used_access * HOP_RETENTION,
        trust=used_trust,
        access=used_access,
        trust_assumed=trust is None,
        access_from=access_from,
    )


#: How ``PassageGraph`` codes where a relation's access figure came from.
ACCESS_SOURCES = ("access", "strength", "default")


@dataclass(frozen=True)
class PassageGraph:
    """The traversable arcs of an actor graph, as arrays indexed by actor position.

    Each arc is one relation traversed one way; ``backward`` marks an arc that runs from
    the relation's target to its source. Several arcs may join the same two actors.
    Relations are numbered by their position in ``relation_ids``; the ``relation_*``
    arrays hold, per relation, the figures ``rating`` explains.
    """

    actors: tuple[str, ...]
    index: Mapping[str, int]
    tail: IntArray
    head: IntArray
    cost: FloatArray
    relation: IntArray
    backward: BoolArray
    relation_ids: tuple[str, ...]
    relation_index: Mapping[str, int]
    relation_kinds: tuple[RelationKind, ...]
    relation_trust: FloatArray
    relation_access: FloatArray
    relation_trust_assumed: BoolArray
    relation_access_from: IntArray  # position in ``ACCESS_SOURCES``
    pair_order: IntArray  # arcs sorted by (tail, head, cost), for ``best_arcs``

    @property
    def size(self) -> int:
        """The number of actors."""
        return len(self.actors)

    def rating(self, relation: int) -> Rating:
        """The rating of the relation at position ``relation`` (as ``rate`` gives it)."""
        trust = float(self.relation_trust[relation])
        access = float(self.relation_access[relation])
        return Rating(
            passability=trust * access * HOP_RETENTION,
            trust=trust,
            access=access,
            trust_assumed=bool(self.relation_trust_assumed[relation]),
            access_from=ACCESS_SOURCES[int(self.relation_access_from[relation])],
        )

    def relation_position(self, relation_id: str) -> int:
        """The position of a relation in ``relation_ids``; ``KeyError`` if not traversable."""
        return self.relation_index[relation_id]

    def pair_keys(self, arcs: IntArray) -> IntArray:
        """One number per arc naming its ordered pair of actors (ascending for ``best_arcs``)."""
        return self.tail[arcs] * self.size + self.head[arcs]

    def best_arcs(self, without: frozenset[int] = frozenset()) -> IntArray:
        """For each ordered pair of actors, the cheapest arc between them (arc positions).

        Relations in ``without`` (positions in ``relation_ids``) are treated as broken.
        """
        arcs = self.pair_order
        if without:
            broken = np.isin(self.relation[arcs], np.fromiter(without, dtype=np.int64))
            arcs = arcs[~broken]
        pair = self.pair_keys(arcs)
        first = np.ones(arcs.size, dtype=bool)
        first[1:] = pair[1:] != pair[:-1]
        return arcs[first]

    def directed_matrix(self, arcs: IntArray, reverse: bool = False) -> csr_matrix:
        """A sparse matrix of the given arcs' costs (one arc per ordered pair)."""
        rows, cols = (self.head, self.tail) if reverse else (self.tail, self.head)
        return csr_matrix((self.cost[arcs], (rows[arcs], cols[arcs])), shape=(self.size, self.size))

    def contact_arcs(self) -> tuple[IntArray, IntArray, FloatArray]:
        """Undirected contacts: each pair joined by any arc, at its cheaper direction's cost.

        Returned as arcs both ways, ``(tail, head, cost)``, for routines that walk a graph
        from either end of a tie.
        """
        low = np.minimum(self.tail, self.head)
        high = np.maximum(self.tail, self.head)
        order = np.lexsort((self.cost, high, low))
        low, high, cost = low[order], high[order], self.cost[order]
        first = np.ones(low.size, dtype=bool)
        first[1:] = (low[1:] != low[:-1]) | (high[1:] != high[:-1])
        low, high, cost = low[first], high[first], cost[first]
        return (
            np.concatenate([low, high]),
            np.concatenate([high, low]),
            np.concatenate([cost, cost]),
        )


def _weights(values: list[float | None]) -> FloatArray:
    """Optional weights as floats, with NaN where a weight is not rated."""
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def passage_graph(
    graph: nx.MultiDiGraph, listed: Sequence[RelationRow] | None = None
) -> PassageGraph:
    """The traversable arcs of ``graph`` (as built by ``build_graph``) under the rules.

    Computes, for every relation at once, what ``rate`` computes for one. ``listed`` is
    the graph's relations if the caller has them already (``edges.relation_list``).
    """
    actors = tuple(graph.nodes)
    index = {actor: position for position, actor in enumerate(actors)}
    edges = relation_list(graph, listed)
    kinds = [KINDS[data["kind"]] for *_, data in edges]
    rules = [PASSAGE_RULES[kind] for kind in kinds]
    forward = np.array([rule.forward for rule in rules], dtype=bool)
    backward = np.array([rule.backward for rule in rules], dtype=bool)
    trust = _weights([data.get("trust") for *_, data in edges])
    access = _weights([data.get("access") for *_, data in edges])
    strength = _weights([data.get("strength") for *_, data in edges])
    trust_assumed = np.isnan(trust)
    used_trust = np.where(trust_assumed, [rule.default_trust for rule in rules], trust)
    access_from = np.where(~np.isnan(access), 0, np.where(~np.isnan(strength), 1, 2))
    used_access = np.where(
        access_from == 0, access, np.where(access_from == 1, strength, DEFAULT_ACCESS)
    )
    passability = used_trust * used_access * HOP_RETENTION
    # a relation that cannot carry a message, or is rated zero, is left out
    keep = np.flatnonzero((forward | backward) & (passability > 0.0))
    sources = np.array([index[source] for source, *_ in edges], dtype=np.int64)[keep]
    targets = np.array([index[target] for _, target, *_ in edges], dtype=np.int64)[keep]
    one_way = np.round(-np.log(passability[keep]) * COST_SCALE)
    numbers = np.arange(keep.size, dtype=np.int64)
    ahead, back = forward[keep], backward[keep]
    tail = np.concatenate([sources[ahead], targets[back]])
    head = np.concatenate([targets[ahead], sources[back]])
    cost = np.concatenate([one_way[ahead], one_way[back]])
    relation_ids = tuple(str(edges[i][2]) for i in keep.tolist())
    return PassageGraph(
        actors=actors,
        index=index,
        tail=tail,
        head=head,
        cost=cost,
        relation=np.concatenate([numbers[ahead], numbers[back]]),
        backward=np.concatenate([np.zeros(int(ahead.sum()), bool), np.ones(int(back.sum()), bool)]),
        relation_ids=relation_ids,
        relation_index={relation: position for position, relation in enumerate(relation_ids)},
        relation_kinds=tuple(kinds[i] for i in keep.tolist()),
        relation_trust=used_trust[keep],
        relation_access=used_access[keep],
        relation_trust_assumed=trust_assumed[keep],
        relation_access_from=access_from[keep].astype(np.int64),
        pair_order=np.lexsort((cost, head, tail)).astype(np.int64),
    )
