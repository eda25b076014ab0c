"""The evidence panel's readers: the real files read as openpyxl and the csv module read
them, and damaged files refused with the file, row and column named."""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import zipfile
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineError, CalamineWorkbook

from backchannel.dialogue.evidence.readers import (
    PAX_STAGES,
    read_dyadic_frame,
    read_pax,
    read_peace_agreements,
    read_termination_conflicts,
    read_termination_dyads,
    read_ushmm_factors,
)
from backchannel.errors import InvalidInputError
from backchannel.xlsx import read_first_sheet

TERM_DYAD = Path("ucdp") / "ucdp-term-dyad-3-2021.xlsx"
TERM_CONFLICT = Path("ucdp") / "ucdp-term-acd-3-2021.xlsx"
PEACE = Path("ucdp") / "ucdp-peace-agreements-221.xlsx"
DYADIC = Path("ucdp") / "ucdp-dyadic-251.csv"
PAX = Path("pax") / "pax_all_agreements_data_v6.csv"
USHMM = Path("ushmm") / "all_factors_3.csv"
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def mirrored(mirror: Path, relative: Path) -> Path:
    path = mirror / relative
    if not path.is_file():
        pytest.skip(f"no {relative} in the data mirror")
    return path


def openpyxl_rows(path: Path) -> list[tuple[Any, ...]]:
    """The first sheet's rows as openpyxl reads them (the independent reading)."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        return [r for r in rows if any(v not in (None, "") for v in r)]
    finally:
        workbook.close()


# --------------------------------------------------------------------------- the real files


@pytest.mark.parametrize("relative", [TERM_CONFLICT, PEACE])
def test_the_sheet_reader_agrees_with_openpyxl_on_every_cell(mirror: Path, relative: Path) -> None:
    path = mirrored(mirror, relative)
    ours = read_first_sheet(path)
    theirs = openpyxl_rows(path)
    assert len(ours.rows) == len(theirs)
    for (_, values), expected in zip(ours.rows, theirs, strict=True):
        padded = values + (None,) * (len(expected) - len(values))
        for got, want in zip(padded, expected, strict=True):
            if type(got) is dt.date:  # a date cell without a time of day: openpyxl's midnight
                assert dt.datetime.combine(got, dt.time()) == want
            else:  # an empty text cell is blank to us
                assert got == (None if want == "" else want)


def test_termination_dyads_read_as_pandas_reads_them(mirror: Path) -> None:
    path = mirrored(mirror, TERM_DYAD)
    frame = read_termination_dyads(path)
    expected = pd.read_excel(path, engine="openpyxl")
    assert len(frame) == len(expected) == 3140
    assert frame["dyad_id"].tolist() == expected["dyad_id"].tolist()
    assert Counter(frame["outcome"].dropna()) == Counter(expected["outcome"].dropna().astype(int))
    # Stata's "." is a missing date, not damage
    ends = pd.to_datetime(expected["ependdate"], errors="coerce")
    assert frame["ependdate"].isna().sum() == ends.isna().sum()
    assert (frame["ependdate"].dropna() == ends.dropna()).all()
    farc = frame[(frame["dyad_id"] == 623) & frame["outcome"].notna()]
    assert farc["outcome"].tolist() == [5, 5, 1]
    assert farc["side_b_id"].tolist() == [(743,), (743,), (743,)]
    # multi-country dyads list every location's country number
    assert (33, 121, 28) in set(frame["side_b_id"])


def test_termination_conflicts_and_peace_agreements(mirror: Path) -> None:
    conflicts = read_termination_conflicts(mirrored(mirror, TERM_CONFLICT))
    assert len(conflicts) == 2506
    assert conflicts["outcome"].notna().sum() == 525
    agreements = read_peace_agreements(mirrored(mirror, PEACE))
    expected = pd.read_excel(mirror / PEACE, engine="openpyxl")
    assert len(agreements) == len(expected) == 374
    assert agreements["cease"].sum() == expected["cease"].sum() == 176
    assert agreements["ended"].map(lambda v: v is True).sum() == (expected["ended"] == True).sum()  # noqa: E712
    [general] = agreements[agreements["paid"] == 1447].itertuples()
    assert general.pa_date == pd.Timestamp(2012, 8, 26)
    assert general.dyad_id == (623,) and general.actor_id == (5, 67, 17, 743)
    assert general.gwno == (100,) and general.region == (5,)


def test_pax_read_as_the_csv_module_reads_it(mirror: Path) -> None:
    path = mirrored(mirror, PAX)
    frame = read_pax(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(frame) == len(rows) == 2003
    assert Counter(frame["Stage"]) == Counter(r["Stage"] for r in rows)
    assert set(frame["Stage"]) <= set(PAX_STAGES)
    assert frame["AgtId"].tolist() == [int(r["AgtId"]) for r in rows]
    # "NA" is R's missing value (twice as "NA " in this file), read as blank
    assert frame["UcdpCon"].isna().sum() == sum(r["UcdpCon"].strip() in ("", "NA") for r in rows)
    # agreement texts span lines: each row is named by the line it starts on
    with path.open(encoding="utf-8-sig", newline="") as handle:
        physical = handle.readlines()
    last = frame.iloc[-1]
    assert physical[last["row"] - 1].split(",")[0].strip('"') == rows[-1]["Con"].split(",")[0]


def test_ushmm_factors_read_as_the_csv_module_reads_them(mirror: Path) -> None:
    path = mirrored(mirror, USHMM)
    frame = read_ushmm_factors(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(frame) == len(rows) == 442
    mediation = frame[frame["tool_name"] == "Mediation"]
    assert len(mediation) == sum(r["tool_name"] == "Mediation" for r in rows) == 81
    assert mediation["count"].sum() == sum(
        int(r["count"]) for r in rows if r["tool_name"] == "Mediation"
    )


def test_dyadic_frame_keeps_every_dyad_year(mirror: Path) -> None:
    frame = read_dyadic_frame(mirrored(mirror, DYADIC))
    assert len(frame) == 3432
    farc = frame[frame["side_b_id"].map(lambda ids: 743 in ids)]
    assert set(farc["dyad_id"]) == {623} and set(farc["conflict_id"]) == {289}


def test_each_call_gets_its_own_copy(mirror: Path) -> None:
    path = mirrored(mirror, USHMM)
    first = read_ushmm_factors(path)
    first["tool_name"] = "changed"
    assert (read_ushmm_factors(path)["tool_name"] != "changed").all()


# --------------------------------------------------------------------------- bad files

PAX_HEADER = ("Con", "Reg", "AgtId", "Agt", "Dat", "Stage", "StageSub", "Loc1ISO", "Loc2ISO",
              "Loc1GWNO", "Loc2GWNO", "UcdpCon")  # fmt: skip


def pax_row(**overrides: str) -> dict[str, str]:
    row = {
        "Con": "Testland", "Reg": "Africa (excl MENA)", "AgtId": "1", "Agt": "Accord",
        "Dat": "2005-06-01", "Stage": "Pre", "StageSub": "Proc", "Loc1ISO": "TST",
        "Loc2ISO": "", "Loc1GWNO": "999", "Loc2GWNO": "", "UcdpCon": "NA",
    }  # fmt: skip
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], header: tuple[str, ...]) -> list[int]:
    """Write rows under a header; the line each row starts on."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    lines = []
    for row in rows:
        lines.append(buffer.getvalue().count("\n") + 1)
        writer.writerow([row.get(c, "") for c in header])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return lines


