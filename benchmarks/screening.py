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
any hit at the threshold), recall by variant kind.

**In sample and held out.** ``MATCH_THRESHOLD`` and the matcher's weights were chosen on
this same labelled set, so figures on the whole set are in-sample: they are printed first,
as such. ``screening_split.split_labelled`` then cuts the set, the same way every run,
into a tuning half and a held-out half (no listed body in both). On the tuning half alone,
each matcher's threshold is chosen by one rule (``choose_threshold``): among
``THRESHOLD_GRID``, the thresholds whose false-positive rate is at most
``FALSE_POSITIVE_BUDGET`` (the 1.3% claimed for the shipped threshold), then those of
highest recall, then of lowest false-positive rate, and of these the middle one. Both
matchers are then graded on the held-out half at their shipped threshold and at the one
the tuning half chose. The benchmark says whether the shipped threshold is the chosen one.
With 75 negatives in the tuning half, one false positive is 1.33%, over the budget: there
the rule admits none. On the split as fixed today the tuning half chooses 0.78 for ours,
not the shipped 0.8, and 0.91 for logic-v2, not yente's 0.7; the shipped thresholds are
left as they are (moving them to fit the held-out figures would make those in-sample
again), and the held-out figures are given at both. Nothing in
``src`` is tuned on the held-out half.

Then p50 / p95 latency per query (ours timed the first time each query is asked, and
again when it is repeated), the speed ratio, and what our blocking costs in recall: of the
expected entries a full scan finds at the threshold (about two minutes for the whole set),
the share the index misses. The headline figures go to ``benchmarks/figures/screening.json``.

