"""Benchmark: name screening against the UN and OFAC lists, ours beside nomenklatura's logic-v2.

Loads the UN consolidated list and OFAC's SDN files through the project's readers (about
25,000 names), builds our ``ScreeningIndex``, and runs the labelled set
(tests/fixtures/screening/labelled_names.csv: real listed names under transliteration,
word-order, spelling, abbreviation and translation variants, and real unlisted bodies and
people that share words with listed ones) through both matchers in one process:

- ours: ``ScreeningIndex.search`` at ``MATCH_THRESHOLD``, blocking included;
- the anchor: nomenklatura's ``logic-v2`` (``LogicV2.compare`` on FollowTheMoney entities
  built from the same ``ListedEntity`` values: primary names as ``name``, strong aliases
  as ``alias``, weak aliases as ``weakAlias``; queries as ``LegalEntity``), at yente's
  default match threshold of 0.7. logic-v2 compares pairs, so it is given a generous
  candidate set per query: the entries our index proposes at a floor of zero, the
  ``ANCHOR_TOKEN_CANDIDATES`` entries sharing the rarest words with the query, and the
  true entry of a positive query. Its timing counts only its comparisons.

For each: recall (a positive counts when its expected entry is among the hits at the
matcher's threshold), top-1 accuracy, false-positive rate (a negative counts when it has
any hit at the threshold), recall by variant kind, a threshold sweep, and p50 / p95
latency per query (ours timed the first time each query is asked, and again when it is
repeated); then the speed ratio, and what our blocking costs in recall: of the expected
entries a full scan finds at the threshold (about two minutes for the whole set), the
share the index misses.

Goals: recall >= logic-v2's at no higher false-positive rate; >= 100x faster than logic-v2;
p50 <= 2 ms per query. Run: ``.venv/bin/python benchmarks/screening.py [MIRROR]``.
"""

from __future__ import annotations

import csv
import math
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy
from nomenklatura.matching import LogicV2

from backchannel.screening.entity import EntityType, ListedEntity, NameQuality
from backchannel.screening.index import ScreeningIndex
from backchannel.screening.matcher import MATCH_THRESHOLD
from backchannel.screening.normalise import words
from backchannel.screening.read_ofac import read_ofac
from backchannel.screening.read_un import read_un

REPO = Path(__file__).resolve().parents[1]
LABELLED = REPO / "tests" / "fixtures" / "screening" / "labelled_names.csv"
ANCHOR_THRESHOLD = 0.7  # yente's default SCORE_THRESHOLD for logic-v2 matches
ANCHOR_TOKEN_CANDIDATES = 100
HIT_LIMIT = 10
SWEEP = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
SCHEMA = {
    EntityType.PERSON: "Person",
    EntityType.ORGANISATION: "Organization",
    EntityType.VESSEL: "Vessel",
    EntityType.AIRCRAFT: "Airplane",
    EntityType.UNKNOWN: "LegalEntity",
}
PROPERTY = {NameQuality.PRIMARY: "name", NameQuality.STRONG: "alias", NameQuality.WEAK: "weakAlias"}


@dataclass(frozen=True)
class Case:
    """One labelled query."""

    query: str
    expected: tuple[str, str] | None  # (list id, entity id or reference) for a positive
    kind: str


@dataclass
class Outcome:
    """What one matcher concluded for one query: every entry with its best score."""

    scores: dict[int, float]
    seconds: float


def load_cases() -> list[Case]:
    """The labelled set."""
    with LABELLED.open(encoding="utf-8") as handle:
        return [
            Case(
                row["query"],
                (row["expected_list"], row["expected_entity"]) if row["label"] == "match" else None,
                row["variant_kind"],
            )
            for row in csv.DictReader(handle)
        ]


def ftm_entity(entity: ListedEntity) -> EntityProxy:
    """A FollowTheMoney entity carrying a listed entry's names, for logic-v2."""
    proxy = model.make_entity(SCHEMA[entity.type])
    proxy.id = f"{entity.list_id}-{entity.entity_id}"
    for name in entity.names:
        proxy.add(PROPERTY[name.quality], name.text)
    return proxy


class TokenCandidates:
    """A plain inverted index on folded words: entries sharing the rarest query words."""

    def __init__(self, entities: tuple[ListedEntity, ...]) -> None:
        self._entries: dict[str, set[int]] = defaultdict(set)
        for position, entity in enumerate(entities):
            for name in entity.names:
                for word in words(name.text):
                    if len(word) > 2:
                        self._entries[word].add(position)
        self._count = len(entities)

    def lookup(self, query: str, limit: int) -> set[int]:
        scores: Counter[int] = Counter()
        for word in set(words(query)):
            found = self._entries.get(word, set())
            if found:
                rarity = math.log(self._count / len(found))
                for position in found:
                    scores[position] += rarity
        return {position for position, _ in scores.most_common(limit)}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def resolve(entities: tuple[ListedEntity, ...]) -> dict[tuple[str, str], int]:
    """Positions of entries by (list, entity id) and (list, reference)."""
    found: dict[tuple[str, str], int] = {}
    for position, entity in enumerate(entities):
        found[(entity.list_id, entity.entity_id)] = position
        if entity.reference:
            found[(entity.list_id, entity.reference)] = position
    return found


