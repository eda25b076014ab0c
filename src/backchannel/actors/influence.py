"""Influence ranking: who has a say over whom, and over those who matter.

Each relation gives one actor a say over another according to ``INFLUENCE_RULES``,
weighted by the rule and by the relation's strength. An actor's influence is the say it
has over others, plus the say those others have in turn, halved at each further hand and
followed for up to ``HANDS`` hands (a Katz centrality cut short):

    influence = A1 + DECAY x A(A1) + DECAY^2 x A(A(A1))

where ``A[x, y]`` is x's say over y. Cutting it short keeps mutual ties (allies sway each
other) from feeding on themselves, which PageRank-like measures reward: a pair of allies
would otherwise outrank the commander of an armed group.

Scores are shown relative to the most influential actor (1.00). Only actors with a say
over someone are ranked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix

from backchannel.actors.counterparts import Counterpart
from backchannel.actors.edges import KINDS, RelationRow, relation_list
from backchannel.actors.passage import FloatArray
from backchannel.actors.wording import actor_name, listing, relation_phrase, rounded
from backchannel.model.vocabulary import RelationKind

#: Influence ranks listed: beyond the first few the differences say little.
MAX_RANKED = 10
#: Share of a say passed on at each further hand: a word through an intermediary's
#: intermediary carries less than one's own.
DECAY = 0.5
#: Hands a say is followed through: beyond three it is too diluted to weigh.
HANDS = 3
#: Strength assumed for a relation that does not rate it.
DEFAULT_STRENGTH = 0.5
#: Relations named in an actor's explanation.
NAMED_SAYS = 4


@dataclass(frozen=True)
class InfluenceRule:
    """Who gets a say over whom through a kind of relation, and how much."""

    source_over_target: bool
    target_over_source: bool
    weight: float
    reason: str


#: The rule table: every relation kind, the say it gives and why.
INFLUENCE_RULES: Mapping[RelationKind, InfluenceRule] = {
    RelationKind.COMMANDS: InfluenceRule(
        True, False, 1.0, "a commander decides for those it commands"
    ),
    RelationKind.INFLUENCES: InfluenceRule(
        True, False, 1.0, "influence recorded as such, as strong as rated"
    ),
    RelationKind.FUNDS: InfluenceRule(True, False, 0.7, "money buys a say, though not command"),
    RelationKind.MEMBER_OF: InfluenceRule(
        False, True, 0.6, "an organisation has a say over its members, short of command"
    ),
    RelationKind.ALLIED: InfluenceRule(
        True, True, 0.3, "allies sway each other, but neither decides for the other"
    ),
    RelationKind.KIN: InfluenceRule(True, True, 0.3, "kin sway each other"),
    RelationKind.NEGOTIATES_WITH: InfluenceRule(
        True, True, 0.2, "across a table each side moves the other a little"
    ),
    RelationKind.CHANNEL: InfluenceRule(
        True, False, 0.2, "a go-between passes words on and adds a little of its own weight"
    ),
    RelationKind.FIGHTS: InfluenceRule(
        False,
        False,
        0.0,
        "force is counted as a spoiler's means, not as a say over the enemy's decisions",
    ),
    RelationKind.RIVAL: InfluenceRule(False, False, 0.0, "a rival has no say over its rival"),
    RelationKind.SPLINTER_OF: InfluenceRule(
        False, False, 0.0, "a splinter left: neither side has a say over the other any more"
    ),
}


@dataclass(frozen=True)
class Say:
    """One actor's say over another through one relation."""

    over: str
    relation: str
    kind: str
    from_source: bool
    weight: float


@dataclass(frozen=True)
class Influence:
    """An actor's place in the influence ranking and what it rests on."""

    actor: str
    rank: int
    score: float  # relative to the most influential actor
    influence: float
    over_counterparts: tuple[str, ...]
    why: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "actor": self.actor,
            "rank": self.rank,
            "score": rounded(self.score),
            "influence": rounded(self.influence),
            "over_counterparts": list(self.over_counterparts),
            "why": self.why,
        }


def say_matrix(size: int, holder: np.ndarray, over: np.ndarray, weight: FloatArray) -> csr_matrix:
    """``A[x, y]``: the total say ``x`` has over ``y`` (parallel relations add up)."""
    return csr_matrix((weight, (holder, over)), shape=(size, size))


def influence_scores(say: csr_matrix) -> FloatArray:
    """``A1 + DECAY x A(A1) + ...`` over ``HANDS`` hands, for the say matrix ``A``."""
    size = say.shape[0]
    passed = np.ones(size)
    total = np.zeros(size)
    for hand in range(HANDS):
        passed = say @ passed
        total += DECAY**hand * passed
    return np.asarray(total, dtype=np.float64)


