"""A per-record reading of GED and ACLED files: the readable oracle the product is held to.

The product maps every record column-wise (``backchannel.events.readers``). This module
says the same rules one record at a time, in the order a reader checks them, with
Python's ``csv.reader`` splitting the file: each record is rejected with the first rule
it breaks, or becomes an event, and any caveat met on the way is a warning (a caveat met
before a later rule rejects the record is still reported, as the product reports it).
Repeated event ids are rejected afterwards, naming the line of the first.

It is kept apart from the product on purpose: a differential test reads generated files
both ways and compares events, rejections (line and reason) and warnings.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from backchannel.events.layouts import LAYOUTS, bind_columns, normalise_header, sniff
from backchannel.events.read_result import RowWarning
from backchannel.events.schema import EVENT_SCHEMA, ViolenceType

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
_MAX_DIGITS = 15

_GED_TYPES = {
    "1": ViolenceType.STATE_BASED,
    "2": ViolenceType.NON_STATE,
    "3": ViolenceType.ONE_SIDED,
}
_BATTLES = "battles"
_VAC = "violence against civilians"
_EVENT_TYPES = frozenset(
    {_BATTLES, _VAC, "explosions/remote violence", "riots", "protests", "strategic developments"}
)


class Rejected(Exception):
    """A record broke a rule; ``reason`` says which, as a user reads it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Event(NamedTuple):
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


assert Event._fields == tuple(EVENT_SCHEMA.names)


class Row(dict[str, str]):
    """The stripped fields of one record by column name, where it starts, and the file's
    warnings (a caveat on the record is added to them)."""

    def __init__(
        self, values: dict[str, str], file: str, line: int, warnings: list[RowWarning]
    ) -> None:
        super().__init__(values)
        self.file = file
        self.line = line
        self.warnings = warnings

    def warn(self, event_id: str, reason: str) -> None:
        self.warnings.append(RowWarning(self.file, self.line, reason, event_id))


@dataclass
class Reading:
    """What the oracle made of a file."""

    events: list[Event] = field(default_factory=list)
    rejected: list[tuple[int, str, str | None]] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)


# --------------------------------------------------------------------------- values


