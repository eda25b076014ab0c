"""The rules an event record must meet, applied to whole columns at once.

A layout applies its rules in a fixed order. Each rule finds, column-wise, the records
that break it; a record is rejected with the reason of the first rule it breaks, and the
later rules pass it by. A caveat (a year that disagrees with the date, bounds out of
order) is a warning on every record still accepted when the rule is met, even if a later
rule rejects it. Messages are written only for the records they are about.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from backchannel.events import columns as col
from backchannel.events.text_values import (
    count_or_none,
    count_value,
    date_or_none,
    show,
    whole_or_none,
)

__all__ = [
    "Note",
    "Verdicts",
    "check_year",
    "coordinate",
    "counts",
    "dates",
    "optional_ints",
    "reject_bad_count",
    "require_text",
]


class Note(NamedTuple):
    """A reason given about one record: its row among the records, and the text."""

    row: int
    reason: str


class Verdicts:
    """Which records are still accepted, why the others were rejected, and the warnings.

    ``ids`` is the stripped id column; a record's event id is ``<prefix>:<id>``.
    """

    def __init__(self, ids: pa.Array, prefix: str) -> None:
        self.accepted = np.ones(len(ids), dtype=bool)
        self.rejections: list[Note] = []
        self.warnings: list[Note] = []
        self.ids = ids
        self.prefix = prefix

    def reject(self, breaks: np.ndarray, reason: Callable[..., str], *values: pa.Array) -> None:
        """Reject the accepted records among ``breaks``; ``reason`` is called with each
        one's ``values`` (one per column given)."""
        rows = np.flatnonzero(breaks & self.accepted)
        if len(rows):
            self.rejections += self._notes(rows, reason, values)
            self.accepted[rows] = False

    def warn(self, flagged: np.ndarray, reason: Callable[..., str], *values: pa.Array) -> None:
        """Warn about the accepted records among ``flagged``, as ``reject`` words it."""
        rows = np.flatnonzero(flagged & self.accepted)
        if len(rows):
            self.warnings += self._notes(rows, reason, values)

    def event_id(self, row: int) -> str | None:
        """The event id of a record, ``None`` when its id is empty."""
        raw = self.ids[row].as_py()
        return f"{self.prefix}:{raw}" if raw else None

    @staticmethod
    def _notes(
        rows: np.ndarray, reason: Callable[..., str], values: tuple[pa.Array, ...]
    ) -> list[Note]:
        taken = pa.array(rows)
        arguments: list[list[Any]] = [column.take(taken).to_pylist() for column in values]
        per_row = zip(*arguments, strict=True) if arguments else ((),) * len(rows)
        return [
            Note(row, reason(*given)) for row, given in zip(rows.tolist(), per_row, strict=True)
        ]


def require_text(verdicts: Verdicts, raw: pa.Array, column: str, what: str) -> None:
    """Reject the records whose ``column`` is empty."""
    verdicts.reject(col.empty(raw), lambda: f"empty {what}: {column} is empty")


def _date_reason(column: str, long_form: bool) -> Callable[[str], str]:
    expected = "YYYY-MM-DD or DD Month YYYY" if long_form else "YYYY-MM-DD"
    return lambda text: f"unparseable date: {column} {show(text)} (expected {expected})"


def dates(
    verdicts: Verdicts, raw: dict[str, pa.Array], columns: list[str], long_form: bool = False
) -> list[pa.Array]:
    """The dates in ``columns`` (date32), rejecting, column by column, the records whose
    date is neither ``YYYY-MM-DD`` nor, with ``long_form``, ``DD Month YYYY``."""

    def convert(text: str) -> object:
        parsed = date_or_none(text, long_form)
        return col.REFUSED if parsed is None else parsed

    found = col.lookup_together([raw[c] for c in columns], convert, pa.date32())
    for column, (_, parsed) in zip(columns, found, strict=True):
        verdicts.reject(~parsed, _date_reason(column, long_form), raw[column])
    return [values for values, _ in found]


def check_year(verdicts: Verdicts, raw_year: pa.Array, start: pa.Array) -> pa.Array:
    """The year of ``start`` (int32); a warning on the records whose ``year`` column is
    written and says otherwise (the year of ``start`` is kept)."""
    year = pc.year(start)
    differs = col.mask(pc.and_(pc.not_equal(raw_year, pc.cast(year, pa.string())),
                               pc.not_equal(raw_year, "")))  # fmt: skip

    def reason(text: str, day: date) -> str:
        return f"year {show(text)} differs from date_start {day}; kept {day.year}"

    verdicts.warn(differs, reason, raw_year, start)
    return pc.cast(year, pa.int32())


def _count(text: str) -> object:
    value = count_value(text)
    return col.REFUSED if value is None else value


def _count_reason(column: str) -> Callable[[str], str]:
    def reason(text: str) -> str:
        if text.startswith("-") and count_or_none(text[1:]) is not None:
            return f"negative deaths: {column} {text}"
        if not text:
            return f"non-integer deaths: {column} is empty"
        return f"non-integer deaths: {column} {show(text)}"

    return reason


def counts(raw: dict[str, pa.Array], columns: list[str]) -> dict[str, tuple[pa.Array, np.ndarray]]:
    """The death counts in ``columns`` (int64, null where not a count) and the mask of the
    records where each is a whole number ≥ 0 (``12.0`` as spreadsheets write it is one);
    ``reject_bad_count`` applies the rule where a layout checks that count."""
    found = col.lookup_together([raw[c] for c in columns], _count, pa.int64())
    return dict(zip(columns, found, strict=True))


def reject_bad_count(verdicts: Verdicts, raw: pa.Array, column: str, counted: np.ndarray) -> None:
    """Reject the records whose ``column`` is not a count, saying how."""
    verdicts.reject(~counted, _count_reason(column), raw)


def _float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def coordinate(verdicts: Verdicts, raw: pa.Array, column: str, bound: float) -> pa.Array:
    """A number within ``[-bound, bound]`` (float64, null when empty), rejecting the
    records where it is not a number or out of range."""
    values, plain = col.plain_number(raw)
    odd = np.flatnonzero(~plain)  # exponents, nan, other scripts: as Python reads them
    if len(odd):
        parsed = [_float_or_none(text) for text in raw.take(pa.array(odd)).to_pylist()]
        replaced = np.zeros(len(raw), dtype=bool)
        replaced[odd] = True
        values = pc.replace_with_mask(
            values, pa.array(replaced), pa.array(parsed, type=pa.float64())
        )
        not_number = np.zeros(len(raw), dtype=bool)
        not_number[odd[[value is None for value in parsed]]] = True
        verdicts.reject(not_number, lambda text: f"{column} {show(text)} is not a number", raw)
    verdicts.reject(
        ~col.in_range(values, bound),
        lambda text: f"{column} {show(text)} out of range [-{bound:g}, {bound:g}]",
        raw,
    )
    return values


def _whole(text: str) -> object:
    if not text:
        return None
    value = whole_or_none(text)
    return col.REFUSED if value is None else value


def optional_ints(
    verdicts: Verdicts, raw: dict[str, pa.Array], columns: list[str]
) -> list[pa.Array]:
    """Whole numbers, negative allowed, null when empty (int64), rejecting, column by
    column, the records where one is written otherwise."""
    found = col.lookup_together([raw[c] for c in columns], _whole, pa.int64())
    for column, (_, whole) in zip(columns, found, strict=True):
        verdicts.reject(
            ~whole, lambda text, c=column: f"{c} {show(text)} is not a whole number", raw[column]
        )
    return [values for values, _ in found]
