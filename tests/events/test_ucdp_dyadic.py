"""The UCDP dyadic reader, on the real mirrored file and on generated files: rows read back
as written, damage named by file, line and column, and nothing but InvalidInputError."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.errors import InvalidInputError
from backchannel.events.ucdp_dyadic import REQUIRED, DyadYear, location_mentions, read_dyadic

DYADIC = Path("ucdp") / "ucdp-dyadic-251.csv"
COLUMNS = (
    "dyad_id", "conflict_id", "location", "side_a", "side_a_id", "side_a_2nd", "side_b",
    "side_b_id", "side_b_2nd", "incompatibility", "territory_name", "year", "intensity_level",
    "type_of_conflict", "start_date", "start_prec", "start_date2", "start_prec2", "gwno_a",
    "gwno_a_2nd", "gwno_b", "gwno_b_2nd", "gwno_loc", "region", "version",
)  # fmt: skip
# "Macedonia, FYR" holds a comma; "Niger" is a prefix of "Nigeria"
COUNTRIES = ("Testland", "Otherland", "Macedonia, FYR", "Niger", "Nigeria")
PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def dyadic_file(mirror: Path) -> Path:
    path = mirror / DYADIC
    if not path.is_file():
        pytest.skip(f"no {DYADIC} in the mirror")
    return path


def write_dyadic(
    path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS
) -> list[int]:
    """Write the rows under a header; the line each row starts on (cells may span lines)."""
    lines: list[int] = []
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        lines.append(buffer.getvalue().count("\n") + 1)
        writer.writerow([row.get(c, "") for c in columns])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return lines


def dyadic_row(**overrides: str) -> dict[str, str]:
    """A valid dyad-year (Testland against Front A, 2001) with some cells replaced."""
    row = {
        "dyad_id": "9", "conflict_id": "8", "location": "Testland",
        "side_a": "Government of Testland", "side_a_id": "1", "side_a_2nd": "",
        "side_b": "Front A", "side_b_id": "2", "side_b_2nd": "", "year": "2001",
        "intensity_level": "1", "start_date": "1990-06-01", "version": "25.1",
    }  # fmt: skip
    row.update(overrides)
    return row


# --------------------------------------------------------------------------- the real file


def test_every_row_of_the_real_file_is_read(dyadic_file: Path) -> None:
    with dyadic_file.open(encoding="utf-8-sig", newline="") as handle:
        expected = list(csv.DictReader(handle))
    rows = read_dyadic(dyadic_file)
    assert len(rows) == len(expected)
    assert [r.dyad_id for r in rows] == [int(e["dyad_id"]) for e in expected]
    assert all(r.side_a and r.side_b and 1946 <= r.year <= 2030 for r in rows)


def test_real_rows_located_in_a_country_with_their_secondary_parties(dyadic_file: Path) -> None:
    car = read_dyadic(dyadic_file, ["Central African Republic"])
    seleka = [r for r in car if r.dyad_id == 875 and r.year == 2012]
    assert [(r.side_a, r.side_b, r.side_a_2nd) for r in seleka] == [
        (((86, "Government of Central African Republic"),), ((554, "Seleka"),),
         ("Government of Chad",)),
    ]  # fmt: skip
    assert seleka[0].start == dt.date(2006, 10, 30)
    # a territory name with a line break: the row is named by the line where it starts
    [china] = [r for r in read_dyadic(dyadic_file, ["China"]) if r.dyad_id == 11990]
    with dyadic_file.open(encoding="utf-8-sig", newline="") as handle:
        physical = handle.readlines()  # lines as the csv module counts them
    assert physical[china.line - 1].startswith("11990,")


# --------------------------------------------------------------------------- bad files


def test_missing_columns_are_named_with_the_header_line(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    write_dyadic(path, [dyadic_row()], tuple(c for c in COLUMNS if c not in ("year", "side_b_id")))
    with pytest.raises(InvalidInputError) as caught:
        read_dyadic(path)
    assert [(p.location, p.line) for p in caught.value.problems] == [("side_b_id", 1), ("year", 1)]
    assert f"{path}:1: at year: required column" in str(caught.value)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n", b"name,kind\nA,b\n"])
def test_files_without_the_header_name_every_required_column(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError) as caught:
        read_dyadic(path)
    assert [p.location for p in caught.value.problems] == list(REQUIRED)


def test_unreadable_files_are_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read the file"):
        read_dyadic(tmp_path / "absent.csv")
    path = tmp_path / "latin1.csv"
    write_dyadic(path, [dyadic_row(side_b="Front Ã")])
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    with pytest.raises(InvalidInputError, match="not UTF-8 text"):
        read_dyadic(path)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("year", "0", "expected a year from 1 to 9999, got 0"),
        ("year", "10000", "expected a year from 1 to 9999, got 10000"),
        ("year", "²⁰⁰¹", "expected a whole number"),  # str.isdigit accepts these, int() not
        ("dyad_id", "9" * 5000, "expected a whole number"),
        ("side_a_id", "9" * 5000, "expected a whole number"),
        ("side_b_id", "n/a", "expected a whole number, got 'n/a'"),
        ("start_date", "30/06/1990", "expected YYYY-MM-DD, got '30/06/1990'"),
    ],
)
def test_cells_that_would_crash_later_are_named(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    path = tmp_path / "d.csv"
    write_dyadic(path, [dyadic_row(), dyadic_row(**{column: value})])
    with pytest.raises(InvalidInputError) as caught:
        read_dyadic(path)
    [problem] = caught.value.problems
    assert (problem.location, problem.line) == (column, 3)
    assert message in problem.message


def test_a_row_reports_every_bad_cell(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    write_dyadic(path, [dyadic_row(dyad_id="x", side_a_id="", start_date="soon")])
    with pytest.raises(InvalidInputError) as caught:
        read_dyadic(path)
    assert [p.location for p in caught.value.problems] == ["dyad_id", "side_a_id", "start_date"]


def test_short_rows_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    write_dyadic(path, [dyadic_row()])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\r\n\r\n10,8,Testland,Gov,1,,B,3\r\n")  # no year: the row ends early
    with pytest.raises(InvalidInputError) as caught:
        read_dyadic(path)
    [problem] = caught.value.problems
    assert (problem.location, problem.line, problem.message) == (
        "year",
        5,
        "expected a whole number, got None",
    )


def test_sides_whose_names_do_not_pair_with_their_ids_keep_the_whole_name(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.csv"
    write_dyadic(path, [dyadic_row(side_b="Front A, Front B, Front C", side_b_id="2, 3")])
    [row] = read_dyadic(path)
    assert row.side_b == ((2, "Front A, Front B, Front C"), (3, "Front A, Front B, Front C"))


# --------------------------------------------------------------------------- properties

names = (
    st.text(
        st.characters(codec="utf-8", exclude_characters=",\r", exclude_categories=["Cs"]),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)  # a line break inside a name makes a row span lines


@st.composite
def sides(draw: st.DrawFn) -> tuple[tuple[int, str], ...]:
    count = draw(st.integers(1, 3))
    ids = draw(st.lists(st.integers(1, 10**6), min_size=count, max_size=count))
    return tuple(zip(ids, draw(st.lists(names, min_size=count, max_size=count)), strict=True))


@st.composite
def dyad_years(draw: st.DrawFn) -> tuple[DyadYear, list[str]]:
    """A dyad-year and the countries of its location."""
    side_a, side_b = draw(sides()), draw(sides())
    located = draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3, unique=True))
    dyad = DyadYear(
        dyad_id=draw(st.integers(1, 10**6)),
        conflict_id=draw(st.integers(1, 10**6)),
        year=draw(st.integers(1946, 2030)),
        side_a=side_a,
        side_b=side_b,
        side_a_2nd=tuple(draw(st.lists(names, max_size=3))),
        side_b_2nd=tuple(draw(st.lists(names, max_size=3))),
        intensity=draw(st.none() | st.integers(1, 2)),
        start=draw(st.none() | st.dates(dt.date(1946, 1, 1), dt.date(2030, 12, 31))),
        line=0,
    )
    return dyad, located


def as_row(dyad: DyadYear, located: list[str]) -> dict[str, Any]:
    def joined(values: Any) -> str:
        return ", ".join(str(v) for v in values)

    return dyadic_row(
        dyad_id=str(dyad.dyad_id),
        conflict_id=str(dyad.conflict_id),
        location=joined(located),
        side_a=joined(n for _, n in dyad.side_a),
        side_a_id=joined(i for i, _ in dyad.side_a),
        side_a_2nd=joined(dyad.side_a_2nd),
        side_b=joined(n for _, n in dyad.side_b),
        side_b_id=joined(i for i, _ in dyad.side_b),
        side_b_2nd=joined(dyad.side_b_2nd),
        year=str(dyad.year),
        intensity_level="" if dyad.intensity is None else str(dyad.intensity),
        start_date="" if dyad.start is None else dyad.start.isoformat(),
    )


@PROPERTY_SETTINGS
@given(generated=st.lists(dyad_years(), max_size=8))
def test_well_formed_rows_read_back_as_written(
    tmp_path: Path, generated: list[tuple[DyadYear, list[str]]]
) -> None:
    path = tmp_path / "good.csv"
    lines = write_dyadic(path, [as_row(d, located) for d, located in generated])
    expected = [
        dataclasses.replace(d, line=line) for (d, _), line in zip(generated, lines, strict=True)
    ]
    assert read_dyadic(path) == expected


@PROPERTY_SETTINGS
@given(
    generated=st.lists(dyad_years(), max_size=8),
    wanted=st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=2, unique=True),
)
def test_located_in_keeps_the_rows_whose_location_list_names_a_country(
    tmp_path: Path, generated: list[tuple[DyadYear, list[str]]], wanted: list[str]
) -> None:
    path = tmp_path / "located.csv"
    write_dyadic(path, [as_row(d, located) for d, located in generated])
    kept = [d.dyad_id for d, located in generated if set(located) & set(wanted)]
    assert [d.dyad_id for d in read_dyadic(path, wanted)] == kept
    for _, located in generated:
        assert location_mentions(", ".join(located), wanted) == bool(set(located) & set(wanted))


BAD_CELLS = {
    "dyad_id": ["", "x", "12a", "-3", "1.5", "⁹", "9" * 19],
    "conflict_id": ["", "n/a", "0x10"],
    "year": ["", "20x1", "0", "10000", "²⁰⁰¹"],
    "side_a_id": ["", "n/a", "9" * 19],
    "side_b_id": ["", "-", "9" * 5000],
    "start_date": ["2001-13-01", "yesterday", "01/06/2001"],
}


@PROPERTY_SETTINGS
@given(
    generated=st.lists(dyad_years(), min_size=1, max_size=6),
    data=st.data(),
)
def test_one_damaged_cell_is_named_by_file_line_and_column(
    tmp_path: Path, generated: list[tuple[DyadYear, list[str]]], data: st.DataObject
) -> None:
    rows = [as_row(d, ["Testland"]) for d, _ in generated]
    index = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.sampled_from(sorted(BAD_CELLS)))
    rows[index][column] = data.draw(st.sampled_from(BAD_CELLS[column]))
    path = tmp_path / "damaged.csv"
    line = write_dyadic(path, rows)[index]
    with pytest.raises(InvalidInputError) as caught:
        read_dyadic(path, ["Testland"])
    [problem] = caught.value.problems
    assert (problem.location, problem.line) == (column, line)
    assert f"{path}:{line}: at {column}: " in str(caught.value)
    # damage in a row about another country is not looked at
    rows[index]["location"] = "Otherland"
    write_dyadic(path, rows)
    assert len(read_dyadic(path, ["Testland"])) == len(rows) - 1


@PROPERTY_SETTINGS
@given(lines=st.lists(st.text(max_size=120), max_size=10))
def test_arbitrary_rows_after_the_header_are_read_or_named(
    tmp_path: Path, lines: list[str]
) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text("\r\n".join([",".join(COLUMNS), *lines]), encoding="utf-8")
    try:
        rows = read_dyadic(path)
    except InvalidInputError as error:
        assert error.source == str(path)
        assert all(p.line is not None and p.line >= 2 for p in error.problems)
        assert {p.location for p in error.problems} <= set(COLUMNS)
    else:
        assert all(isinstance(r, DyadYear) and r.line >= 2 for r in rows)


@PROPERTY_SETTINGS
@given(content=st.binary(max_size=600) | st.text(max_size=600).map(str.encode))
def test_arbitrary_files_raise_only_invalid_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "any.csv"
    path.write_bytes(content)
    try:
        read_dyadic(path, ["Testland"])
    except InvalidInputError as error:
        assert str(path) in str(error)
