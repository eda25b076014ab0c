"""The record splitter against Python's csv module: the same records, fields and lines.

The reference is ``csv.reader`` over the text opened with ``newline=""``, tracking the line
each record starts and ends on (``line_num`` before and after it): the behaviour the event
readers have always had, which the splitter must reproduce whatever the file holds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backchannel.events.csv_records import Record, SplitFile

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# (first line, fields, error, last line): the last line only for records outside the
# columns, where it is part of a rejection's reason
Seen = tuple[int, list[str], str | None, int | None]


def reference(text: str) -> list[Record]:
    """The records ``csv.reader`` reads from ``text``, blank lines skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[Record] = []
    previous_end = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            records.append(Record(previous_end + 1, reader.line_num, [], str(exc)))
        else:
            if fields:
                records.append(Record(previous_end + 1, reader.line_num, fields, None))
        previous_end = reader.line_num


def seen_by_reference(text: str) -> tuple[Record | None, list[Seen]]:
    records = reference(text)
    if not records:
        return None, []
    header, body = records[0], records[1:]
    width = len(header.fields)
    return header, sorted(_seen(record, width) for record in body)


def seen_by_splitter(text: str, halves_from: int = 1 << 23) -> tuple[Record | None, list[Seen]]:
    split = SplitFile(text.encode("utf-8"))
    if split.header is None:
        return None, []
    width = len(split.header.fields)
    body = split.body(width, range(width), halves_from=halves_from)
    assert body.by_pyarrow  # the csv module alone is only a safety net, never needed
    values = [column.to_pylist() for column in body.columns]
    full: list[Seen] = [
        (line, [column[row] for column in values], None, None)
        for row, line in enumerate(body.lines.tolist())
    ]
    assert body.records == len(full) + len(body.others)
    return split.header, sorted(full + [_seen(record, width) for record in body.others])


def _seen(record: Record, width: int) -> Seen:
    full = record.error is None and len(record.fields) == width
    return (record.first_line, record.fields, record.error, None if full else record.last_line)


@contextmanager
def field_limit(limit: int) -> Iterator[None]:
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


# anything a CSV file may hold, weighted towards what changes how it splits
pieces = st.sampled_from(
    [",", '"', '""', "\n", "\r", "\r\n", "a", "b", " ", "é", "\ufeff", "\x00", "\u2028", "\x85"]
)
csv_like = st.lists(pieces | st.text(max_size=3), max_size=60).map("".join)


@PROPERTY
@given(text=csv_like)
@example(text='a,b\n"x\ny",z\n\n\r\nc\n')
@example(text='h\n"unclosed,\n1\n2')
@example(text='h,h\n"a"b,c\r\na"b,"c""d"\r')
@example(text="h,h\n\ufeffa,b\n")
@example(text='"h\nh"\n\n\ni,j')
def test_any_text_splits_as_the_csv_module_splits_it(text: str) -> None:
    assert seen_by_splitter(text) == seen_by_reference(text)


@PROPERTY
@given(text=csv_like, limit=st.integers(min_value=1, max_value=12))
def test_fields_over_the_csv_modules_limit_split_as_it_splits_them(text: str, limit: int) -> None:
    with field_limit(limit):
        assert seen_by_splitter(text) == seen_by_reference(text)


@st.composite
def written_csv(draw: st.DrawFn) -> tuple[str, bool]:
    """A file written by ``csv.writer``: fields with quotes, commas and line breaks, a line
    ending of either kind, some blank lines, some records with another number of fields.
    Returns the text and whether every field was quoted."""
    width = draw(st.integers(min_value=1, max_value=5))
    terminator = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quote_all = draw(st.booleans())
    value = st.lists(
        st.sampled_from(["a", "é", " ", ",", '"', "\n", "\r", "\r\n", "x"]), max_size=6
    ).map("".join)
    out = io.StringIO(newline="")
    writer = csv.writer(
        out,
        lineterminator=terminator,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        fields = draw(st.integers(min_value=1, max_value=7)) if draw(st.booleans()) else width
        writer.writerow(draw(st.lists(value, min_size=fields, max_size=fields)))
        if draw(st.integers(0, 5)) == 0:
            out.write(terminator * draw(st.integers(1, 2)))  # blank lines
    return out.getvalue(), quote_all


@PROPERTY
@given(written=written_csv(), halves_from=st.sampled_from([1, 40, 1 << 23]))
# one short record asked to be read in halves: the cut falls at its start
@example(written=('""\nb\n', True), halves_from=1)
@example(written=('""\n,\n', False), halves_from=1)
def test_written_csv_splits_as_the_csv_module_splits_it(
    written: tuple[str, bool], halves_from: int
) -> None:
    text, quote_all = written
    assert seen_by_splitter(text, halves_from) == seen_by_reference(text)
    if quote_all:  # regular quoting: no record needed the csv module itself
        assert SplitFile(text.encode("utf-8")).csv_module_records == 0


def test_regular_records_are_not_read_by_the_csv_module() -> None:
    text = 'id,note\r\n1,"two\r\nlines"\r\n\r\n2,"say ""hi"", twice"\r\n3,plain\r\n'
    split = SplitFile(text.encode("utf-8"))
    assert split.csv_module_records == 0
    assert seen_by_splitter(text) == seen_by_reference(text)


def test_a_stray_quote_is_read_by_the_csv_module_and_the_rest_is_not() -> None:
    rows = [f"{n},note {n}" for n in range(1, 200)]
    rows[50] = '51,a "stray" quote'
    rows[120] = '121,"closed" then more'
    text = "id,note\n" + "\n".join(rows) + "\n"
    split = SplitFile(text.encode("utf-8"))
    assert split.csv_module_records == 2
    assert seen_by_splitter(text) == seen_by_reference(text)


@pytest.mark.parametrize(
    ("every", "by_csv_module"),
    [
        (40, 300),  # sparse: each of the 300 on its own, the scan goes on between them
        (3, 256 + (12_000 - 770)),  # 256 on their own, then all from record 771 on
        (1, 12_000),
    ],
)
def test_stray_quotes_throughout_split_as_the_csv_module_splits_them(
    every: int, by_csv_module: int
) -> None:
    """Sparse stray quotes are read one record at a time by the csv module and the scan
    goes on; frequent ones (past 256, and one per 16 regular records) hand the csv module
    the rest of the file."""
    rows = [f'{n},a "stray" quote' if n % every == 0 else f"{n},note" for n in range(1, 12_001)]
    text = "id,note\r\n" + "\r\n".join(rows) + "\r\n"
    assert seen_by_splitter(text) == seen_by_reference(text)
    assert SplitFile(text.encode("utf-8")).csv_module_records == by_csv_module


def test_an_unclosed_quote_runs_to_the_end_of_the_file() -> None:
    text = 'id,note\n1,a\n2,"never closed\n3,c\n\n4,d\n'
    _, body = seen_by_splitter(text)
    assert body == seen_by_reference(text)[1]
    assert body[-1] == (3, ["2", "never closed\n3,c\n\n4,d\n"], None, None)


def test_a_field_over_the_limit_is_one_malformed_record() -> None:
    text = "id,note\n1,a\n2," + "x" * 140_000 + "\n3,c\n"
    _, body = seen_by_splitter(text)
    assert body == seen_by_reference(text)[1]
    assert body[1] == (3, [], "field larger than field limit (131072)", 3)
    assert body[2] == (4, ["3", "c"], None, None)


def test_nothing_but_blank_lines_has_no_header() -> None:
    assert SplitFile(b"\r\n\n\r").header is None
    assert SplitFile(b"").header is None
