"""Baseline for ``benchmarks/ingest.py`` only, not part of the product: the event
reader as it was before the record splitter (``events/csv_records.py``), when records
came from ``csv.reader`` as a list of lists. Kept unchanged so that the benchmark can
time it and check that the product's reader gives the same results.

Readers for UCDP GED and ACLED CSV files, both mapped onto the one event table.

Every record of a file is either accepted (a row of ``events``, conforming to
``EVENT_SCHEMA``) or rejected with its file, line and reason, so ``rows_read ==
accepted + len(rejected)`` always holds. Problems with the file as a whole (cannot be
opened, no header, a required column missing) raise ``InvalidInputError``.

Line numbers are exact: quoted GED fields (``source_article``, ``source_headline``) may
hold newlines, so a record is located by the line it *starts* on.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import IO, NamedTuple

import csv_module_columns as col
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from backchannel.errors import InvalidInputError, Problem
from backchannel.events.schema import EVENT_SCHEMA, ViolenceType

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

GED_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence",
    "conflict_dset_id", "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id",
    "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id",
    "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office",
    "source_date", "source_headline", "source_original", "where_prec", "where_coordinates",
    "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec",
    "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
    "best", "high", "low", "gwnoa", "gwnob",
)  # fmt: skip
"""The official UCDP GED CSV layout, in order."""

GED_REQUIRED: frozenset[str] = frozenset(
    {"id", "year", "type_of_violence", "side_a", "side_b", "country", "date_start",
     "date_end", "best", "low", "high", "deaths_civilians"}
)  # fmt: skip
"""GED columns without which a file is refused; every other column may be absent."""

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
    "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1",
    "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
    "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
"""ACLED's standard CSV export layout, in order."""

ACLED_REQUIRED: frozenset[str] = frozenset(
    {"event_id_cnty", "event_date", "event_type", "actor1", "inter1", "inter2", "country",
     "fatalities"}
)  # fmt: skip
"""ACLED columns without which a file is refused (inter1/inter2 decide state-based battles)."""

_GED_MARKERS = frozenset({"id", "type_of_violence", "side_a", "best"})
_ACLED_MARKERS = frozenset({"event_id_cnty", "event_type", "actor1", "fatalities"})
_GED_TYPES = {
    "1": ViolenceType.STATE_BASED,
    "2": ViolenceType.NON_STATE,
    "3": ViolenceType.ONE_SIDED,
}
_ACLED_BATTLES = "battles"
_ACLED_VAC = "violence against civilians"
_ACLED_EVENT_TYPES = frozenset(
    {_ACLED_BATTLES, _ACLED_VAC, "explosions/remote violence", "riots", "protests",
     "strategic developments"}
)  # fmt: skip
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")],
        start=1,
    )
    for name in names
}  # fmt: skip
_ISO_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)?"
)
_LONG_DATE = re.compile(r"([0-9]{1,2})[ -]([A-Za-z]+)\.?[ -]([0-9]{4})")
_WHOLE_FLOAT = re.compile(r"[0-9]+\.0*")
_CHUNK = 1 << 20
_SHOWN = 40
_MAX_DIGITS = 15  # fits int64 with room; longer is a broken field, not a count


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RowNote:
    """Something said about one record of a file: where it starts, what, and its event id."""

    file: str
    line: int
    reason: str
    event_id: str | None = None

    def describe(self) -> str:
        """Render as ``file:line: [event id: ]reason``."""
        who = f"{self.event_id}: " if self.event_id else ""
        return f"{self.file}:{self.line}: {who}{self.reason}"

    def as_problem(self) -> Problem:
        """The same note as an ``errors.Problem`` (location = the event id when known)."""
        return Problem(location=self.event_id or "", message=self.reason, line=self.line)


@dataclass(frozen=True)
class RejectedRow(RowNote):
    """A record the reader refused; it is not in ``ReadResult.events``."""


@dataclass(frozen=True)
class RowWarning(RowNote):
    """A record that was accepted as the source wrote it, with a caveat worth knowing."""


