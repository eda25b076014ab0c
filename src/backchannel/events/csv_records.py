"""The records of a CSV file and the line each starts on, exactly as ``csv.reader`` reads them.

The reference is Python's ``csv.reader`` (the excel dialect, not strict) over the file
opened with ``newline=""``: a line ends at ``\\n``, ``\\r\\n`` or ``\\r``; a record is one
line, or several when a quoted field holds line breaks; a blank line is no record; a
record is located by the line it starts on and the line it ends on.

Most files quote regularly (as RFC 4180 writes them): a quote opens a field only at its
start, closes it only before a comma, a line break or the end of the file, and is doubled
inside a quoted field. Where that holds, the parity of the quotes before a line break says
whether it ends a record, so the records of the whole file are found at once from the
offsets of its quotes and line breaks (numpy), and pyarrow parses their fields. A record
with an irregular quote, or too long to be sure that ``csv.reader`` takes all of its
fields (``csv.field_size_limit``), is read by ``csv.reader`` itself from the line it
starts on, and the scan resumes on the line after it: ``csv.reader`` starts every record
afresh, so every record comes out as ``csv.reader`` reads it, whatever the file holds.
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from backchannel.csv_records import CsvRecord as Record
from backchannel.csv_records import records_with_lines

__all__ = ["Body", "Record", "SplitFile"]

_QUOTE, _COMMA, _LF, _CR = (ord(c) for c in '",\n\r')
_SEPARATORS = np.array([_COMMA, _LF, _CR, _QUOTE], dtype=np.uint8)
_SCAN_BLOCK = 1 << 18  # bytes compared at a time: small enough to stay in the cache
_QUOTE_WINDOW = (1 << 6, 1 << 16)  # quotes checked at a time for regularity: first, most
_CSV_MODULE_FROM = (256, 16)  # past this many csv-module records, and one per this many
# regular ones, the rest of the file is read by the csv module in one go
_ARROW_BLOCK = 1 << 20  # pyarrow's block size, widened for a longer record
_PARALLEL_BYTES = 1 << 23  # a body this large is parsed in two halves at once
_LINE_BATCH = 256  # line ends turned into Python numbers at a time


@dataclass(frozen=True)
class Body:
    """The records after the header: the requested columns of those with the header's
    number of fields (strings as written), the line each of those starts on (in line
    order), and every other record (another number of fields, or one the csv module could
    not read)."""

    columns: list[pa.Array]
    lines: np.ndarray
    others: list[Record]
    by_pyarrow: bool = True  # false when the safety net (the csv module alone) was used

    @property
    def records(self) -> int:
        """Number of records (blank lines are none)."""
        return len(self.lines) + len(self.others)


class _Spans(NamedTuple):
    """Records found by the scan: byte offsets of their text and the lines they span."""

    starts: np.ndarray
    ends: np.ndarray
    first_lines: np.ndarray
    last_lines: np.ndarray


class _ArrowDisagrees(Exception):
    """pyarrow split the regular records otherwise than expected (never seen; if it
    happens, the file is read with the csv module alone)."""


class SplitFile:
    """A CSV file (UTF-8 bytes, no byte-order mark) split into records.

    The first record is the header; ``body`` parses the rest.
    """

    def __init__(self, utf8: bytes | memoryview) -> None:
        self._data = utf8
        self._view = np.frombuffer(utf8, dtype=np.uint8)
        self._scan = _scan(self._view)
        self._quotes, self._line_ends = self._scan.quotes, self._scan.line_ends
        self._field_limit = csv.field_size_limit()
        self._regular, self._irregular, self._stretch = self._split()
        self._header_is_regular = len(self._regular.starts) > 0 and (
            not self._irregular or self._regular.first_lines[0] < self._irregular[0].first_line
        )
        self.header: Record | None = (
            self._parse_span(0)
            if self._header_is_regular
            else (self._irregular[0] if self._irregular else None)
        )

    # ------------------------------------------------------------------ the records

    @property
    def csv_module_records(self) -> int:
        """How many records the csv module read itself (irregular quoting, or too long)."""
        return len(self._irregular)

    def body(
        self, width: int, positions: Sequence[int], *, halves_from: int = _PARALLEL_BYTES
    ) -> Body:
        """The records after the header, with the columns at ``positions`` of those with
        ``width`` fields; pyarrow parses a body of ``halves_from`` bytes or more in two
        halves at once."""
        try:
            return self._arrow_body(width, positions, halves_from)
        except _ArrowDisagrees:
            return self._python_body(width, positions)

    def _arrow_body(self, width: int, positions: Sequence[int], halves_from: int) -> Body:
        """pyarrow's parse of the regular records joined to the csv module's reading of
        the others; ``_ArrowDisagrees`` when pyarrow's rows are not the records found."""
        skip = 1 if self._header_is_regular else 0
        spans = _Spans(*(values[skip:] for values in self._regular))
        # the csv module's records after the header (the first of them when it is one)
        others = list(self._irregular[1 - skip :])
        if width == 0:  # a header the csv module could not read: no record has its width
            others += [self._parse_span(index) for index in range(skip, len(spans.starts) + skip)]
            return _body_of(others, 0, positions)
        table, bad = self._parse_in_parts(
            spans, self._stretch[skip:], width, positions, halves_from
        )
        if table.num_rows + len(bad) != len(spans.starts):
            raise _ArrowDisagrees
        good = np.ones(len(spans.starts), dtype=bool)
        for number, text in bad:
            index = number - 1
            if not 0 <= index < len(good) or not good[index] or text != self._text(spans, index):
                raise _ArrowDisagrees
            good[index] = False
            others.append(self._parse_span(index + skip))
        parsed = Body(
            [table.column(i).combine_chunks() for i in range(len(positions))],
            spans.first_lines[good],
            [],
        )
        return _merge(parsed, _body_of(others, width, positions))

    def _parse_in_parts(
        self,
        spans: _Spans,
        stretch: np.ndarray,
        width: int,
        positions: Sequence[int],
        halves_from: int,
    ) -> tuple[pa.Table, list[tuple[int, str]]]:
        """pyarrow's reading of the regular records; a large body is read in two halves at
        once (pyarrow lets go of the interpreter while it parses)."""
        count = cut = len(spans.starts)
        if cut and spans.ends[-1] - spans.starts[0] >= halves_from:
            cut = int(np.searchsorted(spans.starts, (spans.starts[0] + spans.ends[-1]) // 2))
        # a cut at either end (one short record) leaves a single part: the whole body
        parts = [(0, cut), (cut, count)] if 0 < cut < count else [(0, count)]
        longest = self._longest(spans)

        def parse(part: tuple[int, int]) -> tuple[pa.Table, list[tuple[int, str]]]:
            first, stop = part
            piece = _Spans(*(values[first:stop] for values in spans))
            table, bad = _parse_with_arrow(
                self._arrow_input(piece, stretch[first:stop]), width, positions, longest
            )
            return table, [(number + first, text) for number, text in bad]

        if len(parts) == 1:
            return parse(parts[0])
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            results = list(pool.map(parse, parts))
        return (
            pa.concat_tables([table for table, _ in results]),
            [row for _, bad in results for row in bad],
        )

    def _python_body(self, width: int, positions: Sequence[int]) -> Body:
        """The body as the csv module alone reads it (the safety net of ``body``)."""
        records = list(_python_records(self._data, self._line_ends, 0))[1:]
        return replace(_body_of(records, width, positions), by_pyarrow=False)

    # ------------------------------------------------------------------ splitting

    def _split(self) -> tuple[_Spans, list[Record], np.ndarray]:
        """The regular records (spans), the records read by the csv module, and for each
        regular record the number of csv-module records before it (its stretch)."""
        size = len(self._view)
        found: list[_Spans] = []
        irregular: list[Record] = []
        stretch: list[np.ndarray] = []
        regular = 0
        position = 0
        while position < size:
            # after an irregular record another may be near: look a little way first
            spans, resume_at = self._regular_spans(position, resumed=bool(irregular))
            found.append(spans)
            stretch.append(np.full(len(spans.starts), len(irregular), dtype=np.int64))
            regular += len(spans.starts)
            if resume_at is None:
                break
            most, ratio = _CSV_MODULE_FROM
            if len(irregular) >= most and len(irregular) * ratio >= regular:
                # irregular quoting throughout: scanning on would cost more than it saves
                irregular += _python_records(self._data, self._line_ends, resume_at)
                break
            record, position = self._python_record(resume_at)
            if record is not None:
                irregular.append(record)
        if not found:  # an empty file
            nothing = np.zeros(0, dtype=np.int64)
            return _Spans(nothing, nothing, nothing, nothing), irregular, nothing
        merged = _Spans(*(np.concatenate(values) for values in zip(*found, strict=True)))
        return merged, irregular, np.concatenate(stretch)

    def _regular_spans(self, position: int, resumed: bool) -> tuple[_Spans, int | None]:
        """The regular records from ``position`` (a record start) on, and where the first
        record for the csv module starts (``None`` when there is none)."""
        scan, size = self._scan, len(self._view)
        stop = self._first_irregular_quote(position, resumed)
        low, high = np.searchsorted(scan.breaks, [position, stop])
        quotes_since = scan.quotes_before[low:high] - np.searchsorted(scan.quotes, position)
        ending = low + np.flatnonzero((quotes_since & 1) == 0)  # the breaks outside quotes
        starts = np.concatenate(([position], scan.breaks[ending] + 1))
        ends = np.concatenate((scan.breaks[ending], [size]))
        first_lines = np.concatenate(
            ([np.searchsorted(scan.line_ends, position, side="right") + 1],
             scan.lines_through[ending] + 1)
        )  # fmt: skip
        last_lines = np.concatenate((scan.lines_before[ending] + 1, [len(scan.line_ends) + 1]))
        spans = _Spans(starts, ends, first_lines, last_lines)
        resume_at = None
        if stop < size:  # the last piece is the record holding the irregular quote
            resume_at = int(starts[-1])
            spans = _Spans(*(values[:-1] for values in spans))
        filled = spans.ends > spans.starts  # a blank line is no record
        spans = _Spans(*(values[filled] for values in spans))
        long = np.flatnonzero(spans.ends - spans.starts >= self._field_limit)
        if len(long):
            resume_at = int(spans.starts[long[0]])
            spans = _Spans(*(values[: long[0]] for values in spans))
        return spans, resume_at

    def _first_irregular_quote(self, position: int, near_first: bool) -> int:
        """The offset of the first quote from ``position`` (a record start) that breaks
        regular quoting, or the size of the file when there is none. The quotes are
        checked a window at a time, with ``near_first`` small at first, then wider."""
        quotes, view = self._quotes, self._view
        last = len(view) - 1
        start = int(np.searchsorted(quotes, position))
        narrowest, widest = _QUOTE_WINDOW
        window = narrowest if near_first else widest
        while start < len(quotes):
            checked = quotes[start : start + window]
            opens, closes = checked[0::2], checked[1::2]
            regular_open = (opens == position) | _is_separator(view[np.maximum(opens - 1, 0)])
            regular_close = (closes == last) | _is_separator(view[np.minimum(closes + 1, last)])
            where = [int(opens[i[0]]) for i in [np.flatnonzero(~regular_open)] if len(i)]
            where += [int(closes[i[0]]) for i in [np.flatnonzero(~regular_close)] if len(i)]
            if len(closes) < len(opens):  # the file ends inside the last quoted field
                where.append(int(opens[-1]))
            if where:
                return min(where)
            start, window = start + window, min(2 * window, widest)  # both stay even
        return len(view)

    def _python_record(self, start: int) -> tuple[Record | None, int]:
        """The record the csv module reads from ``start`` (a line start), and the offset
        of the line after it."""
        records = _python_records(self._data, self._line_ends, start, limit=1)
        record = next(records, None)
        if record is None:
            return None, len(self._view)
        return record, self._line_start(record.last_line + 1)

    def _line_start(self, line: int) -> int:
        line_ends = self._line_ends
        return int(line_ends[line - 2]) if line - 2 < len(line_ends) else len(self._view)

    # ------------------------------------------------------------------ texts

    def _text(self, spans: _Spans, index: int) -> str:
        return codecs.utf_8_decode(self._data[spans.starts[index] : spans.ends[index]])[0]

    def _parse_span(self, index: int) -> Record:
        """A regular record's fields, read by the csv module from its text."""
        spans = self._regular
        [fields] = csv.reader([self._text(spans, index)])
        return Record(int(spans.first_lines[index]), int(spans.last_lines[index]), fields, None)

    def _arrow_input(self, spans: _Spans, stretch: np.ndarray) -> pa.Buffer:
        """The bytes of the regular records for pyarrow: one slice of the file when no
        record read by the csv module lies among them, else the stretches joined."""
        buffer = pa.py_buffer(self._data)
        if not len(spans.starts):
            return pa.py_buffer(b"")
        cuts = np.flatnonzero(np.diff(stretch)) + 1
        pieces = [
            buffer[int(spans.starts[first]) : int(spans.ends[last])]
            for first, last in zip(
                [0, *cuts.tolist()], [*(cuts - 1).tolist(), len(stretch) - 1], strict=True
            )
        ]
        joined = pieces[0] if len(pieces) == 1 else pa.py_buffer(b"\n".join(map(bytes, pieces)))
        if joined[: len(codecs.BOM_UTF8)].to_pybytes() == codecs.BOM_UTF8:
            # pyarrow drops a byte-order mark that starts its input; the csv module keeps it
            joined = pa.py_buffer(b"\n" + joined.to_pybytes())
        return joined

    def _longest(self, spans: _Spans) -> int:
        return int((spans.ends - spans.starts).max()) if len(spans.starts) else 0


# ---------------------------------------------------------------------- helpers


class _Scan(NamedTuple):
    """Where a file's quotes and line breaks are, and the lines ended at each break."""

    quotes: np.ndarray  # offsets of the quotes
    breaks: np.ndarray  # offsets of every \r and \n
    quotes_before: np.ndarray  # for each break, the quotes before it
    lines_before: np.ndarray  # for each break, the lines ended before it
    lines_through: np.ndarray  # ... and up to it (a \r before \n ends no line)
    line_ends: np.ndarray  # the offset just after each line's end


def _scan(view: np.ndarray) -> _Scan:
    """Find the quotes and line breaks a block at a time (each block is compared while
    it is in the cache; a block's last byte is looked past for a ``\\r\\n``)."""
    quotes: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    breaks: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    quotes_before: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    ends_line: list[np.ndarray] = [np.zeros(0, dtype=bool)]
    seen = 0
    for start in range(0, len(view), _SCAN_BLOCK):
        block = view[start : start + _SCAN_BLOCK + 1]
        inner = block[:_SCAN_BLOCK]
        special = inner == _QUOTE
        special |= inner == _LF
        special |= inner == _CR
        found = np.flatnonzero(special)
        is_quote = inner[found] == _QUOTE
        local_quotes, local_breaks = found[is_quote], found[~is_quote]
        following = np.minimum(local_breaks + 1, len(block) - 1)
        cr_of_crlf = (
            (block[local_breaks] == _CR) & (block[following] == _LF) & (following > local_breaks)
        )
        quotes.append(local_quotes + start)
        breaks.append(local_breaks + start)
        quotes_before.append(np.searchsorted(local_quotes, local_breaks) + seen)
        ends_line.append(~cr_of_crlf)
        seen += len(local_quotes)
    all_breaks, line_ending = np.concatenate(breaks), np.concatenate(ends_line)
    lines_through = np.cumsum(line_ending, dtype=np.int64)
    return _Scan(
        np.concatenate(quotes),
        all_breaks,
        np.concatenate(quotes_before),
        lines_through - line_ending,
        lines_through,
        all_breaks[line_ending] + 1,
    )


def _is_separator(values: np.ndarray) -> np.ndarray:
    """Bytes after which a quote may open a field, or before which one may close it."""
    return np.isin(values, _SEPARATORS)


def _python_records(
    data: bytes | memoryview, line_ends: np.ndarray, start: int, limit: int | None = None
) -> Iterator[Record]:
    """Records as ``csv.reader`` reads them from ``start`` (a line start), blank lines
    skipped, at most ``limit``."""
    index = int(np.searchsorted(line_ends, start, side="right"))
    records = records_with_lines(_lines(data, line_ends, index), first_line=index + 1)
    return records if limit is None else itertools.islice(records, limit)


def _lines(data: bytes | memoryview, line_ends: np.ndarray, index: int) -> Iterator[str]:
    """The file's lines from line ``index`` (0-based), decoded one at a time as the csv
    module asks for them."""
    start = int(line_ends[index - 1]) if index else 0
    for batch in range(index, len(line_ends), _LINE_BATCH):
        for end in line_ends[batch : batch + _LINE_BATCH].tolist():
            yield codecs.utf_8_decode(data[start:end])[0]
            start = end
    if start < len(data):
        yield codecs.utf_8_decode(data[start:])[0]


def _body_of(records: list[Record], width: int, positions: Sequence[int]) -> Body:
    """A body of records read by the csv module: those of ``width`` fields as columns."""
    full = [r for r in records if r.error is None and len(r.fields) == width]
    columns = [pa.array([r.fields[p] for r in full], type=pa.string()) for p in positions]
    lines = np.array([r.first_line for r in full], dtype=np.int64)
    others = [r for r in records if r.error is not None or len(r.fields) != width]
    return Body(columns, lines, others)


def _merge(first: Body, second: Body) -> Body:
    """The records of both bodies, the columns' rows in line order."""
    if not len(second.lines):
        return Body(first.columns, first.lines, first.others + second.others)
    lines = np.concatenate([first.lines, second.lines])
    order = pa.array(np.argsort(lines, kind="stable"))
    columns = [
        pa.concat_arrays([a, b]).take(order)
        for a, b in zip(first.columns, second.columns, strict=True)
    ]
    return Body(columns, np.sort(lines), first.others + second.others)


def _parse_with_arrow(
    source: pa.Buffer, width: int, positions: Sequence[int], longest: int
) -> tuple[pa.Table, list[tuple[int, str]]]:
    """pyarrow's reading of regular records: the columns at ``positions`` of the rows with
    ``width`` fields, and the number (from 1) and text of every other row."""
    names = [f"f{index}" for index in range(width)]
    wanted = [names[position] for position in positions]
    bad: list[tuple[int, str]] = []

    def keep_aside(row: pa_csv.InvalidRow) -> str:
        bad.append((row.number, row.text))
        return "skip"

    if source.size == 0:
        return pa.table({name: pa.array([], type=pa.string()) for name in wanted}), bad
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(source),
            read_options=pa_csv.ReadOptions(
                column_names=names,
                use_threads=False,  # rows handed to keep_aside in order, with their numbers
                block_size=max(_ARROW_BLOCK, 2 * longest + 2),
            ),
            parse_options=pa_csv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=True, invalid_row_handler=keep_aside
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(wanted, pa.string()),
                include_columns=wanted,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,  # the whole file was checked
            ),
        )
    except pa.ArrowException as exc:
        raise _ArrowDisagrees from exc
    return table, bad
