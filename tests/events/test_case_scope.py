"""A case's alerts read its own country only, and its regions when they match the data.

On the mirror's GED as installed (the global sample and the CAR extract together), through
the CLI and the brief's event signals; and on a generated GED file in two countries where
the counterpart's name recurs in the other one.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from backchannel import datasets
from backchannel.casefile import load_case, parse_case
from backchannel.cli import app
from backchannel.datasets.analysis_inputs import installed_events
from backchannel.events.alerts import (
    CONTEXT_LEAD,
    Alert,
    case_alerts,
    case_escalation_alerts,
    escalation_alerts,
)
from backchannel.events.backends import connect, event_table
from backchannel.events.case_scope import AREA_DESIGNATIONS, area_key, scope_to_case
from backchannel.events.readers import read_ged
from backchannel.model import Case
from backchannel.reports.case_analysis import events_known_on
from backchannel.reports.event_signals import event_signals
from backchannel.settings import Settings
from tests.conftest import EXAMPLES, mirror_path
from tests.events.test_readers import ged_row, write_ged

CAR = "Central African Republic"
CAR_CASE = EXAMPLES / "central-african-republic-2013.yaml"
#: The prefectures of the CAR the example case leaves out of its regions.
CAR_OUTSIDE_REGIONS = {"Haut-Mbomou province", "Mbomou province", "Sangha-Mbaéré province"}


def countries_cited(alerts: list[dict[str, Any]], country_of: dict[str, str]) -> set[str]:
    """The countries of the events the alerts cite (``?`` for an id not in the data)."""
    return {country_of.get(i, "?") for a in alerts for i in a["event_ids"]}


def as_documents(alerts: list[Alert]) -> list[dict[str, Any]]:
    return [a.as_dict() for a in alerts]


# --------------------------------------------------------------------- the mirror's GED


@pytest.fixture(scope="module")
def installed_ged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pa.Table]:
    """UCDP GED pulled from the mirror into a private data folder (both files, as a user
    installs it), and its events read once as the commands read them."""
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror: set BACKCHANNEL_MIRROR or place ../shared/data")
    root = tmp_path_factory.mktemp("installed-ged")
    settings = Settings(
        data_dir=root, database_url=None, secret_key=None, key_file=None, user="tester", mirror=None
    )
    datasets.pull(settings, ["ucdp-ged"], mirror=mirror)
    return root, installed_events(settings)


@pytest.fixture(scope="module")
def country_of(installed_ged: tuple[Path, pa.Table]) -> dict[str, str]:
    events = installed_ged[1]
    return dict(zip(events["event_id"].to_pylist(), events["country"].to_pylist(), strict=True))


@pytest.fixture(scope="module")
def car_case() -> Case:
    return load_case(CAR_CASE)


@pytest.fixture(scope="module")
def car_cli_json(installed_ged: tuple[Path, pa.Table]) -> tuple[list[dict[str, Any]], str]:
    """``events alerts --case <CAR example> --format json`` on the installed GED."""
    result = CliRunner().invoke(
        app,
        ["events", "alerts", "--case", str(CAR_CASE), "--format", "json"],
        env={"BACKCHANNEL_DATA_DIR": str(installed_ged[0]), "BACKCHANNEL_MIRROR": None},
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def test_installed_ged_would_leak_other_countries_without_the_scope(
    installed_ged: tuple[Path, pa.Table], country_of: dict[str, str]
) -> None:
    """The data hold many countries, and the global alerts cite some beyond the CAR: what
    the case alerts must keep out."""
    events = installed_ged[1]
    assert len(set(events["country"].to_pylist())) > 50
    everywhere = escalation_alerts(connect(), event_table(events))
    assert countries_cited(as_documents(everywhere), country_of) - {CAR}


def test_car_case_alerts_from_the_cli_cite_only_car_events(
    car_cli_json: tuple[list[dict[str, Any]], str], country_of: dict[str, str]
) -> None:
    alerts, stderr = car_cli_json
    kinds = {a["kind"] for a in alerts}
    assert {"conduct_during_talks", "commitment_violation", "escalation"} <= kinds
    assert countries_cited(alerts, country_of) == {CAR}
    assert all(a["country"] == "CAF" for a in alerts)
    assert {a["scope"] for a in alerts} == {"counterpart", "context"}
    # the counterparts' alerts come first: the main alerts
    scopes = [a["scope"] for a in alerts]
    assert scopes == sorted(scopes, key=["counterpart", "context"].index)
    for alert in alerts:
        if alert["kind"] != "escalation":
            assert alert["scope"] == "counterpart"
        assert alert["summary"].startswith(CONTEXT_LEAD) == (alert["scope"] == "context")
    counterparts = {a["actor"] for a in alerts if a["scope"] == "counterpart"}
    assert {"FPRC", "anti-Balaka", "Seleka"} <= counterparts
    context = {a["actor"] for a in alerts if a["scope"] == "context"}
    assert "LRA" in context and not context & counterparts
    assert "case's 14 regions" in stderr


def test_car_cli_table_has_a_scope_column(installed_ged: tuple[Path, pa.Table]) -> None:
    result = CliRunner().invoke(
        app,
        ["events", "alerts", "--case", str(CAR_CASE)],
        env={
            "BACKCHANNEL_DATA_DIR": str(installed_ged[0]),
            "BACKCHANNEL_MIRROR": None,
            "COLUMNS": "250",
        },
    )
    assert result.exit_code == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if "kind" in line)
    assert "scope" in header
    assert "counterpart" in result.stdout and "context" in result.stdout


def test_car_brief_event_signals_cite_only_car_events(
    installed_ged: tuple[Path, pa.Table], country_of: dict[str, str], car_case: Case
) -> None:
    day = dt.date(2014, 12, 31)
    signals = event_signals(
        car_case, events_known_on(installed_ged[1], day), "installed UCDP GED", day, timelines=False
    )
    assert signals.typed_alerts
    assert countries_cited(signals.alerts, country_of) == {CAR}
    assert {a.scope for a in signals.typed_alerts} == {"counterpart"}
    assert all(a["country"] == "CAF" for a in signals.alerts)
    assert signals.scope is not None
    assert signals.scope["regions_applied"] and signals.scope["events_in_other_countries"] > 0
    assert "in other countries" in signals.note and "14 regions" in signals.note


def test_car_regions_are_the_prefectures_of_the_data(
    installed_ged: tuple[Path, pa.Table], car_case: Case
) -> None:
    """The case's 14 regions each match one GED prefecture ("Ouham" is "Ouham province");
    the CAR events left out are exactly those of the three other prefectures."""
    events = installed_ged[1]
    scope = scope_to_case(connect(), event_table(events), car_case).scope
    assert scope.regions_applied and not scope.unmatched_regions
    assert [(m.region, m.level, m.areas) for m in scope.matches] == [
        (region, "admin1", (f"{region} province",)) for region in car_case.context.regions
    ]
    car = events.filter(pc.equal(events["country"], CAR))
    admin1 = car["admin1"].to_pylist()
    assert scope.events_in_country == car.num_rows
    assert scope.events_in_other_countries == events.num_rows - car.num_rows
    assert scope.events_outside_regions == sum(a in CAR_OUTSIDE_REGIONS for a in admin1)
    assert scope.events_without_area == sum(a is None for a in admin1) > 0
    assert scope.events_left_out == scope.events_total - scope.events_in_scope


# ------------------------------------------------------- a generated two-country GED file

MIXED_CASE = """\
id: mixed
context:
  title: Two countries, one name
  country: CAF
  regions: {regions}
  period: {{start: 2013-06-01, end: 2014-06-30}}