def show(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def date_or_none(text: str, long_form: bool) -> date | None:
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


def parse_date(row: Row, column: str, long_form: bool = False) -> date:
    text = row[column]
    parsed = date_or_none(text, long_form)
    if parsed is None:
        expected = "YYYY-MM-DD or DD Month YYYY" if long_form else "YYYY-MM-DD"
        raise Rejected(f"unparseable date: {column} {show(text)} (expected {expected})")
    return parsed


def digits(text: str) -> int | None:
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        return int(text)
    return None


def count(row: Row, column: str) -> int:
    text = row[column]
    value = digits(text)
    if value is None and _WHOLE_FLOAT.fullmatch(text):
        value = digits(text.split(".", 1)[0])
    if value is not None:
        return value
    if text.startswith("-") and digits(text[1:]) is not None:
        raise Rejected(f"negative deaths: {column} {text}")
    if not text:
        raise Rejected(f"non-integer deaths: {column} is empty")
    raise Rejected(f"non-integer deaths: {column} {show(text)}")


def optional_int(row: Row, column: str) -> int | None:
    text = row[column]
    if not text:
        return None
    value = digits(text.removeprefix("-"))
    if value is None:
        raise Rejected(f"{column} {show(text)} is not a whole number")
    return -value if text.startswith("-") else value


def coordinate(row: Row, column: str, bound: float) -> float | None:
    text = row[column]
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise Rejected(f"{column} {show(text)} is not a number") from None
    if not math.isfinite(value) or not -bound <= value <= bound:
        raise Rejected(f"{column} {show(text)} out of range [-{bound:g}, {bound:g}]")
    return value


def required_text(row: Row, column: str, what: str) -> str:
    text = row[column]
    if not text:
        raise Rejected(f"empty {what}: {column} is empty")
    return text


def check_year(row: Row, event_id: str, start: date) -> None:
    text = row["year"]
    if text and text != str(start.year):
        row.warn(event_id, f"year {show(text)} differs from date_start {start}; kept {start.year}")


# --------------------------------------------------------------------------- layouts


def ged_event(row: Row, strict_bounds: bool) -> Event:
    event_id = "ged:" + required_text(row, "id", "event id")
    violence = _GED_TYPES.get(row["type_of_violence"])
    if violence is None:
        raise Rejected(
            f"unknown type_of_violence {show(row['type_of_violence'])} (expected 1, 2 or 3)"
        )
    start, end = parse_date(row, "date_start"), parse_date(row, "date_end")
    if end < start:
        raise Rejected(f"end before start: date_end {end} is before date_start {start}")
    if digits(row["year"]) is None:
        raise Rejected(f"year {show(row['year'])} is not a whole number")
    check_year(row, event_id, start)
    best, low, high = count(row, "best"), count(row, "low"), count(row, "high")
    faults = []
    if low > best:
        faults.append(f"low {low} > best {best}")
    if best > high:
        faults.append(f"best {best} > high {high}")
    if faults and strict_bounds:
        raise Rejected("; ".join(faults))
    if faults:
        row.warn(event_id, "; ".join(faults) + " (kept as UCDP published it)")
    return Event(
        event_id=event_id,
        source="ged",
        date_start=start,
        date_end=end,
        year=start.year,
        country=required_text(row, "country", "country"),
        admin1=row["adm_1"] or None,
        admin2=row["adm_2"] or None,
        latitude=coordinate(row, "latitude", 90.0),
        longitude=coordinate(row, "longitude", 180.0),
        actor1=required_text(row, "side_a", "perpetrator"),
        actor2=row["side_b"] or None,
        actor1_ucdp_id=optional_int(row, "side_a_new_id"),
        actor2_ucdp_id=optional_int(row, "side_b_new_id"),
        assoc_actor1=None,
        assoc_actor2=None,
        violence_type=violence.value,
        event_type=None,
        sub_event_type=None,
        civilian_targeting=violence is ViolenceType.ONE_SIDED,
        deaths_best=best,
        deaths_low=low,
        deaths_high=high,
        deaths_civilians=count(row, "deaths_civilians"),
        source_file=row.file,
        source_line=row.line,
    )


def acled_event(row: Row, strict_bounds: bool) -> Event:
    event_id = "acled:" + required_text(row, "event_id_cnty", "event id")
    event_type = row["event_type"].lower()
    if event_type not in _EVENT_TYPES:
        raise Rejected(
            f"unknown event_type {show(row['event_type'])} (expected one of ACLED's: Battles, "
            "Violence against civilians, Explosions/Remote violence, Riots, Protests, "
            "Strategic developments)"
        )
    start = parse_date(row, "event_date", long_form=True)
    check_year(row, event_id, start)
    fatalities = count(row, "fatalities")
    flag = row["civilian_targeting"].lower()
    if flag not in ("", "civilian targeting"):
        row.warn(event_id, f"civilian_targeting {show(row['civilian_targeting'])} not understood")
    targeting = flag == "civilian targeting" or event_type == _VAC
    if event_type == _VAC:
        violence = ViolenceType.ONE_SIDED
    elif event_type != _BATTLES:
        violence = ViolenceType.OTHER
    elif any(row[c] == "1" or row[c].lower() == "state forces" for c in ("inter1", "inter2")):
        violence = ViolenceType.STATE_BASED
    else:
        violence = ViolenceType.NON_STATE
    return Event(
        event_id=event_id,
        source="acled",
        date_start=start,
        date_end=start,
        year=start.year,
        country=required_text(row, "country", "country"),
        admin1=row["admin1"] or None,
        admin2=row["admin2"] or None,
        latitude=coordinate(row, "latitude", 90.0),
        longitude=coordinate(row, "longitude", 180.0),
        actor1=required_text(row, "actor1", "perpetrator"),
        actor2=row["actor2"] or None,
        actor1_ucdp_id=None,
        actor2_ucdp_id=None,
        assoc_actor1=row["assoc_actor_1"] or None,
        assoc_actor2=row["assoc_actor_2"] or None,
        violence_type=violence.value,
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


_MAPPERS = {"ged": ged_event, "acled": acled_event}


# --------------------------------------------------------------------------- files


def records(text: str) -> list[tuple[int, int, list[str] | str]]:
    """Each record of ``text`` as ``csv.reader`` reads it: the lines it spans, and its
    fields or the csv module's complaint; blank lines are no record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    found: list[tuple[int, int, list[str] | str]] = []
    previous_end = 0
    while True:
        try:
            fields: list[str] | str = next(reader)
        except StopIteration:
            return found
        except csv.Error as exc:
            fields = str(exc)
        if fields:
            found.append((previous_end + 1, reader.line_num, fields))
        previous_end = reader.line_num


def _text(path: Path) -> str:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return handle.read()


def read_reference(path: Path, format: str | None = None, strict_bounds: bool = False) -> Reading:
    """The file (UTF-8) read one record at a time by the rules above."""
    file = str(path.absolute())
    (header_line, _, header_fields), *body = records(_text(path))
    assert isinstance(header_fields, list)
    header = normalise_header(header_fields)
    layout = LAYOUTS[format or sniff(header, file, header_line)]
    positions = bind_columns(layout, header, file, header_line)
    mapper = _MAPPERS[layout.name]
    id_at = positions[layout.id_column]
    reading = Reading()
    first_of: dict[str, int] = {}
    for first_line, last_line, fields in body:
        readable = isinstance(fields, list) and id_at is not None and id_at < len(fields)
        raw_id = fields[id_at].strip() if readable and id_at is not None else ""
        event_id = f"{layout.name}:{raw_id}" if raw_id else None
        try:
            if isinstance(fields, str):
                raise Rejected(f"malformed CSV: {fields}")
            if len(fields) != len(header):
                reason = f"wrong number of fields: expected {len(header)}, found {len(fields)}"
                if last_line > first_line:
                    reason += f" (the record runs to line {last_line}: an unclosed quote?)"
                raise Rejected(reason)
            values = {
                name: fields[index].strip() if index is not None else ""
                for name, index in positions.items()
            }
            event = mapper(Row(values, file, first_line, reading.warnings), strict_bounds)
        except Rejected as exc:
            reading.rejected.append((first_line, exc.reason, event_id))
            continue
        if event.event_id in first_of:
            first = first_of[event.event_id]
            reason = f"duplicate event id {event.event_id} (first on line {first})"
            reading.rejected.append((first_line, reason, event.event_id))
            continue
        first_of[event.event_id] = first_line
        reading.events.append(event)
    return reading