@dataclass(frozen=True)
class ReadResult:
    """What one file yielded: accepted events, rejected rows, and how the file was read.

    ``encoding`` is the codec that decoded the file (``utf-8``, ``utf-8-sig`` when it had
    a byte-order mark, ``utf-16``, else the ``cp1252`` / ``latin-1`` fallback); ``sha256``
    is the digest of its bytes. Construction refuses a table that does not conform to
    ``EVENT_SCHEMA`` or counts that do not reconcile.
    """

    events: pa.Table
    rejected: list[RejectedRow]
    rows_read: int
    source_file: str = ""
    format: str = ""
    encoding: str = ""
    sha256: str = ""
    warnings: list[RowWarning] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.events.schema.equals(EVENT_SCHEMA, check_metadata=False):
            raise ValueError("events do not conform to EVENT_SCHEMA")
        if self.rows_read != self.accepted + len(self.rejected):
            raise ValueError(
                f"counts do not reconcile: read {self.rows_read} != accepted "
                f"{self.accepted} + rejected {len(self.rejected)}"
            )

    @property
    def accepted(self) -> int:
        """Number of events accepted (rows of ``events``)."""
        return int(self.events.num_rows)


# --------------------------------------------------------------------------- public API


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
    if format is not None and format not in _LAYOUTS:
        raise InvalidInputError(
            file, [Problem("format", f"unknown format {format!r}; expected ged or acled")]
        )
    encoding, digest = _detect_encoding(source, file)
    try:
        with source.open("r", encoding=encoding, newline="") as text:
            return _read_text(text, _Source(file, encoding, digest), format, strict_bounds)
    except OSError as exc:
        raise InvalidInputError(file, [Problem("", f"cannot read the file: {exc}")]) from exc


# --------------------------------------------------------------------------- bytes


def _detect_encoding(source: Path, file: str) -> tuple[str, str]:
    """The codec that decodes the whole file, and the file's sha256."""
    digest = hashlib.sha256()
    try:
        with source.open("rb") as raw:
            head = raw.read(4)
            digest.update(head)
            encoding = _encoding_from_bom(head)
            decoder = codecs.getincrementaldecoder(encoding)()
            valid = _decodes(decoder, head)
            while chunk := raw.read(_CHUNK):
                digest.update(chunk)
                valid = valid and _decodes(decoder, chunk)
            valid = valid and _decodes(decoder, b"", final=True)
    except OSError as exc:
        raise InvalidInputError(file, [Problem("", f"cannot read the file: {exc}")]) from exc
    if not head:
        raise InvalidInputError(file, [Problem("", "the file is empty; expected a header")])
    if valid:
        return encoding, digest.hexdigest()
    if encoding == "utf-16":
        raise InvalidInputError(
            file, [Problem("", "has a UTF-16 byte-order mark but is not UTF-16")]
        )
    return _legacy_encoding(source), digest.hexdigest()


