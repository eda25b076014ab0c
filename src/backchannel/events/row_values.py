"""One record's fields read as event values, with the exact reason when one is wrong.

The per-record mappers of the GED and ACLED layouts are built from these functions; the
column-wise fast path (``columns``) converts each distinct value with the same functions,
so both paths agree on what is valid.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from backchannel.events.read_result import RowWarning
from backchannel.events.schema import EVENT_SCHEMA

__all__ = [
    "Event",
    "Row",
    "RowRejected",
    "check_year",
    "coordinate",
    "count",
    "count_or_none",
    "count_value",
    "date_or_none",
    "optional_int",
    "parse_date",
    "required_text",
    "show",
]

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
_SHOWN = 40
_MAX_DIGITS = 15  # fits int64 with room; longer is a broken field, not a count


class RowRejected(Exception):
    """Raised by a row mapper; becomes a ``RejectedRow``."""

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


if Event._fields != tuple(EVENT_SCHEMA.names):  # pragma: no cover - guards schema edits
    raise RuntimeError("row_values.Event is out of step with EVENT_SCHEMA")


class Row(dict[str, str]):
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
        """Note a caveat on this record's event."""
        self.warnings.append(RowWarning(self.file, self.line, reason, event_id))


def show(value: str, limit: int = _SHOWN) -> str:
    """``value`` quoted for a message, cut to ``limit`` characters."""
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


@functools.lru_cache(maxsize=8192)
def date_or_none(text: str, long_form: bool) -> date | None:
    """``YYYY-MM-DD`` (a time after it is allowed), or with ``long_form`` also
    ``DD Month YYYY``; ``None`` when ``text`` is neither."""
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
    """The date in ``column``, or rejected as unparseable."""
    text = row[column]
    parsed = date_or_none(text, long_form)
    if parsed is None:
        expected = "YYYY-MM-DD or DD Month YYYY" if long_form else "YYYY-MM-DD"
        raise RowRejected(f"unparseable date: {column} {show(text)} (expected {expected})")
    return parsed


def count(row: Row, column: str) -> int:
    """A whole number of deaths ≥ 0 (``12.0`` as written by spreadsheets is accepted)."""
    text = row[column]
    value = count_value(text)
    if value is not None:
        return value
    if text.startswith("-") and count_or_none(text[1:]) is not None:
        raise RowRejected(f"negative deaths: {column} {text}")
    if not text:
        raise RowRejected(f"non-integer deaths: {column} is empty")
    raise RowRejected(f"non-integer deaths: {column} {show(text)}")


def count_value(text: str) -> int | None:
    """The count ``count`` accepts, else ``None``."""
    value = count_or_none(text)
    if value is None and _WHOLE_FLOAT.fullmatch(text):
        value = count_or_none(text.split(".", 1)[0])
    return value


def count_or_none(text: str) -> int | None:
    """ASCII digits only (``int`` would also take ``+1``, ``1_000`` and other scripts)."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        return int(text)
    return None


def optional_int(row: Row, column: str) -> int | None:
    """A whole number (negative allowed), ``None`` when empty."""
    text = row[column]
    if not text:
        return None
    value = count_or_none(text.removeprefix("-"))
    if value is None:
        raise RowRejected(f"{column} {show(text)} is not a whole number")
    return -value if text.startswith("-") else value


def coordinate(row: Row, column: str, bound: float) -> float | None:
    """A number within ``[-bound, bound]``, ``None`` when empty."""
    text = row[column]
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowRejected(f"{column} {show(text)} is not a number") from None
    if not math.isfinite(value) or not -bound <= value <= bound:
        raise RowRejected(f"{column} {show(text)} out of range [-{bound:g}, {bound:g}]")
    return value


def required_text(row: Row, column: str, what: str) -> str:
    """The text in ``column``, or rejected as an empty ``what``."""
    text = row[column]
    if not text:
        raise RowRejected(f"empty {what}: {column} is empty")
    return text


def check_year(row: Row, event_id: str, start: date) -> None:
    """Warn when the source's year column disagrees with date_start (whose year is kept)."""
    text = row["year"]
    if text and text != str(start.year):
        row.warn(event_id, f"year {show(text)} differs from date_start {start}; kept {start.year}")
