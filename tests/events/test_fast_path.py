"""The column-wise readers against the per-record mappers of the reference reader.

A reader maps every record column-wise; it must give exactly what the per-record mappers
of ``tests.events.reference_reader`` give for every record on its own: the same events,
rejections (with their reasons) and warnings.
The generated rows mix valid values with every kind of near miss: padding, odd dates,
counts written as decimals, coordinates out of range, unknown codes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.events.acled_layout import ACLED_USED
from backchannel.events.ged_layout import GED_USED
from backchannel.events.read_result import ReadResult, RowWarning
from backchannel.events.readers import ACLED_COLUMNS, read_acled, read_ged
from tests.events.reference_reader import Event, Row, acled_event, ged_event
from tests.events.reference_reader import Rejected as RowRejected
from tests.events.test_readers import ged_row, write_ged
from tests.fixtures.acled import acled_rows, write_acled_csv

PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

padding = st.sampled_from([" ", "\u00a0", "\t", "\u2003", "\x1c"])

# column: (values the per-record mapper accepts as they are, near misses)
GED_VALUES: dict[str, tuple[list[str], list[str]]] = {
    "year": (["2014"], ["2013", "x", ""]),
    "type_of_violence": (["1", "2", "3"], ["4", "", "03"]),
    "side_a": (["Anti-Balaka", "Séléka"], [""]),
    "side_b": (["Civilians", ""], []),
    "side_a_new_id": (["", "1144", "-4"], ["x1", "+4"]),
    "adm_1": (["Ouham prefecture", ""], []),
    "latitude": (["6.4926", "-5", ""], ["91", "east", "1e3", "nan"]),
    "longitude": (["17.4552", "-17.5", "180"], ["-180.5", "1e3"]),
    "country": (["Central African Republic"], [""]),
    "date_start": (["2014-02-11", "2014-02-11 00:00:00.000"], ["2014-13-01", "", "11/02/2014"]),
    "date_end": (["2014-02-12"], ["2014-02-10", "2014-02-30"]),
    "best": (["12", "12.0"], ["-3", "2.5", "", "9" * 20, "+4", "11", "16"]),
    "low": (["10", "0"], ["13"]),
    "high": (["15", "12"], ["x", "11"]),
    "deaths_civilians": (["12", "0"], ["-1", "1.5"]),
}
ACLED_VALUES: dict[str, tuple[list[str], list[str]]] = {
    "event_date": (["2019-03-02", "2 March 2019", "02-Mar-2019"], ["31 Smarch 2019", "2019-02-30"]),
    "year": (["2019", ""], ["2018"]),
    "event_type": (
        ["Battles", "Violence against civilians", "Riots", "violence against civilians"],
        ["Skirmish", ""],
    ),
    "actor1": (["Anti-Balaka"], [""]),
    "assoc_actor_1": (["", "Ex-Seleka; UPC"], []),
    "inter1": (["1", "2", "State forces"], []),
    "inter2": (["0", "1", "Rebel group"], []),
    "civilian_targeting": (["", "Civilian targeting"], ["yes"]),
    "latitude": (["6.1", ""], ["-91.0"]),
    "fatalities": (["0", "3", "3.0"], ["-1", "a few", ""]),
    "sub_event_type": (["Attack", ""], []),
}


@st.composite
def varied(
    draw: st.DrawFn, values: dict[str, tuple[list[str], list[str]]], ids: list[str]
) -> dict[str, str]:
    """Column values for one record: clean, padded, with a near miss or two, or an id
    repeated from an earlier record; every one of them is common enough to be met."""
    kind = draw(st.sampled_from(["clean", "clean", "padded", "near miss", "repeat"]))
    row = {column: draw(st.sampled_from(valid)) for column, (valid, _) in values.items()}
    if kind == "near miss":
        for column in draw(st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=2)):
            row[column] = draw(st.sampled_from(values[column][1] or values[column][0]))
    if kind == "padded":
        for column in draw(st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=4)):
            row[column] = draw(padding) + row[column] + draw(padding)
    row["id"] = draw(st.sampled_from(ids)) if kind == "repeat" and ids else str(800_000 + len(ids))
    ids.append(row["id"])
    return row


def per_record(
    path: Path, rows: list[dict[str, str]], used: tuple[str, ...], mapper: Callable[..., Event]
) -> tuple[list[Event], list[tuple[int, str]], list[RowWarning]]:
    """Every row through the per-record mapper alone (one record per line from line 2)."""
    events: list[Event] = []
    rejected: list[tuple[int, str]] = []
    warnings: list[RowWarning] = []
    for line, fields in enumerate(rows, start=2):
        values = {name: fields.get(name, "").strip() for name in used}
        try:
            events.append(mapper(Row(values, str(path), line, warnings), False))
        except RowRejected as exc:
            rejected.append((line, exc.reason))
    return events, rejected, warnings


def assert_same(
    result: ReadResult,
    expected: tuple[list[Event], list[tuple[int, str]], list[RowWarning]],
) -> None:
    events, rejected, warnings = expected
    first: dict[str, int] = {}
    for event in events:  # a repeated id is rejected, naming the line of the first
        if event.event_id in first:
            reason = f"duplicate event id {event.event_id} (first on line {first[event.event_id]})"
            rejected.append((event.source_line, reason))
        first.setdefault(event.event_id, event.source_line)
    kept = [event._asdict() for event in events if first[event.event_id] == event.source_line]
    assert result.events.to_pylist() == kept
    assert [(r.line, r.reason) for r in result.rejected] == sorted(rejected)
    assert result.warnings == warnings


@st.composite
def ged_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    ids: list[str] = []
    count = draw(st.integers(min_value=1, max_value=12))
    # source_article without a line break: record n is on line n + 1
    return [ged_row(**draw(varied(GED_VALUES, ids)), source_article="AFP") for _ in range(count)]


@PROPERTY
@given(rows=ged_rows())
def test_ged_fast_path_maps_as_the_per_record_mapper(
    tmp_path: Path, rows: list[dict[str, str]]
) -> None:
    path = write_ged(tmp_path / "ged.csv", rows)
    assert_same(read_ged(path), per_record(path, rows, GED_USED, ged_event))


@st.composite
def acled_fields(draw: st.DrawFn) -> list[dict[str, str]]:
    ids: list[str] = []
    rows = [dict(row.fields) for row in acled_rows(draw(st.integers(1, 12)), seed=3)]
    for row in rows:
        values = draw(varied(ACLED_VALUES, ids))
        row.update(values, event_id_cnty=values.pop("id"), notes="one line")
    return rows


@PROPERTY
@given(rows=acled_fields())
def test_acled_fast_path_maps_as_the_per_record_mapper(
    tmp_path: Path, rows: list[dict[str, str]]
) -> None:
    path = write_acled_csv(tmp_path / "acled.csv", rows, columns=ACLED_COLUMNS)
    assert_same(read_acled(path), per_record(path, rows, ACLED_USED, acled_event))
