"""The UCDP/PRIO Armed Conflict Dataset reader and the "active conflict as known on a day"
answer, on the real ACD 25.1 file and on generated rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.errors import InvalidInputError
from backchannel.events.ucdp_conflicts import (
    ACD_FIRST_YEAR,
    REQUIRED,
    ConflictActivity,
    ConflictYear,
    Intensity,
    active_conflicts,
    read_armed_conflicts,
    ucdp_iso3,
)
from tests.conftest import mirror_path

ACD = Path("ucdp") / "ucdp-prio-acd-251.csv"


@pytest.fixture(scope="module")
def conflicts() -> list[ConflictYear]:
    """Every row of ACD 25.1 from the mirror, read by the real reader."""
    mirror = mirror_path()
    if mirror is None or not (mirror / ACD).is_file():
        pytest.skip(f"no {ACD} in the data mirror")
    return read_armed_conflicts(mirror / ACD)


def _ids(found: ConflictActivity | None) -> set[int]:
    return set() if found is None else {c.conflict_id for c in found.conflicts}


# ----------------------------------------------------------------------------- the real file


def test_the_real_file_reads_every_row(conflicts: list[ConflictYear]) -> None:
    assert len(conflicts) == 2752
    assert min(c.year for c in conflicts) == 1946
    assert max(c.year for c in conflicts) == 2024
    somalia_2010 = next(c for c in conflicts if (c.conflict_id, c.year) == (337, 2010))
    assert somalia_2010.line == 2041
    assert somalia_2010.location == "Somalia"
    assert somalia_2010.side_b == "Al-Shabaab, Hizbul Islam"
    assert somalia_2010.intensity is Intensity.WAR
    assert somalia_2010.episode_start == dt.date(2006, 10, 24)
    assert somalia_2010.gwno_loc == (520,)
    assert not somalia_2010.episode_ended


def test_only_the_located_rows_are_kept(conflicts: list[ConflictYear]) -> None:
    mirror = mirror_path()
    assert mirror is not None
    somalia = read_armed_conflicts(mirror / ACD, located_in=["Somalia"])
    assert somalia == [c for c in conflicts if "Somalia" in c.location]
    # "Ethiopia, Somalia": an interstate conflict is located in both countries
    assert 268 in {c.conflict_id for c in somalia}


@pytest.mark.parametrize(
    ("iso3", "day", "conflict_ids", "year_read", "intensity"),
    [
        ("CAF", "2013-03-01", {416}, 2012, Intensity.MINOR),
        ("COL", "2012-06-30", {289}, 2011, Intensity.MINOR),
        ("SOM", "2011-06-30", {337}, 2010, Intensity.WAR),
    ],
)
def test_a_conflict_coded_the_year_before_is_active(
    conflicts: list[ConflictYear],
    iso3: str,
    day: str,
    conflict_ids: set[int],
    year_read: int,
    intensity: Intensity,
) -> None:
    found = active_conflicts(conflicts, iso3, dt.date.fromisoformat(day))
    assert found is not None
    assert found.country == iso3 and _ids(found) == conflict_ids
    # the year before is read even where the current year's row qualifies too (SOM 2011)
    assert {c.year for c in found.conflicts} == {year_read}
    assert found.intensity is intensity
    assert found.describe().startswith(f"conflict {min(conflict_ids)}, Government of ")


def test_the_sides_are_named(conflicts: list[ConflictYear]) -> None:
    found = active_conflicts(conflicts, "CAF", dt.date(2013, 3, 1))
    assert found is not None
    (conflict,) = found.conflicts
    assert conflict.side_a == "Government of Central African Republic"
    assert conflict.side_b == "Seleka"
    assert conflict.episode_start == dt.date(2009, 11, 26)


@pytest.mark.parametrize(
    ("day", "conflict_ids"),
    [
        # Jubaland's episode starts 2024-12-12 and IS's new one 2024-12-31; neither was
        # coded in 2023, so neither is known before its start
        ("2024-06-30", {337}),
        ("2024-12-11", {337}),
        ("2024-12-12", {337, 16379}),
        ("2024-12-31", {337, 14197, 16379}),
    ],
)
def test_an_episode_that_starts_after_the_day_is_not_used(
    conflicts: list[ConflictYear], day: str, conflict_ids: set[int]
) -> None:
    assert _ids(active_conflicts(conflicts, "SOM", dt.date.fromisoformat(day))) == conflict_ids


def test_a_new_conflict_counts_from_its_first_day(conflicts: list[ConflictYear]) -> None:
    # ACD codes no conflict in the CAR for 2000; conflict 416's 2001 episode began on 1 June
    assert active_conflicts(conflicts, "CAF", dt.date(2001, 5, 31)) is None
    assert _ids(active_conflicts(conflicts, "CAF", dt.date(2001, 6, 1))) == {416}


def test_no_conflict_and_unknown_countries_answer_none(conflicts: list[ConflictYear]) -> None:
    assert active_conflicts(conflicts, "NOR", dt.date(2012, 6, 30)) is None
    assert active_conflicts(conflicts, "XYZ", dt.date(2012, 6, 30)) is None


def test_ucdp_spellings_map_to_iso_codes() -> None:
    assert ucdp_iso3("Central African Republic") == "CAF"
    assert ucdp_iso3("DR Congo (Zaire)") == "COD"
    assert ucdp_iso3("Macedonia, FYR") == "MKD"
    assert ucdp_iso3(" Somalia ") == "SOM"
    assert ucdp_iso3("South Yemen") is None


# ----------------------------------------------------------------------------- bad input


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "acd.csv"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_ROW = (
    "416,Central African Republic,Government of CAR,Seleka,2,2013,1,3,2001-05-27,2009-11-26,0,,482"
)


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    header = ",".join(c for c in REQUIRED if c != "start_date2")
    with pytest.raises(InvalidInputError) as caught:
        read_armed_conflicts(_write(tmp_path, f"{header}\n"))
    (problem,) = caught.value.problems
    assert (problem.location, problem.line) == ("start_date2", 1)


def test_every_bad_cell_is_named_by_line_and_column(tmp_path: Path) -> None:
    bad = "416,Central African Republic,Government of CAR,,2,20x3,3,3,2001-05-27,2009-13-26,2,soon,"
    path = _write(tmp_path, f"{','.join(REQUIRED)}\n{GOOD_ROW}\n\n{bad}\n")
    with pytest.raises(InvalidInputError) as caught:
        read_armed_conflicts(path)
    found = {(p.location, p.line) for p in caught.value.problems}
    assert found == {
        (column, 4)
        for column in (
            "side_b",
            "year",
            "intensity_level",
            "start_date2",
            "ep_end",
            "ep_end_date",
            "gwno_loc",
        )
    }
    assert str(path) in caught.value.message


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "acd.csv"
    path.write_bytes(b"conflict_id\n\xff\xfe\n")
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        read_armed_conflicts(path)
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_armed_conflicts(tmp_path / "absent.csv")


# ----------------------------------------------------------------------------- properties

# Cells of any text but lone surrogates, carriage returns and NULs (which no CSV carries);
# newlines inside a cell make the row span lines
_CHARACTERS = st.characters(exclude_categories=["Cs"], exclude_characters="\r\x00")
_TEXT = st.text(_CHARACTERS, min_size=1).map(str.strip).filter(bool)
_DATES = st.dates(dt.date(1946, 1, 1), dt.date(2100, 12, 31))
_ROWS: st.SearchStrategy[dict[str, object]] = st.builds(
    dict,
    conflict_id=st.integers(1, 10**9),
    location=_TEXT,
    side_a=_TEXT,
    side_b=_TEXT,
    incompatibility=st.sampled_from([1, 2, 3]),
    year=st.integers(ACD_FIRST_YEAR, 9999),
    intensity=st.sampled_from(list(Intensity)),
    type_of_conflict=st.sampled_from([1, 2, 3, 4]),
    start_date=_DATES,
    episode_start=_DATES,
    episode_ended=st.booleans(),
    episode_end=st.none() | _DATES,
    gwno_loc=st.lists(st.integers(2, 999), min_size=1, max_size=3).map(tuple),
)
_BAD_YEARS = (
    st.integers(0, ACD_FIRST_YEAR - 1).map(str)
    | st.integers(10_000, 10**30).map(str)
    | st.text(_CHARACTERS, max_size=8).filter(lambda t: not t.strip().isdecimal())
)
_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _cells(row: dict[str, object]) -> list[str]:
    """A generated row as the ACD writes it (an extra column in the middle, as the file has)."""
    end = row["episode_end"]
    return [
        str(row["conflict_id"]),
        str(row["location"]),
        str(row["side_a"]),
        "unread",
        str(row["side_b"]),
        str(row["incompatibility"]),
        str(row["year"]),
        str(int(row["intensity"])),  # type: ignore[call-overload]
        str(row["type_of_conflict"]),
        str(row["start_date"]),
        str(row["episode_start"]),
        "1" if row["episode_ended"] else "0",
        "" if end is None else str(end),
        ", ".join(str(code) for code in row["gwno_loc"]),  # type: ignore[attr-defined]
    ]


_HEADER = [*REQUIRED[:3], "side_a_id", *REQUIRED[3:]]


def _csv(rows: list[list[str]]) -> tuple[str, list[int]]:
    """The CSV text of the rows under the header, and the line each row starts on."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_HEADER)
    lines = []
    for cells in rows:
        lines.append(out.getvalue().count("\n") + 1)
        writer.writerow(cells)
    return out.getvalue(), lines


@_SETTINGS
@given(rows=st.lists(_ROWS, max_size=8))
def test_generated_rows_round_trip(tmp_path: Path, rows: list[dict[str, object]]) -> None:
    text, lines = _csv([_cells(row) for row in rows])
    read = read_armed_conflicts(_write(tmp_path, text))
    assert read == [
        ConflictYear(**row, line=line)  # type: ignore[arg-type]
        for row, line in zip(rows, lines, strict=True)
    ]


@_SETTINGS
@given(rows=st.lists(_ROWS, min_size=1, max_size=6), data=st.data())
def test_a_bad_year_is_rejected_with_its_line(
    tmp_path: Path, rows: list[dict[str, object]], data: st.DataObject
) -> None:
    cells = [_cells(row) for row in rows]
    at = data.draw(st.integers(0, len(cells) - 1))
    cells[at][_HEADER.index("year")] = data.draw(_BAD_YEARS)
    text, lines = _csv(cells)
    with pytest.raises(InvalidInputError) as caught:
        read_armed_conflicts(_write(tmp_path, text))
    assert [(p.location, p.line) for p in caught.value.problems] == [("year", lines[at])]