@dataclass(frozen=True)
class _SayTable:
    """Every say on the map as parallel columns (one row per say)."""

    holder: np.ndarray
    over: np.ndarray
    weight: FloatArray
    relation: list[str]
    kind: list[str]
    from_source: list[bool]

    def of(self, holder: int, actors: Sequence[str]) -> list[Say]:
        """The says ``holder`` has, strongest first."""
        rows = np.flatnonzero(self.holder == holder)
        says = [
            Say(
                actors[int(self.over[r])],
                self.relation[r],
                self.kind[r],
                self.from_source[r],
                float(self.weight[r]),
            )
            for r in rows
        ]
        return sorted(says, key=lambda say: (-say.weight, say.over))


def _says(listed: Sequence[RelationRow], index: Mapping[str, int]) -> _SayTable:
    """Every actor's say over others, as the rule table gives it."""
    holder: list[int] = []
    over: list[int] = []
    weight: list[float] = []
    relation: list[str] = []
    kind: list[str] = []
    from_source: list[bool] = []
    for source, target, key, data in listed:
        rule = INFLUENCE_RULES[KINDS[data["kind"]]]
        strength = data.get("strength")
        amount = rule.weight * (DEFAULT_STRENGTH if strength is None else float(strength))
        if amount <= 0.0:
            continue
        for gives, has, on in (
            (rule.source_over_target, source, target),
            (rule.target_over_source, target, source),
        ):
            if gives:
                holder.append(index[has])
                over.append(index[on])
                weight.append(amount)
                relation.append(str(key))
                kind.append(data["kind"])
                from_source.append(has == source)
    return _SayTable(
        np.asarray(holder, dtype=np.int64),
        np.asarray(over, dtype=np.int64),
        np.asarray(weight, dtype=np.float64),
        relation,
        kind,
        from_source,
    )


def rank_influence(
    graph: nx.MultiDiGraph,
    counterparts: Sequence[Counterpart],
    limit: int = MAX_RANKED,
    listed: Sequence[RelationRow] | None = None,
) -> list[Influence]:
    """The most influential actors of the map, highest first.

    ``listed`` is the graph's relations if the caller has them already.
    """
    actors = list(graph.nodes)
    index = {actor: position for position, actor in enumerate(actors)}
    table = _says(relation_list(graph, listed), index)
    scores = influence_scores(say_matrix(len(actors), table.holder, table.over, table.weight))
    holders = np.unique(table.holder)
    if holders.size == 0:
        return []
    ranked = holders[np.lexsort((holders, -scores[holders]))][:limit]
    has_say = np.zeros(len(actors), dtype=bool)
    has_say[holders] = True
    top = float(scores[ranked[0]])
    sides = {c.id: {c.id, *c.decision_makers} for c in counterparts}
    found = []
    for rank, position in enumerate(ranked.tolist(), start=1):
        actor = actors[position]
        says = table.of(position, actors)
        over = tuple(
            c
            for c, side in sides.items()
            if actor not in side and any(say.over in side for say in says)
        )
        onward = [say.over for say in says if has_say[index[say.over]] and say.over != actor]
        found.append(
            Influence(
                actor=actor,
                rank=rank,
                score=float(scores[position]) / top,
                influence=float(scores[position]),
                over_counterparts=over,
                why=_why(graph, actor, rank, says=says, onward=onward, over=over),
            )
        )
    return found


def _why(
    graph: nx.MultiDiGraph,
    actor: str,
    rank: int,
    *,
    says: Sequence[Say],
    onward: Sequence[str],
    over: Sequence[str],
) -> str:
    named = [
        f"{relation_phrase(s.kind, s.from_source, actor_name(graph, s.over))} "
        f"(weight {s.weight:.2f})"
        for s in says[:NAMED_SAYS]
    ]
    parts = [f"{actor_name(graph, actor)} ranks {rank}: it {listing(named, NAMED_SAYS)}."]
    if len(says) > NAMED_SAYS:
        parts[-1] = parts[-1][:-1] + f", and has a say over {len(says) - NAMED_SAYS} more."
    if onward:
        names = [actor_name(graph, a) for a in dict.fromkeys(onward)]
        parts.append(f"Its say carries further because {listing(names)} in turn sway others.")
    if over:
        parts.append(f"It has a direct say over {listing([actor_name(graph, c) for c in over])}.")
    return " ".join(parts)
