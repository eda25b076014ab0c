"""Readers for UCDP GED and ACLED CSV files, both mapped onto the one event table.

Every record of a file is either accepted (a row of ``events``, conforming to
``EVENT_SCHEMA``) or rejected with its file, line and reason, so ``rows_read ==
accepted + len(rejected)`` always holds. Problems with the file as a whole (cannot be
opened, no header, a required column missing) raise ``InvalidInputError``.

Line numbers are exact: quoted GED fields (``source_article``, ``source_headline``) may
hold newlines, so a record is located by the line it *starts* on.

How a file is read: its codec is found and its text handed on as UTF-8
(``csv_encoding``); it is split into records exactly as Python's ``csv.reader`` splits
it, with the line each starts on (``csv_records``, numpy and pyarrow); the records with
the header's number of fields are mapped column-wise where plainly valid (the layouts'
fast paths, ``columns``), and every other record one at a time by the layout's mapper,
which gives the exact reason for a rejection and every warning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa

from backchannel.errors import InvalidInputError, Problem
from backchannel.events import columns as col
from backchannel.events.acled_layout import ACLED_COLUMNS, ACLED_REQUIRED
from backchannel.events.csv_encoding import decode_file
from backchannel.events.csv_records import Body, Record, SplitFile
from backchannel.events.ged_layout import GED_COLUMNS, GED_REQUIRED
from backchannel.events.layouts import LAYOUTS, Layout, bind_columns, normalise_header, sniff
from backchannel.events.read_result import ReadResult, RejectedRow, RowNote, RowWarning
from backchannel.events.row_values import Event, Row, RowRejected
from backchannel.events.schema import EVENT_SCHEMA

__all__ = [
    "ACLED_COLUMNS",
    "ACLED_REQUIRED",
    "GED_COLUMNS",
    "GED_REQUIRED",
    "ReadResult",
    "RejectedRow",
    "RowNote",
    "RowWarning",
    "read_acled",
    "read_events",
    "read_ged",
]


def read_ged(path: str | Path, *, strict_bounds: bool = False) -> ReadResult:
    """Read a UCDP GED CSV (the official 49-column layout, or a subset with the required
    columns) into the event table.

    ``low > best`` or ``best > high`` occurs in the official releases (20 of 1,848 CAR
    events in GED 23.1); such rows are kept with a ``RowWarning`` since ``best`` is UCDP's
    own estimate, and rejected instead when ``strict_bounds`` is true.
    """
    return read_events(path, "ged", strict_bounds=strict_bounds)


def read_acled(path: str | Path) -> ReadResult:
    """Read an ACLED CSV export (ACLED's standard columns) into the event table."""
    return read_events(path, "acled")


def read_events(
    path: str | Path, format: str | None = None, *, strict_bounds: bool = False
) -> ReadResult:
    """Read a GED or ACLED CSV; ``format`` (``ged`` / ``acled``) is sniffed from the header
    when ``None``.

    Raises ``InvalidInputError`` naming the file when it cannot be read, has no header,
    matches neither layout, or lacks a required column of the chosen one.
    """
    source = Path(path)
    file = str(source.absolute())
    if format is not None and format not in LAYOUTS:
        raise InvalidInputError(
            file, [Problem("format", f"unknown format {format!r}; expected ged or acled")]
        )
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise InvalidInputError(file, [Problem("", f"cannot read the file: {exc}")]) from exc
    # the digest is taken on another thread while the file is split (hashlib lets go of
    # the interpreter on large inputs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(_sha256, data)
        return _read(data, file, format, strict_bounds, digest)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(
    data: bytes, file: str, format: str | None, strict_bounds: bool, digest: Future[str]
) -> ReadResult:
    text = decode_file(data, file)
    records = SplitFile(text.utf8)
    if records.header is None:
        raise InvalidInputError(file, [Problem("", "no header: the file has no records")])
    header = normalise_header(records.header.fields)
    layout = LAYOUTS[format or sniff(header, file, records.header.first_line)]
    reading = _Reading(file, layout, header, records.header.first_line, strict_bounds)
    body = records.body(len(header), reading.present_positions)
    events, rejected = reading.map(body)
    return ReadResult(
        events=events,
        rejected=rejected,
        rows_read=body.records,
        source_file=file,
        format=layout.name,
        encoding=text.encoding,
        sha256=digest.result(),
        warnings=reading.warnings,
    )


class _Reading:
    """The state of reading one file: column positions and warnings."""

    def __init__(
        self, file: str, layout: Layout, header: list[str], line: int, strict_bounds: bool
    ) -> None:
        bound = bind_columns(layout, header, file, line)
        self.file = file
        self.layout = layout
        self.strict_bounds = strict_bounds
        self.width = len(header)
        self.positions = [(name, bound[name]) for name in layout.used]
        self.present_positions = [index for _, index in self.positions if index is not None]
        self.id_position = bound[layout.id_column]
        self.warnings: list[RowWarning] = []

    def map(self, body: Body) -> tuple[pa.Table, list[RejectedRow]]:
        """The events of ``body`` in line order, and its rejected records."""
        raw = self.raw_columns(body)
        fast, plain = self.layout.fast(raw)
        slow: list[tuple[int, Record | dict[str, str]]] = [
            (record.first_line, record) for record in body.others
        ]
        slow += self.full_rows(raw, body.lines, np.flatnonzero(~plain))
        slow.sort(key=lambda item: item[0])
        slow_events: list[Event] = []
        rejected: list[RejectedRow] = []
        for line, record in slow:
            try:
                slow_events.append(self.event(line, record))
            except RowRejected as exc:
                rejected.append(RejectedRow(self.file, line, exc.reason, self.event_id(record)))
        events, duplicates = _assemble(fast, plain, body.lines, slow_events, self.file)
        if duplicates:
            rejected = sorted(rejected + duplicates, key=lambda row: row.line)
        return events, rejected

    def raw_columns(self, body: Body) -> dict[str, pa.Array]:
        """The used columns of the full records, stripped as the per-record mapper strips
        every field ("" when absent)."""
        present = iter(body.columns)
        rows = len(body.lines)
        return {
            name: col.stripped(next(present))
            if index is not None
            else col.constant("", pa.string(), rows)
            for name, index in self.positions
        }

    @staticmethod
    def full_rows(
        raw: dict[str, pa.Array], lines: np.ndarray, rows: np.ndarray
    ) -> list[tuple[int, Record | dict[str, str]]]:
        """The used fields of some full records by column name, with their lines."""
        if not len(rows):
            return []
        taken = pa.array(rows)
        values = {name: column.take(taken).to_pylist() for name, column in raw.items()}
        return [
            (line, {name: column[row] for name, column in values.items()})
            for row, line in enumerate(lines[rows].tolist())
        ]

    def event_id(self, record: Record | dict[str, str]) -> str | None:
        """The record's event id when its id field can be read, else ``None``."""
        if isinstance(record, dict):
            raw = record[self.layout.id_column].strip()
        else:
            index, fields = self.id_position, record.fields
            raw = fields[index].strip() if index is not None and index < len(fields) else ""
        return f"{self.layout.name}:{raw}" if raw else None

    def event(self, line: int, record: Record | dict[str, str]) -> Event:
        """Map one record to an event, or raise ``RowRejected`` saying why not (repeated
        event ids are found afterwards, over the events of both paths)."""
        if isinstance(record, dict):
            values = {name: value.strip() for name, value in record.items()}
        elif record.error is not None:
            raise RowRejected(f"malformed CSV: {record.error}")
        elif len(record.fields) != self.width:
            raise RowRejected(_field_count_reason(record, self.width))
        else:
            values = {
                name: (record.fields[index].strip() if index is not None else "")
                for name, index in self.positions
            }
        return self.layout.mapper(Row(values, self.file, line, self.warnings), self.strict_bounds)


def _field_count_reason(record: Record, width: int) -> str:
    reason = f"wrong number of fields: expected {width}, found {len(record.fields)}"
    if record.last_line > record.first_line:
        reason += f" (the record runs to line {record.last_line}: an unclosed quote?)"
    return reason


def _assemble(
    fast: col.FastColumns,
    plain: np.ndarray,
    lines: np.ndarray,
    slow_events: list[Event],
    file: str,
) -> tuple[pa.Table, list[RejectedRow]]:
    """The events of both paths in line order, less the repeats of an event id (rejected)."""
    fast["source_file"] = col.constant(file, pa.string(), len(plain))
    fast["source_line"] = pa.array(lines, type=pa.int64())
    table = pa.Table.from_arrays([fast[name] for name in EVENT_SCHEMA.names], schema=EVENT_SCHEMA)
    if slow_events:
        # the plain rows of the fast path and the slow path's events, merged by line
        table = pa.concat_tables([table, _to_table(slow_events)])
        rows = np.concatenate([np.flatnonzero(plain), np.arange(len(slow_events)) + len(plain)])
        rows_lines = np.concatenate([lines[plain], [event.source_line for event in slow_events]])
        table = table.take(pa.array(rows[np.argsort(rows_lines, kind="stable")]))
    elif not plain.all():
        table = table.filter(pa.array(plain))
    table = table.combine_chunks()
    repeated, first = col.repeats(table["event_id"])
    if not len(repeated):
        return table, []
    ids = table["event_id"].take(pa.array(repeated)).to_pylist()
    at = table["source_line"].to_numpy()
    duplicates = [
        RejectedRow(
            file,
            int(at[row]),
            f"duplicate event id {event_id} (first on line {at[earlier]})",
            event_id,
        )
        for row, earlier, event_id in zip(repeated, first, ids, strict=True)
    ]
    kept = np.ones(table.num_rows, dtype=bool)
    kept[repeated] = False
    return table.filter(pa.array(kept)), duplicates


def _to_table(events: list[Event]) -> pa.Table:
    columns: list[Sequence[object]] = (
        [list(c) for c in zip(*events, strict=True)] if events else [[] for _ in EVENT_SCHEMA]
    )
    arrays = [
        pa.array(values, type=f.type) for values, f in zip(columns, EVENT_SCHEMA, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=EVENT_SCHEMA)
