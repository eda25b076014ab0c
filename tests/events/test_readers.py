"""GED and ACLED readers and the Parquet event store, on real GED files and generated ACLED."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.errors import InvalidInputError
from backchannel.events import parquet as event_store
from backchannel.events.readers import (
    ACLED_COLUMNS,
    GED_COLUMNS,
    GED_REQUIRED,
    ReadResult,
    read_acled,
    read_events,
    read_ged,
)
from backchannel.events.schema import EVENT_SCHEMA
from tests.conftest import mirror_path
from tests.fixtures.acled import STATE_FORCES, acled_rows, write_acled_csv

CAR = "ged231_central_african_republic.csv"

# GED 23.1 publishes these CAR events with low > best or best > high. They are accepted,
# with a warning, because `best` is UCDP's own estimate and UCDP's published totals count
# them (rejecting them would take 165 one-sided deaths out of 2014).
CAR_BOUNDS_ODDITIES = {
    "ged:256002", "ged:255999", "ged:256000", "ged:256001", "ged:30272", "ged:214188",
    "ged:162775", "ged:259286", "ged:262281", "ged:197881", "ged:258743", "ged:258744",
    "ged:150819", "ged:152964", "ged:152965", "ged:214122", "ged:252108", "ged:252110",
    "ged:234081", "ged:423913",
}  # fmt: skip


@pytest.fixture
def ucdp(mirror: Path) -> Path:
    folder = mirror / "ucdp"
    if not (folder / CAR).is_file():
        pytest.skip(f"no {CAR} in the mirror")
    return folder


@pytest.fixture(scope="module")
def car() -> ReadResult:
    root = mirror_path()
    if root is None or not (root / "ucdp" / CAR).is_file():
        pytest.skip("no data mirror: set BACKCHANNEL_MIRROR or place ../shared/data")
    return read_ged(root / "ucdp" / CAR)


# --------------------------------------------------------------------------- GED helpers


def ged_row(**overrides: str) -> dict[str, str]:
    """A valid GED record (type 3, CAR 2014) with some fields replaced."""
    row = dict.fromkeys(GED_COLUMNS, "")
    row.update(
        id="900001", relid="CAR-2014-1-900001", year="2014", active_year="1",
        code_status="Clear", type_of_violence="3", conflict_new_id="11111",
        conflict_name="Anti-Balaka - Civilians", dyad_new_id="22222",
        dyad_name="Anti-Balaka - Civilians", side_a_new_id="1144", side_a="Anti-Balaka",
        side_b_new_id="1", side_b="Civilians", number_of_sources="2",
        source_article='AFP 12/2-14, "Bossangoa attack"\nRadio Ndeke Luka 13/2-14',
        where_prec="1", where_coordinates="Bossangoa town", adm_1="Ouham prefecture",
        adm_2="Bossangoa sub-prefecture", latitude="6.4926", longitude="17.4552",
        geom_wkt="POINT (17.4552 6.4926)", priogrid_gid="139355",
        country="Central African Republic", country_id="482", region="Africa",
        event_clarity="1", date_prec="1", date_start="2014-02-11", date_end="2014-02-12",
        deaths_a="0", deaths_b="0", deaths_civilians="12", deaths_unknown="0", best="12",
        high="15", low="10", gwnoa="", gwnob="",
    )  # fmt: skip
    row.update(overrides)
    return row


def write_ged(
    path: Path,
    rows: list[dict[str, str]],
    columns: tuple[str, ...] = GED_COLUMNS,
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows([[row.get(c, "") for c in columns] for row in rows])
    return path


def only_reason(result: ReadResult) -> str:
    assert result.accepted == 0
    assert len(result.rejected) == 1
    return result.rejected[0].reason


# --------------------------------------------------------------------------- real GED files


def test_counts_reconcile_on_every_real_ged_file(ucdp: Path) -> None:
    files = sorted(ucdp.glob("ged*.csv"))
    assert files
    for path in files:
        result = read_ged(path)
        records = len(pd.read_csv(path, dtype=str, keep_default_na=False))
        assert result.rows_read == records, path.name
        assert result.rows_read == result.accepted + len(result.rejected)
        assert result.rejected == [], [r.describe() for r in result.rejected]
        assert result.events.schema.equals(EVENT_SCHEMA)
        assert result.encoding == "utf-8"
        assert all("kept as UCDP published it" in w.reason for w in result.warnings)


def test_car_all_1848_accepted_bound_oddities_warned(car: ReadResult) -> None:
    assert (car.rows_read, car.accepted, len(car.rejected)) == (1848, 1848, 0)
    assert {w.event_id for w in car.warnings} == CAR_BOUNDS_ODDITIES
    assert all(" > " in w.reason for w in car.warnings)


def test_car_strict_bounds_rejects_the_oddities(ucdp: Path) -> None:
    result = read_ged(ucdp / CAR, strict_bounds=True)
    assert {r.event_id for r in result.rejected} == CAR_BOUNDS_ODDITIES
    assert result.accepted == 1848 - len(CAR_BOUNDS_ODDITIES)


def test_car_one_sided_deaths_by_year(car: ReadResult) -> None:
    """The published figures are the sum of `best` over one-sided (type 3) events by the
    year of date_start; summing `deaths_civilians` instead gives lower numbers because
    some type 3 deaths are coded `deaths_unknown`."""
    events = car.events.to_pandas()
    one_sided = events[events["violence_type"] == "one_sided"].groupby("year")
    assert one_sided["deaths_best"].sum().loc[2012:2014].tolist() == [73, 2690, 2295]
    assert one_sided["deaths_civilians"].sum().loc[2012:2014].tolist() == [73, 2435, 2138]
    assert events["civilian_targeting"].equals(events["violence_type"] == "one_sided")


def test_source_line_is_where_each_record_starts(car: ReadResult) -> None:
    lines = Path(car.source_file).read_text(encoding="utf-8").split("\n")
    events = car.events.to_pydict()
    multi_line = 0
    for event_id, line, next_line in zip(
        events["event_id"], events["source_line"], [*events["source_line"][1:], None], strict=True
    ):
        assert lines[line - 1].startswith(event_id.removeprefix("ged:") + ",")
        multi_line += next_line is not None and next_line - line > 1
    assert multi_line > 100  # quoted source_article / source_headline with newlines


def test_ged_mapping_of_one_row(tmp_path: Path) -> None:
    result = read_ged(write_ged(tmp_path / "one.csv", [ged_row()]))
    [event] = result.events.to_pylist()
    assert event["event_id"] == "ged:900001"
    assert (event["violence_type"], event["civilian_targeting"]) == ("one_sided", True)
    assert (event["actor1"], event["actor1_ucdp_id"], event["actor2_ucdp_id"]) == (
        "Anti-Balaka",
        1144,
        1,
    )
    assert (event["deaths_best"], event["deaths_low"], event["deaths_high"]) == (12, 10, 15)
    assert (event["admin1"], event["latitude"], event["year"]) == ("Ouham prefecture", 6.4926, 2014)
    assert event["source_line"] == 2


@pytest.mark.parametrize(
    ("type_of_violence", "expected"),
    [("1", "state_based"), ("2", "non_state"), ("3", "one_sided")],
)
def test_ged_violence_types(tmp_path: Path, type_of_violence: str, expected: str) -> None:
    result = read_ged(write_ged(tmp_path / "t.csv", [ged_row(type_of_violence=type_of_violence)]))
    assert result.events.column("violence_type").to_pylist() == [expected]
    assert result.events.column("civilian_targeting").to_pylist() == [expected == "one_sided"]


def test_older_timestamp_dates_are_read(tmp_path: Path) -> None:
    row = ged_row(date_start="2014-02-11 00:00:00.000", date_end="2014-02-12 00:00:00.000")
    result = read_ged(write_ged(tmp_path / "old.csv", [row]))
    assert [str(d) for d in result.events.column("date_end").to_pylist()] == ["2014-02-12"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"date_start": "2014-13-01"}, "unparseable date: date_start '2014-13-01'"),
        ({"date_end": "11/02/2014"}, "unparseable date: date_end"),
        ({"date_end": "2014-02-10"}, "end before start"),
        ({"best": "-3"}, "negative deaths: best -3"),
        ({"deaths_civilians": "2.5"}, "non-integer deaths: deaths_civilians '2.5'"),
        ({"high": ""}, "non-integer deaths: high is empty"),
        ({"type_of_violence": "4"}, "unknown type_of_violence '4'"),
        ({"side_a": "  "}, "empty perpetrator: side_a is empty"),
        ({"latitude": "91"}, "latitude '91' out of range [-90, 90]"),
        ({"longitude": "-180.5"}, "longitude '-180.5' out of range"),
        ({"longitude": "east"}, "longitude 'east' is not a number"),
        ({"side_b_new_id": "x1"}, "side_b_new_id 'x1' is not a whole number"),
        ({"id": ""}, "empty event id"),
        ({"country": ""}, "empty country"),
    ],
)
def test_ged_row_rejections(tmp_path: Path, overrides: dict[str, str], reason: str) -> None:
    path = write_ged(tmp_path / "bad.csv", [ged_row(**overrides)])
    result = read_ged(path, strict_bounds=True)
    assert reason in only_reason(result)
    assert result.rejected[0].file == str(path)
    assert result.rejected[0].line == 2


def test_ged_bounds_warn_by_default_reject_when_strict(tmp_path: Path) -> None:
    path = write_ged(tmp_path / "bounds.csv", [ged_row(low="13")])
    lenient = read_ged(path)
    assert lenient.accepted == 1
    assert [w.reason for w in lenient.warnings] == ["low 13 > best 12 (kept as UCDP published it)"]
    assert only_reason(read_ged(path, strict_bounds=True)) == "low 13 > best 12"


def test_duplicate_event_id_rejected_naming_the_first(tmp_path: Path) -> None:
    path = write_ged(tmp_path / "dup.csv", [ged_row(), ged_row(id="900002"), ged_row()])
    result = read_ged(path)
    assert result.accepted == 2
    [dup] = result.rejected
    # the first record spans lines 2-3 (a newline in source_article), so they start 2, 4, 6
    assert (dup.line, dup.event_id) == (6, "ged:900001")
    assert dup.reason == "duplicate event id ged:900001 (first on line 2)"


def test_malformed_rows_in_a_real_file(ucdp: Path, tmp_path: Path) -> None:
    """Break four single-line records that follow multi-line ones in a copy of CAR."""
    text = (ucdp / CAR).read_text(encoding="utf-8")
    records = _records_with_lines(text)
    singles = [
        i for i in range(1, len(records)) if records[i - 1][1] > records[i - 1][0] and
        records[i][0] == records[i][1]
    ]  # fmt: skip
    targets = singles[5:9]
    breakages: list[tuple[Callable[[list[str]], list[str]], str]] = [
        (lambda r: _set(r, "date_start", "2014-02-30"), "unparseable date: date_start"),
        (lambda r: [*r, "surplus"], "wrong number of fields: expected 49, found 50"),
        (lambda r: _set(r, "deaths_civilians", "-4"), "negative deaths: deaths_civilians -4"),
        (lambda r: _set(r, "low", str(int(r[GED_COLUMNS.index("best")]) + 5)), "low "),
    ]
    lines = text.split("\n")
    expected = []
    for index, (breakage, reason) in zip(targets, breakages, strict=True):
        line, _, fields = records[index]
        lines[line - 1] = _csv_line(breakage(fields))
        expected.append((line, f"ged:{fields[0]}", reason))
    broken = tmp_path / CAR
    broken.write_text("\n".join(lines), encoding="utf-8")

    result = read_ged(broken, strict_bounds=True)
    assert result.rows_read == 1848
    ours = [r for r in result.rejected if r.event_id not in CAR_BOUNDS_ODDITIES]
    assert [(r.line, r.event_id) for r in ours] == [(line, eid) for line, eid, _ in expected]
    for rejected, (_, _, reason) in zip(ours, expected, strict=True):
        assert reason in rejected.reason
        assert rejected.describe().startswith(f"{broken}:{rejected.line}: {rejected.event_id}: ")


def _records_with_lines(text: str) -> list[tuple[int, int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    out, previous = [], reader.line_num
    for fields in reader:
        out.append((previous + 1, reader.line_num, fields))
        previous = reader.line_num
    return out


def _set(fields: list[str], column: str, value: str) -> list[str]:
    changed = list(fields)
    changed[GED_COLUMNS.index(column)] = value
    return changed


def _csv_line(fields: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


# --------------------------------------------------------------------------- bytes and header


def test_utf8_bom_is_read_and_named(tmp_path: Path) -> None:
    plain = write_ged(tmp_path / "plain.csv", [ged_row(side_a="Séléka")])
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    result = read_ged(bom)
    assert (result.encoding, result.accepted) == ("utf-8-sig", 1)
    assert result.events.column("actor1").to_pylist() == ["Séléka"]


def test_cp1252_file_falls_back_and_says_so(tmp_path: Path) -> None:
    path = write_ged(
        tmp_path / "win.csv",
        [ged_row(side_a="S\u00e9l\u00e9ka \u2013 \u201cex\u201d")],
        encoding="cp1252",
    )
    result = read_ged(path)
    assert result.encoding == "cp1252"
    assert result.events.column("actor1").to_pylist() == ["S\u00e9l\u00e9ka \u2013 \u201cex\u201d"]


def test_bytes_cp1252_cannot_decode_fall_back_to_latin1(tmp_path: Path) -> None:
    good = write_ged(tmp_path / "x.csv", [ged_row(side_a="MARKER")]).read_bytes()
    path = tmp_path / "latin.csv"
    path.write_bytes(good.replace(b"MARKER", b"S\xe9l\x81ka"))  # 0x81 is undefined in cp1252
    result = read_ged(path)
    assert result.encoding == "latin-1"
    assert result.events.column("actor1").to_pylist() == ["Sél\x81ka"]


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = write_ged(tmp_path / "u16.csv", [ged_row(side_a="Séléka")], encoding="utf-16")
    result = read_ged(path)
    assert (result.encoding, result.accepted) == ("utf-16", 1)


def test_missing_optional_columns_become_null(tmp_path: Path) -> None:
    columns = tuple(c for c in GED_COLUMNS if c in GED_REQUIRED)
    result = read_ged(write_ged(tmp_path / "lean.csv", [ged_row()], columns=columns))
    [event] = result.events.to_pylist()
    assert event["deaths_best"] == 12
    for column in ("admin1", "admin2", "latitude", "longitude", "actor1_ucdp_id"):
        assert event[column] is None


def test_extra_and_reordered_columns_are_fine(tmp_path: Path) -> None:
    columns = ("", *reversed(GED_COLUMNS), "my_note")
    result = read_ged(write_ged(tmp_path / "wide.csv", [ged_row()], columns=columns))
    assert result.accepted == 1


def test_missing_required_column_names_file_column_and_header(tmp_path: Path) -> None:
    columns = tuple(c for c in GED_COLUMNS if c != "best")
    path = write_ged(tmp_path / "nobest.csv", [ged_row()], columns=columns)
    with pytest.raises(InvalidInputError) as caught:
        read_ged(path)
    message = str(caught.value)
    assert str(path) in message
    assert "missing required UCDP GED column(s) best" in message
    assert "id, relid, year" in message


def test_duplicate_header_column_is_refused(tmp_path: Path) -> None:
    path = write_ged(tmp_path / "twice.csv", [ged_row()], columns=(*GED_COLUMNS, "best"))
    with pytest.raises(InvalidInputError, match="column 'best' appears twice"):
        read_ged(path)


def test_format_is_sniffed_from_the_header(tmp_path: Path) -> None:
    ged = write_ged(tmp_path / "g.csv", [ged_row()])
    acled = write_acled_csv(tmp_path / "a.csv", acled_rows(3))
    assert read_events(ged).format == "ged"
    assert read_events(acled).format == "acled"


def test_unknown_header_names_file_and_both_layouts(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,kind\nAnti-Balaka,militia\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        read_events(path)
    message = str(caught.value)
    assert str(path) in message
    assert "neither a UCDP GED nor an ACLED CSV header" in message
    assert "event_id_cnty, event_date" in message


def test_other_ucdp_files_are_not_taken_for_events(ucdp: Path) -> None:
    with pytest.raises(InvalidInputError, match="neither a UCDP GED nor an ACLED"):
        read_events(ucdp / "ucdp-actor-221.csv")


def test_wrong_explicit_format_suggests_the_right_one(tmp_path: Path) -> None:
    path = write_ged(tmp_path / "g.csv", [ged_row()])
    with pytest.raises(InvalidInputError, match="looks like a GED file: use format 'ged'"):
        read_events(path, "acled")
    with pytest.raises(InvalidInputError, match="unknown format 'xls'"):
        read_events(path, "xls")


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_empty_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=r"empty|no header"):
        read_events(path)


def test_missing_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read the file"):
        read_ged(tmp_path / "absent.csv")


def test_header_only_file_reads_nothing(tmp_path: Path) -> None:
    result = read_ged(write_ged(tmp_path / "h.csv", []))
    assert (result.rows_read, result.accepted, result.events.schema) == (0, 0, EVENT_SCHEMA)


def test_unclosed_quote_is_one_rejected_record(tmp_path: Path) -> None:
    rows = [ged_row(id=str(n), source_article="AFP 12/2-14") for n in (1, 2, 3, 4)]
    path = write_ged(tmp_path / "q.csv", rows)
    text = path.read_bytes().decode("utf-8").split("\r\n")
    text[2] = text[2].replace(",Anti-Balaka,", ',"Anti,', 1)  # record 2 never closes its quote
    path.write_bytes("\r\n".join(text).encode("utf-8"))
    result = read_ged(path)
    assert (result.rows_read, result.accepted) == (2, 1)
    [rejected] = result.rejected
    assert (rejected.line, rejected.event_id) == (3, "ged:2")
    assert "(the record runs to line 5: an unclosed quote?)" in rejected.reason


@pytest.mark.parametrize("column", ["best", "side_a_new_id"])
def test_absurdly_long_numbers_are_rejected_not_crashing(tmp_path: Path, column: str) -> None:
    path = write_ged(tmp_path / "long.csv", [ged_row(**{column: "9" * 5000})])
    assert column in only_reason(read_ged(path))


# --------------------------------------------------------------------------- ACLED


def test_acled_mapping_of_generated_rows(tmp_path: Path) -> None:
    rows = acled_rows(300, seed=4)
    result = read_acled(write_acled_csv(tmp_path / "acled.csv", rows))
    assert (result.rows_read, result.accepted, result.rejected) == (300, 300, [])
    events = result.events.to_pylist()
    for row, event in zip(rows, events, strict=True):
        assert event["event_id"] == f"acled:{row.fields['event_id_cnty']}"
        assert event["violence_type"] == row.violence_type
        assert event["civilian_targeting"] is row.civilian_targeting
        assert event["deaths_best"] == event["deaths_low"] == event["deaths_high"]
        assert event["deaths_best"] == row.fatalities
        assert event["deaths_civilians"] == (row.fatalities if row.civilian_targeting else 0)
        assert event["date_end"] == event["date_start"]
        assert event["actor1_ucdp_id"] is None
    kinds = {e["violence_type"] for e in events}
    assert kinds == {"state_based", "non_state", "one_sided", "other"}
    assert any(e["actor1"] == STATE_FORCES for e in events)
    assert any("\n" in r.fields["notes"] for r in rows)  # multi-line notes: lines stay exact
    assert events[-1]["source_line"] == 2 * 300  # header, then two lines per record


def test_acled_long_dates_and_lean_columns(tmp_path: Path) -> None:
    rows = acled_rows(50, seed=5)
    lean = tuple(
        c for c in ACLED_COLUMNS if c not in ("time_precision", "civilian_targeting", "year")
    )
    result = read_acled(write_acled_csv(tmp_path / "old.csv", rows, columns=lean, long_dates=True))
    assert result.accepted == 50
    dates = [str(d) for d in result.events.column("date_start").to_pylist()]
    assert dates == [r.fields["event_date"] for r in rows]
    # without the civilian_targeting column, violence against civilians still counts
    vac = [r.violence_type == "one_sided" for r in rows]
    assert result.events.column("civilian_targeting").to_pylist() == vac


def _acled(**overrides: str) -> dict[str, str]:
    row = dict(acled_rows(1, seed=1)[0].fields)
    row.update(overrides)
    return row


@pytest.mark.parametrize(
    ("overrides", "violence_type", "targeting"),
    [
        ({"event_type": "Battles", "inter1": "2", "inter2": "1"}, "state_based", False),
        ({"event_type": "Battles", "inter1": "State forces", "inter2": "Rebel group"},
         "state_based", False),
        ({"event_type": "Battles", "inter1": "2", "inter2": "4"}, "non_state", False),
        ({"event_type": "Violence against civilians", "civilian_targeting": ""},
         "one_sided", True),
        ({"event_type": "Explosions/Remote violence", "civilian_targeting": "Civilian targeting"},
         "other", True),
        ({"event_type": "Protests", "civilian_targeting": ""}, "other", False),
    ],
)  # fmt: skip
def test_acled_violence_type_and_targeting(
    tmp_path: Path, overrides: dict[str, str], violence_type: str, targeting: bool
) -> None:
    path = write_acled_csv(tmp_path / "one.csv", [_acled(fatalities="7", **overrides)])
    [event] = read_acled(path).events.to_pylist()
    assert (event["violence_type"], event["civilian_targeting"]) == (violence_type, targeting)
    assert event["deaths_civilians"] == (7 if targeting else 0)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"event_date": "2019-02-30"}, "unparseable date: event_date"),
        ({"event_date": "31 Smarch 2019"}, "unparseable date: event_date"),
        ({"fatalities": "-1"}, "negative deaths: fatalities -1"),
        ({"fatalities": "a few"}, "non-integer deaths: fatalities 'a few'"),
        ({"actor1": ""}, "empty perpetrator: actor1 is empty"),
        ({"event_type": "Skirmish"}, "unknown event_type 'Skirmish'"),
        ({"latitude": "-91.0"}, "latitude '-91.0' out of range"),
    ],
)
def test_acled_row_rejections(tmp_path: Path, overrides: dict[str, str], reason: str) -> None:
    path = write_acled_csv(tmp_path / "bad.csv", [_acled(**overrides)])
    assert reason in only_reason(read_acled(path))


def test_acled_duplicate_ids(tmp_path: Path) -> None:
    rows = [_acled(notes="x"), _acled(notes="y")]
    result = read_acled(write_acled_csv(tmp_path / "dup.csv", rows))
    assert [(r.line, r.reason) for r in result.rejected] == [
        (3, f"duplicate event id acled:{rows[0]['event_id_cnty']} (first on line 2)")
    ]


# --------------------------------------------------------------------------- Parquet store


def test_parquet_round_trip_and_sidecar(tmp_path: Path) -> None:
    source = write_acled_csv(tmp_path / "acled-car.csv", acled_rows(40, seed=2))
    result = read_acled(source)
    stored = event_store.store_events(result, tmp_path / "data")
    assert stored == tmp_path / "data" / "events" / "acled-car.parquet"
    assert event_store.load_events(stored).equals(result.events)
    sidecar = json.loads(event_store.sidecar_path(stored).read_text(encoding="utf-8"))
    assert sidecar["rows_read"] == sidecar["accepted"] == 40
    assert (sidecar["rejected"], sidecar["encoding"], sidecar["format"]) == (0, "utf-8", "acled")
    assert sidecar["source_file"] == str(source)
    assert sidecar["source_sha256"] == result.sha256
    assert [p.name for p in stored.parent.iterdir() if p.suffix == ".part"] == []


def test_real_ged_round_trip(car: ReadResult, tmp_path: Path) -> None:
    stored = event_store.store_events(car, tmp_path)
    assert event_store.load_events(stored).equals(car.events)


def test_failed_write_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_acled_csv(tmp_path / "acled.csv", acled_rows(10, seed=3))
    first = read_acled(source)
    stored = event_store.store_events(first, tmp_path / "data")
    sidecar_before = event_store.sidecar_path(stored).read_text(encoding="utf-8")
    write_acled_csv(source, acled_rows(25, seed=9))
    second = read_acled(source)

    real_write = pq.write_table

    def write_then_fail(table: pa.Table, where: str | Path, **kwargs: Any) -> None:
        real_write(table.slice(0, 3), where, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", write_then_fail)
    with pytest.raises(OSError, match="No space left"):
        event_store.store_events(second, tmp_path / "data")
    monkeypatch.undo()

    assert event_store.load_events(stored).equals(first.events)
    assert event_store.sidecar_path(stored).read_text(encoding="utf-8") == sidecar_before
    assert sorted(p.name for p in stored.parent.iterdir()) == ["acled.json", "acled.parquet"]
    assert event_store.load_events(event_store.store_events(second, tmp_path / "data")).equals(
        second.events
    )


def test_load_refuses_a_foreign_schema(tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"event_id": ["x"], "deaths_best": ["many"]}), path)
    with pytest.raises(InvalidInputError) as caught:
        event_store.load_events(path)
    message = str(caught.value)
    assert "deaths_best: expected int64 not null, found string" in message
    assert "date_start: missing column" in message


def test_load_refuses_a_non_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_text("not parquet", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not a readable Parquet file"):
        event_store.load_events(path)


# --------------------------------------------------------------------------- properties

GED_HEADER = ",".join(GED_COLUMNS)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY_SETTINGS
@given(lines=st.lists(st.text(max_size=300), max_size=12))
def test_arbitrary_rows_are_accepted_or_rejected_never_crash(
    tmp_path: Path, lines: list[str]
) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text("\n".join([GED_HEADER, *lines]), encoding="utf-8")
    result = read_ged(path)
    assert result.rows_read == result.accepted + len(result.rejected)
    assert all(r.line >= 2 and r.file == str(path) for r in result.rejected)


@PROPERTY_SETTINGS
@given(content=st.binary(max_size=600) | st.text(max_size=600).map(str.encode))
def test_arbitrary_files_raise_only_invalid_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "any.csv"
    path.write_bytes(content)
    try:
        result = read_events(path)
    except InvalidInputError as exc:
        assert str(path) in str(exc)
    else:
        assert result.rows_read == result.accepted + len(result.rejected)


@PROPERTY_SETTINGS
@given(
    content=st.lists(st.text(max_size=60), min_size=1, max_size=8),
    header=st.sampled_from([GED_HEADER, ",".join(ACLED_COLUMNS)]),
)
def test_arbitrary_rows_after_either_header(
    tmp_path: Path, content: list[str], header: str
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(header + "\r\n" + "\r\n".join(content), encoding="utf-8")
    result = read_events(path)
    assert result.rows_read == result.accepted + len(result.rejected)


free_text = st.text(
    st.characters(codec="utf-8"),
    max_size=40,
)


@st.composite
def ged_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    count = draw(st.integers(min_value=1, max_value=15))
    ids = draw(st.lists(st.integers(1, 10**7), min_size=count, max_size=count, unique=True))
    rows = []
    for event_id in ids:
        low = draw(st.integers(0, 500))
        best = draw(st.integers(low, low + 500))
        high = draw(st.integers(best, best + 500))
        start = draw(st.dates(min_value=date(1989, 1, 1), max_value=date(2030, 12, 31)))
        end = min(start + timedelta(days=draw(st.integers(0, 30))), date(start.year, 12, 31))
        stamp = draw(st.booleans())
        rows.append(
            ged_row(
                id=str(event_id),
                year=str(start.year),
                type_of_violence=draw(st.sampled_from("123")),
                side_a=draw(free_text.filter(lambda s: s.strip() != "")),
                side_b=draw(free_text),
                source_article=draw(free_text),
                source_headline=draw(free_text),
                latitude=str(draw(st.floats(-90, 90))),
                longitude=str(draw(st.floats(-180, 180))),
                date_start=f"{start} 00:00:00.000" if stamp else str(start),
                date_end=f"{end} 00:00:00.000" if stamp else str(end),
                low=str(low),
                best=str(best),
                high=str(high),
                deaths_civilians=str(draw(st.integers(0, best))),
            )
        )
    return rows


@PROPERTY_SETTINGS
@given(rows=ged_rows())
def test_well_formed_ged_rows_are_all_accepted(tmp_path: Path, rows: list[dict[str, str]]) -> None:
    path = write_ged(tmp_path / "good.csv", rows)
    result = read_ged(path, strict_bounds=True)
    assert (result.accepted, result.rejected, result.warnings) == (len(rows), [], [])
    events = result.events.to_pydict()
    assert events["deaths_best"] == [int(r["best"]) for r in rows]
    assert events["deaths_low"] == [int(r["low"]) for r in rows]
    assert events["deaths_high"] == [int(r["high"]) for r in rows]
    assert events["deaths_civilians"] == [int(r["deaths_civilians"]) for r in rows]
    assert events["actor1"] == [r["side_a"].strip() for r in rows]
    # lines as the csv module counts them: \n, \r and \r\n end a line
    with path.open(encoding="utf-8", newline="") as f:
        physical = f.readlines()
    starts = events["source_line"]
    for line, row in zip(starts, rows, strict=True):
        assert physical[line - 1].startswith(row["id"] + ",")


def test_fixture_generator_is_seeded(tmp_path: Path) -> None:
    a = write_acled_csv(tmp_path / "a.csv", acled_rows(20, seed=7)).read_bytes()
    b = write_acled_csv(tmp_path / "b.csv", acled_rows(20, seed=7)).read_bytes()
    assert a == b


# --------------------------------------------------------------------------- fast path


def test_fast_path_whitespace_is_pythons() -> None:
    from backchannel.events.columns import PYTHON_WHITESPACE

    assert set(PYTHON_WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


def test_fast_and_per_record_paths_interleave_in_line_order(tmp_path: Path) -> None:
    rows = [
        ged_row(id="900001", low="13"),  # warned: per-record path
        ged_row(id="900002"),  # plain: fast path
        ged_row(id=" 900003\u00a0", adm_1=" Ouham "),  # padded: stripped, fast path
        ged_row(id="900004", best="x"),  # rejected
        ged_row(id="900001"),  # plain, repeats a per-record event
        ged_row(id="900003"),  # plain, repeats a padded event
        ged_row(id="900002", year="2013"),  # warned, repeats a fast event
    ]
    result = read_ged(write_ged(tmp_path / "mixed.csv", rows))
    events = result.events.to_pylist()
    assert [e["event_id"] for e in events] == ["ged:900001", "ged:900002", "ged:900003"]
    assert [e["source_line"] for e in events] == [2, 4, 6]
    assert events[2]["admin1"] == "Ouham"
    assert [(r.line, r.reason) for r in result.rejected] == [
        (8, "non-integer deaths: best 'x'"),
        (10, "duplicate event id ged:900001 (first on line 2)"),
        (12, "duplicate event id ged:900003 (first on line 6)"),
        (14, "duplicate event id ged:900002 (first on line 4)"),
    ]
    assert [(w.line, w.event_id) for w in result.warnings] == [
        (2, "ged:900001"),
        (14, "ged:900002"),
    ]