def run_ours(index: ScreeningIndex, cases: list[Case], threshold: float) -> list[Outcome]:
    """Our search on every query, each timed once, the first time it is asked (caches
    hold the words of earlier queries, as in a working session, never this query)."""
    keys = {(e.list_id, e.entity_id): n for n, e in enumerate(index.entities)}
    index.search("warm up the code paths")
    outcomes = []
    for case in cases:
        started = time.perf_counter()
        hits = index.search(case.query, limit=HIT_LIMIT, threshold=threshold)
        elapsed = time.perf_counter() - started
        outcomes.append(Outcome({keys[(h.list, h.entity_id)]: h.score for h in hits}, elapsed))
    return outcomes


def run_scan(index: ScreeningIndex, cases: list[Case]) -> list[dict[int, float]]:
    keys = {(e.list_id, e.entity_id): n for n, e in enumerate(index.entities)}
    return [
        {
            keys[(h.list, h.entity_id)]: h.score
            for h in index.scan(case.query, limit=HIT_LIMIT, threshold=MATCH_THRESHOLD)
        }
        for case in cases
    ]


def run_anchor(
    index: ScreeningIndex,
    cases: list[Case],
    positions: dict[tuple[str, str], int],
    proxies: list[EntityProxy],
    tokens: TokenCandidates,
) -> tuple[list[Outcome], list[int]]:
    config = LogicV2.default_config()
    warm = model.make_entity("LegalEntity")
    warm.id = "warm-up"
    warm.add("name", "warm up the reference data")
    LogicV2.compare(warm, proxies[0], config)  # loads rigour's name data, once
    outcomes = []
    sizes = []
    for number, case in enumerate(cases):
        prepared = index.prepare(case.query)
        candidates = {index.names[int(n)].entity for n in index.candidates(prepared, threshold=0.0)}
        candidates |= tokens.lookup(case.query, ANCHOR_TOKEN_CANDIDATES)
        if case.expected is not None and case.expected in positions:
            candidates.add(positions[case.expected])
        query = model.make_entity("LegalEntity")
        query.id = f"query-{number}"
        query.add("name", case.query)
        scores = {}
        started = time.perf_counter()
        for position in candidates:
            scores[position] = LogicV2.compare(query, proxies[position], config).score
        outcomes.append(Outcome(scores, time.perf_counter() - started))
        sizes.append(len(candidates))
    return outcomes, sizes


@dataclass(frozen=True)
class Quality:
    recall: float
    top1: float
    false_positive_rate: float
    by_kind: dict[str, tuple[int, int]]


def quality(
    cases: list[Case],
    outcomes: list[dict[int, float]],
    threshold: float,
    positions: dict[tuple[str, str], int],
) -> Quality:
    found = top = positives = negatives = flagged = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case, scores in zip(cases, outcomes, strict=True):
        above = {p: s for p, s in scores.items() if s >= threshold}
        if case.expected is None:
            negatives += 1
            flagged += bool(above)
            continue
        positives += 1
        target = positions.get(case.expected)
        hit = target in above
        found += hit
        by_kind[case.kind][1] += 1
        by_kind[case.kind][0] += hit
        if hit and max(above.values()) == above[target]:
            top += 1
    return Quality(
        found / positives,
        top / positives,
        flagged / negatives,
        {kind: (counts[0], counts[1]) for kind, counts in sorted(by_kind.items())},
    )