def test_a_missing_column_is_named_with_the_file_and_header_line(tmp_path: Path) -> None:
    path = tmp_path / "pax.csv"
    write_csv(path, [pax_row()], tuple(c for c in PAX_HEADER if c != "Stage"))
    with pytest.raises(InvalidInputError) as caught:
        read_pax(path)
    assert [(p.location, p.line) for p in caught.value.problems] == [("Stage", 1)]
    assert f"{path}:1: at Stage: required column of the PA-X agreements file is missing" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("AgtId", "12a", "expected a whole number, got '12a'"),
        ("Dat", "01/06/2005", "expected a date (YYYY-MM-DD, or a date cell), got '01/06/2005'"),
        ("Dat", "2005-02-30", "expected a date"),
        ("Stage", "Peace", "expected one of Cea, Imp, Oth, Pre, Ren, SubComp, SubPar"),
        ("Loc1ISO", "Tst", "expected a three-letter ISO country code, got 'Tst'"),
        ("UcdpCon", "289; 300", "expected a whole number or a comma-separated list"),
        ("Agt", "", "expected text, got a blank cell"),
    ],
)
def test_a_bad_cell_is_named_by_file_line_and_column(
    tmp_path: Path, column: str, value: str, expected: str
) -> None:
    path = tmp_path / "pax.csv"
    lines = write_csv(path, [pax_row(), pax_row(**{column: value})], PAX_HEADER)
    with pytest.raises(InvalidInputError) as caught:
        read_pax(path)
    [problem] = caught.value.problems
    assert (problem.location, problem.line) == (column, lines[1])
    assert expected in problem.message
    assert str(caught.value).startswith(f"1 problem(s) in {path}")


