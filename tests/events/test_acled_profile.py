"""Profiles from ACLED exports (generated: ACLED data may not be redistributed) and from the
real CAR GED, every figure checked against a count made here from the rows themselves."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from backchannel.cli import app
from backchannel.events.backends import connect, event_table
from backchannel.events.profile import profile_actor
from backchannel.events.readers import read_acled
from backchannel.events.ucdp_actors import read_actor_list
from tests.conftest import mirror_path
from tests.events.conftest import CAR_GED
from tests.fixtures.acled import (
    CIVILIANS,
    OLD_STATE_FORCES,
    STATE_FORCES,
    acled_actor_rows,
    write_acled_csv,
)

VAC = "Violence against civilians"
SHELLING = "Shelling/artillery/missile attack"
runner = CliRunner()


def listed(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def side(row: dict[str, str], name: str) -> int:
    """1 or 2 when ``name`` is on that side of the event, else 0."""
    if row["actor1"] == name or name in listed(row["assoc_actor_1"]):
        return 1
    if row["actor2"] == name or name in listed(row["assoc_actor_2"]):
        return 2
    return 0


def expected_profile(rows: list[dict[str, str]], name: str) -> dict[str, Any]:
    """The ACLED figures for ``name``, counted directly from the generated rows."""
    mine = [r for r in rows if side(r, name)]
    by_year: Counter[int] = Counter()
    as_actor1: Counter[int] = Counter()
    fatalities: Counter[int] = Counter()
    civilians: Counter[int] = Counter()
    types: Counter[str] = Counter()
    subs: dict[str, Counter[str]] = defaultdict(Counter)
    areas: Counter[str] = Counter()
    opponents: Counter[str] = Counter()
    for row in mine:
        year, dead = int(row["year"]), int(row["fatalities"])
        by_year[year] += 1
        fatalities[year] += dead
        as_actor1[year] += row["actor1"] == name
        if row["event_type"] == VAC and side(row, name) == 1:
            civilians[year] += dead
        else:
            civilians[year] += 0
        types[row["event_type"]] += 1
        subs[row["event_type"]][row["sub_event_type"]] += 1
        areas[row["admin1"]] += 1
        if row["event_type"] in ("Battles", VAC):
            if side(row, name) == 1:
                others = [row["actor2"], *listed(row["assoc_actor_2"])]
            else:
                others = [row["actor1"], *listed(row["assoc_actor_1"])]
            for other in {o for o in others if o and o != name}:
                opponents[other] += 1
    return {
        "events_by_year": {str(y): n for y, n in sorted(by_year.items())},
        "events_as_actor1_by_year": {str(y): n for y, n in sorted(as_actor1.items()) if n},
        "fatalities_by_year": {str(y): n for y, n in sorted(fatalities.items())},
        "civilian_fatalities_by_year": {str(y): n for y, n in sorted(civilians.items())},
        "types": dict(types),
        "sub_types": {k: dict(v) for k, v in subs.items()},
        "areas": dict(areas),
        "opponents": dict(opponents),
        "fields": {
            "ACLED actor1": sum(r["actor1"] == name for r in rows),
            "ACLED actor2": sum(r["actor2"] == name for r in rows),
            "ACLED assoc_actor_1": sum(name in listed(r["assoc_actor_1"]) for r in rows),
            "ACLED assoc_actor_2": sum(name in listed(r["assoc_actor_2"]) for r in rows),
        },
    }


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    rows = acled_actor_rows()
    return write_acled_csv(tmp_path_factory.mktemp("acled") / "acled.csv", rows), rows


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the UCDP actor list installed from the mirror."""
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    folder = tmp_path_factory.mktemp("data")
    pulled = runner.invoke(
        app, ["data", "pull", "ucdp-actors", "--mirror", str(mirror)], env=env_for(folder)
    )
    assert pulled.exit_code == 0, pulled.stderr
    return folder


def env_for(folder: Path) -> dict[str, str | None]:
    return {"BACKCHANNEL_DATA_DIR": str(folder), "COLUMNS": "200", "BACKCHANNEL_MIRROR": None}


def profile(data: Path, *args: str) -> Any:
    return runner.invoke(app, ["events", "profile", *args], env=env_for(data))


