"""Line numbers and counts of the event readers against Python's csv module.

Files are generated (hypothesis) or real (the mirror's GED files, some broken on purpose):
every record must be accepted or rejected on the line ``csv.reader`` says it starts on,
whatever the line endings, blank lines, quoted line breaks, field counts or codec.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.events.readers import GED_COLUMNS, ReadResult, read_ged
from tests.conftest import mirror_path
from tests.events.test_readers import CAR, ged_row

PROPERTY = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class Expected(NamedTuple):
    """What a reader must make of a file, by ``csv.reader``'s account of its records."""

    rows_read: int
    accepted: list[tuple[int, str]]  # (line, event id)
    rejected: list[tuple[int, str | None, str]]  # (line, event id, reason)


def expected_from_csv_module(text: str, width: int = len(GED_COLUMNS)) -> Expected:
    """Records as ``csv.reader`` reads them; those of ``width`` fields accepted (the
    generated ones are valid), the others rejected for their number of fields."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)  # the header (the generated files start with it)
    previous_end = reader.line_num
    accepted, rejected, rows = [], [], 0
    for fields in reader:
        first, last = previous_end + 1, reader.line_num
        previous_end = last
        if not fields:
            continue
        rows += 1
        event_id = f"ged:{fields[0].strip()}" if fields[0].strip() else None
        if len(fields) == width:
            accepted.append((first, str(event_id)))
            continue
        reason = f"wrong number of fields: expected {width}, found {len(fields)}"
        if last > first:
            reason += f" (the record runs to line {last}: an unclosed quote?)"
        rejected.append((first, event_id, reason))
    return Expected(rows, accepted, rejected)


def seen(result: ReadResult) -> Expected:
    events = result.events.to_pydict()
    return Expected(
        result.rows_read,
        list(zip(events["source_line"], events["event_id"], strict=True)),
        [(r.line, r.event_id, r.reason) for r in result.rejected],
    )


# --------------------------------------------------------------------------- generated files

# cp1252 can write every one of these, so the same text can be written in every codec
free_text = st.lists(
    st.sampled_from(["a", "é", " ", ",", '"', "\n", "\r", "\r\n", "Ndélé", "«x»", "\u2013"]),
    max_size=8,
).map("".join)


@st.composite
def ged_files(draw: st.DrawFn) -> str:
    """A GED file written by ``csv.writer``: quoted line breaks in the text fields, one
    line ending throughout, blank lines here and there, some records short or long."""
    terminator = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=terminator)
    writer.writerow(GED_COLUMNS)
    for number in range(draw(st.integers(min_value=0, max_value=10))):
        row = ged_row(
            id=str(700_000 + number),
            side_b=draw(free_text),
            source_article=draw(free_text),
            source_headline=draw(free_text),
            where_description=draw(free_text),
        )
        fields = [row[column] for column in GED_COLUMNS]
        change = draw(st.sampled_from(["none", "none", "none", "short", "long"]))
        if change == "short":
            fields = fields[: draw(st.integers(min_value=1, max_value=len(fields) - 1))]
        elif change == "long":
            fields = [*fields, draw(free_text)]
        if draw(st.integers(0, 4)) == 0:
            out.write(terminator * draw(st.integers(1, 3)))  # blank lines before the record
        writer.writerow(fields)
    if draw(st.booleans()):
        out.write(terminator)  # a blank line at the end
    return out.getvalue()


@PROPERTY
@given(text=ged_files(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_every_record_is_on_the_line_the_csv_module_says(
    tmp_path: Path, text: str, encoding: str
) -> None:
    path = tmp_path / "generated.csv"
    path.write_bytes(text.encode(encoding))
    result = read_ged(path)
    assert seen(result) == expected_from_csv_module(text)
    assert result.encoding == (encoding if encoding != "cp1252" or not _is_utf8(path) else "utf-8")
    assert all(r.file == str(path) for r in result.rejected)


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --------------------------------------------------------------------------- real files


@pytest.fixture(scope="module")
def ged_files_in_mirror() -> list[Path]:
    root = mirror_path()
    files = sorted((root / "ucdp").glob("ged*.csv")) if root else []
    if not files:
        pytest.skip("no GED files in the data mirror")
    return files


def test_every_real_ged_record_is_on_its_line(ged_files_in_mirror: list[Path]) -> None:
    for path in ged_files_in_mirror:
        text = path.read_text(encoding="utf-8")
        expected = expected_from_csv_module(text)
        assert expected.rejected == []
        assert seen(read_ged(path)) == expected, path.name


@pytest.fixture(scope="module")
def car_text(ged_files_in_mirror: list[Path]) -> str:
    car = next((path for path in ged_files_in_mirror if path.name == CAR), None)
    if car is None:
        pytest.skip(f"no {CAR} in the data mirror")
    return car.read_text(encoding="utf-8")


def test_irregular_quotes_in_a_real_file_keep_every_line(car_text: str, tmp_path: Path) -> None:
    """Stray quotes inside an unquoted field halfway through, and a last record whose
    quote is never closed, as a hand edit might leave them."""
    country = ",Central African Republic,482,"
    lines = car_text.rstrip("\n").split("\n")
    middle = next(n for n in range(len(lines) // 2, len(lines)) if country in lines[n])
    lines[middle] = lines[middle].replace(country, ',Central "African" Republic,482,', 1)
    text = "\n".join([*lines, '999999,"never closed', "and still inside", ""])
    path = tmp_path / CAR
    path.write_text(text, encoding="utf-8")

    result = read_ged(path)
    assert seen(result) == expected_from_csv_module(text)
    stray = [e for e in result.events.to_pylist() if e["source_line"] == middle + 1]
    assert [e["country"] for e in stray] == ['Central "African" Republic']
    [unclosed] = result.rejected
    assert (unclosed.line, unclosed.event_id) == (len(lines) + 1, "ged:999999")
    assert unclosed.reason.endswith(
        f"(the record runs to line {len(lines) + 2}: an unclosed quote?)"
    )


def test_a_field_over_the_csv_modules_limit_is_rejected_on_its_line(tmp_path: Path) -> None:
    rows = [ged_row(id=str(n)) for n in (1, 2, 3)]
    rows[1]["source_article"] = "x" * 140_000
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(GED_COLUMNS)
    writer.writerows([[row[c] for c in GED_COLUMNS] for row in rows])
    path = tmp_path / "long.csv"
    path.write_text(out.getvalue(), encoding="utf-8")

    result = read_ged(path)
    # ged_row's source_article holds a line break: the records start on lines 2, 4, 5
    assert seen(result).accepted == [(2, "ged:1"), (5, "ged:3")]
    assert [(r.line, r.event_id, r.reason) for r in result.rejected] == [
        (4, None, "malformed CSV: field larger than field limit (131072)")
    ]
