"""Alerts on real history (the CAR example case against UCDP GED) and on hand-built events."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from backchannel.casefile import load_case, parse_case
from backchannel.cli import app
from backchannel.events.alerts import case_alerts, escalation_alerts, talks_periods
from backchannel.events.backends import connect, event_table
from backchannel.model import Case
from tests.conftest import EXAMPLES
from tests.events.conftest import EventFactory
from tests.events.test_indicators import assert_plain_words


@pytest.fixture(scope="module")
def car_case() -> Case:
    return load_case(EXAMPLES / "central-african-republic-2013.yaml")


def test_brazzaville_cessation_of_hostilities_violations(
    car_events: pa.Table, car_case: Case
) -> None:
    """The July 2014 Brazzaville agreement against the UCDP events that followed it."""
    alerts = case_alerts(connect(), event_table(car_events), car_case)
    violations = {a.figures["commitment"]: a for a in alerts if a.kind == "commitment_violation"}
    by_id = {row["event_id"]: row for row in car_events.to_pylist()}
    for commitment_id, perpetrator in [
        ("c-antibalaka-brazzaville-coh", "anti-Balaka"),
        ("c-exseleka-brazzaville-coh", "FPRC"),
    ]:
        alert = violations[commitment_id]
        assert alert.start == dt.date(2014, 7, 23)
        assert alert.figures["events"] == len(alert.event_ids) > 10
        for event_id in alert.event_ids:
            event = by_id[event_id]
            assert event["actor1"] == perpetrator
            assert dt.date(2014, 7, 23) <= event["date_start"] <= alert.end


def test_libreville_talks_show_no_real_rise_in_seleka_violence(
    car_events: pa.Table, car_case: Case
) -> None:
    """Five events and 37 civilians killed in the month of talks, two and 2 the month before.

    The old Poisson test on the totals called the deaths a certain rise (p about 1e-33) and
    raised ``buying_time``. Five events against two are no evidence of a rise; nor are the
    deaths, weighed as the lumps they are (5.6 a killing over both spans, 30 of the 37 in
    two events); and the Seleka spread to one new area only. So no ``buying_time``, which
    needs at least moderate evidence of more events, or a spread.
    """
    alerts = case_alerts(connect(), event_table(car_events), car_case)
    seleka = [a for a in alerts if a.actor == "Séléka coalition" and a.start.year == 2013]
    assert [a.kind for a in seleka] == ["conduct_during_talks", "commitment_violation"]
    conduct = seleka[0]
    assert conduct.start == dt.date(2013, 1, 11)
    figures = conduct.figures
    assert (figures["events_during"], figures["events_before"]) == (5, 2)
    assert (figures["civilian_deaths_during"], figures["civilian_deaths_before"]) == (37, 2)
    assert figures["months"] == 1
    assert figures["new_areas"] == ["Basse-Kotto province"]
    assert (figures["events"]["strength"], figures["civilian_deaths"]["strength"]) == (None, None)
    assert figures["events"]["p_value"] == pytest.approx(29 / 128)  # P(X >= 5), X ~ Bin(7, 1/2)
    deaths = figures["civilian_deaths"]
    # one month each side: no spread to estimate, the floor of twice 39 deaths in 7 events
    assert deaths["dispersion"] == deaths["dispersion_floor"] == pytest.approx(2 * 39 / 7)
    assert 0.05 < deaths["p_value"] < 0.5
    assert conduct.strength is None
    assert conduct.summary == (
        "Séléka coalition during talks (2013-01-11 to 2013-02-10): 5 events and 37 civilians "
        "killed, against 2 events and 2 civilians killed in the same span before; no evidence "
        "of a rise in events, no evidence of a rise in civilian deaths."
    )
    assert conduct.event_ids


def test_as_of_hides_later_events_and_commitments(car_events: pa.Table, car_case: Case) -> None:
    alerts = case_alerts(connect(), event_table(car_events), car_case, as_of=dt.date(2014, 6, 30))
    assert all(a.start <= dt.date(2014, 6, 30) for a in alerts)
    assert not any("brazzaville" in str(a.figures.get("commitment", "")) for a in alerts)


# The escalation alerts of the perpetrators the CAR case is about, 2013-2014: (month,
# strength), both tests in each alert (attacks on civilians and civilian deaths).
CAR_ESCALATION_ALERTS = {
    # the Seleka offensive: a handful of events, moderate evidence at most
    "Seleka": [("2013-01", "moderate"), ("2013-02", "moderate")],
    # ex-Seleka (FPRC): the reprisals of September 2013, then December-January in Bangui
    "FPRC": [("2013-09", "strong"), ("2013-12", "moderate"), ("2014-01", "moderate")],
    # anti-balaka: Bossangoa (September 2013), the west (January 2014)
    "anti-Balaka": [("2013-09", "strong"), ("2014-01", "strong")],
}


def test_car_escalation_alerts_of_seleka_ex_seleka_and_anti_balaka(car_events: pa.Table) -> None:
    alerts = escalation_alerts(connect(), event_table(car_events))
    for actor, expected in CAR_ESCALATION_ALERTS.items():
        found = [
            (f"{a.start:%Y-%m}", a.strength)
            for a in alerts
            if a.actor == actor and a.start.year in (2013, 2014)
        ]
        assert found == expected, actor
    for alert in alerts:
        assert alert.event_ids
        assert alert.strength in ("moderate", "strong")
        assert set(alert.figures) == {"civilian_deaths", "civilian_events"}
        tests = alert.figures.values()
        assert max(t["strength"] or "" for t in tests if t["strength"] in ("moderate", "strong"))
        assert all(0 <= t["p_value"] <= 1 for t in tests)
        assert alert.end == _last_day(alert.start)
        assert_plain_words(alert.summary)
    january = next(a for a in alerts if a.actor == "anti-Balaka" and a.start == dt.date(2014, 1, 1))
    assert january.summary == (
        "Civilian deaths by anti-Balaka in 2014-01: about 490, against about 64 a month in the "
        "year before; weak evidence of a rise. Attacks on civilians by anti-Balaka in 2014-01: "
        "37, against about 2.5 a month in the year before; strong evidence of a rise."
    )
    assert january.figures["civilian_deaths"]["observed"] == 494


def _last_day(month: dt.date) -> dt.date:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


#: The hand-built cases are set in the Central African Republic (CAF), and a case's alerts
#: read only its own country's events: the hand-built events are placed there.
CASE_COUNTRY = "Central African Republic"

CASE = """\
id: t
context: {title: T, country: CAF, period: {start: 2014-01-01}}
actors:
  - {id: g, name: Group G, aliases: [G], kind: armed_group}
