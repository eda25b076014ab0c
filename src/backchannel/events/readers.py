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
the header's number of fields are mapped column-wise by the layout (``ged_layout``,
``acled_layout``), whose rules (``column_rules``) give each rejected record the reason of
the first rule it breaks and each caveat a warning; every other record is rejected for
its number of fields or as malformed CSV.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa

from backchannel.errors import InvalidInputError, Problem
from backchannel.events import columns as col
from backchannel.events.acled_layout import ACLED_COLUMNS, ACLED_REQUIRED
from backchannel.events.column_rules import Verdicts
from backchannel.events.csv_encoding import decode_file
from backchannel.events.csv_records import Body, Record, SplitFile
from backchannel.events.ged_layout import GED_COLUMNS, GED_REQUIRED
from backchannel.events.layouts import LAYOUTS, Layout, bind_columns, normalise_header, sniff
from backchannel.events.read_result import ReadResult, RejectedRow, RowNote, RowWarning
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
        """The events of ``body`` in line order, and its rejected records in line order."""
        raw = self.raw_columns(body)
        verdicts = Verdicts(raw[self.layout.id_column], self.layout.name)
        columns = self.layout.map(raw, verdicts, self.strict_bounds)
        lines = body.lines.tolist()
        rejected = [
            RejectedRow(self.file, lines[row], reason, verdicts.event_id(row))
            for row, reason in verdicts.rejections
        ]
        rejected += [self.unread(record) for record in body.others]
        # a record's warnings in the order its rules were met, the records in line order
        self.warnings = [
            RowWarning(self.file, lines[row], reason, verdicts.event_id(row))
            for row, reason in sorted(verdicts.warnings, key=lambda note: note.row)
        ]
        events, duplicates = _assemble(columns, verdicts.accepted, body.lines, self.file)
        return events, sorted(rejected + duplicates, key=lambda row: row.line)

    def raw_columns(self, body: Body) -> dict[str, pa.Array]:
        """The used columns of the full records, stripped ("" when absent)."""
        present = iter(body.columns)
        rows = len(body.lines)
        return {
            name: col.stripped(next(present))
            if index is not None
            else col.constant("", pa.string(), rows)
            for name, index in self.positions
        }

    def unread(self, record: Record) -> RejectedRow:
        """A record without the header's number of fields, or that the csv module could
        not read, rejected naming its event id when its id field can be read."""
        index, fields = self.id_position, record.fields
        raw = fields[index].strip() if index is not None and index < len(fields) else ""
        event_id = f"{self.layout.name}:{raw}" if raw else None
        if record.error is not None:
            reason = f"malformed CSV: {record.error}"
        else:
            reason = f"wrong number of fields: expected {self.width}, found {len(fields)}"
            if record.last_line > record.first_line:
                reason += f" (the record runs to line {record.last_line}: an unclosed quote?)"
        return RejectedRow(self.file, record.first_line, reason, event_id)


def _assemble(
    columns: col.EventColumns, accepted: np.ndarray, lines: np.ndarray, file: str
) -> tuple[pa.Table, list[RejectedRow]]:
    """The accepted events in line order, less the repeats of an event id (rejected)."""
    columns["source_file"] = col.constant(file, pa.string(), len(accepted))
    columns["source_line"] = pa.array(lines, type=pa.int64())
    table = pa.Table.from_arrays(
        [columns[name] for name in EVENT_SCHEMA.names], schema=EVENT_SCHEMA
    )
    if not accepted.all():
        table = table.filter(pa.array(accepted))
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