actors:
  - {{id: g, name: Group G, kind: armed_group}}
engagements:
  - {{id: e1, date: 2014-01-05, channel: direct, counterparts: [g]}}
commitments:
  - {{id: c1, party: g, kind: civilian_protection, text: No attacks on civilians,
     start: 2014-01-05, end: 2014-02-28}}
"""


def mixed_rows() -> list[dict[str, str]]:
    """Group G and Militia M in the CAR's Ouham, one M event in Bangui, and Group G again
    in Chad: one event a month for six months, then a burst (G's while talks run)."""
    specs: list[tuple[str, str, str, str, str, int]] = []  # actor, country, adm_1, adm_2, day
    for actor, country, adm_1, burst, size in (
        ("Group G", CAR, "Ouham prefecture", "2014-01", 8),
        ("Militia M", CAR, "Ouham prefecture", "2014-03", 8),
        ("Group G", "Chad", "Ouaddaï region", "2014-01", 10),
    ):
        adm_2 = "Bossangoa region" if country == CAR else "Abéché region"
        for month in range(7, 13):
            specs.append((actor, country, adm_1, adm_2, f"2013-{month:02d}-15", 1))
        for offset in range(size):
            specs.append((actor, country, adm_1, adm_2, f"{burst}-{10 + offset:02d}", 4))
    specs.append(("Militia M", CAR, "Bangui prefecture", "Bangui region", "2013-06-20", 2))
    rows = []
    for number, (actor, country, adm_1, adm_2, day, deaths) in enumerate(specs, start=1):
        rows.append(
            ged_row(
                id=str(800000 + number),
                relid=f"T-{number}",
                year=day[:4],
                side_a=actor,
                side_a_new_id="",
                adm_1=adm_1,
                adm_2=adm_2,
                country=country,
                country_id="482" if country == CAR else "483",
                date_start=day,
                date_end=day,
                best=str(deaths),
                low=str(deaths),
                high=str(deaths),
                deaths_civilians=str(deaths),
            )
        )
    return rows


@pytest.fixture(scope="module")
def mixed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_ged(tmp_path_factory.mktemp("mixed") / "mixed_ged.csv", mixed_rows())


@pytest.fixture(scope="module")
def mixed_events(mixed_file: Path) -> pa.Table:
    result = read_ged(mixed_file)
    assert not result.rejected, result.rejected[:3]
    return result.events


@pytest.fixture(scope="module")
def mixed_country_of(mixed_events: pa.Table) -> dict[str, str]:
    return dict(
        zip(mixed_events["event_id"].to_pylist(), mixed_events["country"].to_pylist(), strict=True)
    )


def mixed_case(regions: list[str]) -> Case:
    return parse_case(MIXED_CASE.format(regions=json.dumps(regions)))


def all_case_alerts(events: pa.Table, case: Case) -> list[Alert]:
    connection = connect()
    scoped = scope_to_case(connection, event_table(events), case)
    return case_alerts(connection, scoped, case) + case_escalation_alerts(connection, scoped, case)


def test_mixed_file_would_leak_the_other_country_without_the_scope(
    mixed_events: pa.Table, mixed_country_of: dict[str, str]
) -> None:
    """Group G's name recurs in Chad: read globally, its January burst cites Chad events."""
    everywhere = escalation_alerts(connect(), event_table(mixed_events))
    group_g = [a for a in everywhere if a.actor == "Group G"]
    assert group_g and countries_cited(as_documents(group_g), mixed_country_of) == {CAR, "Chad"}


def test_mixed_file_gives_alerts_from_the_case_country_only(
    mixed_events: pa.Table, mixed_country_of: dict[str, str]
) -> None:
    case = mixed_case(["Ouham"])
    alerts = all_case_alerts(mixed_events, case)
    assert countries_cited(as_documents(alerts), mixed_country_of) == {CAR}
    by_kind = {(a.kind, a.actor, a.scope) for a in alerts}
    assert by_kind == {
        ("conduct_during_talks", "Group G", "counterpart"),
        ("commitment_violation", "Group G", "counterpart"),
        ("escalation", "Group G", "counterpart"),
        ("escalation", "Militia M", "context"),
    }
    assert all(a.country == "CAF" for a in alerts)
    [violation] = [a for a in alerts if a.kind == "commitment_violation"]
    assert violation.figures["events"] == len(violation.event_ids) == 8  # not Chad's ten
    [context] = [a for a in alerts if a.scope == "context"]
    assert context.summary.startswith(CONTEXT_LEAD + "Civilian deaths by Militia M in 2014-03")


def test_mixed_file_scope_counts_what_was_left_out(mixed_events: pa.Table) -> None:
    scope = scope_to_case(connect(), event_table(mixed_events), mixed_case(["Ouham"])).scope
    assert (scope.country, scope.country_names[0]) == ("CAF", CAR)
    assert scope.regions_applied
    assert [(m.region, m.level, m.areas) for m in scope.matches] == [
        ("Ouham", "admin1", ("Ouham prefecture",))
    ]
    assert (scope.events_total, scope.events_in_country, scope.events_in_scope) == (45, 29, 28)
    assert (scope.events_in_other_countries, scope.events_outside_regions) == (16, 1)
    assert scope.events_left_out == 17
    assert scope.as_dict()["events_left_out"] == 17


def test_a_region_matching_no_first_level_area_may_match_a_second_level_one(
    mixed_events: pa.Table,
) -> None:
    scope = scope_to_case(connect(), event_table(mixed_events), mixed_case(["Bossangoa"])).scope
    assert scope.regions_applied
    assert [(m.level, m.areas) for m in scope.matches] == [("admin2", ("Bossangoa region",))]
    assert scope.events_in_scope == 28


@pytest.mark.parametrize("regions", [["Atlantis"], ["Ouham", "Atlantis"]])
def test_an_unmatched_region_is_reported_and_the_whole_country_kept(
    mixed_events: pa.Table, mixed_country_of: dict[str, str], regions: list[str]
) -> None:
    case = mixed_case(regions)
    scope = scope_to_case(connect(), event_table(mixed_events), case).scope
    assert not scope.regions_applied
    assert scope.unmatched_regions == ("Atlantis",)
    assert scope.events_in_scope == scope.events_in_country == 29
    assert any("could not be applied" in n and "Atlantis" in n for n in scope.notes())
    alerts = all_case_alerts(mixed_events, case)
    assert countries_cited(as_documents(alerts), mixed_country_of) == {CAR}
    assert {a.scope for a in alerts} == {"counterpart", "context"}


def test_cli_on_the_mixed_file(
    tmp_path: Path, mixed_file: Path, mixed_country_of: dict[str, str]
) -> None:
    case_file = tmp_path / "mixed.yaml"
    case_file.write_text(MIXED_CASE.format(regions='["Ouham", "Atlantis"]'), encoding="utf-8")
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path / "data"), "BACKCHANNEL_MIRROR": None}
    runner = CliRunner()
    scoped = runner.invoke(
        app,
        [
            *("events", "alerts", "--events", str(mixed_file)),
            *("--case", str(case_file), "--format", "json"),
        ],
        env=env,
    )
    assert scoped.exit_code == 0, scoped.stderr
    alerts = json.loads(scoped.stdout)
    assert countries_cited(alerts, mixed_country_of) == {CAR}
    assert all({"scope", "country"} <= set(a) and a["country"] == "CAF" for a in alerts)
    assert "Atlantis" in scoped.stderr and "could not be applied" in scoped.stderr

    # without --case the alerts stay global, unscoped
    everywhere = runner.invoke(
        app, ["events", "alerts", "--events", str(mixed_file), "--format", "json"], env=env
    )
    assert everywhere.exit_code == 0, everywhere.stderr
    found = json.loads(everywhere.stdout)
    assert {(a["scope"], a["country"]) for a in found} == {(None, None)}
    assert countries_cited(found, mixed_country_of) == {CAR, "Chad"}