def test_state_forces_profile_from_an_acled_export(
    export: tuple[Path, list[dict[str, str]]], data_dir: Path
) -> None:
    path, rows = export
    result = profile(data_dir, STATE_FORCES, "--events", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    expected = expected_profile(rows, STATE_FORCES)
    assert expected["fields"]["ACLED actor1"] >= 200  # hundreds of events as actor1
    assert document["actor"]["name"] == STATE_FORCES and document["actor"]["exact_match"]
    assert document["sources"] == ["acled"] and document["figures_source"] == "acled"
    matched = {m["source"]: m["events"] for m in document["matched_names"]}
    assert matched == {k: v for k, v in expected["fields"].items() if v}
    assert all(m["name"] == STATE_FORCES for m in document["matched_names"])
    for key in (
        "events_by_year",
        "events_as_actor1_by_year",
        "fatalities_by_year",
        "civilian_fatalities_by_year",
    ):
        assert document[key] == expected[key], key
        assert document["by_source"]["acled"][key] == expected[key], key
    types = document["events_by_type"]
    assert {k: v["events"] for k, v in types.items()} == expected["types"]
    assert {k: v["sub_event_types"] for k, v in types.items()} == expected["sub_types"]
    assert document["areas"] == expected["areas"]
    assert document["opponents"] == expected["opponents"]
    assert document["opponents"][CIVILIANS] == expected["types"][VAC]
    assert document["allies_in_events"]["Wagner Group"] > 0
    totals = document["totals"]["acled"]
    assert totals["events"] == sum(expected["events_by_year"].values())
    assert totals["events_as_actor1"] == expected["fields"]["ACLED actor1"]
    assert document["side_by_side"] == []  # one source
    # the old keys are all still there
    assert {
        "actor",
        "civilian_fatalities_by_year",
        "events_by_year",
        "fatalities_by_year",
        "trend",
        "peak_episodes",
        "areas",
        "opponents",
        "allies_in_ucdp",
    } <= set(document)


def test_table_output_names_the_matched_names(
    export: tuple[Path, list[dict[str, str]]], data_dir: Path
) -> None:
    path, _ = export
    result = profile(data_dir, STATE_FORCES.lower(), "--events", str(path))
    assert result.exit_code == 0, result.stderr
    assert "ACLED assoc_actor_1" in result.stdout and "ACLED: by type" in result.stdout


def test_a_name_matching_several_acled_actors_exits_10_and_lists_them(
    export: tuple[Path, list[dict[str, str]]], data_dir: Path
) -> None:
    path, rows = export
    result = profile(
        data_dir, "Military Forces of the Central African Republic", "--events", str(path)
    )
    assert result.exit_code == 10
    assert result.stdout == ""
    for name in (STATE_FORCES, OLD_STATE_FORCES):
        actor1 = sum(r["actor1"] == name for r in rows)
        assert f"{name!r} (ACLED actor1: {actor1} events;" in result.stderr
    # --exact refuses the partial match outright
    exact = profile(
        data_dir,
        "Military Forces of the Central African Republic",
        "--exact",
        "--events",
        str(path),
    )
    assert exact.exit_code == 4


def test_a_ucdp_name_the_acled_export_does_not_use(
    export: tuple[Path, list[dict[str, str]]], data_dir: Path
) -> None:
    path, _ = export
    result = profile(
        data_dir,
        "Government of Central African Republic",
        "--events",
        str(path),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["actor"]["ucdp_id"] == 86
    assert document["events_by_year"] == {} and document["sources"] == []
    assert [m["source"] for m in document["matched_names"]] == ["UCDP actor list"]
    assert any("events crosswalk" in note for note in document["notes"])


def test_without_the_ucdp_list_the_events_still_name_the_actor(
    export: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    path, rows = export
    result = profile(tmp_path, "Anti-Balaka", "--events", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["actor"]["ucdp_id"] is None
    assert document["events_by_year"] == expected_profile(rows, "Anti-Balaka")["events_by_year"]
    assert any("UCDP actor list not used" in note for note in document["notes"])


def test_civilian_fatalities_count_the_perpetrators_side_only(tmp_path: Path) -> None:
    """ACLED codes the perpetrator (actor1, assoc_actor_1) and the victims (actor2,
    assoc_actor_2) of violence against civilians; civilian targeting outside that event
    type is not counted as one-sided violence."""
    base = dict(acled_actor_rows(1, seed=2)[0])
    group = "Test Brigade"

    def event(number: int, **fields: str) -> dict[str, str]:
        return {
            **base,
            "event_id_cnty": f"T{number}",
            "assoc_actor_1": "",
            "assoc_actor_2": "",
            "civilian_targeting": "",
            **fields,
        }

    rows = [
        event(1, event_type=VAC, actor1=group, actor2=CIVILIANS, fatalities="5",
              civilian_targeting="Civilian targeting"),
        event(2, event_type=VAC, actor1="Other Group", assoc_actor_1=f"Someone; {group}",
              actor2=CIVILIANS, fatalities="3"),
        event(3, event_type=VAC, actor1="Other Group", actor2=CIVILIANS,
              assoc_actor_2=group, fatalities="7"),
        event(4, event_type="Explosions/Remote violence", sub_event_type=SHELLING, actor1=group,
              actor2=CIVILIANS, civilian_targeting="Civilian targeting", fatalities="11"),
        event(5, event_type="Battles", sub_event_type="Armed clash", actor1="Rival",
              assoc_actor_1="Rival Ally", actor2=group, assoc_actor_2="Friend", fatalities="2"),
    ]  # fmt: skip
    events = read_acled(write_acled_csv(tmp_path / "t.csv", rows)).events
    result = profile_actor(connect(), event_table(events), group).as_dict()
    year = int(base["year"])
    assert result["civilian_fatalities_by_year"] == {year: 8}
    assert result["fatalities_by_year"] == {year: 28}
    assert result["events_as_actor1_by_year"] == {year: 2}
    # battles and violence against civilians only: the explosion (event 4) is not counted
    assert result["opponents"] == {CIVILIANS: 2, "Other Group": 1, "Rival": 1, "Rival Ally": 1}
    assert result["allies_in_events"] == {"Someone": 1, "Other Group": 1, "Friend": 1}
    assert result["by_source"]["acled"]["events_by_type"]["Explosions/Remote violence"] == {
        "events": 1,
        "fatalities": 11,
        "sub_event_types": {SHELLING: 1},
    }


@pytest.fixture(scope="module")
def ged_rows() -> list[dict[str, str]]:
    mirror = mirror_path()
    if mirror is None or not (mirror / CAR_GED).is_file():
        pytest.skip("no CAR GED in the mirror")
    with (mirror / CAR_GED).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_ged_profile_counts_as_before(car_events: pa.Table, ged_rows: list[dict[str, str]]) -> None:
    """UCDP's figures for anti-Balaka (id 4201), counted from the raw CSV."""
    mirror = mirror_path()
    assert mirror is not None
    actors = read_actor_list(mirror / "ucdp" / "ucdp-actor-221.csv")
    document = profile_actor(connect(), event_table(car_events), "anti-balaka", actors).as_dict()
    side_a = [r for r in ged_rows if r["side_a_new_id"] == "4201"]
    either = [r for r in ged_rows if "4201" in (r["side_a_new_id"], r["side_b_new_id"])]
    civilian: Counter[int] = Counter()
    for row in side_a:
        civilian[int(row["year"])] += int(row["best"]) if row["type_of_violence"] == "3" else 0
    assert document["civilian_fatalities_by_year"] == {
        y: civilian[y] for y in sorted({int(r["year"]) for r in either})
    }
    assert document["civilian_fatalities_by_year"][2014] == 1293
    assert document["events_as_actor1_by_year"] == dict(
        sorted(Counter(int(r["year"]) for r in side_a).items())
    )
    assert document["events_by_year"] == dict(
        sorted(Counter(int(r["year"]) for r in either).items())
    )
    assert document["opponents"]["Civilians"] == sum(r["type_of_violence"] == "3" for r in side_a)
    assert document["events_by_type"]["one_sided"]["events"] == sum(
        r["type_of_violence"] == "3" for r in either
    )
    assert document["figures_source"] == "ged" and document["allies_in_ucdp"] == [7870]


def test_names_with_brackets_are_printed_as_written(tmp_path: Path) -> None:
    """Names come from input files: "[/x]" in one is text, not terminal markup."""
    base = dict(acled_actor_rows(1, seed=3)[0])
    rows = [
        {**base, "event_id_cnty": "B1", "actor1": "Kata [North]"},
        {**base, "event_id_cnty": "B2", "actor1": "Kata [/x] South"},
    ]
    path = write_acled_csv(tmp_path / "b.csv", rows)
    result = profile(tmp_path, "Kata", "--events", str(path))
    assert result.exit_code == 10
    assert "'Kata [North]'" in result.stderr and "'Kata [/x] South'" in result.stderr
    shown = profile(tmp_path, "Kata [North]", "--events", str(path))
    assert shown.exit_code == 0 and "Kata [North] (not in the UCDP list)" in shown.stdout
