"""Column-wise mapping of CSV records onto the event table: the readers' fast path.

The fast path takes the string columns of the records with the right number of fields,
stripped as the per-record mapper strips every field (``stripped``), and maps, at once,
every record that is plainly valid: every value in the form the per-record mapper
accepts, nothing to warn about. Every other record is left to the layout's per-record
mapper, which says exactly why it is rejected or what is worth a warning, so the two
paths together give the same events, rejections and warnings as the per-record mapper
alone (a property test holds them to it).

Values that repeat (dates, counts, codes) are converted once per distinct value by the
same Python functions the per-record mapper uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from backchannel.events import row_values

__all__ = [
    "NOT_FAST",
    "FastColumns",
    "fast_common",
    "fast_count",
    "fast_date",
    "fast_long_date",
    "fast_optional_int",
    "fast_year",
    "lookup",
    "lookup_together",
    "plain_number",
    "repeats",
    "stripped",
]

NOT_FAST: Any = object()
"""Returned by a value converter for a value the fast path leaves to the per-record mapper."""

# Every character ``str.isspace`` accepts (the per-record mapper strips fields with
# ``str.strip``); a test checks this against Python.
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_PLAIN_NUMBER = r"^-?[0-9]{1,12}(\.[0-9]{1,20})?$"

FastColumns = dict[str, pa.Array]
"""Event-table columns by name, over all the records handed to the fast path."""


def stripped(column: pa.Array) -> pa.Array:
    """The values less leading and trailing whitespace, as ``str.strip`` removes it."""
    return pc.utf8_trim(column, PYTHON_WHITESPACE)


def lookup(
    column: pa.Array, convert: Callable[[str], object], type: pa.DataType
) -> tuple[pa.Array, np.ndarray]:
    """``convert`` applied to each distinct value of ``column``: the values (null where
    ``convert`` said ``NOT_FAST``) and a mask of the rows it converted."""
    [converted] = lookup_together([column], convert, type)
    return converted


def lookup_together(
    columns: list[pa.Array], convert: Callable[[str], object], type: pa.DataType
) -> list[tuple[pa.Array, np.ndarray]]:
    """``lookup`` for columns that share most of their values (start and end dates, the
    death counts): each distinct value is converted once for all of them."""
    encoded = pc.dictionary_encode(pa.concat_arrays(columns) if len(columns) > 1 else columns[0])
    results = [convert(value) for value in encoded.dictionary.to_pylist()]
    accepted = np.array([result is not NOT_FAST for result in results], dtype=bool)
    values = pa.array([None if r is NOT_FAST else r for r in results], type=type)
    indices = encoded.indices
    converted, mask_of = values.take(indices), accepted[indices.to_numpy(zero_copy_only=False)]
    rows = len(columns[0])
    return [
        (converted.slice(n * rows, rows), mask_of[n * rows : (n + 1) * rows])
        for n in range(len(columns))
    ]


def plain_number(column: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Decimal numbers written plainly (``-12.5``) as float64, null when empty, and a mask
    of the rows that are empty or plain (the rest are for the per-record mapper)."""
    plain = pc.match_substring_regex(column, _PLAIN_NUMBER)
    values = pc.cast(pc.if_else(plain, column, pa.scalar(None, pa.string())), pa.float64())
    empty = pc.equal(column, "")
    return values, mask(pc.or_(plain, empty))


def non_empty(column: pa.Array) -> np.ndarray:
    """Rows whose value is not the empty string."""
    return mask(pc.not_equal(column, ""))


def null_if_empty(column: pa.Array) -> pa.Array:
    """The column with empty strings as nulls."""
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def in_range(values: pa.Array, bound: float) -> np.ndarray:
    """Rows that are null or within ``[-bound, bound]``."""
    inside = pc.and_(pc.greater_equal(values, -bound), pc.less_equal(values, bound))
    return mask(pc.fill_null(inside, True))


def constant(value: object, type: pa.DataType, rows: int) -> pa.Array:
    """``rows`` copies of ``value``."""
    return pa.array([value], type=type).take(pa.array(np.zeros(rows, dtype=np.int64)))


def repeats(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose value occurred on an earlier row, and for each the first such row."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)
    if len(encoded.dictionary) == len(values):  # all distinct: the usual case
        nothing = np.zeros(0, dtype=np.int64)
        return nothing, nothing
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    _, first = np.unique(indices, return_index=True)
    first_row = first[indices]
    repeated = np.flatnonzero(first_row != np.arange(len(values)))
    return repeated, first_row[repeated]


def mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean array as numpy, nulls as false."""
    filled = pc.fill_null(values, False)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


# --------------------------------------------------------------------------- converters


def fast_count(text: str) -> object:
    """``row_values.count`` for a value it accepts, else ``NOT_FAST``."""
    value = row_values.count_value(text)
    return NOT_FAST if value is None else value


def fast_date(text: str) -> object:
    """A ``YYYY-MM-DD`` date, else ``NOT_FAST``."""
    parsed = row_values.date_or_none(text, False)
    return NOT_FAST if parsed is None else parsed


def fast_long_date(text: str) -> object:
    """A ``YYYY-MM-DD`` or ``DD Month YYYY`` date, else ``NOT_FAST``."""
    parsed = row_values.date_or_none(text, True)
    return NOT_FAST if parsed is None else parsed


def fast_optional_int(text: str) -> object:
    """``row_values.optional_int`` for a value it accepts, else ``NOT_FAST``."""
    if not text:
        return None
    value = row_values.count_or_none(text.removeprefix("-"))
    if value is None:
        return NOT_FAST
    return -value if text.startswith("-") else value


# --------------------------------------------------------------------------- shared columns


def fast_common(
    raw: dict[str, pa.Array], prefix: str, id_column: str, actor1: str, actor2: str
) -> tuple[FastColumns, np.ndarray]:
    """The columns GED and ACLED map alike, and the rows where they are plainly valid."""
    plain = non_empty(raw[id_column]) & non_empty(raw["country"])
    plain &= non_empty(raw[actor1])
    latitude, latitude_plain = plain_number(raw["latitude"])
    longitude, longitude_plain = plain_number(raw["longitude"])
    plain &= latitude_plain & in_range(latitude, 90.0)
    plain &= longitude_plain & in_range(longitude, 180.0)
    admin1, admin2 = ("adm_1", "adm_2") if prefix == "ged" else ("admin1", "admin2")
    return {
        "event_id": pc.binary_join_element_wise(f"{prefix}:", raw[id_column], ""),
        "source": constant(prefix, pa.string(), len(plain)),
        "country": raw["country"],
        "admin1": null_if_empty(raw[admin1]),
        "admin2": null_if_empty(raw[admin2]),
        "latitude": latitude,
        "longitude": longitude,
        "actor1": raw[actor1],
        "actor2": null_if_empty(raw[actor2]),
    }, plain


def fast_year(
    raw_year: pa.Array, start: pa.Array, empty_allowed: bool
) -> tuple[pa.Array, np.ndarray]:
    """The year of ``start``, and the rows whose year column agrees with it."""
    year = pc.year(start)
    agrees = pc.equal(raw_year, pc.cast(year, pa.string()))
    if empty_allowed:
        agrees = pc.or_(agrees, pc.equal(raw_year, ""))
    return pc.cast(year, pa.int32()), mask(agrees)
