"""The shared CSV record reader: the lines each record spans, and records it cannot read."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.csv_records import csv_records, records_with_lines
from backchannel.errors import InvalidInputError

cell = st.text(st.sampled_from(["a", "b", ",", '"', "\n", "\r", " "]), max_size=6)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(cell, min_size=1, max_size=4), max_size=8), blank=st.booleans())
def test_records_start_where_the_previous_ended(rows: list[list[str]], blank: bool) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
        if blank:
            buffer.write("\n")  # an empty line is no record
    text = buffer.getvalue()
    found = list(records_with_lines(io.StringIO(text, newline="")))
    expected = [fields for fields in csv.reader(io.StringIO(text, newline="")) if fields]
    assert [record.fields for record in found] == expected
    physical = text.splitlines(keepends=True)
    for record in found:
        # the record's own lines, read alone, are the record
        own = "".join(physical[record.first_line - 1 : record.last_line])
        assert list(csv.reader(io.StringIO(own, newline=""))) == [record.fields]


def test_a_record_spanning_lines_is_located_by_its_first() -> None:
    text = 'id,note\n1,"two\nlines"\n\n2,plain\n'
    found = [
        (r.first_line, r.last_line, r.fields)
        for r in records_with_lines(io.StringIO(text, newline=""))
    ]
    assert found == [(1, 1, ["id", "note"]), (2, 3, ["1", "two\nlines"]), (5, 5, ["2", "plain"])]


def test_an_unreadable_record_is_reported_and_reading_goes_on() -> None:
    text = 'id,note\n1,"a"b\n2,ok\n'
    found = list(records_with_lines(io.StringIO(text, newline=""), strict=True))
    assert [(r.first_line, r.error is not None) for r in found] == [
        (1, False),
        (2, True),
        (3, False),
    ]
    with pytest.raises(InvalidInputError) as error:
        list(csv_records(io.StringIO(text, newline=""), "notes.csv", strict=True))
    [problem] = error.value.problems
    assert problem.line == 2
    assert "not readable as CSV" in problem.message