engagements:
  - {id: e1, date: 2014-03-01, channel: direct, counterparts: [g]}
  - {id: e2, date: 2014-03-20, channel: direct, counterparts: [g]}
  - {id: e3, date: 2014-09-01, channel: direct, counterparts: [g]}
commitments:
  - {id: c1, party: g, kind: civilian_protection, text: No attacks, area: [North],
     start: 2014-03-01, end: 2014-04-30}
"""


def test_talks_periods_merge_close_engagements() -> None:
    case = parse_case(CASE)
    assert talks_periods(case, "g") == [
        (dt.date(2014, 3, 1), dt.date(2014, 4, 19)),
        (dt.date(2014, 9, 1), dt.date(2014, 10, 1)),
    ]
    assert talks_periods(case, "nobody") == []


TALKS_CASE = """\
id: t
context: {title: T, country: CAF, period: {start: 2014-01-01}}
actors:
  - {id: g, name: Group G, aliases: [G], kind: armed_group}
engagements:
  - {id: e1, date: 2014-03-01, end_date: 2014-04-29, channel: direct, counterparts: [g]}
"""
#: The talks run 2014-03-01 to 2014-05-29 (90 days with the 30 open days), the span before
#: from 2013-12-01: three 30-day blocks each.
TALKS_START, BEFORE_START = dt.date(2014, 3, 1), dt.date(2013, 12, 1)


def spans(
    before: list[list[tuple[int, str]]], during: list[list[tuple[int, str]]]
) -> list[dict[str, object]]:
    """Events of G: per 30-day block of each span, (deaths, admin1) of each event."""
    specs: list[dict[str, object]] = []
    for first, blocks in ((BEFORE_START, before), (TALKS_START, during)):
        for number, block in enumerate(blocks):
            for day, (deaths, area) in enumerate(block):
                date = first + dt.timedelta(days=30 * number + day)
                specs.append({"date": date, "actor1": "G", "deaths": deaths, "admin1": area})
    # an event of someone else after the talks: the data run past them
    specs.append({"date": dt.date(2014, 6, 15), "actor1": "Z", "deaths": 0})
    return [{**spec, "country": CASE_COUNTRY} for spec in specs]


TWO_A_MONTH = [[(1, "North")] * 2] * 3
# (name, events before, events during, alert kinds, events grade, deaths grade)
TALKS_CASES = [
    ("attacks rise while talks run", TWO_A_MONTH,
     [[(1, "North")] * 8, [(2, "North")] * 9, [(1, "North")] * 10],
     ["conduct_during_talks", "buying_time"], "strong", "moderate"),
    # the old Poisson test on the totals gave p about 1e-25 and raised buying_time
    ("one massacre while talks run", TWO_A_MONTH,
     [[(1, "North"), (60, "North")], [(1, "North")] * 2, [(1, "North")] * 2],
     ["conduct_during_talks"], None, None),
    ("violence spreads while talks run", [[(1, "North")]] * 3,
     [[(1, "East")], [(1, "West")], [(1, "South")]],
     ["conduct_during_talks", "buying_time"], None, None),
    ("violence falls while talks run", TWO_A_MONTH, [[(1, "North")]] * 3,
     ["conduct_during_talks"], None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "before", "during", "kinds", "events", "deaths"),
    TALKS_CASES,
    ids=[case[0] for case in TALKS_CASES],
)
def test_talks_comparison_allows_for_lumpy_deaths(
    make_events: EventFactory,
    name: str,
    before: list[list[tuple[int, str]]],
    during: list[list[tuple[int, str]]],
    kinds: list[str],
    events: str | None,
    deaths: str | None,
) -> None:
    alerts = case_alerts(
        connect(), event_table(make_events(spans(before, during))), parse_case(TALKS_CASE)
    )
    assert [a.kind for a in alerts] == kinds, name
    conduct = alerts[0]
    assert (conduct.start, conduct.end) == (TALKS_START, dt.date(2014, 5, 29))
    figures = conduct.figures
    assert figures["months"] == 3
    assert figures["before"] == [BEFORE_START.isoformat(), "2014-02-28"]
    assert (figures["events"]["strength"], figures["civilian_deaths"]["strength"]) == (
        events,
        deaths,
    )
    assert conduct.strength == max(
        (events, deaths),
        key=lambda grade: ("weak", "moderate", "strong").index(grade) + 1 if grade else 0,
    )
    for alert in alerts:
        assert_plain_words(alert.summary)
        assert alert.event_ids == sorted(alert.event_ids) and alert.event_ids


def test_talks_summaries_in_words(make_events: EventFactory) -> None:
    rising = spans(TWO_A_MONTH, [[(1, "North")] * 8, [(2, "North")] * 9, [(1, "North")] * 10])
    alerts = case_alerts(connect(), event_table(make_events(rising)), parse_case(TALKS_CASE))
    conduct, buying_time = alerts
    assert conduct.summary == (
        "Group G during talks (2014-03-01 to 2014-05-29): 27 events and 36 civilians killed, "
        "against 6 events and 6 civilians killed in the same span before; strong evidence of "
        "a rise in events, moderate evidence of a rise in civilian deaths."
    )
    assert buying_time.summary.startswith(
        "Possible buying time: while talks ran, its violent events grew more frequent (strong "
        "evidence). Group G"
    )
    assert buying_time.strength == "strong"
    assert buying_time.figures["events"]["p_value"] < 0.001


def test_commitment_area_and_kind_are_respected(make_events: EventFactory) -> None:
    events = make_events(
        [
            {"date": "2014-03-10", "actor1": "G", "deaths": 3, "admin1": "North", "event_id": "in"},
            {
                "date": "2014-03-11",
                "actor1": "G",
                "deaths": 3,
                "admin1": "South",
                "event_id": "elsewhere",
            },
            {
                "date": "2014-03-12",
                "actor1": "G",
                "deaths": 3,
                "admin1": "North",
                "violence_type": "state_based",
                "event_id": "battle",
            },
            {
                "date": "2014-06-01",
                "actor1": "G",
                "deaths": 3,
                "admin1": "North",
                "event_id": "after",
            },
        ]
    )
    events = events.set_column(
        events.schema.get_field_index("country"),
        "country",
        pa.array([CASE_COUNTRY] * events.num_rows, pa.string()),
    )
    alerts = case_alerts(connect(), event_table(events), parse_case(CASE))
    [violation] = [a for a in alerts if a.kind == "commitment_violation"]
    assert violation.event_ids == ["in"]


def test_cli_ingest_profile_alerts(tmp_path: Path, mirror: Path) -> None:
    runner = CliRunner()
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path), "COLUMNS": "200", "BACKCHANNEL_MIRROR": None}
    car = mirror / "ucdp" / "ged231_central_african_republic.csv"
    ingested = runner.invoke(app, ["events", "ingest", str(car)], env=env)
    assert ingested.exit_code == 0, ingested.stderr
    assert "1848 rows read" in ingested.stdout and "1848 accepted, 0 rejected" in ingested.stdout
    assert (tmp_path / "events" / "ged231_central_african_republic.parquet").is_file()

    runner.invoke(app, ["data", "pull", "ucdp-actors", "--mirror", str(mirror)], env=env)
    profile = runner.invoke(app, ["events", "profile", "Anti-Balaka", "--format", "json"], env=env)
    assert profile.exit_code == 0, profile.stderr
    document = json.loads(profile.stdout)
    assert document["actor"]["ucdp_id"] == 4201
    assert {"actor", "civilian_fatalities_by_year", "events_by_year"} <= set(document)
    assert document["civilian_fatalities_by_year"]["2014"] == 1293

    alerts = runner.invoke(
        app,
        [
            "events",
            "alerts",
            "--case",
            str(EXAMPLES / "central-african-republic-2013.yaml"),
            "--format",
            "json",
        ],
        env=env,
    )
    assert alerts.exit_code == 0, alerts.stderr
    found = json.loads(alerts.stdout)
    kinds = {a["kind"] for a in found}
    assert {"escalation", "commitment_violation", "conduct_during_talks"} <= kinds
    assert {a["strength"] for a in found if a["kind"] == "escalation"} == {"moderate", "strong"}
    for alert in found:
        assert_plain_words(alert["summary"])


def test_cli_without_events_says_how_to_get_them(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["events", "alerts"],
        env={"BACKCHANNEL_DATA_DIR": str(tmp_path), "BACKCHANNEL_MIRROR": None},
    )
    assert result.exit_code == 4 and "events ingest" in result.stderr
