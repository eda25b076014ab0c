"""The UCDP-ACLED crosswalk: proposals on a generated CAR export against the real CAR GED
and UCDP actor list, the reviewed CSV read back, and profiles merging confirmed links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backchannel.cli import app
from backchannel.errors import InvalidInputError
from backchannel.events.actor_names import actor_activity
from backchannel.events.backends import connect, event_table
from backchannel.events.crosswalk import (
    acled_records,
    country_key,
    propose_crosswalk,
    ucdp_records,
    year_ranges,
)
from backchannel.events.crosswalk_csv import (
    CrosswalkRow,
    LinkStatus,
    merge_reviewed,
    parse_crosswalk,
    read_crosswalk,
    render_crosswalk,
    write_crosswalk,
)
from backchannel.events.readers import read_acled
from backchannel.events.schema import combine_event_tables
from backchannel.events.ucdp_actors import read_actor_list
from tests.conftest import mirror_path
from tests.events.conftest import CAR_GED
from tests.fixtures.acled import (
    CAMEROON_FORCES,
    CHAD_FORCES,
    OLD_STATE_FORCES,
    POLICE_FORCES,
    STATE_FORCES,
    acled_actor_rows,
    write_acled_csv,
)

runner = CliRunner()
# What the generated ACLED actors are in UCDP's terms.
EXPECTED = {
    STATE_FORCES: 86,
    OLD_STATE_FORCES: 86,
    POLICE_FORCES: 86,
    "Anti-Balaka": 4201,
    "Ex-Seleka: UPC": 5999,
    "Ex-Seleka: FPRC": 4007,
    "Ex-Seleka: MPC": 6354,
    "3R: Return, Reclamation, Rehabilitation": 6641,
    "CPC: Coalition of Patriots for Change": 7870,
    CHAD_FORCES: 87,
    CAMEROON_FORCES: 83,
    "Military Forces of Rwanda (2000-)": 94,
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    mirror = mirror_path()
    if mirror is None or not (mirror / CAR_GED).is_file():
        pytest.skip("no CAR GED in the data mirror")
    folder = tmp_path_factory.mktemp("crosswalk")
    data = folder / "data"
    pulled = runner.invoke(
        app, ["data", "pull", "ucdp-actors", "--mirror", str(mirror)], env=env_for(data)
    )
    assert pulled.exit_code == 0, pulled.stderr
    return {
        "acled": write_acled_csv(folder / "acled-car.csv", acled_actor_rows()),
        "ged": mirror / CAR_GED,
        "actors": mirror / "ucdp" / "ucdp-actor-221.csv",
        "data": data,
    }


def env_for(folder: Path) -> dict[str, str | None]:
    return {"BACKCHANNEL_DATA_DIR": str(folder), "COLUMNS": "200", "BACKCHANNEL_MIRROR": None}


@pytest.fixture(scope="module")
def proposals(files: dict[str, Path], car_events: Any) -> list[CrosswalkRow]:
    acled = read_acled(files["acled"]).events
    activity = actor_activity(connect(), event_table(combine_event_tables([car_events, acled])))
    return propose_crosswalk(
        acled_records(activity), ucdp_records(activity, read_actor_list(files["actors"]))
    )


def test_proposes_the_right_ucdp_actor_for_each_car_group(proposals: list[CrosswalkRow]) -> None:
    best: dict[str, CrosswalkRow] = {}
    for row in proposals:
        best.setdefault(row.acled_actor, row)  # rows come best first for each actor
    for acled_actor, ucdp_id in EXPECTED.items():
        row = best[acled_actor]
        assert (row.ucdp_id, row.status) == (ucdp_id, LinkStatus.PROPOSED), row
        assert row.score is not None and 0.85 <= row.score <= 1.0, row
        assert row.basis and row.acled_years
    assert best["Ex-Seleka: UPC"].countries == "Central African Republic"
    assert best["Ex-Seleka: UPC"].ucdp_years == "2014-2021"  # UPC's years in GED
    assert "after the colon" in best["Ex-Seleka: UPC"].basis
    assert best[STATE_FORCES].basis.startswith("state forces:")
    assert best[CHAD_FORCES].countries == "Chad"
    # no UCDP actor for Wagner in the 22.1 list: said, not forced
    assert best["Wagner Group"].status is LinkStatus.UNMATCHED
    assert best["Wagner Group"].ucdp_id is None
    # ACLED's collective categories are not actors to link
    assert not any(r.acled_actor.startswith(("Civilians", "Protesters")) for r in proposals)
    # the family before the colon is no reason to link UPC to FPRC ("ex-Seleka")
    assert not any(r.acled_actor == "Ex-Seleka: UPC" and r.ucdp_id == 4007 for r in proposals)


def test_country_keys_and_year_ranges() -> None:
    assert country_key("DR Congo (Zaire)") == country_key("Democratic Republic of Congo") == "COD"
    assert country_key("Central African Republic") == "CAF"
    assert country_key("Atlantis") == "atlantis"
    assert year_ranges([2019, 2013, 2014, 2015, 2016, 2021, 2022]) == "2013-2016, 2019, 2021-2022"


def test_crosswalk_then_profile_merges_confirmed_links_side_by_side(
    files: dict[str, Path],
) -> None:
    env = env_for(files["data"])
    events = ["--events", str(files["acled"]), "--events", str(files["ged"])]
    written = runner.invoke(app, ["events", "crosswalk", *events], env=env)
    assert written.exit_code == 0, written.stderr
    path = files["data"] / "crosswalk.csv"
    rows = read_crosswalk(path)
    assert {r.status for r in rows} == {LinkStatus.PROPOSED, LinkStatus.UNMATCHED}

    before = json.loads(
        runner.invoke(
            app, ["events", "profile", "UPC", *events, "--format", "json"], env=env
        ).stdout
    )
    assert before["sources"] == ["ged"]
    assert any("'Ex-Seleka: UPC'" in note for note in before["notes"])

    confirmed = [
        CrosswalkRow(**{**vars(r), "status": LinkStatus.CONFIRMED})
        if (r.acled_actor, r.ucdp_id) == ("Ex-Seleka: UPC", 5999)
        else r
        for r in rows
    ]
    write_crosswalk(path, confirmed)
    result = runner.invoke(app, ["events", "profile", "UPC", *events, "--format", "json"], env=env)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["actor"]["ucdp_id"] == 5999
    assert document["sources"] == ["ged", "acled"] and document["figures_source"] == "ged"
    acled_names = {
        m["name"]: m["linked_by"]
        for m in document["matched_names"]
        if m["source"].startswith("ACLED")
    }
    assert set(acled_names) == {"Ex-Seleka: UPC"}
    assert acled_names["Ex-Seleka: UPC"].startswith("crosswalk line ")
    ged, acled = document["by_source"]["ged"], document["by_source"]["acled"]
    assert (ged["title"], acled["title"]) == ("UCDP GED", "ACLED")
    # the top-level figures are GED's alone, never GED + ACLED
    assert document["events_by_year"] == ged["events_by_year"]
    assert document["civilian_fatalities_by_year"] == ged["civilian_fatalities_by_year"]
    expected_acled = sum(
        1
        for r in acled_actor_rows()
        if "Ex-Seleka: UPC"
        in (
            r["actor1"],
            r["actor2"],
            *r["assoc_actor_1"].split("; "),
            *r["assoc_actor_2"].split("; "),
        )
    )
    assert document["totals"]["acled"]["events"] == expected_acled
    assert document["totals"]["ged"]["events"] == sum(ged["events_by_year"].values())
    years = {y["year"]: y for y in document["side_by_side"]}
    assert years[2017]["ged"]["events"] == ged["events_by_year"]["2017"]
    assert years[2017]["acled"]["events"] == acled["events_by_year"]["2017"]
    assert any("never added" in note for note in document["notes"])
    table = runner.invoke(app, ["events", "profile", "UPC", *events], env=env)
    assert "Side by side" in table.stdout and "ACLED civilians killed" in table.stdout

    # a second run keeps the decision and proposes nothing already decided
    again = runner.invoke(app, ["events", "crosswalk", *events], env=env)
    assert again.exit_code == 0, again.stderr
    rerun = read_crosswalk(path)
    upc = [r for r in rerun if r.acled_actor == "Ex-Seleka: UPC" and r.ucdp_id == 5999]
    assert [r.status for r in upc] == [LinkStatus.CONFIRMED]
    assert "1 reviewed rows kept" in again.stdout


def test_crosswalk_needs_acled_events(files: dict[str, Path], tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["events", "crosswalk", "--events", str(files["ged"]), "-o", str(tmp_path / "c.csv")],
        env=env_for(files["data"]),
    )  # fmt: skip
    assert result.exit_code == 4 and "no ACLED actors" in result.stderr
    assert not (tmp_path / "c.csv").exists()


def test_a_bad_crosswalk_stops_the_profile_naming_the_line(
    files: dict[str, Path], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("acled_actor,ucdp_actor,ucdp_id,status\nAnti-Balaka,anti-Balaka,4201,yes\n")
    result = runner.invoke(
        app,
        [
            "events",
            "profile",
            "Anti-Balaka",
            "--events",
            str(files["acled"]),
            "--crosswalk",
            str(bad),
        ],
        env=env_for(files["data"]),
    )
    assert result.exit_code == 3
    assert f"{bad}:2: at status: 'yes' is not one of" in result.stderr


# --------------------------------------------------------------------------- the CSV


def test_reader_names_every_bad_row_by_line() -> None:
    text = (
        "acled_actor,ucdp_actor,ucdp_id,score,status\n"
        "Anti-Balaka,anti-Balaka,4201,0.9,confirmed\n"
        "\n"
        "Ex-Seleka: UPC,UPC,59x9,,proposed\n"
        ",UPC,5999,,confirmed\n"
        "Ex-Seleka: MPC,,,,rejected\n"
        '"Ex-Seleka:\nFPRC",FPRC,4007,1.5,maybe\n'
        "Anti-Balaka,anti-Balaka,4201,,rejected\n"
    )
    with pytest.raises(InvalidInputError) as raised:
        parse_crosswalk(text, "walk.csv")
    found = {(p.line, p.location) for p in raised.value.problems}
    assert found == {
        (4, "ucdp_id"),
        (5, "acled_actor"),
        (6, "ucdp_id"),
        (7, "status"),
        (7, "score"),
        (9, "status"),  # confirmed on line 2, rejected here
    }
    assert "walk.csv:9: at status:" in raised.value.message
    assert "confirmed on line 2" in raised.value.message


def test_reader_refuses_a_file_without_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("acled,ucdp\nA,B\n")
    with pytest.raises(InvalidInputError, match="required column"):
        read_crosswalk(path)
    path.write_text("")
    with pytest.raises(InvalidInputError, match="empty"):
        read_crosswalk(path)


def test_cells_a_spreadsheet_would_run_are_defused() -> None:
    row = CrosswalkRow('=HYPERLINK("http://x")', "+UPC", 1, LinkStatus.CONFIRMED, note="'quoted")
    text = render_crosswalk([row])
    assert "'=HYPERLINK" in text and ",'+UPC," in text
    [back] = parse_crosswalk(text)
    assert (back.acled_actor, back.ucdp_actor, back.note) == (row.acled_actor, "+UPC", "'quoted")


def test_merge_keeps_decisions_and_replaces_proposals() -> None:
    reviewed = [
        CrosswalkRow("A", "X", 1, LinkStatus.CONFIRMED, line=2),
        CrosswalkRow("A", "Y", 2, LinkStatus.PROPOSED, line=3),
        CrosswalkRow("B", "Z", 3, LinkStatus.REJECTED, line=4),
        CrosswalkRow("C", "", None, LinkStatus.UNMATCHED, line=5),
    ]
    fresh = [
        CrosswalkRow("A", "X", 1, LinkStatus.PROPOSED, score=0.9),
        CrosswalkRow("a", "W", 4, LinkStatus.PROPOSED, score=0.6),
        CrosswalkRow("B", "Z", 3, LinkStatus.PROPOSED, score=0.7),
        CrosswalkRow("C", "V", 5, LinkStatus.PROPOSED, score=0.5),
    ]
    merged = merge_reviewed(reviewed, fresh)
    assert [(r.acled_actor, r.ucdp_id, r.status.value) for r in merged] == [
        ("A", 1, "confirmed"),
        ("B", 3, "rejected"),
        ("a", 4, "proposed"),
        ("C", 5, "proposed"),
    ]


# Text an analyst or a source could put in a cell: any printable character, commas,
# quotes, newlines inside a name; cells are read stripped, so none starts or ends blank.
cell = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r"), max_size=30
).map(str.strip)
rows_strategy = st.lists(
    st.builds(
        CrosswalkRow,
        acled_actor=cell.filter(bool),
        ucdp_actor=cell.filter(bool),
        ucdp_id=st.none() | st.integers(0, 999_999_999),
        status=st.sampled_from([LinkStatus.PROPOSED, LinkStatus.UNMATCHED]),
        score=st.none() | st.floats(0, 1).map(lambda s: round(s, 2)),
        basis=cell,
        countries=cell,
        acled_years=cell,
        ucdp_years=cell,
        note=cell,
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(rows_strategy)
def test_written_rows_read_back_unchanged(rows: list[CrosswalkRow]) -> None:
    back = parse_crosswalk(render_crosswalk(rows))
    assert [CrosswalkRow(**{**vars(r), "line": None}) for r in back] == rows


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_with_reasons(text: str) -> None:
    header = "acled_actor,ucdp_actor,ucdp_id,status\n"
    for candidate in (text, header + text):
        try:
            rows = parse_crosswalk(candidate, "fuzz.csv")
        except InvalidInputError as error:
            assert error.problems and all(p.message for p in error.problems)
        else:
            assert all(r.acled_actor and r.line for r in rows)
