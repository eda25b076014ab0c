"""Indicators on hand-built event tables with known answers, then on the real CAR history."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Mapping
from typing import Any

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from backchannel.events import indicators, rise_evidence
from backchannel.events.escalation_flags import describe_escalation, flag_escalations
from backchannel.events.indicators import (
    UNKNOWN_ADMIN1,
    actor_month,
    area_month,
    escalation,
    threshold_crossings,
)
from backchannel.events.rise_evidence import (
    evidence_strength,
    per_event_floor,
    plain_number,
    pooled_dispersion,
    rise_p_value,
    strength_rank,
)
from tests.events.conftest import EventFactory


@pytest.fixture(scope="module")
def con() -> Any:
    return ibis.duckdb.connect()


def run(con: Any, expr: ibis.Table) -> list[dict[str, Any]]:
    return list(con.to_pyarrow(expr).to_pylist())


def month(text: str) -> dt.date:
    return dt.date.fromisoformat(text + "-01")


# --- monthly series -----------------------------------------------------------------------


def test_actor_month_zero_fills_from_first_event_to_last_month_of_the_data(
    con: Any, make_events: EventFactory
) -> None:
    events = make_events(
        [
            {"date": "2020-01-05", "actor1": "A", "deaths": 4, "event_id": "e1"},
            {"date": "2020-01-20", "actor1": "A", "deaths": 6, "event_id": "e0", "admin1": "South",
             "latitude": 7.9, "longitude": 22.3, "violence_type": "state_based",
             "deaths_low": 5, "deaths_high": 9},
            {"date": "2020-04-02", "actor1": "A", "deaths": 1, "event_id": "e2"},
            {"date": "2020-03-03", "actor1": "B", "deaths": 2, "event_id": "e3"},
        ]
    )  # fmt: skip
    rows = run(con, actor_month(ibis.memtable(events)))
    got = [
        (r["actor"], r["month"], r["events"], r["civilian_deaths"], r["event_ids"]) for r in rows
    ]
    assert got == [
        ("A", month("2020-01"), 2, 4, ["e1", "e0"]),  # ids in date order
        ("A", month("2020-02"), 0, 0, []),
        ("A", month("2020-03"), 0, 0, []),
        ("A", month("2020-04"), 1, 1, ["e2"]),
        ("B", month("2020-03"), 1, 2, ["e3"]),  # B starts at its first event
        ("B", month("2020-04"), 0, 0, []),  # and runs to the data's last month
    ]
    january = rows[0]
    assert (january["deaths_best"], january["deaths_low"], january["deaths_high"]) == (10, 9, 13)
    assert january["organised_violence_deaths"] == 10
    assert (january["admin1_count"], january["grid_cells"]) == (2, 2)
    assert [r["month_index"] for r in rows[:4]] == [2020 * 12 + m for m in range(4)]


def test_actor_month_counts_side_b_of_battles_only_when_asked(
    con: Any, make_events: EventFactory
) -> None:
    events = ibis.memtable(
        make_events(
            [
                {
                    "date": "2020-01-05",
                    "actor1": "A",
                    "actor2": "B",
                    "deaths": 30,
                    "violence_type": "state_based",
                },
                {"date": "2020-01-06", "actor1": "A", "deaths": 5},  # one-sided: B not involved
            ]
        )
    )
    only_actor1 = {r["actor"]: r["deaths_best"] for r in run(con, actor_month(events))}
    both_sides = {
        r["actor"]: r["deaths_best"] for r in run(con, actor_month(events, include_actor2=True))
    }
    assert only_actor1 == {"A": 35}
    assert both_sides == {"A": 35, "B": 30}  # civilians never become an actor


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        # admin1_count counts known areas only: the event without admin1 adds none
        ("country", [("Testland", None, 3, 1), ("Testland", None, 0, 0), ("Testland", None, 1, 1)]),
        (
            "admin1",
            [
                ("Testland", UNKNOWN_ADMIN1, 1, 0),
                ("Testland", UNKNOWN_ADMIN1, 0, 0),
                ("Testland", UNKNOWN_ADMIN1, 0, 0),
                ("Testland", "North", 2, 1),
                ("Testland", "North", 0, 0),
                ("Testland", "North", 1, 1),
            ],
        ),
    ],
)
def test_area_month(
    con: Any, make_events: EventFactory, level: str, expected: list[tuple[Any, ...]]
) -> None:
    events = make_events(
        [
            {"date": "2021-05-01", "actor1": "A", "deaths": 1, "admin1": None},
            {"date": "2021-05-09", "actor1": "A", "deaths": 1},
            {"date": "2021-05-10", "actor1": "C", "deaths": 1},
            {"date": "2021-07-10", "actor1": "A", "deaths": 1},
        ]
    )
    rows = run(con, area_month(ibis.memtable(events), level))  # type: ignore[arg-type]
    got = [(r["country"], r.get("admin1"), r["events"], r["admin1_count"]) for r in rows]
    assert got == expected


def test_area_month_rejects_an_unknown_level(make_events: EventFactory) -> None:
    events = ibis.memtable(make_events([{"date": "2021-05-01"}]))
    with pytest.raises(ValueError, match="level"):
        area_month(events, "district")  # type: ignore[arg-type]


# --- escalation ---------------------------------------------------------------------------


def monthly_series(make_events: EventFactory, counts: list[int], start: str = "2020-01") -> Any:
    """An actor-month table for actor A with ``counts`` civilian deaths, month after month."""
    first = month(start)
    specs: list[Mapping[str, Any]] = []
    for offset, deaths in enumerate(counts):
        year, month_zero = divmod(first.month - 1 + offset, 12)
        date = dt.date(first.year + year, month_zero + 1, 15)
        # every month has an event (deaths may be 0) so the data's last month is the last one
        specs.append({"date": date, "actor1": "A", "deaths": deaths})
    return actor_month(ibis.memtable(make_events(specs)))


def killings(make_events: EventFactory, months: list[list[int]]) -> Any:
    """An actor-month table for actor A: each month a list of its killings (deaths each).

    An event of another actor, without deaths, in the first and the last month fixes the
    data's coverage, so months of A without killings are zeros in its baseline.
    """
    specs: list[Mapping[str, Any]] = []
    for offset, events in enumerate(months):
        year, month_zero = divmod(offset, 12)
        for day, deaths in enumerate(events, start=1):
            specs.append({"date": dt.date(2020 + year, month_zero + 1, day), "deaths": deaths})
    last_year, last_month = divmod(len(months) - 1, 12)
    for date in (dt.date(2020, 1, 28), dt.date(2020 + last_year, last_month + 1, 28)):
        specs.append({"date": date, "actor1": "Z", "violence_type": "state_based"})
    return actor_month(ibis.memtable(make_events(specs)))


def flagged_last_month(
    con: Any, monthly: Any, measure: indicators.Measure = "civilian_deaths"
) -> dict[str, Any]:
    rows = flag_escalations(con.to_pyarrow(escalation(monthly, measure))).to_pylist()
    return next(r for r in reversed(rows) if r["actor"] == "A")


DATE = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
P_VALUE_TEXT = re.compile(r"\bp\s*[=<>]|p-value|P\(|e-\d", re.IGNORECASE)


def significant_digits(number: str) -> int:
    if "." in number:
        return len(number.replace(",", "").replace(".", "").lstrip("0"))
    return len(number.replace(",", "").strip("0")) or 1


def assert_plain_words(text: str) -> None:
    """A text for a brief: no p-value, no number with more than two significant digits."""
    assert not P_VALUE_TEXT.search(text), text
    for number in NUMBER.findall(DATE.sub("", text)):
        assert significant_digits(number) <= 2, f"{number!r} in {text!r}"


@pytest.mark.parametrize(
    ("counts", "baseline_months", "coverage_start", "mean", "months_observed"),
    [
        # the current month (20) is excluded from its own baseline
        ([2, 2, 2, 2, 20], 3, None, 2.0, 3),
        ([1, 2, 3, 4, 20], 3, None, 3.0, 3),
        # the window holds the previous N months only
        ([100, 0, 0, 0, 20], 3, None, 0.0, 3),
        # fewer months than N since the coverage started: the mean is over those months
        ([6, 3, 20], 12, None, 4.5, 2),
        # months before the actor's first event inside the coverage count as zeros
        ([6, 3, 20], 12, "2019-09", 9 / 6, 6),
        # the first month of the data has no baseline
        ([20], 12, None, None, 0),
    ],
)
def test_escalation_baseline_excludes_the_current_month(
    con: Any,
    make_events: EventFactory,
    counts: list[int],
    baseline_months: int,
    coverage_start: str | None,
    mean: float | None,
    months_observed: int,
) -> None:
    coverage = None if coverage_start is None else ibis.literal(month(coverage_start))
    scored = escalation(
        monthly_series(make_events, counts),
        "civilian_deaths",
        baseline_months,
        coverage_start=coverage,
    )
    last = run(con, scored)[-1]
    assert last["observed"] == 20
    assert last["baseline_months_observed"] == months_observed
    if mean is None:
        assert last["baseline_mean"] is None
        assert last["rate_ratio"] is None
        assert last["dispersion"] is None
        return
    assert last["baseline_mean"] == pytest.approx(mean)
    assert last["rate_ratio"] == pytest.approx((20 + 0.5) / (mean + 0.5))


def successive_variance(counts: list[int]) -> float:
    """Half the mean square successive difference: the variance without a trend."""
    steps = [later - earlier for earlier, later in itertools.pairwise(counts)]
    return sum(step * step for step in steps) / (2 * len(steps))


@pytest.mark.parametrize(
    ("baseline", "measure", "floor", "dispersion"),
    [
        # the month under test has one event with 3 deaths (or one event); the floor is 1
        # for events and twice the deaths per event over the baseline and that month
        # Poisson-like baseline (variance below the mean): dispersion 1 for events...
        ([1, 2, 1, 2, 1, 2], "events", 1.0, 1.0),
        # ...and twice the mean deaths per event for deaths: 12 deaths in 7 events
        ([1, 2, 1, 2, 1, 2], "civilian_deaths", 24 / 7, 24 / 7),
        # lumpy deaths: variance over mean, estimated from the baseline (33), and the floor
        # from three events, 58 deaths (39)
        ([0, 30, 0, 0, 25, 0], "civilian_deaths", 116 / 3, 116 / 3),
        # lumpy attacks: estimated from the baseline, above the floor of 1
        ([0, 6, 0, 0, 5, 0], "civilian_events", 1.0,
         successive_variance([0, 6, 0, 0, 5, 0]) / (11 / 6)),
        # a rise under way is no dispersion: steps of 2 (variance 2) against a mean of 5,
        # where the spread around the mean (variance 14) would have given 2.8
        ([0, 2, 4, 6, 8, 10], "events", 1.0, 1.0),
        # a quiet baseline has no variance to estimate from: the floor
        ([0, 0, 0, 0, 0, 0], "civilian_deaths", 6.0, 6.0),
        ([0, 0, 0, 0, 0, 0], "events", 1.0, 1.0),
    ],
)  # fmt: skip
def test_escalation_dispersion_is_the_baselines_variance_over_its_mean(
    con: Any,
    make_events: EventFactory,
    baseline: list[int],
    measure: indicators.Measure,
    floor: float,
    dispersion: float,
) -> None:
    monthly = (
        monthly_series(make_events, [*baseline, 3])
        if measure == "civilian_deaths"
        else killings(make_events, [[1] * n for n in baseline] + [[1]])
    )
    rows = run(con, escalation(monthly, measure, len(baseline)))
    last = [r for r in rows if r["actor"] == "A"][-1]
    assert last["baseline_variance"] == pytest.approx(successive_variance(baseline))
    assert last["dispersion_floor"] == pytest.approx(floor)
    assert last["dispersion"] == pytest.approx(dispersion)


@pytest.mark.parametrize(
    ("total", "events", "spread", "floor"),
    [
        (0, 0, 2.0, 1.0),
        (72, 1, 2.0, 144.0),
        (12, 7, 2.0, 24 / 7),
        (1, 1, 2.0, 2.0),
        # counts of events: one per event, floor 1
        (5, 5, 1.0, 1.0),
    ],
)
def test_per_event_floor(total: float, events: int, spread: float, floor: float) -> None:
    assert per_event_floor(total, events, spread) == pytest.approx(floor)
    assert rise_evidence.DEATHS_SIZE_SPREAD == 2.0


@pytest.mark.parametrize(
    ("periods", "floor", "dispersion"),
    [
        # each period around its own mean: a rise between them is no dispersion
        ([[2, 2, 2], [8, 9, 10]], 1.0, 1.0),
        # a lump inside a period is: Pearson 20 on 6 - 2 degrees of freedom
        ([[0, 10, 0], [5, 5, 5]], 1.0, 5.0),
        # one month a period leaves nothing to estimate from: the floor
        ([[3], [7]], 2.5, 2.5),
        ([[0, 0], [0, 0]], 1.0, 1.0),
    ],
)
def test_pooled_dispersion(periods: list[list[int]], floor: float, dispersion: float) -> None:
    assert pooled_dispersion(periods, floor) == pytest.approx(dispersion)


@pytest.mark.parametrize(
    ("counts", "slope", "ratio"),
    [
        ([0, 1, 2, 3, 4, 5], 1.0, (12 + 0.5) / (3 + 0.5)),
        ([5, 5, 5, 5, 5, 5], 0.0, 1.0),
        ([9, 9, 9, 9, 10, 8, 6, 4, 2, 0], -2.0, (6 + 0.5) / (24 + 0.5)),
    ],
)
def test_escalation_trend(
    con: Any, make_events: EventFactory, counts: list[int], slope: float, ratio: float
) -> None:
    last = run(con, escalation(monthly_series(make_events, counts)))[-1]
    assert last["trend_slope"] == pytest.approx(slope)
    assert last["trend_ratio"] == pytest.approx(ratio)


def test_escalation_counts_events_too(con: Any, make_events: EventFactory) -> None:
    last = run(con, escalation(monthly_series(make_events, [0, 0, 0]), "events", 2))[-1]
    assert (last["measure"], last["observed"], last["baseline_mean"]) == ("events", 1, 1.0)
    assert (last["event_count"], last["largest_event"]) == (1, None)


def test_escalation_knows_the_events_behind_the_deaths(con: Any, make_events: EventFactory) -> None:
    last = [
        r
        for r in run(con, escalation(killings(make_events, [[], [65, 3, 2, 0]])))
        if r["actor"] == "A"
    ][-1]
    # four attacks, three of them with deaths, the largest with 65 of the 70
    assert (last["observed"], last["event_count"], last["largest_event"]) == (70, 3, 65)
    attacks = run(con, escalation(killings(make_events, [[], [65, 3, 2, 0]]), "civilian_events"))
    assert [(r["observed"], r["event_count"]) for r in attacks if r["actor"] == "A"] == [(4, 4)]


def test_escalation_rejects_bad_arguments(make_events: EventFactory) -> None:
    monthly = monthly_series(make_events, [1, 2])
    with pytest.raises(ValueError, match="baseline_months"):
        escalation(monthly, baseline_months=0)
    with pytest.raises(ValueError, match="value must be"):
        escalation(monthly, "admin1_count")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("observed", "baseline_total", "months", "dispersion", "expected"),
    [
        # Poisson: the conditional binomial test of two rates
        (5, 0, 12, 1.0, (1 / 13) ** 5),
        (3, 6, 12, 1.0, stats.binom.sf(2, 9, 1 / 13)),
        (7, 7, 1, 1.0, stats.binom.sf(6, 14, 1 / 2)),
        # a dispersion of 2 halves both counts
        (10, 4, 12, 2.0, stats.binom.sf(4, 7, 1 / 13)),
        (0, 4, 12, 1.0, 1.0),
        (2, float("nan"), 12, 1.0, float("nan")),
        (2, 0, 0, 1.0, float("nan")),  # no baseline, no test
    ],
)
def test_rise_p_value_known_values(
    observed: int, baseline_total: float, months: int, dispersion: float, expected: float
) -> None:
    got = float(rise_p_value([observed], [baseline_total], [months], [dispersion])[0])
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, rel=1e-9)


def test_rise_p_value_compares_spans_of_several_months() -> None:
    # 3 months against 3 months: the observed span has half the time
    got = float(rise_p_value(12, 3, 3, 1.0, observed_months=3))
    assert got == pytest.approx(stats.binom.sf(11, 15, 1 / 2))


@pytest.mark.parametrize(
    ("p_value", "rate_ratio", "events", "largest_share", "strength"),
    [
        (1e-6, 10.0, 8, None, "strong"),
        (1e-6, 10.0, 8, 0.3, "strong"),
        (1e-6, 10.0, 8, 0.9, "moderate"),  # one event carries most deaths
        (1e-6, 10.0, 2, None, "moderate"),  # two events are never strong evidence
        (1e-6, 2.0, 8, None, "moderate"),  # significant, but not three times the baseline
        (0.005, 10.0, 8, None, "moderate"),
        (0.005, 1.2, 8, None, "weak"),  # a small rise in a large series
        (0.03, 10.0, 8, None, "weak"),
        (0.2, 10.0, 8, None, None),
        (0.001, 0.5, 8, None, None),  # no rise at all
        (float("nan"), 10.0, 8, None, None),
    ],
)
def test_evidence_strength(
    p_value: float, rate_ratio: float, events: int, largest_share: float | None, strength: str
) -> None:
    assert evidence_strength(p_value, rate_ratio, events, largest_share) == strength


QUIET_YEAR: list[list[int]] = [[]] * 12
ABOUT_FOUR_A_MONTH = [[4], [2, 3], [], [5], [1, 2], [4], [3], [], [6], [2, 2], [4], [3]]
LUMPY_YEAR = [[30], [], [], [25], [], [40], [], [], [35], [], [], [28]]
ONE_ATTACK_A_MONTH = [[1], [2], [], [1], [1], [], [2], [1], [], [1], [2], [1]]

# Cases that separate the overdispersed test from the old exact Poisson one: (name, months
# of killings, measure, expected strength, alert). The old test alerted on every death case
# here, with p down to 1e-120, and graded nothing.
ESCALATION_CASES = [
    # one event after a quiet year is one event, however many it killed: the deaths weigh
    # as half an event (dispersion 144), against none in 12 months p = (1/13)^(1/2)
    ("single massacre after a quiet year", [*QUIET_YEAR, [72]], "civilian_deaths",
     None, False),
    ("single massacre after a quiet year, counted as attacks", [*QUIET_YEAR, [72]],
     "civilian_events", None, False),
    ("a massacre and small killings after about 4 a month", [*ABOUT_FOUR_A_MONTH, [65, 3, 2, 2]],
     "civilian_deaths", "moderate", True),
    ("an ordinary lump in a lumpy year", [*LUMPY_YEAR, [45]], "civilian_deaths", None, False),
    # the deaths test is the more cautious: five events of six deaths weigh as 2.5 events,
    # since the same five events could have killed 1 and 20 as well as 6 each
    ("a short quiet baseline", [[], [], [6, 6, 6, 6, 6]], "civilian_deaths", None, False),
    ("a short quiet baseline, counted as attacks", [[], [], [6, 6, 6, 6, 6]],
     "civilian_events", "moderate", True),
    ("a sustained rise in attacks", [*ONE_ATTACK_A_MONTH, [2, 1, 3, 1, 2, 1, 2, 3]],
     "civilian_events", "strong", True),
    # a gradual rise stays strong: the months already rising are no dispersion
    ("a sustained rise in attacks, fourth month",
     [*ONE_ATTACK_A_MONTH, [1] * 3, [1] * 5, [1] * 8, [1] * 12], "civilian_events",
     "strong", True),
    ("a sustained rise in attacks, many killed",
     [*ONE_ATTACK_A_MONTH, [12, 10, 15, 9, 11, 14, 10, 13]], "civilian_deaths", "strong", True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "months", "measure", "strength", "alert"),
    ESCALATION_CASES,
    ids=[case[0] for case in ESCALATION_CASES],
)
def test_escalation_strength_allows_for_lumpy_deaths(
    con: Any,
    make_events: EventFactory,
    name: str,
    months: list[list[int]],
    measure: indicators.Measure,
    strength: str | None,
    alert: bool,
) -> None:
    last = flagged_last_month(con, killings(make_events, months), measure)
    assert (last["strength"], last["alert"]) == (strength, alert), name
    assert 0 <= last["p_value"] <= 1
    if measure == "civilian_deaths":
        mean = sum(map(sum, months[:-1])) / (len(months) - 1)
        old_poisson = stats.poisson.sf(last["observed"] - 1, max(mean, 0.5))
        assert old_poisson < 1e-7, "the old test called every one of these certain"
    if strength is None:
        assert last["reason"] is None
    else:
        assert f"{strength} evidence of a rise" in last["reason"]
        assert_plain_words(last["reason"])


def test_single_massacre_reason_in_words(con: Any, make_events: EventFactory) -> None:
    last = flagged_last_month(con, killings(make_events, [*ABOUT_FOUR_A_MONTH, [65, 3, 2, 2]]))
    assert last["reason"] == (
        "Civilian deaths by A in 2021-01: 72, against about 3.4 a month in the year before; "
        "moderate evidence of a rise (one event accounts for most deaths)"
    )
    assert last["event_ids"] == ["test:13", "test:14", "test:15", "test:16"]  # the evidence
    alone = flagged_last_month(con, killings(make_events, [*QUIET_YEAR, [72]]))
    assert alone["reason"] is None
    assert alone["p_value"] == pytest.approx((1 / 13) ** 0.5)  # the old test: 1e-120 or so
    assert describe_escalation(alone, alone["strength"]) == (
        "Civilian deaths by A in 2021-01: 72, against none in the year before; "
        "no evidence of a rise"
    )


@pytest.mark.parametrize(
    ("current", "strength", "alert"),
    [
        (2, "moderate", False),  # moderate evidence against silence, below the 3-event minimum
        (3, "moderate", True),
        (1, None, False),
    ],
)
def test_alert_needs_moderate_evidence_and_a_minimum_count(
    con: Any, make_events: EventFactory, current: int, strength: str | None, alert: bool
) -> None:
    monthly = killings(make_events, [*QUIET_YEAR, [1] * current])
    last = flagged_last_month(con, monthly, "civilian_events")
    assert (last["strength"], last["alert"]) == (strength, alert)


def test_alert_not_raised_for_a_usual_month(con: Any, make_events: EventFactory) -> None:
    flagged = flag_escalations(
        con.to_pyarrow(escalation(monthly_series(make_events, [30, 25, 35, 28, 32, 30, 33])))
    )
    assert not any(flagged.column("alert").to_pylist()[1:])
    assert set(flagged.column("strength").to_pylist()) == {None}


def test_flag_escalations_takes_each_rows_own_measure(con: Any, make_events: EventFactory) -> None:
    monthly = killings(make_events, [*QUIET_YEAR, [5] * 6])
    both = pa.concat_tables(
        [con.to_pyarrow(escalation(monthly, "events")), con.to_pyarrow(escalation(monthly))]
    )
    flagged = {
        r["measure"]: r
        for r in flag_escalations(both).to_pylist()
        if r["actor"] == "A" and r["month"] == month("2021-01")
    }
    # 6 events reach the 3-event minimum, 30 deaths the 10-death one
    assert (flagged["events"]["observed"], flagged["events"]["strength"]) == (6, "strong")
    assert (flagged["civilian_deaths"]["observed"], flagged["civilian_deaths"]["strength"]) == (
        30,
        "strong",
    )
    assert flagged["events"]["alert"] and flagged["civilian_deaths"]["alert"]
    assert not any(flag_escalations(both, min_count=31).column("alert").to_pylist())


# p-values and grades: properties over any baseline


@settings(max_examples=300, deadline=None)
@given(
    baseline=st.lists(st.integers(0, 300), min_size=1, max_size=24),
    baseline_events=st.integers(1, 200),
    counts=st.tuples(st.integers(0, 2000), st.integers(0, 2000)).map(sorted),
    measure=st.sampled_from(["civilian_events", "civilian_deaths"]),
    events=st.integers(1, 30),
)
def test_p_value_in_unit_interval_and_strength_monotone_in_the_count(
    baseline: list[int], baseline_events: int, counts: list[int], measure: str, events: int
) -> None:
    """As the month's count rises, its baseline and its events unchanged, p never rises
    and the grade never falls. For deaths the number of events stays, and so does the
    largest one, while the others kill more.
    """
    total, months = sum(baseline), len(baseline)
    mean = total / months
    grades = []
    p_values = []
    for observed in counts:
        if measure == "civilian_events":
            floor, event_count, share = 1.0, observed, None
        else:
            event_count = min(events, observed)
            floor = per_event_floor(total + observed, min(baseline_events, total) + event_count)
            largest = min(counts[0], 50)
            share = largest / observed if observed else None
        # the escalation's estimate: successive differences over the mean, floored
        variance = successive_variance(baseline) if months > 1 else 0.0
        dispersion = max(variance / mean if mean and variance > mean else 1.0, floor)
        p = float(rise_p_value(observed, total, months, dispersion))
        assert 0.0 <= p <= 1.0
        ratio = (observed + 0.5) / (mean + 0.5)
        p_values.append(p)
        grades.append(strength_rank(evidence_strength(p, ratio, event_count, share)))
    assert p_values[0] >= p_values[1] - 1e-12
    assert grades[0] <= grades[1]


@settings(max_examples=100, deadline=None)
@given(
    observed=st.integers(1, 500),
    baseline=st.integers(0, 500),
    months=st.integers(1, 24),
    low=st.floats(1.0, 50.0),
    extra=st.floats(0.0, 50.0),
)
def test_more_dispersion_never_gives_a_smaller_p_value(
    observed: int, baseline: int, months: int, low: float, extra: float
) -> None:
    # only where the month is above its baseline: below it every p-value is large anyway
    if observed * months <= baseline:
        return
    sharp = float(rise_p_value(observed, baseline, months, low))
    blunt = float(rise_p_value(observed, baseline, months, low + extra))
    assert blunt >= sharp - 1e-12


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (7, "7"),
        (72, "72"),
        (494, "about 490"),
        (1293, "about 1,300"),
        (4.08, "about 4.1"),
        (9.96, "about 10"),
        (0.083, "0.083"),
        (100, "100"),
    ],
)
def test_plain_number_keeps_two_significant_digits(value: float, text: str) -> None:
    assert plain_number(value) == text
    assert_plain_words(text)


# --- threshold crossings ------------------------------------------------------------------


def test_threshold_crossings_first_month_and_recrossing(
    con: Any, make_events: EventFactory
) -> None:
    battle = {"violence_type": "state_based", "actor1": "Gov", "actor2": "Rebels"}
    events = make_events(
        [
            {**battle, "date": "2010-01-10", "deaths": 10, "event_id": "b1"},
            {**battle, "date": "2010-03-10", "deaths": 10, "event_id": "b2"},
            {**battle, "date": "2010-03-20", "deaths": 0, "event_id": "b0"},  # no deaths
            {**battle, "date": "2010-06-10", "deaths": 5, "event_id": "b3"},  # 25 in 6 months
            # the 12-month total falls below 25 in 2011-01 and reaches it again in 2011-05
            {**battle, "date": "2011-05-10", "deaths": 30, "event_id": "b4"},
            {"date": "2012-01-02", "actor1": "Rebels", "deaths": 600, "event_id": "c1"},
            {"date": "2012-08-02", "actor1": "Rebels", "deaths": 400, "event_id": "c2"},
        ]
    )
    rows = run(con, threshold_crossings(ibis.memtable(events)))
    got = {
        (r["threshold"], r["unit_kind"], r["unit"], r["crossing"]): (
            r["month"],
            r["window_start"],
            r["rolling_deaths"],
            r["event_ids"],
        )
        for r in rows
    }
    ucdp = "ucdp_25_deaths"
    assert got[(ucdp, "actor", "Gov", 1)] == (
        month("2010-06"),
        month("2009-07"),
        25,
        ["b1", "b2", "b3"],
    )
    assert got[(ucdp, "actor", "Gov", 2)] == (month("2011-05"), month("2010-06"), 35, ["b3", "b4"])
    # both parties of a battle reach the threshold; the country too
    assert got[(ucdp, "actor", "Rebels", 1)][0] == month("2010-06")
    assert got[(ucdp, "country", "Testland", 1)][0] == month("2010-06")
    # 600 + 400 civilians within 12 months (2012-01 to 2012-08): EWP's mass killing
    assert got[("ewp_mass_killing", "actor", "Rebels", 1)] == (
        month("2012-08"),
        month("2011-09"),
        1000,
        ["c1", "c2"],
    )
    assert ("ewp_mass_killing", "actor", "Gov", 1) not in got
    first = next(r for r in rows if r["unit"] == "Gov" and r["crossing"] == 1)
    assert (first["event_count"], first["first_event_id"], first["last_event_id"]) == (
        3,
        "b1",
        "b3",
    )


# --- the Central African Republic, UCDP GED 23.1 --------------------------------------------


@pytest.fixture(scope="module")
def car(car_events: pa.Table) -> ibis.Table:
    return ibis.memtable(car_events)


def test_car_one_sided_civilian_deaths_by_year(con: Any, car: ibis.Table) -> None:
    """73 / 2,690 / 2,295: the best estimate (GED ``best``) of one-sided (type 3) events.

    GED's ``deaths_civilians`` of the same events sums to less (2,435 in 2013), because UCDP
    codes some one-sided deaths as ``deaths_unknown``; all deaths of one-sided violence are
    civilians by UCDP's definition, so ``civilian_deaths`` is the ``best`` sum.
    """
    monthly = area_month(car, "country")
    yearly = monthly.group_by(year=monthly.month.year()).aggregate(
        civilian_deaths=monthly.civilian_deaths.sum(),
        civilian_deaths_any_type=monthly.civilian_deaths_any_type.sum(),
    )
    by_year = {r["year"]: r for r in run(con, yearly)}
    assert [by_year[y]["civilian_deaths"] for y in (2012, 2013, 2014)] == [73, 2690, 2295]
    assert by_year[2013]["civilian_deaths_any_type"] > 2435  # + civilians killed in battles


# The escalation of 2013-2014, month by month, for each main perpetrator: the alerts of the
# two tests (attacks on civilians and civilian deaths, 12-month baseline) and their grades.
# UCDP codes the Seleka-led government (from 24 March 2013) as the Government of CAR and
# ex-Seleka factions from September 2013 as FPRC and UPC. Deaths come in lumps here (809
# civilians killed by the Government of CAR in four events of December 2013, most in the
# Bangui reprisals of 5 December), so the deaths test is seldom strong; the number of
# attacks carries the strong evidence.
CAR_ESCALATION: list[tuple[str, str, list[tuple[str, str]]]] = [
    # the Seleka offensive before and during the Libreville talks: few events, never strong
    ("Seleka", "civilian_events", [("2013-01", "moderate")]),
    ("Seleka", "civilian_deaths", [("2013-02", "moderate")]),
    # ex-Seleka (FPRC) enters the data with the reprisals of September 2013
    ("FPRC", "civilian_events", [("2013-09", "strong"), ("2013-12", "moderate"),
                                 ("2014-01", "moderate")]),
    ("FPRC", "civilian_deaths", [("2013-09", "moderate")]),
    # anti-balaka: the Bossangoa attacks of September 2013 and the campaign in the west
    # from January 2014 (its one massacre of June 2013, 24 killed, is one event: no alert)
    ("anti-Balaka", "civilian_events", [("2013-09", "strong"), ("2014-01", "strong")]),
    ("anti-Balaka", "civilian_deaths", [("2013-09", "strong")]),
    ("Government of Central African Republic", "civilian_events",
     [("2013-03", "strong"), ("2013-04", "strong")]),
    ("Government of Central African Republic", "civilian_deaths",
     [("2013-04", "moderate"), ("2013-07", "moderate"), ("2013-12", "moderate")]),
    ("UPC", "civilian_events", [("2014-10", "strong"), ("2014-11", "strong"),
                                ("2014-12", "moderate")]),
]  # fmt: skip

# the month of most civilian deaths in 2013-2014 and the deaths test's grade of it
CAR_PEAKS = [
    ("anti-Balaka", "2014-01", 494, "weak"),  # after 405 in September: no longer surprising
    ("Government of Central African Republic", "2013-12", 809, "moderate"),
    ("Seleka", "2013-02", 39, "moderate"),
    ("FPRC", "2013-09", 238, "moderate"),
    ("UPC", "2014-12", 83, "strong"),
]


@pytest.fixture(scope="module")
def car_scored(con: Any, car: ibis.Table) -> dict[str, list[dict[str, Any]]]:
    monthly = actor_month(car)
    return {
        measure: flag_escalations(con.to_pyarrow(escalation(monthly, measure))).to_pylist()
        for measure in ("civilian_events", "civilian_deaths")
    }


def in_2013_2014(rows: list[dict[str, Any]], actor: str) -> list[dict[str, Any]]:
    return [
        r
        for r in rows
        if r["actor"] == actor and dt.date(2013, 1, 1) <= r["month"] <= dt.date(2014, 12, 1)
    ]


@pytest.mark.parametrize(("actor", "measure", "expected"), CAR_ESCALATION)
def test_car_escalation_alerts_and_their_strength(
    car_scored: dict[str, list[dict[str, Any]]],
    actor: str,
    measure: str,
    expected: list[tuple[str, str]],
) -> None:
    alerts = [r for r in in_2013_2014(car_scored[measure], actor) if r["alert"]]
    assert [(f"{r['month']:%Y-%m}", r["strength"]) for r in alerts] == expected
    for alert in alerts:
        assert alert["event_ids"], "an alert carries the events behind it"
        assert all(e.startswith("ged:") for e in alert["event_ids"])
        assert f"{alert['strength']} evidence of a rise" in alert["reason"]
        assert_plain_words(alert["reason"])


@pytest.mark.parametrize(("actor", "peak", "deaths", "strength"), CAR_PEAKS)
def test_car_peak_months_and_the_deaths_test(
    car_scored: dict[str, list[dict[str, Any]]],
    actor: str,
    peak: str,
    deaths: int,
    strength: str,
) -> None:
    top = max(in_2013_2014(car_scored["civilian_deaths"], actor), key=lambda r: r["observed"])
    assert (f"{top['month']:%Y-%m}", top["observed"], top["strength"]) == (peak, deaths, strength)


def test_car_deaths_from_few_events_are_never_strong(
    car_scored: dict[str, list[dict[str, Any]]],
) -> None:
    graded = [r for r in car_scored["civilian_deaths"] if r["strength"] == "strong"]
    assert graded
    assert all(r["event_count"] >= rise_evidence.STRONG_MIN_EVENTS for r in graded)
    assert all(r["largest_event"] * 2 <= r["observed"] for r in graded)
    # and the old test's certainty is gone: no p-value below 1e-30 from a lump of deaths
    assert min(r["p_value"] for r in car_scored["civilian_deaths"] if r["p_value"]) > 1e-30


def test_car_mass_killing_threshold_crossings(con: Any, car: ibis.Table) -> None:
    rows = run(con, threshold_crossings(car))
    first_mass_killing = {
        r["unit"]: r["month"]
        for r in rows
        if r["threshold"] == "ewp_mass_killing" and r["crossing"] == 1
    }
    assert first_mass_killing == {
        "Central African Republic": month("2013-09"),
        "Government of Central African Republic": month("2013-12"),
        "anti-Balaka": month("2014-01"),
        "FPRC": month("2014-07"),
    }
    anti_balaka = next(
        r for r in rows if r["unit"] == "anti-Balaka" and r["threshold"] == "ewp_mass_killing"
    )
    assert anti_balaka["rolling_deaths"] >= 1000
    assert len(anti_balaka["event_ids"]) == anti_balaka["event_count"]


def test_every_indicator_runs_on_the_car_data(con: Any, car: ibis.Table) -> None:
    expressions = {
        "actor_month": actor_month(car),
        "area_month_admin1": area_month(car, "admin1"),
        "area_month_country": area_month(car, "country"),
        "escalation_events": escalation(area_month(car, "admin1"), "events"),
        "escalation_area_deaths": escalation(area_month(car, "country"), "civilian_deaths"),
        "threshold_crossings": threshold_crossings(car),
    }
    for name, expr in expressions.items():
        assert con.to_pyarrow(expr).num_rows > 0, name
    assert rise_evidence.ALERT_P_VALUE == rise_evidence.MODERATE_P_VALUE == 0.01
