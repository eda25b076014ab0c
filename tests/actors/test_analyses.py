"""Actor analyses: entry points, brokers, spoilers, cohesion, influence, on known answers.

Small hand-built cases first (table-driven, each row a situation with its expected
answer), then the packaged example cases with facts checked against their records.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
import typer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from typer.testing import CliRunner

import backchannel
from backchannel.actors.analysis import ActorAnalysis, analyse_case
from backchannel.actors.betweenness import _dependencies, route_betweenness
from backchannel.actors.brokers import find_brokers
from backchannel.actors.camps import louvain_camps, propagated_camps
from backchannel.actors.counterparts import choose_counterparts, describe_counterpart
from backchannel.actors.edges import relations
from backchannel.actors.graph import build_graph
from backchannel.actors.influence import INFLUENCE_RULES, influence_scores, say_matrix
from backchannel.actors.passage import (
    COST_SCALE,
    DEFAULT_ACCESS,
    DEFAULT_TRUST,
    HOP_RETENTION,
    PASSAGE_RULES,
    passage_graph,
    rate,
)
from backchannel.actors.spoilers import KIND_CAPABILITY, STANCE_OPPOSITION
from backchannel.casefile import load_case
from backchannel.errors import InvalidInputError, NotFoundError
from backchannel.model.case import Case
from backchannel.model.vocabulary import ActorKind, RelationKind, Stance

EXAMPLES = Path(backchannel.__file__).parent / "data" / "examples"
DAY = dt.date(2020, 6, 1)
CONTRACT_KEYS = {"entry_points", "brokers", "spoilers", "cohesion", "influence"}

Tie = tuple[str, str, str, dict[str, Any]]  # (source, kind, target, weights and window)


def make_case(
    actors: dict[str, tuple[str, str]],
    ties: list[Tie],
    engagements: list[tuple[str, list[str]]] | None = None,
    judgements: list[dict[str, Any]] | None = None,
) -> Case:
    """A case from ``{id: (kind, stance)}`` and ``(source, kind, target, extra)`` ties."""
    return Case.model_validate(
        {
            "id": "test-case",
            "context": {
                "title": "Test case",
                "country": "COL",
                "period": {"start": "2019-01-01", "end": DAY.isoformat()},
            },
            "actors": [
                {"id": a, "name": a.upper(), "kind": kind, "stance": stance}
                for a, (kind, stance) in actors.items()
            ],
            "relations": [
                {"id": f"{s}-{k}-{t}", "source": s, "target": t, "kind": k, **extra}
                for s, k, t, extra in ties
            ],
            "engagements": [
                {"id": f"e{n}", "date": day, "channel": "direct", "counterparts": parts}
                for n, (day, parts) in enumerate(engagements or [])
            ],
            "judgements": judgements or [],
        }
    )


OWN = ("own_organisation", "supports")
GROUP = ("armed_group", "ambivalent")
BROKER = ("intermediary", "supports")
LEADER = ("leader", "unknown")


def entry_points(case: Case, as_of: dt.date = DAY, counterpart: str = "group") -> list[Any]:
    return analyse_case(case, as_of, counterpart).entry_points


# --- rule tables -------------------------------------------------------------------------


def test_every_relation_kind_has_a_passage_and_an_influence_rule_with_a_reason() -> None:
    for kind in RelationKind:
        assert PASSAGE_RULES[kind].reason, kind
        assert INFLUENCE_RULES[kind].reason, kind


def test_every_actor_kind_has_a_capability_and_every_assessed_stance_an_opposition() -> None:
    for kind in ActorKind:
        value, reason = KIND_CAPABILITY[kind]
        assert 0.0 <= value <= 1.0 and reason
    assert set(STANCE_OPPOSITION) == set(Stance) - {Stance.UNKNOWN}


@pytest.mark.parametrize(
    ("kind", "strength", "trust", "access", "expected", "assumed"),
    [
        ("channel", None, 0.8, 0.5, 0.8 * 0.5, 0),
        ("channel", 0.6, 0.8, None, 0.8 * 0.6, 1),  # strength stands in for access
        ("channel", None, None, None, DEFAULT_TRUST * DEFAULT_ACCESS, 2),
        ("kin", None, None, 1.0, 0.7, 1),  # kin is trusted more when unrated
        ("commands", 0.9, None, None, 0.8 * 0.9, 2),
        ("negotiates_with", 0.5, None, None, 0.4 * 0.5, 2),
    ],
)
def test_passability_with_defaults(
    kind: str,
    strength: float | None,
    trust: float | None,
    access: float | None,
    expected: float,
    assumed: int,
) -> None:
    rating = rate(RelationKind(kind), strength, trust, access)
    assert rating.passability == pytest.approx(expected * HOP_RETENTION)
    assert len(rating.assumptions()) == assumed


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_passage_graph_rates_every_relation_as_rate_does(path: Path) -> None:
    case = load_case(path)
    graph = build_graph(case)
    passage = passage_graph(graph)
    relations = {r.id: r for r in case.relations}
    assert set(passage.relation_ids) == {
        r.id for r in case.relations if PASSAGE_RULES[r.kind].forward
    }
    for position, relation_id in enumerate(passage.relation_ids):
        relation = relations[relation_id]
        expected = rate(relation.kind, relation.strength, relation.trust, relation.access)
        assert passage.rating(position) == expected


def test_relations_lists_exactly_the_graph_edges() -> None:
    graph = build_graph(load_case(EXAMPLES / "colombia-2012.yaml"))
    assert sorted(relations(graph), key=lambda r: r[2]) == sorted(
        graph.edges(keys=True, data=True), key=lambda r: r[2]
    )


# --- entry points ------------------------------------------------------------------------

TRUSTED = {"trust": 0.9, "access": 0.9}
WEAK = {"trust": 0.2, "access": 0.5}

TWO_HOP_ACTORS = {"own": OWN, "friend": BROKER, "group": GROUP}
TWO_HOP_TIES: list[Tie] = [
    ("own", "channel", "friend", TRUSTED),
    ("friend", "channel", "group", TRUSTED),
    ("own", "channel", "group", WEAK),
]

ENTRY_CASES = [
    pytest.param(
        TWO_HOP_ACTORS,
        TWO_HOP_TIES,
        DAY,
        [("friend", ["own", "friend", "group"]), ("group", ["own", "group"])],
        id="prefers the high-trust two-hop route to the weak direct one",
    ),
    pytest.param(
        {"own": OWN, "friend": BROKER, "group": GROUP},
        [
            ("own", "channel", "friend", {**TRUSTED, "valid_to": "2020-01-01"}),
            ("friend", "channel", "group", TRUSTED),
            ("own", "channel", "group", WEAK),
        ],
        DAY,
        [("group", ["own", "group"])],
        id="as_of drops a channel that closed before it",
    ),
    pytest.param(
        {"own": OWN, "friend": BROKER, "group": GROUP},
        [
            ("own", "channel", "friend", {**TRUSTED, "valid_from": "2020-07-01"}),
            ("friend", "channel", "group", TRUSTED),
        ],
        DAY,
        [("friend", ["friend", "group"])],
        id="as_of drops a channel not yet open: the best-placed actor is named instead",
    ),
    pytest.param(
        {"own": OWN, "group": GROUP, "chief": LEADER},
        [
            ("own", "channel", "group", {"trust": 0.8, "access": 0.8}),
            ("chief", "commands", "group", {"strength": 0.9}),
        ],
        DAY,
        [("group", ["own", "group", "chief"])],
        id="the decision-maker is the commander, reached up the command link",
    ),
    pytest.param(
        {"own": OWN, "a": BROKER, "b": BROKER, "c": BROKER, "group": GROUP},
        [
            ("a", "channel", "group", TRUSTED),
            ("b", "kin", "a", TRUSTED),
            ("c", "channel", "group", {"trust": 0.5, "access": 0.5}),
        ],
        DAY,
        [("a", ["a", "group"]), ("c", ["c", "group"])],
        id="without our own ties the best-placed actors are listed, not those behind them",
    ),
    pytest.param(
        {"own": OWN, "enemy": ("state_force", "unknown"), "group": GROUP},
        [
            ("own", "channel", "enemy", TRUSTED),
            ("enemy", "fights", "group", {"strength": 0.9}),
        ],
        DAY,
        [],
        id="fighting carries no message",
    ),
    pytest.param(
        {"own": OWN, "x": BROKER, "group": GROUP},
        [("own", "channel", "x", TRUSTED), ("group", "influences", "x", {"strength": 0.9})],
        DAY,
        [],
        id="influence does not run back to the influencer",
    ),
    pytest.param(
        {"own": OWN, "x": BROKER, "group": GROUP},
        [("own", "channel", "x", TRUSTED), ("x", "influences", "group", {"strength": 0.9})],
        DAY,
        [("x", ["own", "x", "group"])],
        id="influence carries a message to the influenced",
    ),
]


@pytest.mark.parametrize(("actors", "ties", "as_of", "expected"), ENTRY_CASES)
def test_entry_points(
    actors: dict[str, tuple[str, str]],
    ties: list[Tie],
    as_of: dt.date,
    expected: list[tuple[str, list[str]]],
) -> None:
    found = entry_points(make_case(actors, ties), as_of)
    assert [(e.entry, list(e.route.actors)) for e in found] == expected
    for point in found:
        assert point.entry.upper() in point.why


def test_entry_point_reach_is_the_product_of_its_links() -> None:
    best = entry_points(make_case(TWO_HOP_ACTORS, TWO_HOP_TIES))[0]
    per_link = 0.9 * 0.9 * HOP_RETENTION
    assert best.route.reach == pytest.approx(per_link**2)
    assert best.direct


def test_when_a_link_breaks_the_alternative_route_is_given() -> None:
    best = entry_points(make_case(TWO_HOP_ACTORS, TWO_HOP_TIES))[0]
    fallbacks = {a.broken: a.route for a in best.alternatives}
    assert set(fallbacks) == {"own-channel-friend", "friend-channel-group"}
    for route in fallbacks.values():
        assert route is not None
        assert list(route.actors) == ["own", "group"]
        assert route.reach == pytest.approx(0.2 * 0.5 * HOP_RETENTION)
    assert "another route remains" in best.why


def test_a_link_with_no_alternative_is_called_a_single_point_of_failure() -> None:
    case = make_case({"own": OWN, "group": GROUP}, [("own", "channel", "group", TRUSTED)])
    (only,) = entry_points(case)
    assert [a.route for a in only.alternatives] == [None]
    assert "single point of failure" in only.why


def test_unrated_links_say_what_was_assumed() -> None:
    case = make_case({"own": OWN, "group": GROUP}, [("own", "channel", "group", {})])
    (only,) = entry_points(case)
    assert only.route.reach == pytest.approx(DEFAULT_TRUST * DEFAULT_ACCESS * HOP_RETENTION)
    assert "trust 0.5 assumed" in only.why
    assert only.as_dict()["route"]["links"][0]["assumed"]


def test_an_entry_point_inside_or_fighting_the_counterpart_carries_a_caution() -> None:
    case = make_case(
        {"insider": LEADER, "group": GROUP, "rival": ("militia", "hostile")},
        [
            ("insider", "member_of", "group", {"strength": 0.9}),
            ("rival", "channel", "group", TRUSTED),
            ("rival", "fights", "group", {"strength": 0.5}),
        ],
    )
    cautions = {e.entry: " ".join(e.cautions) for e in entry_points(case)}
    assert "inside GROUP" in cautions["insider"]
    assert "hostile to talks" in cautions["rival"]
    assert "fights relation with GROUP" in cautions["rival"]


# --- brokers -----------------------------------------------------------------------------

TRIANGLES: list[Tie] = [
    ("a1", "channel", "a2", {}),
    ("a2", "channel", "a3", {}),
    ("a3", "channel", "a1", {}),
    ("b1", "channel", "b2", {}),
    ("b2", "channel", "b3", {}),
    ("b3", "channel", "b1", {}),
    ("a1", "channel", "bridge", {}),
    ("bridge", "channel", "b1", {}),
]
SIX = {name: BROKER for name in ("a1", "a2", "a3", "b1", "b2", "b3")}


@pytest.mark.parametrize(
    ("ties", "ends", "top"),
    [
        pytest.param(TRIANGLES, set(), "bridge", id="the bridge between two camps is top"),
        pytest.param(TRIANGLES, {"bridge"}, "a1", id="ends of the mediation are not listed"),
    ],
)
def test_brokers(ties: list[Tie], ends: set[str], top: str) -> None:
    case = make_case({**SIX, "bridge": BROKER, "other": BROKER}, ties)
    graph = build_graph(case, DAY)
    reading = find_brokers(graph, passage_graph(graph), ends)
    assert reading.brokers[0].actor == top
    assert reading.betweenness.exact
    assert not ends & {b.actor for b in reading.brokers}


def test_of_two_bridges_the_trusted_one_carries_the_routes() -> None:
    ties: list[Tie] = [
        *TRIANGLES[:6],
        ("a1", "channel", "bridge", {"trust": 0.1}),
        ("bridge", "channel", "b1", {"trust": 0.1}),
        ("a1", "kin", "other", {"trust": 0.9, "access": 0.9}),
        ("other", "kin", "b1", {"trust": 0.9, "access": 0.9}),
    ]
    graph = build_graph(make_case({**SIX, "bridge": BROKER, "other": BROKER}, ties), DAY)
    listed = [b.actor for b in find_brokers(graph, passage_graph(graph), set()).brokers]
    assert "other" in listed
    assert "bridge" not in listed  # no best route runs through the distrusted bridge


def test_a_bridge_is_a_cut_point_linking_two_camps() -> None:
    graph = build_graph(make_case({**SIX, "bridge": BROKER}, TRIANGLES), DAY)
    bridge = find_brokers(graph, passage_graph(graph), set()).brokers[0]
    assert len(bridge.camps) == 2
    assert set(bridge.cut_off) in ({"a1", "a2", "a3"}, {"b1", "b2", "b3"})
    assert "cut off" in bridge.why and "camp around" in bridge.why
    # the bridge sits on every route between the two sides: 9 pairs, both ways, of 7 actors
    assert bridge.betweenness == pytest.approx(18 / (6 * 5))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("directed", [False, True])
def test_route_betweenness_equals_networkx_exact(seed: int, directed: bool) -> None:
    rng = random.Random(seed)
    graph = nx.gnm_random_graph(40, 90, seed=seed, directed=directed)
    for u, v in graph.edges:
        graph.edges[u, v]["cost"] = float(rng.choice([1, 2, 3]))  # many tied routes
    expected = nx.betweenness_centrality(graph, weight="cost")
    ends = np.array(list(graph.edges), dtype=np.int64)
    cost = np.array([graph.edges[u, v]["cost"] for u, v in graph.edges])
    tail, head = ends[:, 0], ends[:, 1]
    if not directed:
        tail, head, cost = np.r_[tail, head], np.r_[head, tail], np.r_[cost, cost]
    found = route_betweenness(40, tail, head, cost)
    assert found.exact
    assert found.scores == pytest.approx([expected[n] for n in range(40)], abs=1e-12)


def test_sampled_betweenness_is_reproducible_and_says_so() -> None:
    graph = nx.gnm_random_graph(60, 200, seed=1)
    ends = np.array(list(graph.edges), dtype=np.int64)
    tail, head = np.r_[ends[:, 0], ends[:, 1]], np.r_[ends[:, 1], ends[:, 0]]
    cost = np.ones(tail.size)
    first = route_betweenness(60, tail, head, cost, sources=20, symmetric=True)
    again = route_betweenness(60, tail, head, cost, sources=20, symmetric=True)
    assert not first.exact and first.sources == 20
    assert np.array_equal(first.scores, again.scores)


def test_linear_scaling_over_every_source_gives_exact_betweenness() -> None:
    # each end of a pair credits its share of the route; both ends together credit it whole
    rng = random.Random(3)
    graph = nx.gnm_random_graph(30, 70, seed=3)
    ends = np.array(list(graph.edges), dtype=np.int64)
    cost = np.array([float(rng.choice([1, 2, 3])) for _ in range(len(ends))])
    tail, head = np.r_[ends[:, 0], ends[:, 1]], np.r_[ends[:, 1], ends[:, 0]]
    cost = np.r_[cost, cost]
    distances = dijkstra(csr_matrix((cost, (tail, head)), shape=(30, 30)))
    plain = sum(_dependencies(30, (tail, head, cost), distances[s], s) for s in range(30))
    linear = sum(
        _dependencies(30, (tail, head, cost), distances[s], s, linear=True) for s in range(30)
    )
    assert 2 * linear == pytest.approx(plain)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_both_camp_methods_agree_on_the_examples(path: Path) -> None:
    passage = passage_graph(build_graph(load_case(path)))
    tail, head, cost = passage.contact_arcs()
    weight = np.exp(-cost / COST_SCALE)
    louvain = louvain_camps(passage.size, tail, head, weight)
    propagated = propagated_camps(passage.size, tail, head, weight)
    assert _partition(louvain) == _partition(propagated)


def test_label_propagation_separates_two_tight_camps_joined_by_a_weak_tie() -> None:
    clique = [(a, b) for a in range(4) for b in range(4) if a < b]
    ties = [*clique, *((a + 4, b + 4) for a, b in clique)]
    weights = [1.0] * len(ties) + [0.1]
    ties.append((0, 4))
    ends = np.array(ties, dtype=np.int64)
    tail, head = np.r_[ends[:, 0], ends[:, 1]], np.r_[ends[:, 1], ends[:, 0]]
    camps = propagated_camps(8, tail, head, np.r_[weights, weights])
    assert _partition(camps) == {frozenset(range(4)), frozenset(range(4, 8))}


def _partition(camp_of: np.ndarray) -> set[frozenset[int]]:
    return {frozenset(np.flatnonzero(camp_of == c).tolist()) for c in np.unique(camp_of)}


# --- spoilers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "stance", "tie", "strength", "score", "how"),
    [
        pytest.param("armed_group", "hostile", "allied", 0.8, 0.85, "inside", id="hostile ally"),
        pytest.param("civil_society", "supports", "channel", 0.9, None, "", id="supportive CSO"),
        pytest.param("militia", "unknown", "rival", 0.5, 0.25, "outside", id="unassessed rival"),
        pytest.param("armed_group", "unknown", None, 0, None, "", id="unassessed, no tie"),
        pytest.param("armed_group", "hostile", None, 0, 0.25, "process", id="hostile, no tie"),
        pytest.param("armed_group", "open", "allied", 0.8, None, "", id="open ally"),
        pytest.param("state_force", "unknown", "fights", 0.8, 0.425, "outside", id="enemy force"),
        pytest.param(
            "religious_leader", "opposed", "influences", 0.9, 0.3 * 0.8 * 0.925, "ear", id="cleric"
        ),
        pytest.param("civil_society", "opposed", None, 0, None, "", id="opposed CSO, no tie"),
    ],
)
def test_spoilers(
    kind: str, stance: str, tie: str | None, strength: float, score: float | None, how: str
) -> None:
    ties: list[Tie] = [] if tie is None else [("x", tie, "group", {"strength": strength})]
    case = make_case({"x": (kind, stance), "group": GROUP}, ties)
    found = {s.actor: s for s in analyse_case(case, DAY, "group").spoilers}
    if score is None:
        assert "x" not in found
        return
    spoiler = found["x"]
    assert spoiler.score == pytest.approx(score)
    assert spoiler.threatens == ("group",)
    assert how in spoiler.how
    assert "Means" in spoiler.why and "Motive" in spoiler.why


def test_a_leader_takes_its_means_from_the_force_it_commands() -> None:
    case = make_case(
        {"chief": ("leader", "hostile"), "army": ("armed_group", "hostile"), "group": GROUP},
        [("chief", "commands", "army", {"strength": 0.9}), ("chief", "kin", "group", {})],
    )
    spoilers = {s.actor: s for s in analyse_case(case, DAY, "group").spoilers}
    assert spoilers["chief"].capability == pytest.approx(0.9)
    assert "commands ARMY" in spoilers["chief"].why


def test_the_counterpart_and_its_leaders_are_not_their_own_spoilers() -> None:
    case = make_case(
        {"group": ("armed_group", "hostile"), "chief": ("leader", "hostile")},
        [("chief", "commands", "group", {"strength": 0.9})],
    )
    assert analyse_case(case, DAY, "group").spoilers == []


# --- cohesion ----------------------------------------------------------------------------

COMMAND: Tie = ("chief", "commands", "group", {"strength": 0.9})


@pytest.mark.parametrize(
    ("extra_actors", "ties", "score", "level", "splinters", "rivals"),
    [
        pytest.param({}, [COMMAND], 0.9, "cohesive", [], [], id="intact command"),
        pytest.param(
            {"s1": GROUP, "s2": GROUP, "f": ("faction", "unknown")},
            [
                COMMAND,
                ("s1", "splinter_of", "group", {"strength": 0.6}),
                ("s2", "splinter_of", "group", {}),
                ("f", "member_of", "group", {"strength": 0.7}),
                ("f", "rival", "group", {"strength": 0.8}),
            ],
            0.9 * (1 - 0.3 * 0.6) * (1 - 0.3 * 0.5) * (1 - 0.25 * 0.8),
            "strained",
            ["s1", "s2"],
            ["f"],
            id="two splinters and a rival faction",
        ),
        pytest.param({}, [], 0.3, "fragmented", [], [], id="no command link"),
        pytest.param(
            {"m": ("militia", "unknown")},
            [COMMAND, ("m", "rival", "group", {"strength": 0.9})],
            0.9,
            "cohesive",
            [],
            [],
            id="an outside militia rival is not a faction",
        ),
        pytest.param(
            {"f": ("faction", "unknown")},
            [COMMAND, ("f", "fights", "chief", {"strength": 0.4})],
            0.9 * (1 - 0.25 * 0.4),
            "cohesive",
            [],
            ["f"],
            id="a faction fighting the leadership",
        ),
        pytest.param(
            {"f": ("faction", "unknown"), "g": ("faction", "unknown")},
            [
                COMMAND,
                ("f", "member_of", "group", {}),
                ("g", "member_of", "group", {}),
                ("f", "fights", "g", {"strength": 1.0}),
            ],
            0.9 * (1 - 0.25) ** 2,
            "strained",
            [],
            ["f", "g"],
            id="two members fighting each other",
        ),
        pytest.param(
            {"s1": GROUP},
            [
                COMMAND,
                ("s1", "splinter_of", "group", {"valid_to": "2020-01-01"}),
            ],
            0.9,
            "cohesive",
            [],
            [],
            id="as_of drops a split recorded as over",
        ),
    ],
)
def test_cohesion(
    extra_actors: dict[str, tuple[str, str]],
    ties: list[Tie],
    score: float,
    level: str,
    splinters: list[str],
    rivals: list[str],
) -> None:
    case = make_case({"group": GROUP, "chief": LEADER, **extra_actors}, ties)
    (reading,) = analyse_case(case, DAY, "group").cohesion
    assert reading.score == pytest.approx(score)
    assert reading.level == level
    assert [p.actor for p in reading.splinters] == splinters
    assert [p.actor for p in reading.rival_factions] == rivals
    assert level in reading.why


def test_splits_lower_cohesion_below_intact_command() -> None:
    intact = make_case({"group": GROUP, "chief": LEADER}, [COMMAND])
    split = make_case(
        {"group": GROUP, "chief": LEADER, "s1": GROUP, "s2": GROUP, "f": ("faction", "open")},
        [
            COMMAND,
            ("s1", "splinter_of", "group", {}),
            ("s2", "splinter_of", "group", {}),
            ("f", "rival", "group", {}),
        ],
    )
    assert (
        analyse_case(split, DAY, "group").cohesion[0].score
        < analyse_case(intact, DAY, "group").cohesion[0].score
    )


@pytest.mark.parametrize(
    ("severity", "at", "agrees"),
    [
        pytest.param(3, "2020-05-01T00:00:00Z", False, id="serious concern vs intact map"),
        pytest.param(0, "2020-05-01T00:00:00Z", True, id="no concern, intact map"),
        pytest.param(3, "2020-07-01T00:00:00Z", None, id="a judgement after as_of is not seen"),
    ],
)
def test_cohesion_is_compared_with_the_analyst(severity: int, at: str, agrees: bool | None) -> None:
    judgement = {
        "id": "j1",
        "analyst": "a",
        "at": at,
        "subject": "condition:cohesion",
        "finding": "f",
        "severity": severity,
    }
    case = make_case({"group": GROUP, "chief": LEADER}, [COMMAND], judgements=[judgement])
    (reading,) = analyse_case(case, DAY, "group").cohesion
    if agrees is None:
        assert reading.analyst is None
    else:
        assert reading.analyst is not None and reading.analyst.agrees is agrees


# --- influence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actors", "ties", "ranking"),
    [
        pytest.param(
            {"chief": LEADER, "group": GROUP, "p1": BROKER, "p2": BROKER},
            [COMMAND, ("p1", "allied", "p2", {"strength": 0.9})],
            ["chief", "p1", "p2"],
            id="a commander outranks a pair of allies swaying each other",
        ),
        pytest.param(
            {"a": LEADER, "b": LEADER, "c": GROUP},
            [("a", "commands", "b", {"strength": 0.8}), ("b", "commands", "c", {"strength": 0.8})],
            ["a", "b"],
            id="say over the influential counts",
        ),
        pytest.param(
            {"a": GROUP, "b": GROUP},
            [("a", "fights", "b", {"strength": 1.0})],
            [],
            id="fighting is no say",
        ),
        pytest.param(
            {"group": GROUP, "m": LEADER},
            [("m", "member_of", "group", {"strength": 0.5})],
            ["group"],
            id="an organisation has a say over its members",
        ),
    ],
)
def test_influence_ranking(
    actors: dict[str, tuple[str, str]], ties: list[Tie], ranking: list[str]
) -> None:
    found = analyse_case(make_case(actors, ties), DAY, next(iter(actors))).influence
    assert [i.actor for i in found] == ranking
    if found:
        assert found[0].score == 1.0
        assert all(i.why for i in found)


def test_influence_scores_follow_three_hands_halving_each_time() -> None:
    # a -> b -> c -> d, each with say 0.5: a has 0.5 + 0.5 * 0.25 + 0.25 * 0.125
    say = say_matrix(4, np.array([0, 1, 2]), np.array([1, 2, 3]), np.full(3, 0.5))
    scores = influence_scores(say)
    assert scores[0] == pytest.approx(0.5 + 0.5 * 0.25 + 0.25 * 0.125)
    assert scores[2] == pytest.approx(0.5)
    assert scores[3] == 0.0


# --- counterparts ------------------------------------------------------------------------

PARTIES = {
    "old": ("armed_group", "unknown"),
    "new": ("militia", "unknown"),
    "gov": ("government", "supports"),
    "own": OWN,
}


@pytest.mark.parametrize(
    ("engagements", "as_of", "requested", "expected"),
    [
        pytest.param(
            [("2019-01-01", ["old"]), ("2020-05-01", ["new", "gov"])],
            DAY,
            None,
            ["new"],
            id="a group last engaged over a year before the latest is dropped",
        ),
        pytest.param(
            [("2019-12-01", ["old"]), ("2020-05-01", ["new", "gov"])],
            DAY,
            None,
            ["new", "old"],
            id="recent armed counterparts, latest first, governments left out",
        ),
        pytest.param(
            [("2019-01-01", ["old"]), ("2020-05-01", ["new"])],
            dt.date(2019, 6, 1),
            None,
            ["old"],
            id="engagements after as_of are not seen",
        ),
        pytest.param([], DAY, None, ["old"], id="no engagement: every armed group"),
        pytest.param([], DAY, "gov", ["gov"], id="named by the user"),
    ],
)
def test_counterpart_choice(
    engagements: list[tuple[str, list[str]]],
    as_of: dt.date,
    requested: str | None,
    expected: list[str],
) -> None:
    case = make_case(PARTIES, [], engagements)
    chosen = choose_counterparts(case, build_graph(case, as_of), as_of, requested)
    assert [c.id for c in chosen] == expected
    assert all(c.chosen_because for c in chosen)


@pytest.mark.parametrize(
    ("requested", "error"), [("nobody", NotFoundError), ("own", InvalidInputError)]
)
def test_a_bad_counterpart_is_refused(requested: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        analyse_case(make_case(PARTIES, []), DAY, requested)


def test_decision_makers_are_the_commanders_or_else_the_group() -> None:
    case = make_case({"group": GROUP, "chief": LEADER, "deputy": LEADER}, [COMMAND])
    graph = build_graph(case, DAY)
    assert describe_counterpart(graph, "group", "t").decision_makers == ("chief",)
    assert describe_counterpart(graph, "deputy", "t").decision_makers == ("deputy",)


# --- the example cases -------------------------------------------------------------------


def _example(name: str, as_of: str | None = None, counterpart: str | None = None) -> ActorAnalysis:
    day = dt.date.fromisoformat(as_of) if as_of else None
    return analyse_case(load_case(EXAMPLES / f"{name}.yaml"), day, counterpart)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_gives_a_complete_explained_json_document(path: Path) -> None:
    document = analyse_case(load_case(path)).as_dict()
    assert set(document) >= CONTRACT_KEYS
    assert json.loads(json.dumps(document)) == document
    for key in CONTRACT_KEYS:
        assert document[key], f"{path.stem}: no {key}"
        assert all(item["why"] for item in document[key])


def test_colombia() -> None:
    result = _example("colombia-2012")
    assert [c.id for c in result.counterparts] == ["farc"]
    assert result.counterparts[0].decision_makers == ("timochenko",)
    # the guarantor with the most trusted channel to the FARC is the door, and the broker
    assert result.entry_points[0].entry == "cuba"
    assert list(result.entry_points[0].route.actors) == ["cuba", "farc", "timochenko"]
    assert "gov-col" not in {e.entry for e in result.entry_points}  # its best route is Cuba's
    assert result.brokers.brokers[0].actor == "cuba"
    assert {"farc", "gov-col"} <= set(result.brokers.brokers[0].camps)
    assert [s.actor for s in result.spoilers] == ["successor-groups"]
    assert result.cohesion[0].level == "cohesive"
    assert result.cohesion[0].analyst is not None and result.cohesion[0].analyst.agrees
    assert [i.actor for i in result.influence[:2]] == ["santos", "timochenko"]


def test_colombia_before_the_talks_had_no_guarantor_channel() -> None:
    result = _example("colombia-2012", "2012-02-01")  # channels open from 23 February
    assert "cuba" not in {e.entry for e in result.entry_points}
    assert "venezuela" in {e.entry for e in result.entry_points}


def test_somalia() -> None:
    result = _example("somalia-2011")
    assert [c.id for c in result.counterparts] == ["al-shabaab"]
    entries = [e.entry for e in result.entry_points]
    assert entries == ["robow", "clan-elders"]  # the ICRC was expelled on 30 January 2012
    assert "inside" in " ".join(result.entry_points[0].cautions)
    assert result.cohesion[0].command is not None
    assert result.cohesion[0].command.actor == "godane"
    # the map shows an intact command link; the analyst judged cohesion a concern
    assert result.cohesion[0].analyst is not None
    assert result.cohesion[0].analyst.judgement == "j-cohesion"
    assert not result.cohesion[0].analyst.agrees
    assert "kenya-forces" in {s.actor for s in result.spoilers}
    assert "icrc" not in {s.actor for s in result.spoilers}
    assert result.influence[0].actor == "godane"


def test_somalia_as_of_shows_the_map_as_it_stood() -> None:
    during = _example("somalia-2011", "2011-11-01")
    assert "icrc" in {e.entry for e in during.entry_points}
    before_kenya = _example("somalia-2011", "2011-09-01")  # Kenya entered in mid-October
    assert "kenya-forces" not in {s.actor for s in before_kenya.spoilers}


def test_central_african_republic() -> None:
    result = _example("central-african-republic-2013")
    # the Séléka was last engaged at Libreville, over a year before Brazzaville
    assert [c.id for c in result.counterparts] == ["ex-seleka", "anti-balaka"]
    assert {c.counterpart: c.level for c in result.cohesion} == {
        "ex-seleka": "fragmented",
        "anti-balaka": "fragmented",
    }
    ex_seleka = result.cohesion[0]
    assert [p.actor for p in ex_seleka.splinters] == ["upc"]
    assert ex_seleka.analyst is not None and ex_seleka.analyst.agrees
    for counterpart in ("ex-seleka", "anti-balaka"):
        best = next(e for e in result.entry_points if e.counterpart == counterpart)
        assert best.entry == "interfaith-platform"
    spoilers = {s.actor: s for s in result.spoilers}
    assert spoilers["anti-balaka"].threatens == ("ex-seleka",)
    assert "upc" in spoilers


def test_central_african_republic_in_2013_is_about_the_seleka() -> None:
    result = _example("central-african-republic-2013", "2013-06-01")
    assert [c.id for c in result.counterparts] == ["seleka"]
    assert result.counterparts[0].decision_makers == ("djotodia",)
    assert result.cohesion[0].level == "strained"


def test_naming_a_counterpart_analyses_only_it() -> None:
    result = _example("central-african-republic-2013", counterpart="anti-balaka")
    assert [c.id for c in result.counterparts] == ["anti-balaka"]
    assert {e.counterpart for e in result.entry_points} == {"anti-balaka"}


# --- the command -------------------------------------------------------------------------


def _cli(*args: str) -> Any:
    from backchannel.cli import actors_analyse  # noqa: F401  (registers the command)
    from backchannel.cli.actors import actors_app

    app = typer.Typer()
    app.add_typer(actors_app, name="actors")
    return CliRunner().invoke(app, ["actors", "analyse", *args], env={"COLUMNS": "200"})


def test_cli_json() -> None:
    result = _cli(str(EXAMPLES / "colombia-2012.yaml"), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["case"] == "colombia-2012"
    assert set(document) >= CONTRACT_KEYS
    assert document["entry_points"][0]["entry"] == "cuba"


def test_cli_table_with_as_of_and_counterpart() -> None:
    result = _cli(
        str(EXAMPLES / "somalia-2011.yaml"),
        "--as-of",
        "2011-11-01",
        "--counterpart",
        "al-shabaab",
    )
    assert result.exit_code == 0, result.output
    for title in ("Entry points", "Brokers", "Spoilers", "Cohesion", "Influence"):
        assert title in result.output
    assert "icrc" in result.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(["--counterpart", "nobody"], 4, id="unknown counterpart"),
        pytest.param(["--as-of", "June"], 2, id="bad date"),
    ],
)
def test_cli_errors(args: list[str], code: int) -> None:
    result = _cli(str(EXAMPLES / "colombia-2012.yaml"), *args)
    assert result.exit_code == code