def test_many_bad_cells_are_listed_up_to_a_cap(tmp_path: Path) -> None:
    path = tmp_path / "pax.csv"
    write_csv(path, [pax_row(AgtId="x") for _ in range(40)], PAX_HEADER)
    with pytest.raises(InvalidInputError) as caught:
        read_pax(path)
    assert len(caught.value.problems) == 26
    assert caught.value.problems[-1].message == "and 15 more problem(s) like these"


def test_a_wrong_type_in_a_workbook_names_the_sheet_row(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    header = ["paid", "region", "gwno", "conflict_id", "dyad_id", "actor_id", "pa_name",
              "pa_date", "ended", "duration", "cease"]  # fmt: skip
    sheet.append(header)
    sheet.append([1, "4", "482", "416", "875", "86, 554", "Accord", "2007-04-01", True, None, 1])
    sheet.append([2, "4", "482", "416", "875", "86, 554", "Accord", "2008-06-21", None, None, 2])
    sheet.append(
        [3, "4", "Bangui", "416", "875", "86", "Accord", dt.date(2009, 1, 1), None, None, 0]
    )
    path = tmp_path / "peace.xlsx"
    workbook.save(path)
    with pytest.raises(InvalidInputError) as caught:
        read_peace_agreements(path)
    found = [(p.location, p.line, p.message) for p in caught.value.problems]
    assert found == [
        ("cease", 3, "expected 1 or 0 (or TRUE or FALSE), got 2"),
        ("gwno", 4, "expected a whole number or a comma-separated list of whole numbers, "
         "got 'Bangui'"),
    ]  # fmt: skip


def test_a_workbook_date_cell_and_a_text_date_read_alike(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["paid", "region", "gwno", "conflict_id", "dyad_id", "actor_id", "pa_name",
                  "pa_date", "ended", "duration", "cease"])  # fmt: skip
    sheet.append([1, 4, 482, 416, 875, "86, 554", "A", dt.datetime(2007, 4, 1), True, None, 1])
    sheet.append([2, 4, 482, 416, 875, "86, 554", "B", "2007-04-01", "FALSE", "2009-01-01", 0])
    path = tmp_path / "peace.xlsx"
    workbook.save(path)
    frame = read_peace_agreements(path)
    assert frame["pa_date"].tolist() == [pd.Timestamp(2007, 4, 1)] * 2
    assert frame["ended"].tolist() == [True, False]
    assert frame["actor_id"].tolist() == [(86, 554), (86, 554)]
    assert frame["region"].tolist() == [(4,), (4,)]


def test_files_that_are_not_workbooks_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read the file"):
        read_termination_dyads(tmp_path / "absent.xlsx")
    text = tmp_path / "text.xlsx"
    text.write_text("dyad_id,year\n1,2000\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"not an \.xlsx workbook"):
        read_termination_dyads(text)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="the file is empty"):
        read_pax(empty)


def one_cell_workbook(folder: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.append(["dyad_id"])
    plain = folder / "plain.xlsx"
    workbook.save(plain)
    return plain


@pytest.mark.parametrize(
    ("part", "change", "expected"),
    [
        ("xl/worksheets/sheet1.xml", lambda d: b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + d,
         "xl/worksheets/sheet1.xml declares a DTD"),
        ("xl/sharedStrings.xml", lambda d: b"<!doctype x>" + d, "declares a DTD"),
        ("xl/workbook.xml", lambda d: d.decode().encode("utf-16"), "is not UTF-8 XML"),
        ("xl/styles.xml", lambda d: d.decode().encode("utf-16-be"), "is not UTF-8 XML"),
    ],
)  # fmt: skip
def test_a_workbook_part_with_a_dtd_or_not_in_utf8_is_refused(
    tmp_path: Path, part: str, change: Any, expected: str
) -> None:
    plain = one_cell_workbook(tmp_path)
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(hostile, "w") as target:
        names = source.namelist()
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, change(data) if info.filename == part else data)
    if part not in names:  # openpyxl writes no shared strings for a single inline cell
        with zipfile.ZipFile(hostile, "a") as target:
            target.writestr(part, change(b"<sst/>"))
    with pytest.raises(InvalidInputError, match=expected):
        read_first_sheet(hostile)


def test_calamine_itself_expands_no_declared_entity(tmp_path: Path) -> None:
    """The DTD scan is a second line: calamine's XML parser refuses an entity a DTD declares
    (here one that would read a local file) rather than expand it."""
    plain = one_cell_workbook(tmp_path)
    hostile = tmp_path / "hostile.xlsx"
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(hostile, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>' + data.replace(
                    b"<t>dyad_id</t>", b"<t>&e;</t>"
                )
                assert b"&e;" in data
            target.writestr(info, data)
    # the sheet's XML is parsed when the sheet is opened
    with (
        CalamineWorkbook.from_path(hostile) as workbook,
        pytest.raises(CalamineError, match="entity"),
    ):
        workbook.get_sheet_by_index(0)


def test_a_part_inflating_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    """The unpacked-size cap bounds calamine too: its zip reader stops at the declared size.

    The sheet part's declared size and CRC are rewritten to fit its first 100 bytes, which
    is all ``zipfile`` then reads of it; calamine refuses the rest."""
    plain = one_cell_workbook(tmp_path)
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(plain) as archive:
        info = archive.getinfo(part)
        declared = archive.read(part)[:100]
    data = bytearray(plain.read_bytes())
    fields = struct.pack("<II", zlib.crc32(declared), len(declared))
    name = part.encode()
    # the local header (CRC at 14, sizes from 18) and the central directory entry (from 16)
    data[info.header_offset + 14 : info.header_offset + 18] = fields[:4]
    data[info.header_offset + 22 : info.header_offset + 26] = fields[4:]
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 16 : entry + 20] = fields[:4]
    data[entry + 24 : entry + 28] = fields[4:]
    hostile = tmp_path / "hostile.xlsx"
    hostile.write_bytes(bytes(data))
    with zipfile.ZipFile(hostile) as archive:
        assert archive.read(part) == declared  # zipfile sees nothing wrong
    with pytest.raises(InvalidInputError, match="damaged one"):
        read_first_sheet(hostile)


