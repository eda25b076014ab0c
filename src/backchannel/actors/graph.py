"""A case's actors and relations as a typed, weighted, dated graph.

Nodes are actor ids; edges are relations, keyed by relation id, directed from
``source`` to ``target``. A relation without a validity window holds for the whole case;
one with a window holds on the days inside it (both ends included). ``as_of`` keeps only
the relations that hold on that day, so the map can be seen as it stood at any date.

Weights missing from a relation are left missing on the edge: the analyses decide what an
unknown strength, trust or access means for them, and say so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import networkx as nx

from backchannel.model.case import Actor, Case, Relation


def relation_holds(relation: Relation, day: dt.date | None) -> bool:
    """Whether the relation is in force on ``day`` (always, when ``day`` is ``None``)."""
    if day is None:
        return True
    if relation.valid_from is not None and day < relation.valid_from:
        return False
    return relation.valid_to is None or day <= relation.valid_to


def node_attributes(actor: Actor) -> dict[str, Any]:
    """The attributes an actor node carries (no sensitive field among them but the name)."""
    return {
        "name": actor.name,
        "kind": actor.kind.value,
        "stance": actor.stance.value,
        "ucdp_actor_id": actor.ucdp_actor_id,
    }


def edge_attributes(relation: Relation) -> dict[str, Any]:
    """The attributes a relation edge carries."""
    return {
        "id": relation.id,
        "kind": relation.kind.value,
        "strength": relation.strength,
        "trust": relation.trust,
        "access": relation.access,
        "valid_from": relation.valid_from,
        "valid_to": relation.valid_to,
    }


def build_graph(case: Case, as_of: dt.date | None = None) -> nx.MultiDiGraph:
    """The case's actor graph, with only the relations in force on ``as_of`` if given.

    Every actor is a node even when no relation touches it, so that an isolated actor shows
    on the map (an isolated counterpart is itself a finding).
    """
    graph = nx.MultiDiGraph(case=case.id, as_of=as_of)
    for actor in case.actors:
        graph.add_node(actor.id, **node_attributes(actor))
    for relation in case.relations:
        if relation_holds(relation, as_of):
            graph.add_edge(
                relation.source, relation.target, key=relation.id, **edge_attributes(relation)
            )
    return graph
