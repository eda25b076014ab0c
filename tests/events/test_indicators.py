"""Indicators on hand-built event tables with known answers, then on the real CAR history."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import ibis
import pyarrow as pa
import pytest
from scipy import stats

from backchannel.events import indicators
from backchannel.events.indicators import (
    BASELINE_RATE_FLOOR,
    UNKNOWN_ADMIN1,
    actor_month,
    area_month,
    escalation,
    flag_escalations,
    poisson_upper_tail,
    threshold_crossings,
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
        return
    assert last["baseline_mean"] == pytest.approx(mean)
    assert last["baseline_rate"] == pytest.approx(max(mean, BASELINE_RATE_FLOOR))
    assert last["rate_ratio"] == pytest.approx((20 + 0.5) / (mean + 0.5))


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


def test_escalation_rejects_bad_arguments(make_events: EventFactory) -> None:
    monthly = monthly_series(make_events, [1, 2])
    with pytest.raises(ValueError, match="baseline_months"):
        escalation(monthly, baseline_months=0)
    with pytest.raises(ValueError, match="value must be"):
        escalation(monthly, "admin1_count")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("count", "mean", "expected"),
    [
        (0, 2.0, 1.0),
        (1, 1.0, 1 - math.exp(-1)),
        (3, 1.0, 1 - math.exp(-1) * (1 + 1 + 1 / 2)),
        (2, float("nan"), float("nan")),
    ],
)
def test_poisson_upper_tail_known_values(count: int, mean: float, expected: float) -> None:
    got = float(poisson_upper_tail([count], [mean])[0])
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, rel=1e-12)


def test_flag_escalations_p_values_agree_with_scipy(con: Any, make_events: EventFactory) -> None:
    counts = [0, 3, 1, 0, 2, 15, 4, 0, 40, 9, 9, 9, 60]
    flagged = flag_escalations(con.to_pyarrow(escalation(monthly_series(make_events, counts))))
    for row in flagged.to_pylist():
        if row["baseline_mean"] is None:
            assert row["p_value"] is None  # no baseline, no test
            continue
        expected = stats.poisson.sf(row["observed"] - 1, max(row["baseline_mean"], 0.5))
        assert row["p_value"] == pytest.approx(expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(
    ("current", "alert"),
    [
        (9, False),  # p is tiny against silence, but below the 10-death minimum
        (10, True),
        (0, False),
    ],
)
def test_alert_needs_significance_and_a_minimum_count(
    con: Any, make_events: EventFactory, current: int, alert: bool
) -> None:
    flagged = flag_escalations(
        con.to_pyarrow(escalation(monthly_series(make_events, [0] * 12 + [current])))
    )
    last = flagged.to_pylist()[-1]
    assert last["alert"] is alert
    if alert:
        assert last["event_ids"] == ["test:12"]  # the evidence behind the alert
        assert "civilian_deaths 10 in 2021-01" in last["reason"]
        assert "rate ratio 21.0" in last["reason"]
    else:
        assert last["reason"] is None


def test_alert_not_raised_for_a_usual_month(con: Any, make_events: EventFactory) -> None:
    flagged = flag_escalations(
        con.to_pyarrow(escalation(monthly_series(make_events, [30, 25, 35, 28, 32, 30, 33])))
    )
    assert not any(flagged.column("alert").to_pylist()[1:])


def test_flag_escalations_wants_one_measure_per_table(con: Any, make_events: EventFactory) -> None:
    monthly = monthly_series(make_events, [1, 2])
    both = pa.concat_tables(
        [con.to_pyarrow(escalation(monthly, "events")), con.to_pyarrow(escalation(monthly))]
    )
    with pytest.raises(ValueError, match="one measure"):
        flag_escalations(both)
    assert flag_escalations(both, min_count=1).num_rows == 4


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


# The escalation of 2013-2014: for each main perpetrator, the months in that period with the
# most civilian deaths from its one-sided violence (the peak) and the first escalation alert
# (civilian deaths, 12-month baseline, p < 0.01, >= 10 deaths) in the same period. UCDP
# codes the Seleka-led government (from 24 March 2013) as the Government of CAR and
# ex-Seleka factions from September 2013 as FPRC and UPC.
CAR_ESCALATION = [
    # actor, peak month, civilian deaths at the peak, first alert, lead time in months
    ("anti-Balaka", "2014-01", 494, "2013-06", 7),
    # first alert 2013-03, the month Seleka took Bangui; the Government of CAR had already
    # alerted in 2012-12 (28 deaths, Bozize's forces during the Seleka offensive), which
    # would make the lead 12 months
    ("Government of Central African Republic", "2013-12", 809, "2013-03", 9),
    ("Seleka", "2013-02", 39, "2013-02", 0),
    # FPRC enters the data in its peak month (238 deaths, 2013-09): flagged at the peak
    ("FPRC", "2013-09", 238, "2013-09", 0),
    ("UPC", "2014-12", 83, "2014-10", 2),
]


@pytest.fixture(scope="module")
def car_alerts(con: Any, car: ibis.Table) -> pa.Table:
    scored = con.to_pyarrow(escalation(actor_month(car), "civilian_deaths"))
    return flag_escalations(scored)


def months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


@pytest.mark.parametrize(
    ("actor", "peak", "peak_deaths", "first_alert", "lead_months"), CAR_ESCALATION
)
def test_car_escalation_flagged_before_or_at_each_perpetrators_peak(
    car_alerts: pa.Table,
    actor: str,
    peak: str,
    peak_deaths: int,
    first_alert: str,
    lead_months: int,
) -> None:
    rows = [
        r
        for r in car_alerts.to_pylist()
        if r["actor"] == actor and dt.date(2013, 1, 1) <= r["month"] <= dt.date(2014, 12, 1)
    ]
    top = max(rows, key=lambda r: r["observed"])
    assert (top["month"], top["observed"]) == (month(peak), peak_deaths)
    alerts = [r for r in rows if r["alert"]]
    assert alerts, f"{actor}: no escalation alert in 2013-2014"
    first = alerts[0]
    lead = months_between(first["month"], top["month"])
    assert lead >= 0, f"{actor}: first alert {first['month']} after the peak {top['month']}"
    assert (first["month"], lead) == (month(first_alert), lead_months), (
        f"{actor}: first alert {first['month']:%Y-%m}, peak {top['month']:%Y-%m}, "
        f"lead {lead} months; expected {first_alert}, {lead_months} months"
    )
    assert first["event_ids"], "an alert carries the events behind it"
    assert all(e.startswith("ged:") for e in first["event_ids"])
    assert first["reason"] is not None


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
        "threshold_crossings": threshold_crossings(car),
    }
    for name, expr in expressions.items():
        assert con.to_pyarrow(expr).num_rows > 0, name
    assert indicators.ALERT_P_VALUE == 0.01
