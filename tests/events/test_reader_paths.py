"""The column-wise readers against the per-record reference reader, on generated files.

Each generated GED or ACLED file mixes valid records with every kind of bad value a
source can hold: empty and garbled dates, negative and non-numeric counts, coordinates
out of range, missing required text, bounds out of order (low > best > high), records
with a field too many or too few, and quoted fields holding line breaks. The product and
``tests.events.reference_reader`` must give the same events, the same rejections (line,
reason and event id) and the same warnings, with and without strict bounds.
"""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.events.readers import ACLED_COLUMNS, GED_COLUMNS, read_events
from tests.events.reference_reader import read_reference
from tests.events.test_readers import ged_row
from tests.fixtures.acled import acled_rows

PROPERTY = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

padding = st.sampled_from(["", " ", "\u00a0", "\t", "\u2003"])
multiline = st.sampled_from(["two\nlines", "a\r\nb", '"quoted"\nand more', "x\n\ny"])

DATES = ["", "2014-13-01", "11/02/2014", "2014-02-30", "garbled", "2014-02-11T00:00", "١٢"]
COUNTS = ["", "-3", "x", "2.5", "12.0", "+4", "9" * 20, "1_000", "٣", "0", "7", "100"]
COORDINATES = ["", "91", "-90.5", "east", "1e3", "nan", "inf", "1_5", "-0", "45.25", "12"]
REQUIRED = ["", " "]

# column: (values a reader accepts, values it rejects or warns about)
GED_VALUES: dict[str, tuple[list[str], list[str]]] = {
    "id": (["900001"], ["", "  "]),
    "year": (["2014"], ["2013", "x", "", "02014"]),
    "type_of_violence": (["1", "2", "3"], ["4", "", "03", "one"]),
    "side_a": (["Anti-Balaka", "Séléka"], REQUIRED),
    "side_b": (["Civilians", ""], []),
    "side_a_new_id": (["", "1144", "-4"], ["x1", "+4", "--4", "9" * 20]),
    "side_b_new_id": (["", "1"], ["1.0"]),
    "adm_1": (["Ouham prefecture", ""], []),
    "latitude": (["6.4926", "-5", ""], COORDINATES),
    "longitude": (["17.4552", "-17.5", "180"], [*COORDINATES, "-180.5", "181"]),
    "country": (["Central African Republic"], REQUIRED),
    "date_start": (["2014-02-11", "2014-02-11 00:00:00.000"], DATES),
    "date_end": (["2014-02-12", "2014-02-11"], [*DATES, "2014-02-10", "2013-12-31"]),
    "best": (["12", "12.0"], [*COUNTS, "11", "16"]),
    "low": (["10", "0"], [*COUNTS, "13"]),
    "high": (["15", "12"], [*COUNTS, "11"]),
    "deaths_civilians": (["12", "0"], COUNTS),
}
ACLED_VALUES: dict[str, tuple[list[str], list[str]]] = {
    "event_id_cnty": (["CAF1"], REQUIRED),
    "event_date": (
        ["2019-03-02", "2 March 2019", "02-Mar-2019", "2 sept. 2019"],
        [*DATES, "31 Smarch 2019", "30 February 2019"],
    ),
    "year": (["2019", ""], ["2018", "x"]),
    "event_type": (
        ["Battles", "Violence against civilians", "Riots", "PROTESTS"],
        ["Skirmish", "", "Battle"],
    ),
    "actor1": (["Anti-Balaka"], REQUIRED),
    "actor2": (["", "Civilians"], []),
    "assoc_actor_1": (["", "Ex-Seleka; UPC"], []),
    "inter1": (["1", "2", "State forces", "STATE FORCES"], []),
    "inter2": (["0", "1", "Rebel group"], []),
    "civilian_targeting": (["", "Civilian targeting", "CIVILIAN TARGETING"], ["yes", "x"]),
    "country": (["Central African Republic"], REQUIRED),
    "latitude": (["6.1", ""], COORDINATES),
    "longitude": (["18.5", ""], ["200", "west"]),
    "fatalities": (["0", "3", "3.0"], COUNTS),
    "sub_event_type": (["Attack", ""], []),
}