def _encoding_from_bom(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def _decodes(decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError:
        return False
    return True


def _legacy_encoding(source: Path) -> str:
    """cp1252 (Windows exports) when it decodes every byte, else latin-1 (decodes anything)."""
    decoder = codecs.getincrementaldecoder("cp1252")()
    with source.open("rb") as raw:
        while chunk := raw.read(_CHUNK):
            if not _decodes(decoder, chunk):
                return "latin-1"
    return "cp1252"


# --------------------------------------------------------------------------- records


class _Record(NamedTuple):
    """One CSV record: the lines it spans and its fields, or the csv module's complaint."""

    first_line: int
    last_line: int
    fields: list[str]
    error: str | None


def _records(reader: Iterator[list[str]]) -> Iterator[_Record]:
    """Non-blank records with the line each starts on (``line_num`` gives where it ends)."""
    previous_end = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _Record(previous_end + 1, reader.line_num, [], str(exc))  # type: ignore[attr-defined]
        else:
            if fields:
                yield _Record(previous_end + 1, reader.line_num, fields, None)  # type: ignore[attr-defined]
        previous_end = reader.line_num  # type: ignore[attr-defined]


class _RowRejected(Exception):
    """Raised by a row mapper; becomes a ``RejectedRow``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Event(NamedTuple):
    """One accepted event, fields in ``EVENT_SCHEMA`` order."""

    event_id: str
    source: str
    date_start: date
    date_end: date
    year: int
    country: str
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    actor1: str
    actor2: str | None
    actor1_ucdp_id: int | None
    actor2_ucdp_id: int | None
    assoc_actor1: str | None
    assoc_actor2: str | None
    violence_type: str
    event_type: str | None
    sub_event_type: str | None
    civilian_targeting: bool
    deaths_best: int
    deaths_low: int
    deaths_high: int
    deaths_civilians: int
    source_file: str
    source_line: int


if _Event._fields != tuple(EVENT_SCHEMA.names):  # pragma: no cover - guards schema edits
    raise RuntimeError("readers._Event is out of step with EVENT_SCHEMA")


class _Row(dict[str, str]):
    """The fields of one record by column name ("" for an absent optional column), and
    where the record is; a dict so that looking a field up costs no Python call."""

    __slots__ = ("file", "line", "warnings")

    def __init__(
        self, values: Mapping[str, str], file: str, line: int, warnings: list[RowWarning]
    ) -> None:
        super().__init__(values)
        self.file = file
        self.line = line
        self.warnings = warnings

    def warn(self, event_id: str, reason: str) -> None:
        self.warnings.append(RowWarning(self.file, self.line, reason, event_id))


_Mapper = Callable[[_Row, bool], _Event]
_FastMapper = Callable[[dict[str, pa.Array]], tuple[col.FastColumns, np.ndarray]]


@dataclass(frozen=True)
class _Layout:
    """A source layout: its columns, the required ones, the ones its mapper reads, its id
    column (events are ``<name>:<id>``), its row mapper and its column-wise fast path
    (which maps the plainly valid records and leaves the rest to the row mapper)."""

    name: str
    columns: tuple[str, ...]
    required: frozenset[str]
    used: tuple[str, ...]
    id_column: str
    mapper: _Mapper
    fast: _FastMapper


class _Source(NamedTuple):
    """The file being read: its absolute name, codec and digest."""

    file: str
    encoding: str
    sha256: str


def _read_text(
    text: IO[str], source: _Source, format: str | None, strict_bounds: bool
) -> ReadResult:
    # No process-wide tricks (such as pausing the garbage collector) here: a library
    # must not change global state under a multi-threaded caller.
    return _read_records(text, source, format, strict_bounds)


def _read_records(
    text: IO[str], source: _Source, format: str | None, strict_bounds: bool
) -> ReadResult:
    reader = csv.reader(text)
    header_record = next(_records(reader), None)
    if header_record is None:
        raise InvalidInputError(source.file, [Problem("", "no header: the file has no records")])
    header = _normalise_header(header_record)
    layout = _LAYOUTS[format or _sniff(header, source.file, header_record.first_line)]
    reading = _Reading(source.file, layout, header_record, strict_bounds=strict_bounds)
    rows, lines, others = _split_records(reader, reading.width)
    fast, plain = layout.fast(reading.raw_columns(rows))
    slow = sorted(
        others + [_Record(lines[i], lines[i], rows[i], None) for i in np.flatnonzero(~plain)]
    )
    slow_events: list[_Event] = []
    rejected: list[RejectedRow] = []
    for record in slow:
        try:
            slow_events.append(reading.event(record))
        except _RowRejected as exc:
            event_id = reading.event_id(record)
            rejected.append(RejectedRow(source.file, record.first_line, exc.reason, event_id))
    events, duplicates = _assemble(
        fast, plain, np.asarray(lines, dtype=np.int64), slow_events, source.file
    )
    if duplicates:
        rejected = sorted(rejected + duplicates, key=lambda row: row.line)
    return ReadResult(
        events=events,
        rejected=rejected,
        rows_read=len(rows) + len(others),
        source_file=source.file,
        format=layout.name,
        encoding=source.encoding,
        sha256=source.sha256,
        warnings=reading.warnings,
    )


def _split_records(
    reader: Iterator[list[str]], width: int
) -> tuple[list[list[str]], list[int], list[_Record]]:
    """The records after the header: those with ``width`` fields (and the line each starts
    on), and the others (malformed, or with a wrong number of fields)."""
    rows: list[list[str]] = []
    lines: list[int] = []
    others: list[_Record] = []
    previous_end = reader.line_num  # type: ignore[attr-defined]
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line_num = reader.line_num  # type: ignore[attr-defined]
            others.append(_Record(previous_end + 1, line_num, [], str(exc)))
        else:
            line_num = reader.line_num  # type: ignore[attr-defined]
            if len(fields) == width:
                rows.append(fields)
                lines.append(previous_end + 1)
            elif fields:
                others.append(_Record(previous_end + 1, line_num, fields, None))
        previous_end = line_num
    return rows, lines, others


def _assemble(
    fast: col.FastColumns,
    plain: np.ndarray,
    lines: np.ndarray,
    slow_events: list[_Event],
    file: str,
) -> tuple[pa.Table, list[RejectedRow]]:
    """The events of both paths in line order, less the repeats of an event id (rejected)."""
    keep = pa.array(plain)
    count = int(plain.sum())
    fast = {name: values.filter(keep) for name, values in fast.items()}
    fast["source_file"] = col.constant(file, pa.string(), count)
    fast["source_line"] = pa.array(lines[plain], type=pa.int64())
    table = pa.Table.from_arrays([fast[name] for name in EVENT_SCHEMA.names], schema=EVENT_SCHEMA)
    if slow_events:
        table = pa.concat_tables([table, _to_table(slow_events)])
        table = table.take(pc.sort_indices(table["source_line"]))
    table = table.combine_chunks()
    first = col.first_occurrences(table["event_id"])
    repeated = np.flatnonzero(first != np.arange(table.num_rows))
    if not len(repeated):
        return table, []
    ids = table["event_id"].take(pa.array(repeated)).to_pylist()
    at = table["source_line"].to_numpy()
    duplicates = [
        RejectedRow(
            file,
            int(at[row]),
            f"duplicate event id {event_id} (first on line {at[first[row]]})",
            event_id,
        )
        for row, event_id in zip(repeated, ids, strict=True)
    ]
    mask = np.ones(table.num_rows, dtype=bool)
    mask[repeated] = False
    return table.filter(pa.array(mask)), duplicates


class _Reading:
    """The state of reading one file: column positions and warnings."""

    def __init__(self, file: str, layout: _Layout, header: _Record, *, strict_bounds: bool) -> None:
        names = _normalise_header(header)
        bound = _bind_columns(layout, names, file, header.first_line)
        self.file = file
        self.layout = layout
        self.strict_bounds = strict_bounds
        self.width = len(names)
        self.positions = [(name, bound[name]) for name in layout.used]
        self.id_position = bound[layout.id_column]
        self.warnings: list[RowWarning] = []

    def raw_columns(self, rows: list[list[str]]) -> dict[str, pa.Array]:
        """The used columns of ``rows`` as strings as written ("" for an absent column)."""
        return {
            name: pa.array(list(map(itemgetter(index), rows)), type=pa.string())
            if index is not None
            else col.constant("", pa.string(), len(rows))
            for name, index in self.positions
        }

    def event_id(self, record: _Record) -> str | None:
        """The record's event id when its id field can be read, else ``None``."""
        index, fields = self.id_position, record.fields
        raw = fields[index].strip() if index is not None and index < len(fields) else ""
        return f"{self.layout.name}:{raw}" if raw else None

    def event(self, record: _Record) -> _Event:
        """Map one record to an event, or raise ``_RowRejected`` saying why not (repeated
        event ids are found afterwards, over the events of both paths)."""
        if record.error is not None:
            raise _RowRejected(f"malformed CSV: {record.error}")
        fields = record.fields
        if len(fields) != self.width:
            raise _RowRejected(_field_count_reason(record, self.width))
        values = {
            name: (fields[index].strip() if index is not None else "")
            for name, index in self.positions
        }
        row = _Row(values, self.file, record.first_line, self.warnings)
        return self.layout.mapper(row, self.strict_bounds)


def _field_count_reason(record: _Record, width: int) -> str:
    reason = f"wrong number of fields: expected {width}, found {len(record.fields)}"
    if record.last_line > record.first_line:
        reason += f" (the record runs to line {record.last_line}: an unclosed quote?)"
    return reason


def _to_table(events: list[_Event]) -> pa.Table:
    columns: list[Sequence[object]] = (
        [list(c) for c in zip(*events, strict=True)] if events else [[] for _ in EVENT_SCHEMA]
    )
    arrays = [
        pa.array(values, type=f.type) for values, f in zip(columns, EVENT_SCHEMA, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=EVENT_SCHEMA)


# --------------------------------------------------------------------------- header


def _normalise_header(record: _Record) -> list[str]:
    names = [name.strip().lower() for name in record.fields]
    if names:
        # a BOM left over when a BOM-marked file fell back to a legacy codec
        names[0] = names[0].removeprefix("\ufeff").removeprefix("ï»¿")
    return names


def _sniff(header: Sequence[str], file: str, line: int) -> str:
    names = set(header)
    if names >= _GED_MARKERS:
        return "ged"
    if names >= _ACLED_MARKERS:
        return "acled"
    raise InvalidInputError(
        file,
        [
            Problem(
                "header",
                "neither a UCDP GED nor an ACLED CSV header; expected GED columns "
                f"{', '.join(GED_COLUMNS)} or ACLED columns {', '.join(ACLED_COLUMNS)}; "
                f"found {_show(', '.join(header), 200)}",
                line,
            )
        ],
    )


def _bind_columns(
    layout: _Layout, header: Sequence[str], file: str, line: int
) -> dict[str, int | None]:
    """Position of every layout column in the header (``None`` when absent and optional)."""
    problems: list[Problem] = []
    positions: dict[str, int | None] = dict.fromkeys(layout.columns)
    for index, name in enumerate(header):
        if name not in positions:
            continue  # an extra column, such as a spreadsheet's index: ignored
        if positions[name] is not None:
            problems.append(Problem("header", f"column {name!r} appears twice", line))
        positions[name] = index
    missing = [c for c in layout.columns if c in layout.required and positions[c] is None]
    if missing:
        problems.append(Problem("header", _missing_columns_message(layout, missing, header), line))
    if problems:
        raise InvalidInputError(file, problems)
    return positions


def _missing_columns_message(layout: _Layout, missing: list[str], header: Sequence[str]) -> str:
    label = "UCDP GED" if layout.name == "ged" else "ACLED"
    message = (
        f"missing required {label} column(s) {', '.join(missing)}; expected the {label} "
        f"header {', '.join(layout.columns)}"
    )
    other = "acled" if layout.name == "ged" else "ged"
    markers = _ACLED_MARKERS if other == "acled" else _GED_MARKERS
    if markers <= set(header):
        message += f" (this looks like a {other.upper()} file: use format {other!r})"
    return message


# --------------------------------------------------------------------------- values


def _show(value: str, limit: int = _SHOWN) -> str:
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


@functools.lru_cache(maxsize=8192)
def _date_or_none(text: str, long_form: bool) -> date | None:
    match = _ISO_DATE.fullmatch(text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        if long_form and (match := _LONG_DATE.fullmatch(text)):
            month = _MONTHS.get(match[2].lower())
            return date(int(match[3]), month, int(match[1])) if month else None
    except ValueError:
        return None
    return None


def _date(row: _Row, column: str, long_form: bool = False) -> date:
    text = row[column]
    parsed = _date_or_none(text, long_form)
    if parsed is None:
        expected = "YYYY-MM-DD or DD Month YYYY" if long_form else "YYYY-MM-DD"
        raise _RowRejected(f"unparseable date: {column} {_show(text)} (expected {expected})")
    return parsed


def _count(row: _Row, column: str) -> int:
    """A whole number of deaths ≥ 0 (``12.0`` as written by spreadsheets is accepted)."""
    text = row[column]
    value = _count_value(text)
    if value is not None:
        return value
    if text.startswith("-") and _count_or_none(text[1:]) is not None:
        raise _RowRejected(f"negative deaths: {column} {text}")
    if not text:
        raise _RowRejected(f"non-integer deaths: {column} is empty")
    raise _RowRejected(f"non-integer deaths: {column} {_show(text)}")


def _count_value(text: str) -> int | None:
    """The count ``_count`` accepts, else ``None``."""
    value = _count_or_none(text)
    if value is None and _WHOLE_FLOAT.fullmatch(text):
        value = _count_or_none(text.split(".", 1)[0])
    return value


def _count_or_none(text: str) -> int | None:
    """ASCII digits only (``int`` would also take ``+1``, ``1_000`` and other scripts)."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        return int(text)
    return None


def _optional_int(row: _Row, column: str) -> int | None:
    text = row[column]
    if not text:
        return None
    value = _count_or_none(text.removeprefix("-"))
    if value is None:
        raise _RowRejected(f"{column} {_show(text)} is not a whole number")
    return -value if text.startswith("-") else value


def _coordinate(row: _Row, column: str, bound: float) -> float | None:
    text = row[column]
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise _RowRejected(f"{column} {_show(text)} is not a number") from None
    if not math.isfinite(value) or not -bound <= value <= bound:
        raise _RowRejected(f"{column} {_show(text)} out of range [-{bound:g}, {bound:g}]")
    return value


def _required_text(row: _Row, column: str, what: str) -> str:
    text = row[column]
    if not text:
        raise _RowRejected(f"empty {what}: {column} is empty")
    return text


def _check_year(row: _Row, event_id: str, start: date) -> None:
    """Warn when the source's year column disagrees with date_start (whose year is kept)."""
    text = row["year"]
    if text and text != str(start.year):
        row.warn(event_id, f"year {_show(text)} differs from date_start {start}; kept {start.year}")


# --------------------------------------------------------------------------- GED


def _ged_event(row: _Row, strict_bounds: bool) -> _Event:
    """Map one GED row: type 1/2/3 → state_based/non_state/one_sided; type 3 targets civilians."""
    raw_id = _required_text(row, "id", "event id")
    event_id = f"ged:{raw_id}"
    violence = _GED_TYPES.get(row["type_of_violence"])
    if violence is None:
        raise _RowRejected(
            f"unknown type_of_violence {_show(row['type_of_violence'])} (expected 1, 2 or 3)"
        )
    start, end = _date(row, "date_start"), _date(row, "date_end")
    if end < start:
        raise _RowRejected(f"end before start: date_end {end} is before date_start {start}")
    if _count_or_none(row["year"]) is None:
        raise _RowRejected(f"year {_show(row['year'])} is not a whole number")
    _check_year(row, event_id, start)
    best, low, high = _count(row, "best"), _count(row, "low"), _count(row, "high")
    _check_bounds(row, event_id, (low, best, high), strict_bounds)
    return _Event(
        event_id=event_id,
        source="ged",
        date_start=start,
        date_end=end,
        year=start.year,
        country=_required_text(row, "country", "country"),
        admin1=row["adm_1"] or None,
        admin2=row["adm_2"] or None,
        latitude=_coordinate(row, "latitude", 90.0),
        longitude=_coordinate(row, "longitude", 180.0),
        actor1=_required_text(row, "side_a", "perpetrator"),
        actor2=row["side_b"] or None,
        actor1_ucdp_id=_optional_int(row, "side_a_new_id"),
        actor2_ucdp_id=_optional_int(row, "side_b_new_id"),
        assoc_actor1=None,
        assoc_actor2=None,
        violence_type=violence.value,
        event_type=None,
        sub_event_type=None,
        civilian_targeting=violence is ViolenceType.ONE_SIDED,
        deaths_best=best,
        deaths_low=low,
        deaths_high=high,
        deaths_civilians=_count(row, "deaths_civilians"),
        source_file=row.file,
        source_line=row.line,
    )


def _check_bounds(
    row: _Row, event_id: str, low_best_high: tuple[int, int, int], strict: bool
) -> None:
    low, best, high = low_best_high
    faults = []
    if low > best:
        faults.append(f"low {low} > best {best}")
    if best > high:
        faults.append(f"best {best} > high {high}")
    if not faults:
        return
    if strict:
        raise _RowRejected("; ".join(faults))
    row.warn(event_id, "; ".join(faults) + " (kept as UCDP published it)")


# --------------------------------------------------------------------------- ACLED


def _acled_event(row: _Row, strict_bounds: bool) -> _Event:
    """Map one ACLED row.

    Battles are state-based when either side is state forces (inter code 1, or the label
    "State forces" of newer exports), else non-state; violence against civilians is
    one-sided; every other event type is ``other``. Civilian targeting comes from the
    ``civilian_targeting`` column or the event type; all fatalities count as deaths_best,
    low and high, and as civilian deaths when civilians were targeted.
    """
    raw_id = _required_text(row, "event_id_cnty", "event id")
    event_id = f"acled:{raw_id}"
    event_type = row["event_type"].lower()
    if event_type not in _ACLED_EVENT_TYPES:
        raise _RowRejected(
            f"unknown event_type {_show(row['event_type'])} (expected one of ACLED's: Battles, "
            "Violence against civilians, Explosions/Remote violence, Riots, Protests, "
            "Strategic developments)"
        )
    start = _date(row, "event_date", long_form=True)
    _check_year(row, event_id, start)
    fatalities = _count(row, "fatalities")
    targeting = _acled_civilian_targeting(row, event_id, event_type)
    return _Event(
        event_id=event_id,
        source="acled",
        date_start=start,
        date_end=start,
        year=start.year,
        country=_required_text(row, "country", "country"),
        admin1=row["admin1"] or None,
        admin2=row["admin2"] or None,
        latitude=_coordinate(row, "latitude", 90.0),
        longitude=_coordinate(row, "longitude", 180.0),
        actor1=_required_text(row, "actor1", "perpetrator"),
        actor2=row["actor2"] or None,
        actor1_ucdp_id=None,
        actor2_ucdp_id=None,
        assoc_actor1=row["assoc_actor_1"] or None,
        assoc_actor2=row["assoc_actor_2"] or None,
        violence_type=_acled_violence_type(row, event_type).value,
        event_type=row["event_type"],
        sub_event_type=row["sub_event_type"] or None,
        civilian_targeting=targeting,
        deaths_best=fatalities,
        deaths_low=fatalities,
        deaths_high=fatalities,
        deaths_civilians=fatalities if targeting else 0,
        source_file=row.file,
        source_line=row.line,
    )


def _acled_violence_type(row: _Row, event_type: str) -> ViolenceType:
    if event_type == _ACLED_VAC:
        return ViolenceType.ONE_SIDED
    if event_type != _ACLED_BATTLES:
        return ViolenceType.OTHER
    if _is_state_forces(row["inter1"]) or _is_state_forces(row["inter2"]):
        return ViolenceType.STATE_BASED
    return ViolenceType.NON_STATE


def _is_state_forces(inter: str) -> bool:
    return inter == "1" or inter.lower() == "state forces"


def _acled_civilian_targeting(row: _Row, event_id: str, event_type: str) -> bool:
    flag = row["civilian_targeting"].lower()
    if flag not in ("", "civilian targeting"):
        row.warn(event_id, f"civilian_targeting {_show(row['civilian_targeting'])} not understood")
    return flag == "civilian targeting" or event_type == _ACLED_VAC


# --------------------------------------------------------------------------- fast paths


def _fast_count(text: str) -> object:
    value = _count_value(text)
    return col.NOT_FAST if value is None else value


def _fast_date(text: str) -> object:
    parsed = _date_or_none(text, False)
    return col.NOT_FAST if parsed is None else parsed


def _fast_long_date(text: str) -> object:
    parsed = _date_or_none(text, True)
    return col.NOT_FAST if parsed is None else parsed


def _fast_optional_int(text: str) -> object:
    if not text:
        return None
    value = _count_or_none(text.removeprefix("-"))
    if value is None:
        return col.NOT_FAST
    return -value if text.startswith("-") else value


def _fast_ged_type(text: str) -> object:
    violence = _GED_TYPES.get(text)
    return col.NOT_FAST if violence is None else violence.value


def _fast_acled_type(text: str) -> object:
    event_type = text.lower()
    return event_type if event_type in _ACLED_EVENT_TYPES else col.NOT_FAST


def _fast_acled_flag(text: str) -> object:
    flag = text.lower()
    return flag == "civilian targeting" if flag in ("", "civilian targeting") else col.NOT_FAST


def _fast_common(
    raw: dict[str, pa.Array], prefix: str, id_column: str, actor1: str, actor2: str
) -> tuple[col.FastColumns, np.ndarray]:
    """The columns GED and ACLED map alike, and the rows where they are plainly valid."""
    plain = ~col.unstripped(raw)
    plain &= col.non_empty(raw[id_column]) & col.non_empty(raw["country"])
    plain &= col.non_empty(raw[actor1])
    latitude, latitude_plain = col.plain_number(raw["latitude"])
    longitude, longitude_plain = col.plain_number(raw["longitude"])
    plain &= latitude_plain & col.in_range(latitude, 90.0)
    plain &= longitude_plain & col.in_range(longitude, 180.0)
    admin1, admin2 = ("adm_1", "adm_2") if prefix == "ged" else ("admin1", "admin2")
    return {
        "event_id": pc.binary_join_element_wise(f"{prefix}:", raw[id_column], ""),
        "source": col.constant(prefix, pa.string(), len(plain)),
        "country": raw["country"],
        "admin1": col.null_if_empty(raw[admin1]),
        "admin2": col.null_if_empty(raw[admin2]),
        "latitude": latitude,
        "longitude": longitude,
        "actor1": raw[actor1],
        "actor2": col.null_if_empty(raw[actor2]),
    }, plain


def _fast_year(
    raw_year: pa.Array, start: pa.Array, empty_allowed: bool
) -> tuple[pa.Array, np.ndarray]:
    """The year of ``start``, and the rows whose year column agrees with it."""
    year = pc.year(start)
    agrees = pc.equal(raw_year, pc.cast(year, pa.string()))
    if empty_allowed:
        agrees = pc.or_(agrees, pc.equal(raw_year, ""))
    return pc.cast(year, pa.int32()), col.mask(agrees)


def _ged_columns(raw: dict[str, pa.Array]) -> tuple[col.FastColumns, np.ndarray]:
    """``_ged_event`` column-wise, for the rows that need neither a reason nor a warning."""
    columns, plain = _fast_common(raw, "ged", "id", "side_a", "side_b")
    violence, known = col.lookup(raw["type_of_violence"], _fast_ged_type, pa.string())
    start, start_plain = col.lookup(raw["date_start"], _fast_date, pa.date32())
    end, end_plain = col.lookup(raw["date_end"], _fast_date, pa.date32())
    plain &= known & start_plain & end_plain & col.mask(pc.greater_equal(end, start))
    year, year_agrees = _fast_year(raw["year"], start, empty_allowed=False)
    plain &= year_agrees
    deaths = {}
    for name in ("best", "low", "high", "deaths_civilians"):
        deaths[name], counted = col.lookup(raw[name], _fast_count, pa.int64())
        plain &= counted
    plain &= col.mask(pc.less_equal(deaths["low"], deaths["best"]))
    plain &= col.mask(pc.less_equal(deaths["best"], deaths["high"]))
    actor1_id, actor1_plain = col.lookup(raw["side_a_new_id"], _fast_optional_int, pa.int64())
    actor2_id, actor2_plain = col.lookup(raw["side_b_new_id"], _fast_optional_int, pa.int64())
    plain &= actor1_plain & actor2_plain
    nothing = pa.nulls(len(plain), pa.string())
    columns.update(
        date_start=start,
        date_end=end,
        year=year,
        actor1_ucdp_id=actor1_id,
        actor2_ucdp_id=actor2_id,
        assoc_actor1=nothing,
        assoc_actor2=nothing,
        violence_type=violence,
        event_type=nothing,
        sub_event_type=nothing,
        civilian_targeting=pc.equal(violence, ViolenceType.ONE_SIDED.value),
        deaths_best=deaths["best"],
        deaths_low=deaths["low"],
        deaths_high=deaths["high"],
        deaths_civilians=deaths["deaths_civilians"],
    )
    return columns, plain


def _acled_columns(raw: dict[str, pa.Array]) -> tuple[col.FastColumns, np.ndarray]:
    """``_acled_event`` column-wise, for the rows that need neither a reason nor a warning."""
    columns, plain = _fast_common(raw, "acled", "event_id_cnty", "actor1", "actor2")
    event_type, known = col.lookup(raw["event_type"], _fast_acled_type, pa.string())
    start, start_plain = col.lookup(raw["event_date"], _fast_long_date, pa.date32())
    year, year_agrees = _fast_year(raw["year"], start, empty_allowed=True)
    fatalities, counted = col.lookup(raw["fatalities"], _fast_count, pa.int64())
    flag, flag_plain = col.lookup(raw["civilian_targeting"], _fast_acled_flag, pa.bool_())
    plain &= known & start_plain & year_agrees & counted & flag_plain
    state1, _ = col.lookup(raw["inter1"], _is_state_forces, pa.bool_())
    state2, _ = col.lookup(raw["inter2"], _is_state_forces, pa.bool_())
    vac = pc.equal(event_type, _ACLED_VAC)
    battles = pc.equal(event_type, _ACLED_BATTLES)
    violence = pc.case_when(
        pc.make_struct(vac, pc.invert(battles), pc.or_(state1, state2)),
        ViolenceType.ONE_SIDED.value,
        ViolenceType.OTHER.value,
        ViolenceType.STATE_BASED.value,
        ViolenceType.NON_STATE.value,
    )
    targeting = pc.or_(flag, vac)
    columns.update(
        date_start=start,
        date_end=start,
        year=year,
        actor1_ucdp_id=pa.nulls(len(plain), pa.int64()),
        actor2_ucdp_id=pa.nulls(len(plain), pa.int64()),
        assoc_actor1=col.null_if_empty(raw["assoc_actor_1"]),
        assoc_actor2=col.null_if_empty(raw["assoc_actor_2"]),
        violence_type=violence,
        event_type=raw["event_type"],
        sub_event_type=col.null_if_empty(raw["sub_event_type"]),
        civilian_targeting=targeting,
        deaths_best=fatalities,
        deaths_low=fatalities,
        deaths_high=fatalities,
        deaths_civilians=pc.if_else(targeting, fatalities, 0),
    )
    return columns, plain


_GED_USED = (
    "id", "year", "type_of_violence", "side_a_new_id", "side_a", "side_b_new_id", "side_b",
    "adm_1", "adm_2", "latitude", "longitude", "country", "date_start", "date_end",
    "deaths_civilians", "best", "high", "low",
)  # fmt: skip
_ACLED_USED = (
    "event_id_cnty", "event_date", "year", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "civilian_targeting",
    "country", "admin1", "admin2", "latitude", "longitude", "fatalities",
)  # fmt: skip
_LAYOUTS: dict[str, _Layout] = {
    "ged": _Layout("ged", GED_COLUMNS, GED_REQUIRED, _GED_USED, "id", _ged_event, _ged_columns),
    "acled": _Layout(
        "acled",
        ACLED_COLUMNS,
        ACLED_REQUIRED,
        _ACLED_USED,
        "event_id_cnty",
        _acled_event,
        _acled_columns,
    ),
}