Goals: recall >= logic-v2's at no higher false-positive rate; >= 100x faster than logic-v2;
p50 <= 2 ms per query. Run: ``.venv/bin/python benchmarks/screening.py [MIRROR]`` (MIRROR,
the data mirror holding ``sanctions/``; default ``../shared/data`` beside the repository).
"""

from __future__ import annotations

import heapq
import math
import resource
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from _figures import write_figures
from followthemoney import model
from followthemoney.proxy import EntityProxy
from nomenklatura.matching import LogicV2
from screening_split import LabelledName, LabelledSplit, read_labelled, split_labelled

from backchannel.screening.entity import EntityType, ListedEntity, NameQuality
from backchannel.screening.index import ScreeningIndex
from backchannel.screening.matcher import MATCH_THRESHOLD
from backchannel.screening.normalise import words
from backchannel.screening.read_ofac import read_ofac
from backchannel.screening.read_un import read_un

REPO = Path(__file__).resolve().parents[1]
ANCHOR_THRESHOLD = 0.7  # yente's default SCORE_THRESHOLD for logic-v2 matches
ANCHOR_TOKEN_CANDIDATES = 100
HIT_LIMIT = 10
SWEEP = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
# Thresholds the tuning half chooses among: 0.50 to 0.95 by 0.01.
THRESHOLD_GRID = tuple(round(0.5 + step / 100, 2) for step in range(46))
# The false-positive rate claimed for the shipped threshold on the whole labelled set.
FALSE_POSITIVE_BUDGET = 0.013
SCHEMA = {
    EntityType.PERSON: "Person",
    EntityType.ORGANISATION: "Organization",
    EntityType.VESSEL: "Vessel",
    EntityType.AIRCRAFT: "Airplane",
    EntityType.UNKNOWN: "LegalEntity",
}
PROPERTY = {NameQuality.PRIMARY: "name", NameQuality.STRONG: "alias", NameQuality.WEAK: "weakAlias"}

# Entry positions found for each query, with their scores, keyed by the query's CSV line.
Scores = Mapping[int, Mapping[int, float]]


@dataclass
class Outcome:
    """What one matcher concluded for one query: every entry with its best score."""

    scores: dict[int, float]
    seconds: float


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
        scores: defaultdict[int, float] = defaultdict(float)
        for word in set(words(query)):
            found = self._entries.get(word, set())
            if found:
                rarity = math.log(self._count / len(found))
                for position in found:
                    scores[position] += rarity
        best = heapq.nlargest(limit, scores.items(), key=lambda item: item[1])
        return {position for position, _ in best}


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


def run_ours(
    index: ScreeningIndex, cases: Sequence[LabelledName], threshold: float
) -> list[Outcome]:
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


def by_line(
    cases: Sequence[LabelledName], outcomes: Sequence[Outcome]
) -> dict[int, dict[int, float]]:
    return {case.line: outcome.scores for case, outcome in zip(cases, outcomes, strict=True)}


def run_scan(index: ScreeningIndex, cases: Sequence[LabelledName]) -> list[dict[int, float]]:
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
    cases: Sequence[LabelledName],
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
    for case in cases:
        prepared = index.prepare(case.query)
        candidates = {index.names[int(n)].entity for n in index.candidates(prepared, threshold=0.0)}
        candidates |= tokens.lookup(case.query, ANCHOR_TOKEN_CANDIDATES)
        if case.expected is not None and case.expected in positions:
            candidates.add(positions[case.expected])
        query = model.make_entity("LegalEntity")
        # nomenklatura caches per entity id: each query its own, or scores leak between them
        query.id = f"query-{case.line}"
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
    positives: int
    negatives: int


def quality(
    cases: Sequence[LabelledName],
    scores: Scores,
    threshold: float,
    positions: dict[tuple[str, str], int],
) -> Quality:
    """The figures of one matcher on ``cases`` at ``threshold``."""
    found = top = positives = negatives = flagged = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        above = {p: s for p, s in scores[case.line].items() if s >= threshold}
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
        if target is not None and hit and max(above.values()) == above[target]:
            top += 1
    if not positives or not negatives:
        raise ValueError(f"{positives} positives, {negatives} negatives: both are needed")
    return Quality(
        found / positives,
        top / positives,
        flagged / negatives,
        {kind: (counts[0], counts[1]) for kind, counts in sorted(by_kind.items())},
        positives,
        negatives,
    )


@dataclass(frozen=True)
class Choice:
    """The threshold the tuning half chose, and its figures there."""

    threshold: float
    tuning: Quality


def choose_threshold(
    cases: Sequence[LabelledName],
    scores_at: Callable[[float], Scores],
    positions: dict[tuple[str, str], int],
) -> Choice:
    """The threshold of ``THRESHOLD_GRID`` chosen on ``cases`` (the tuning half): of those
    whose false-positive rate is at most ``FALSE_POSITIVE_BUDGET``, those of highest
    recall, then of lowest false-positive rate, and of these the middle one (the lower of
    two), so that the choice sits inside a run of equal figures rather than at its edge.
    ``scores_at(t)`` gives the matcher's scores at threshold ``t``."""
    within = []
    for threshold in THRESHOLD_GRID:
        figures = quality(cases, scores_at(threshold), threshold, positions)
        if figures.false_positive_rate <= FALSE_POSITIVE_BUDGET:
            within.append((threshold, figures))
    if not within:
        raise ValueError(
            f"no threshold of the grid keeps false positives <= {FALSE_POSITIVE_BUDGET}"
        )
    best_recall = max(f.recall for _, f in within)
    best = [(t, f) for t, f in within if f.recall == best_recall]
    lowest_rate = min(f.false_positive_rate for _, f in best)
    best = [(t, f) for t, f in best if f.false_positive_rate == lowest_rate]
    threshold, figures = best[(len(best) - 1) // 2]
    return Choice(threshold, figures)


def print_table(columns: Sequence[tuple[str, float, Quality]]) -> None:
    """One column per (matcher, threshold), one line per figure."""
    print(f"{'':34}" + "".join(f" {label:>14}" for label, _, _ in columns))
    print(f"{'threshold':34}" + "".join(f" {t:14.2f}" for _, t, _ in columns))
    for title, field in (
        ("recall", "recall"),
        ("top-1 accuracy (positives)", "top1"),
        ("false-positive rate (negatives)", "false_positive_rate"),
    ):
        print(f"{title:34}" + "".join(f" {getattr(q, field):14.3f}" for _, _, q in columns))
    first = columns[0][2]
    for kind, (_, n) in first.by_kind.items():
        shares = (q.by_kind.get(kind, (0, n))[0] / n for _, _, q in columns)
        print(f"{'  recall, ' + kind:34}" + "".join(f" {s:14.3f}" for s in shares) + f"   (n={n})")


def rounded(figures: Quality, prefix: str) -> dict[str, object]:
    return {
        f"{prefix}recall": round(figures.recall, 3),
        f"{prefix}top1": round(figures.top1, 3),
        f"{prefix}false_positive_rate": round(figures.false_positive_rate, 3),
    }


def with_suffix(figures: dict[str, object], suffix: str) -> dict[str, object]:
    return {f"{name}{suffix}": value for name, value in figures.items()}


def by_kind(figures: Quality) -> dict[str, float]:
    return {kind: round(found / n, 3) for kind, (found, n) in figures.by_kind.items()}


def tune_and_hold_out(
    index: ScreeningIndex,
    split: LabelledSplit,
    ours_shipped: Scores,
    anchor: Scores,
    positions: dict[tuple[str, str], int],
) -> dict[str, object]:
    """Choose each matcher's threshold on the tuning half, grade both on the held-out half
    at the shipped and at the chosen threshold; print it all and return the figures."""
    tuning, held_out = split.tuning, split.held_out
    print()
    print(
        f"split: tuning {sum(c.expected is not None for c in tuning)} positives, "
        f"{sum(c.expected is None for c in tuning)} negatives; held out "
        f"{sum(c.expected is not None for c in held_out)} positives, "
        f"{sum(c.expected is None for c in held_out)} negatives (no listed body in both)"
    )
    ours_at: dict[float, Scores] = {}

    def ours_on_tuning(threshold: float) -> Scores:
        if threshold not in ours_at:
            ours_at[threshold] = by_line(tuning, run_ours(index, tuning, threshold))
        return ours_at[threshold]

    ours_choice = choose_threshold(tuning, ours_on_tuning, positions)
    anchor_choice = choose_threshold(tuning, lambda _: anchor, positions)
    print(
        f"rule: highest tuning recall with false-positive rate <= {FALSE_POSITIVE_BUDGET:.1%}, "
        f"grid {THRESHOLD_GRID[0]:.2f}..{THRESHOLD_GRID[-1]:.2f}"
    )
    print("tuning-half threshold sweep (recall / false-positive rate):")
    for threshold in SWEEP:
        m = quality(tuning, ours_on_tuning(threshold), threshold, positions)
        t = quality(tuning, anchor, threshold, positions)
        print(
            f"  {threshold:4.2f}   ours {m.recall:.3f} / {m.false_positive_rate:.3f}   "
            f"logic-v2 {t.recall:.3f} / {t.false_positive_rate:.3f}"
        )
    for name, choice, shipped in (
        ("ours", ours_choice, MATCH_THRESHOLD),
        ("logic-v2", anchor_choice, ANCHOR_THRESHOLD),
    ):
        same = "equals" if math.isclose(choice.threshold, shipped) else "DIFFERS FROM"
        print(
            f"  {name:9} tuning half chooses {choice.threshold:.2f} (tuning recall "
            f"{choice.tuning.recall:.3f}, false positives {choice.tuning.false_positive_rate:.3f}); "
            f"it {same} the shipped {shipped:.2f}"
        )
    ours_tuned = (
        ours_shipped
        if math.isclose(ours_choice.threshold, MATCH_THRESHOLD)
        else by_line(held_out, run_ours(index, held_out, ours_choice.threshold))
    )
    columns = [
        (
            "ours shipped",
            MATCH_THRESHOLD,
            quality(held_out, ours_shipped, MATCH_THRESHOLD, positions),
        ),
        (
            "ours tuned",
            ours_choice.threshold,
            quality(held_out, ours_tuned, ours_choice.threshold, positions),
        ),
        (
            "logic-v2 yente",
            ANCHOR_THRESHOLD,
            quality(held_out, anchor, ANCHOR_THRESHOLD, positions),
        ),
        (
            "logic-v2 tuned",
            anchor_choice.threshold,
            quality(held_out, anchor, anchor_choice.threshold, positions),
        ),
    ]
    print()
    print("held-out half (nothing chosen on it):")
    print_table(columns)
    mine, mine_tuned, theirs, theirs_tuned = (q for _, _, q in columns)
    verdict = (
        "met"
        if mine.recall >= theirs.recall and mine.false_positive_rate <= theirs.false_positive_rate
        else "NOT met"
    )
    print(
        f"held out, at the shipped thresholds: recall >= logic-v2's at no higher false-positive rate: {verdict}"
    )
    return {
        "tuning_positives": ours_choice.tuning.positives,
        "tuning_negatives": ours_choice.tuning.negatives,
        "held_out_positives": mine.positives,
        "held_out_negatives": mine.negatives,
        "false_positive_budget": FALSE_POSITIVE_BUDGET,
        "shipped_threshold": MATCH_THRESHOLD,
        "tuning_threshold": ours_choice.threshold,
        "shipped_threshold_is_tuning_choice": math.isclose(ours_choice.threshold, MATCH_THRESHOLD),
        **rounded(mine, "held_out_"),
        **with_suffix(rounded(mine_tuned, "held_out_"), "_at_tuning_threshold"),
        "held_out_recall_by_kind": by_kind(mine),
        "logic_v2_threshold": ANCHOR_THRESHOLD,
        "logic_v2_tuning_threshold": anchor_choice.threshold,
        **rounded(theirs, "logic_v2_held_out_"),
        **with_suffix(rounded(theirs_tuned, "logic_v2_held_out_"), "_at_tuning_threshold"),
        "logic_v2_held_out_recall_by_kind": by_kind(theirs),
        "held_out_goal_recall_at_no_higher_false_positives": verdict == "met",
    }


def main() -> None:
    """Run both matchers on the labelled set, in sample and held out; print the figures and
    ratios and write the headline figures."""
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
    cases = read_labelled()
    split = split_labelled(cases)
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

    our_scores = by_line(cases, ours)
    anchor_scores = by_line(cases, anchor)
    mine = quality(cases, our_scores, MATCH_THRESHOLD, positions)
    theirs = quality(cases, anchor_scores, ANCHOR_THRESHOLD, positions)
    print()
    print("whole labelled set, IN SAMPLE (the shipped threshold and weights were chosen on it):")
    print_table([("ours", MATCH_THRESHOLD, mine), ("logic-v2", ANCHOR_THRESHOLD, theirs)])
    print()
    print("in-sample threshold sweep (recall / false-positive rate):")
    swept_scores = by_line(cases, swept)
    for threshold in SWEEP:
        m = quality(cases, swept_scores, threshold, positions)
        t = quality(cases, anchor_scores, threshold, positions)
        print(
            f"  {threshold:4.2f}   ours {m.recall:.3f} / {m.false_positive_rate:.3f}   logic-v2 {t.recall:.3f} / {t.false_positive_rate:.3f}"
        )
    held_out_figures = tune_and_hold_out(index, split, our_scores, anchor_scores, positions)

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
    print(f"in sample: recall >= logic-v2's at no higher false-positive rate: {verdict}")

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
    figures: dict[str, object] = {
        "labelled_positives": mine.positives,
        "labelled_negatives": mine.negatives,
        **rounded(mine, "in_sample_"),
        "in_sample_recall_by_kind": by_kind(mine),
        **rounded(theirs, "logic_v2_in_sample_"),
        **held_out_figures,
        "p50_ms_ours": round(percentile(our_times, 0.5), 3),
        "p50_ms_logic_v2": round(percentile(anchor_times, 0.5), 3),
        "ratio_logic_v2_to_ours_p50_latency": round(ratio),
        "blocking_expected_entries_missed": lost,
        "blocking_expected_entries_found_by_full_scan": scan_found,
    }
    print(f"figures written to {write_figures('screening', figures)}")


if __name__ == "__main__":
    main()
