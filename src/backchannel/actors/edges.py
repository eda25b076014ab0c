"""Fast, plain iteration over a map's relations, for analyses that read all of them.

``analyse_graph`` lists the relations once and hands the list to every analysis that
reads them all; each also accepts ``None`` and lists them itself when run alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import networkx as nx

from backchannel.model.vocabulary import RelationKind

#: Relation kinds by their value, for hot loops (a dictionary look-up is several times
#: faster than calling the enumeration).
KINDS: Mapping[str, RelationKind] = {kind.value: kind for kind in RelationKind}


#: One relation: ``(source, target, relation id, attributes)``.
RelationRow = tuple[str, str, str, Mapping[str, Any]]


def relations(graph: nx.MultiDiGraph) -> Iterator[RelationRow]:
    """Every relation as ``(source, target, relation id, attributes)``.

    Walks the adjacency directly: on a map of 100,000 relations this is about three times
    faster than ``graph.edges(keys=True, data=True)``, and gives the same relations.
    """
    for source, targets in graph.adj.items():
        for target, keyed in targets.items():
            for key, data in keyed.items():
                yield source, target, key, data


def relation_list(
    graph: nx.MultiDiGraph, listed: Sequence[RelationRow] | None = None
) -> Sequence[RelationRow]:
    """``listed`` if given (the caller already listed the relations), else a fresh list."""
    return list(relations(graph)) if listed is None else listed