# ------------------------------------------------------------------------- area names


@pytest.mark.parametrize(
    ("case_name", "data_name", "same"),
    [
        ("Ouham", "Ouham province", True),
        ("Ombella-M'Poko", "Ombella-M'Poko province", True),
        ("Kemo", "Kémo province", True),
        ("ALEPPO", "Aleppo governorate", True),
        ("Bossangoa", "Bossangoa region", True),
        ("Mbomou", "Haut-Mbomou province", False),
        ("Ouham", "Ouham-Pendé province", False),
        ("Province", "province", True),  # a designation alone is kept, not emptied
    ],
)
def test_area_key_on_real_names(case_name: str, data_name: str, same: bool) -> None:
    assert (area_key(case_name) == area_key(data_name)) is same
    assert area_key(case_name)


WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8), min_size=1, max_size=4
)
ACCENTED = {"e": "é", "a": "à", "o": "ô", "u": "ü", "i": "ï", "c": "ç"}


@given(WORDS, st.sampled_from(sorted(AREA_DESIGNATIONS)), st.sampled_from([" ", "-", "'", " - "]))
def test_area_key_ignores_designation_case_accents_and_punctuation(
    words: list[str], designation: str, separator: str
) -> None:
    plain = " ".join(words)
    assert area_key(f"{plain} {designation.title()}") == plain
    dressed = separator.join("".join(ACCENTED.get(ch, ch) for ch in word).upper() for word in words)
    assert area_key(dressed) == area_key(plain)


@given(st.text(max_size=40))
@example(name="ᴮ")  # a modifier letter that decomposes into a capital
def test_area_key_never_fails_and_is_stable(name: str) -> None:
    key = area_key(name)
    assert key == key.strip() and "  " not in key
    assert area_key(key) == key or key.split()[-1] in AREA_DESIGNATIONS
