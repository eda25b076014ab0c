"""Plain-words helpers shared by the actor analyses' explanations."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx


def actor_name(graph: nx.MultiDiGraph, actor: str) -> str:
    """The actor's name as the case gives it (its id when the graph has no name)."""
    return str(graph.nodes[actor].get("name") or actor)


def listing(items: Sequence[str], limit: int = 4, joiner: str = "and") -> str:
    """``a, b and c`` (or ``a, b or c``); past ``limit`` items, ``a, b, c and 5 more``."""
    shown = list(items[:limit])
    rest = len(items) - len(shown)
    if rest > 0:
        return f"{', '.join(shown)} {joiner} {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} {joiner} {shown[-1]}"


def rounded(value: float) -> float:
    """A score rounded for display and JSON (three decimals)."""
    return round(value, 3)


#: How a relation reads from each end: (from its source, from its target), ``{}`` the other.
RELATION_PHRASES: dict[str, tuple[str, str]] = {
    "commands": ("commands {}", "is commanded by {}"),
    "splinter_of": ("split from {}", "saw {} split from it"),
    "allied": ("is allied with {}", "is allied with {}"),
    "rival": ("is a rival of {}", "is a rival of {}"),
    "fights": ("fights {}", "fights {}"),
    "influences": ("influences {}", "is influenced by {}"),
    "kin": ("is kin to {}", "is kin to {}"),
    "channel": ("is a channel to {}", "has {} as a channel"),
    "funds": ("funds {}", "is funded by {}"),
    "member_of": ("is a member of {}", "has {} as a member"),
    "negotiates_with": ("negotiates with {}", "negotiates with {}"),
}


def relation_phrase(kind: str, from_source: bool, other: str) -> str:
    """How a relation of ``kind`` reads from one of its ends, naming the ``other`` end."""
    outgoing, incoming = RELATION_PHRASES[kind]
    return (outgoing if from_source else incoming).format(other)
