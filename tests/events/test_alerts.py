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


def test_seleka_violence_rose_during_the_libreville_talks(
    car_events: pa.Table, car_case: Case
) -> None:
    alerts = case_alerts(connect(), event_table(car_events), car_case)
    buying_time = [a for a in alerts if a.kind == "buying_time" and a.actor == "Séléka coalition"]
    assert buying_time, [a.summary for a in alerts]
    alert = buying_time[0]
    assert alert.start == dt.date(2013, 1, 11)
    assert alert.figures["civilian_deaths_during"] > alert.figures["civilian_deaths_before"]
    assert alert.event_ids


def test_as_of_hides_later_events_and_commitments(car_events: pa.Table, car_case: Case) -> None:
    alerts = case_alerts(connect(), event_table(car_events), car_case, as_of=dt.date(2014, 6, 30))
    assert all(a.start <= dt.date(2014, 6, 30) for a in alerts)
    assert not any("brazzaville" in str(a.figures.get("commitment", "")) for a in alerts)


def test_escalation_alerts_name_their_events(car_events: pa.Table) -> None:
    alerts = escalation_alerts(connect(), event_table(car_events))
    anti_balaka = [a for a in alerts if a.actor == "anti-Balaka"]
    assert anti_balaka and min(a.start for a in anti_balaka) <= dt.date(2014, 1, 1)
    assert all(a.event_ids and a.figures["p_value"] < 0.01 for a in alerts)


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
    kinds = {a["kind"] for a in json.loads(alerts.stdout)}
    assert {"escalation", "commitment_violation", "buying_time"} <= kinds


def test_cli_without_events_says_how_to_get_them(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["events", "alerts"],
        env={"BACKCHANNEL_DATA_DIR": str(tmp_path), "BACKCHANNEL_MIRROR": None},
    )
    assert result.exit_code == 4 and "events ingest" in result.stderr
