"""Benchmark: every actor analysis on a 10,000-actor / 100,000-relation map, against networkx.

Builds a seeded synthetic case shaped like a map seeded from a whole conflict data set:
actors of every kind in about 200 local camps (most relations stay inside a camp), a
realistic mix of relation kinds, weights left unrated as often as analysts leave them,
and some relations outside their validity windows. Then, in one process:

- the case's validation and the graph build (reported, not counted in the analyses);
- all five analyses through ``analyse_graph``, in all and one by one (goal <= 5 s);
- the baseline: networkx's exact weighted betweenness on the same contact map, the
  measure the brokers analysis needs; its full run takes the better part of an hour on
  this size, so by default it is timed on a sample of sources and scaled to all sources
  (its cost is exactly one single-source pass per actor); ``--full-exact`` runs it whole;
- the accuracy the sampled betweenness costs, against the exact ranking of the same
  engine on the full map (which equals networkx's: checked below on a subgraph and in
  the tests): Spearman rank correlation, top-10 / top-20 overlap, and how far down the
  exact ranking the sampled top 10 reach; for plain source sampling (the estimator of
  networkx's ``k``) and for the linear scaling the brokers analysis uses;
- on a 1,000-actor subgraph (the actors nearest one actor), networkx exact against our
  exact (they must agree) and both engines' times;
- if rustworkx is installed, its exact betweenness for comparison (it has neither
  weights nor sampling).

Run: ``.venv/bin/python benchmarks/actors.py [--full-exact] [--quick]`` (``--quick`` skips
the exact full-map reference, about a minute and a half on 2 cores).
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import resource
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx
import numpy as np
from _figures import write_figures
from scipy.stats import spearmanr

from backchannel.actors.analysis import analyse_graph
from backchannel.actors.betweenness import SAMPLED_SOURCES, route_betweenness
from backchannel.actors.brokers import find_brokers
from backchannel.actors.cohesion import assess_cohesion
from backchannel.actors.counterparts import choose_counterparts
from backchannel.actors.entry_points import find_entry_points
from backchannel.actors.graph import build_graph
from backchannel.actors.influence import rank_influence
from backchannel.actors.passage import passage_graph
from backchannel.actors.spoilers import find_spoilers
from backchannel.model.case import Case

ACTORS = 10_000
RELATIONS = 100_000
CAMPS = 200
INSIDE_CAMP = 0.85
AS_OF = dt.date(2020, 6, 1)
SUBGRAPH = 1_000
NX_SAMPLE_SOURCES = 40  # sources timed to scale networkx's exact run to the whole map

ACTOR_KINDS = {
    "armed_group": 4,
    "faction": 6,
    "militia": 6,
    "leader": 20,
    "state_force": 3,
    "government": 2,
    "community_leader": 15,
    "religious_leader": 8,
    "intermediary": 8,
    "civil_society": 12,
    "international_actor": 6,
    "diaspora": 5,
}
RELATION_KINDS = {
    "channel": 20,
    "influences": 15,
    "allied": 10,
    "fights": 10,
    "kin": 10,
    "member_of": 10,
    "rival": 8,
    "commands": 6,
    "negotiates_with": 5,
    "funds": 4,
    "splinter_of": 2,
}
STANCES = ["supports", "open", "ambivalent", "opposed", "hostile", "unknown", "unknown"]

T = TypeVar("T")


def synthetic_case(seed: int = 11) -> Case:
    """A valid case with ``ACTORS`` actors and ``RELATIONS`` relations, camps and windows."""
    rng = random.Random(seed)
    kinds = rng.choices(list(ACTOR_KINDS), weights=list(ACTOR_KINDS.values()), k=ACTORS - 1)
    actors: list[dict[str, Any]] = [
        {"id": "own-org", "name": "Our organisation", "kind": "own_organisation"}
    ]
    actors += [
        {"id": f"a{n}", "name": f"Actor {n}", "kind": kind, "stance": rng.choice(STANCES)}
        for n, kind in enumerate(kinds)
    ]
    camp_of = [rng.randrange(CAMPS) for _ in actors]
    members: dict[int, list[int]] = {}
    for position, camp in enumerate(camp_of):
        members.setdefault(camp, []).append(position)
    relation_kinds = list(RELATION_KINDS)
    relation_weights = list(RELATION_KINDS.values())
    seen: set[tuple[int, int, str]] = set()
    relations: list[dict[str, Any]] = []
    while len(relations) < RELATIONS:
        source = rng.randrange(1, ACTORS)
        if rng.random() < INSIDE_CAMP:
            target = rng.choice(members[camp_of[source]])
        else:
            target = rng.randrange(1, ACTORS)
        kind = rng.choices(relation_kinds, weights=relation_weights)[0]
        if target in {source, 0} or (source, target, kind) in seen:
            continue
        seen.add((source, target, kind))
        relation: dict[str, Any] = {
            "id": f"r{len(relations)}",
            "source": actors[source]["id"],
            "target": actors[target]["id"],
            "kind": kind,
        }
        for weight, share in (("strength", 0.7), ("trust", 0.4), ("access", 0.3)):
            if rng.random() < share:
                relation[weight] = rng.randint(1, 10) / 10
        if rng.random() < 0.1:  # a lapsed or not yet opened tie
            year = rng.choice([2015, 2021])
            relation["valid_from"] = f"{year}-01-01"
            relation["valid_to"] = f"{year}-12-31"
        relations.append(relation)
    # our organisation knows a handful of people, in a few camps
    for n, target in enumerate(rng.sample(range(1, ACTORS), 6)):
        relations.append(
            {
                "id": f"own{n}",
                "source": "own-org",
                "target": actors[target]["id"],
                "kind": "channel",
                "trust": 0.8,
                "access": 0.7,
            }
        )
    engaged = [a["id"] for a in actors if a.get("kind") == "armed_group"][:3]
    return Case.model_validate(
        {
            "id": "benchmark",
            "context": {
                "title": "Synthetic map",
                "country": "COL",
                "period": {"start": "2019-01-01", "end": AS_OF.isoformat()},
            },
            "actors": actors,
            "relations": relations,
            "engagements": [
                {"id": "e1", "date": "2020-05-01", "channel": "direct", "counterparts": engaged}
            ],
        }
    )


def timed(label: str, work: Callable[[], T]) -> tuple[T, float]:
    """Run ``work``, print its time, return its result and the time."""
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    print(f"{label:56} {elapsed:8.2f} s")
    return result, elapsed


def overlap(a: np.ndarray, b: np.ndarray, top: int) -> float:
    """Share of the ``top`` highest of ``a`` that are also among the ``top`` highest of ``b``."""
    first = set(np.argsort(-a, kind="stable")[:top].tolist())
    second = set(np.argsort(-b, kind="stable")[:top].tolist())
    return len(first & second) / top


def accuracy(label: str, estimate: np.ndarray, exact: np.ndarray) -> tuple[float, int]:
    """Print how closely ``estimate`` ranks actors as ``exact`` does; give (Spearman, top-20)."""
    rho = spearmanr(estimate, exact).statistic
    rank = np.empty(exact.size, dtype=np.int64)
    rank[np.argsort(-exact, kind="stable")] = np.arange(exact.size)
    deepest = int(rank[np.argsort(-estimate, kind="stable")[:10]].max()) + 1
    print(
        f"  {label:40} Spearman {rho:.3f}, top-10 overlap {overlap(estimate, exact, 10):4.0%}, "
        f"top-20 overlap {overlap(estimate, exact, 20):4.0%}, sampled top 10 within exact "
        f"top {deepest}"
    )
    return float(rho), round(overlap(estimate, exact, 20) * 20)


def contact_networkx(size: int, tail: np.ndarray, head: np.ndarray, cost: np.ndarray) -> nx.Graph:
    """The contact arcs as a networkx graph with ``cost`` on each edge."""
    graph = nx.Graph()
    graph.add_nodes_from(range(size))
    graph.add_weighted_edges_from(
        zip(tail.tolist(), head.tolist(), cost.tolist(), strict=True), weight="cost"
    )
    return graph


def as_array(scores: dict[int, float], size: int) -> np.ndarray:
    """A networkx score dictionary as an array by node number."""
    return np.array([scores[n] for n in range(size)])


def main() -> None:
    """Run every measurement and print the figures and ratios."""
    full_exact = "--full-exact" in sys.argv
    quick = "--quick" in sys.argv
    case, _ = timed(f"build and validate a {ACTORS:,}-actor case", synthetic_case)
    graph, _ = timed("build the graph as of the case end", lambda: build_graph(case, AS_OF))
    print(f"  {graph.number_of_nodes():,} actors, {graph.number_of_edges():,} relations in force")
    counterparts = choose_counterparts(case, graph, AS_OF)

    analysis, total = timed(
        "all five analyses (analyse_graph)", lambda: analyse_graph(graph, counterparts, AS_OF)
    )
    print(f"{'  goal':56} {5.0:8.2f} s   ({'met' if total <= 5.0 else 'NOT met'})")
    passage, _ = timed("  passage graph", lambda: passage_graph(graph))
    timed(
        "  entry points",
        lambda: [find_entry_points(graph, passage, c) for c in counterparts],
    )
    timed("  brokers (betweenness, camps, cut points)", lambda: find_brokers(graph, passage, set()))
    timed("  spoilers", lambda: find_spoilers(graph, counterparts))
    timed("  cohesion", lambda: [assess_cohesion(graph, c) for c in counterparts])
    timed("  influence", lambda: rank_influence(graph, counterparts))
    print(
        f"  counterparts {len(counterparts)}, entry points {len(analysis.entry_points)}, "
        f"brokers {len(analysis.brokers.brokers)}, spoilers {len(analysis.spoilers)}"
    )

    size = passage.size
    tail, head, cost = passage.contact_arcs()
    ours_sampled, ours_time = timed(
        f"our betweenness, {SAMPLED_SOURCES} sampled sources",
        lambda: route_betweenness(size, tail, head, cost, symmetric=True),
    )
    single = tail < head
    contact = contact_networkx(size, tail[single], head[single], cost[single])
    if full_exact:
        _, nx_time = timed(
            "networkx exact weighted betweenness (full run)",
            lambda: nx.betweenness_centrality(contact, weight="cost"),
        )
    else:
        _, sample_time = timed(
            f"networkx weighted betweenness, {NX_SAMPLE_SOURCES} sources",
            lambda: nx.betweenness_centrality(contact, k=NX_SAMPLE_SOURCES, weight="cost", seed=1),
        )
        nx_time = sample_time * size / NX_SAMPLE_SOURCES
        print(
            f"{'networkx exact weighted betweenness (scaled to all sources)':56} {nx_time:8.2f} s"
        )
    print(f"ratio networkx exact betweenness / all five analyses: {nx_time / total:,.0f}x")
    figures: dict[str, object] = {
        "actors": graph.number_of_nodes(),
        "relations_in_force": graph.number_of_edges(),
        "five_analyses_seconds": round(total, 1),
        "networkx_exact_betweenness_seconds": round(nx_time, -1),
        "networkx_exact_betweenness_measured": "full run" if full_exact else "scaled from a sample",
        "ratio_networkx_exact_to_five_analyses": round(nx_time / total),
    }
    print(
        f"ratio networkx exact betweenness / our sampled betweenness: {nx_time / ours_time:,.0f}x"
    )

    if not quick:
        ours_exact, _ = timed(
            "our exact betweenness (all sources, reference)",
            lambda: route_betweenness(size, tail, head, cost, sources=size),
        )
        print("accuracy of sampled betweenness on the full map, against exact:")
        for sources in (100, SAMPLED_SOURCES, 1_000):
            for symmetric, how in ((False, "plain (networkx's k)"), (True, "linear scaling")):
                if symmetric and sources == SAMPLED_SOURCES:
                    estimate = ours_sampled  # what the brokers analysis computed above
                else:
                    estimate = route_betweenness(
                        size, tail, head, cost, sources=sources, symmetric=symmetric
                    )
                rho, top20 = accuracy(
                    f"{sources:5} sources, {how}", estimate.scores, ours_exact.scores
                )
                if sources == SAMPLED_SOURCES:
                    kind = "linear_scaling" if symmetric else "plain_sampling"
                    figures[f"spearman_{kind}_{sources}_sources"] = round(rho, 2)
                    figures[f"top20_kept_{kind}_{sources}_sources"] = top20

    print(f"on a {SUBGRAPH:,}-actor subgraph (the actors fewest ties away from one actor):")
    nearest = nx.single_source_shortest_path_length(contact, int(tail[0]))
    keep = sorted(nearest, key=lambda n: (nearest[n], n))[:SUBGRAPH]
    sub = nx.convert_node_labels_to_integers(contact.subgraph(keep).copy())
    edges = np.array(list(sub.edges), dtype=np.int64).reshape(-1, 2)
    sub_cost = np.array([sub.edges[u, v]["cost"] for u, v in sub.edges])
    sub_tail, sub_head = np.r_[edges[:, 0], edges[:, 1]], np.r_[edges[:, 1], edges[:, 0]]
    sub_cost2 = np.r_[sub_cost, sub_cost]
    reference, nx_sub_time = timed(
        "  networkx exact weighted betweenness",
        lambda: as_array(nx.betweenness_centrality(sub, weight="cost"), SUBGRAPH),
    )
    ours_sub, ours_sub_time = timed(
        "  our exact betweenness",
        lambda: route_betweenness(SUBGRAPH, sub_tail, sub_head, sub_cost2, sources=SUBGRAPH),
    )
    print(f"  largest difference from networkx: {np.abs(ours_sub.scores - reference).max():.2e}")
    print(f"  ratio networkx / ours, exact: {nx_sub_time / ours_sub_time:.1f}x")
    figures["subgraph_largest_difference_from_networkx"] = float(
        f"{np.abs(ours_sub.scores - reference).max():.2e}"
    )
    figures["subgraph_ratio_networkx_to_ours_exact"] = round(nx_sub_time / ours_sub_time, 1)

    try:  # optional: installed only to compare
        rustworkx = importlib.import_module("rustworkx")
    except ImportError:
        print("rustworkx not installed: skipped")
    else:
        unweighted = rustworkx.networkx_converter(contact)
        timed(
            "rustworkx exact unweighted betweenness (no weights, no sampling)",
            lambda: rustworkx.betweenness_centrality(unweighted),
        )

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MiB")
    print(f"figures written to {write_figures('actors', figures)}")


if __name__ == "__main__":
    main()