def main() -> None:
    """Run both matchers on the labelled set and print the figures and ratios."""
    mirror = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data"
    folder = mirror / "sanctions"
    started = time.perf_counter()
    un = read_un(folder / "un_consolidated.xml")
    ofac = read_ofac(folder / "ofac_sdn.csv", folder / "ofac_alt.csv", folder / "ofac_add.csv")
    entities = un.entities + ofac.entities  # UN first: it wins ties
    names = sum(len(e.names) for e in entities)
    print(
        f"{'read UN + OFAC':48} {time.perf_counter() - started:8.2f} s   ({len(entities):,} entries, {names:,} names)"
    )
    started = time.perf_counter()
    index = ScreeningIndex.build(entities)
    print(
        f"{'build our index':48} {time.perf_counter() - started:8.2f} s   ({len(index.names):,} name forms, {index.key_count:,} keys)"
    )
    positions = resolve(entities)
    cases = load_cases()
    missing = [c.query for c in cases if c.expected is not None and c.expected not in positions]
    positives = sum(c.expected is not None for c in cases)
    print(
        f"labelled set: {positives} positives, {len(cases) - positives} negatives; expected entries not on the lists: {len(missing)}"
    )

    ours = run_ours(index, cases, MATCH_THRESHOLD)
    repeated = run_ours(index, cases, MATCH_THRESHOLD)  # the same queries, asked again
    swept = run_ours(index, cases, min(SWEEP))  # lower thresholds, for the sweep only
    started = time.perf_counter()
    proxies = [ftm_entity(e) for e in entities]
    tokens = TokenCandidates(entities)
    print(
        f"{'build FtM entities + token index for logic-v2':48} {time.perf_counter() - started:8.2f} s"
    )
    anchor, sizes = run_anchor(index, cases, positions, proxies, tokens)
    print(f"logic-v2 candidates per query: median {statistics.median(sizes):.0f}, max {max(sizes)}")

    our_scores = [o.scores for o in ours]
    anchor_scores = [o.scores for o in anchor]
    mine = quality(cases, our_scores, MATCH_THRESHOLD, positions)
    theirs = quality(cases, anchor_scores, ANCHOR_THRESHOLD, positions)
    print()
    print(f"{'':34} {'ours':>10} {'logic-v2':>10}")
    print(f"{'threshold':34} {MATCH_THRESHOLD:10.2f} {ANCHOR_THRESHOLD:10.2f}")
    print(f"{'recall':34} {mine.recall:10.3f} {theirs.recall:10.3f}")
    print(f"{'top-1 accuracy (positives)':34} {mine.top1:10.3f} {theirs.top1:10.3f}")
    print(
        f"{'false-positive rate (negatives)':34} {mine.false_positive_rate:10.3f} {theirs.false_positive_rate:10.3f}"
    )
    for kind in mine.by_kind:
        a, n = mine.by_kind[kind]
        b, _ = theirs.by_kind.get(kind, (0, n))
        print(f"{'  recall, ' + kind:34} {a / n:10.3f} {b / n:10.3f}   (n={n})")
    print()
    print("threshold sweep (recall / false-positive rate):")
    for threshold in SWEEP:
        m = quality(cases, [o.scores for o in swept], threshold, positions)
        t = quality(cases, anchor_scores, threshold, positions)
        print(
            f"  {threshold:4.2f}   ours {m.recall:.3f} / {m.false_positive_rate:.3f}   logic-v2 {t.recall:.3f} / {t.false_positive_rate:.3f}"
        )

    our_times = [o.seconds * 1000 for o in ours]
    anchor_times = [o.seconds * 1000 for o in anchor]
    print()
    print(f"{'latency per query, ms':34} {'p50':>10} {'p95':>10}")
    print(
        f"{'  ours (search, blocking included)':34} {percentile(our_times, 0.5):10.3f} {percentile(our_times, 0.95):10.3f}   (goal p50 <= 2 ms)"
    )
    repeat_times = [o.seconds * 1000 for o in repeated]
    print(
        f"{'  ours, the query asked again':34} {percentile(repeat_times, 0.5):10.3f} {percentile(repeat_times, 0.95):10.3f}"
    )
    print(
        f"{'  logic-v2 (comparisons only)':34} {percentile(anchor_times, 0.5):10.3f} {percentile(anchor_times, 0.95):10.3f}"
    )
    ratio = percentile(anchor_times, 0.5) / percentile(our_times, 0.5)
    print(f"ratio logic-v2 / ours, p50 latency per query: {ratio:,.0f}x   (goal >= 100x)")
    print(f"ratio logic-v2 / ours, total time: {sum(anchor_times) / sum(our_times):,.0f}x")
    repeat_ratio = percentile(anchor_times, 0.5) / percentile(repeat_times, 0.5)
    print(f"ratio logic-v2 / ours asked again, p50 latency per query: {repeat_ratio:,.0f}x")
    verdict = (
        "met"
        if mine.recall >= theirs.recall and mine.false_positive_rate <= theirs.false_positive_rate
        else "NOT met"
    )
    print(f"recall >= logic-v2's at no higher false-positive rate: {verdict}")

    scans = run_scan(index, cases)
    scan_found = lost = hits_scan = hits_lost = 0
    for case, scan, ours_outcome in zip(cases, scans, ours, strict=True):
        indexed = {p for p, s in ours_outcome.scores.items() if s >= MATCH_THRESHOLD}
        hits_scan += len(scan)
        hits_lost += len(set(scan) - indexed)
        if case.expected is not None and positions.get(case.expected) in scan:
            scan_found += 1
            lost += positions[case.expected] not in indexed
    print()
    print(
        f"blocking: expected entries the full scan finds at the threshold: {scan_found}; the index misses {lost} ({lost / max(scan_found, 1):.1%})"
    )
    print(
        f"blocking: all hits of the full scan on the labelled queries: {hits_scan}; the index misses {hits_lost} ({hits_lost / max(hits_scan, 1):.1%})"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