# --------------------------------------------------------------------------- properties

TEXTS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from(["\n", ",", '"', " "]),
    min_size=1,
    max_size=30,
).filter(lambda t: t.strip() and t.strip() != "NA")
PAX_ROWS = st.fixed_dictionaries(
    {
        "Con": TEXTS,
        "Reg": st.sampled_from(["Africa (excl MENA)", "Americas", "Cross-regional"]),
        "AgtId": st.integers(1, 10**9).map(str),
        "Agt": TEXTS,
        "Dat": st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat),
        "Stage": st.sampled_from(sorted(PAX_STAGES)),
        "Loc1ISO": st.sampled_from(["COL", "CAF", "SOM", ""]),
        "UcdpCon": st.one_of(
            st.just("NA"),
            st.lists(st.integers(1, 99999), min_size=1, max_size=3).map(
                lambda ids: ", ".join(map(str, ids))
            ),
        ),
    }
)


@PROPERTY_SETTINGS
@given(rows=st.lists(PAX_ROWS, min_size=1, max_size=8), bad=st.data())
def test_pax_rows_read_back_as_written_and_damage_is_placed(
    tmp_path: Path, rows: list[dict[str, str]], bad: st.DataObject
) -> None:
    path = tmp_path / "pax.csv"
    lines = write_csv(path, rows, PAX_HEADER)
    frame = read_pax(path)
    assert frame["row"].tolist() == lines
    assert frame["Agt"].tolist() == [r["Agt"].strip() for r in rows]
    assert frame["AgtId"].tolist() == [int(r["AgtId"]) for r in rows]
    assert [d.date().isoformat() for d in frame["Dat"]] == [r["Dat"] for r in rows]
    assert frame["Loc1ISO"].tolist() == [r["Loc1ISO"] or None for r in rows]
    expected_ids = [
        None if r["UcdpCon"] == "NA" else tuple(int(i) for i in r["UcdpCon"].split(", "))
        for r in rows
    ]
    assert frame["UcdpCon"].tolist() == expected_ids
    # damage one row's date: the error names that row's line and the column, and only it
    at = bad.draw(st.integers(0, len(rows) - 1))
    damaged = [dict(r) for r in rows]
    damaged[at]["Dat"] = bad.draw(st.sampled_from(["2005-13-01", "soon", "1/2/2005"]))
    lines = write_csv(path, damaged, PAX_HEADER)
    with pytest.raises(InvalidInputError) as caught:
        read_pax(path)
    assert [(p.location, p.line) for p in caught.value.problems] == [("Dat", lines[at])]


CELLS = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda f: not f.is_integer()),
    st.booleans(),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20
    ).filter(lambda t: t.strip() and not t.startswith("=")),
)


@PROPERTY_SETTINGS
@given(
    rows=st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=1, max_size=8),
)
def test_the_sheet_reader_reads_back_what_openpyxl_wrote(
    tmp_path: Path, rows: list[list[Any]]
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["header"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "cells.xlsx"
    workbook.save(path)
    got = read_first_sheet(path)
    # openpyxl's own reading is the reference: its writer rounds floats to 15 digits
    expected = openpyxl_rows(path)
    numbers = [n + 2 for n, r in enumerate(rows) if any(c is not None for c in r)]
    assert [n for n, _ in got.rows] == [1, *numbers]
    for (_, values), want in zip(got.rows, expected, strict=True):
        assert [got.value(values, i) for i in range(len(want))] == list(want)