@st.composite
def record(
    draw: st.DrawFn, values: dict[str, tuple[list[str], list[str]]], id_column: str, ids: list[str]
) -> dict[str, str]:
    """Column values for one record: valid, padded, with some bad values, or with the id
    of an earlier record."""
    kind = draw(st.sampled_from(["valid", "padded", "bad", "bad", "repeat"]))
    row = {column: draw(st.sampled_from(valid)) for column, (valid, _) in values.items()}
    if kind == "bad":
        for column in draw(st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=3)):
            row[column] = draw(st.sampled_from(values[column][1] or values[column][0]))
    if kind == "padded":
        for column in draw(st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=4)):
            row[column] = draw(padding) + row[column] + draw(padding)
    if row[id_column].strip():
        row[id_column] = draw(st.sampled_from(ids)) if kind == "repeat" and ids else str(len(ids))
        ids.append(row[id_column])
    return row


@st.composite
def shaped(draw: st.DrawFn, fields: list[str], text_columns: list[int]) -> list[str]:
    """A record's fields as written: mostly as they are, sometimes with a line break in a
    text field, or a field too many or too few."""
    shape = draw(st.sampled_from(["as is", "as is", "as is", "line break", "short", "long"]))
    if shape == "line break":
        fields[draw(st.sampled_from(text_columns))] = draw(multiline)
    elif shape == "short":
        del fields[draw(st.integers(0, len(fields) - 1)) :]
    elif shape == "long":
        fields += draw(st.lists(st.sampled_from(["", "x", "1"]), min_size=1, max_size=2))
    return fields


def write(path: Path, columns: tuple[str, ...], records: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(record for record in records if record)
    return path


@st.composite
def ged_file(draw: st.DrawFn) -> list[list[str]]:
    ids: list[str] = []
    text_columns = [GED_COLUMNS.index(c) for c in ("source_article", "side_a", "adm_2")]
    records = []
    for _ in range(draw(st.integers(1, 14))):
        row = ged_row(**draw(record(GED_VALUES, "id", ids)), source_article="AFP")
        records.append(draw(shaped([row[c] for c in GED_COLUMNS], text_columns)))
    return records


@st.composite
def acled_file(draw: st.DrawFn) -> list[list[str]]:
    ids: list[str] = []
    text_columns = [ACLED_COLUMNS.index(c) for c in ("notes", "actor2", "admin1")]
    records = []
    for generated in acled_rows(draw(st.integers(1, 14)), seed=5):
        row = dict(generated.fields, notes="one line")
        row.update(draw(record(ACLED_VALUES, "event_id_cnty", ids)))
        records.append(draw(shaped([row.get(c, "") for c in ACLED_COLUMNS], text_columns)))
    return records


def assert_agree(path: Path, strict_bounds: bool) -> None:
    result = read_events(path, strict_bounds=strict_bounds)
    expected = read_reference(path, strict_bounds=strict_bounds)
    assert result.events.to_pylist() == [event._asdict() for event in expected.events]
    assert [(r.line, r.reason, r.event_id) for r in result.rejected] == expected.rejected
    assert result.warnings == expected.warnings
    assert result.rows_read == len(expected.events) + len(expected.rejected)


@PROPERTY
@given(records=ged_file(), strict_bounds=st.booleans())
def test_ged_reader_agrees_with_the_reference(
    tmp_path: Path, records: list[list[str]], strict_bounds: bool
) -> None:
    assert_agree(write(tmp_path / "ged.csv", GED_COLUMNS, records), strict_bounds)


@PROPERTY
@given(records=acled_file(), strict_bounds=st.booleans())
def test_acled_reader_agrees_with_the_reference(
    tmp_path: Path, records: list[list[str]], strict_bounds: bool
) -> None:
    assert_agree(write(tmp_path / "acled.csv", ACLED_COLUMNS, records), strict_bounds)


def test_the_comparison_can_fail(tmp_path: Path) -> None:
    """A reason the reference gives differently is seen (the test is not vacuous)."""
    row = ged_row(best="-3")
    path = write(tmp_path / "ged.csv", GED_COLUMNS, [[row[c] for c in GED_COLUMNS]])
    [(line, reason, event_id)] = read_reference(path).rejected
    assert (line, reason, event_id) == (2, "negative deaths: best -3", "ged:900001")
    assert [(r.line, r.reason) for r in read_events(path).rejected] == [(line, reason)]
