"""Array helpers for mapping the string columns of CSV records onto the event table.

The readers hand the layouts each used column over all the records with the header's
number of fields, stripped as ``str.strip`` strips (``stripped``). Values that repeat
(dates, counts, codes) are converted once per distinct value (``lookup``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "REFUSED",
    "EventColumns",
    "constant",
    "in_range",
    "lookup",
    "lookup_together",
    "mask",
    "null_if_empty",
    "plain_number",
    "repeats",
    "stripped",
]

REFUSED: Any = object()
"""Returned by a value converter for a value it does not accept."""

# Every character ``str.isspace`` accepts, as ``str.strip`` removes them; a test checks
# this against Python.
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_PLAIN_NUMBER = r"^-?[0-9]{1,12}(\.[0-9]{1,20})?$"

EventColumns = dict[str, pa.Array]
"""Event-table columns by name, over all the records handed to a layout."""


def stripped(column: pa.Array) -> pa.Array:
    """The values less leading and trailing whitespace, as ``str.strip`` removes it."""
    return pc.utf8_trim(column, PYTHON_WHITESPACE)


def lookup(
    column: pa.Array, convert: Callable[[str], object], type: pa.DataType
) -> tuple[pa.Array, np.ndarray]:
    """``convert`` applied to each distinct value of ``column``: the values (null where
    ``convert`` said ``REFUSED``) and a mask of the rows it accepted."""
    [converted] = lookup_together([column], convert, type)
    return converted


def lookup_together(
    columns: list[pa.Array], convert: Callable[[str], object], type: pa.DataType
) -> list[tuple[pa.Array, np.ndarray]]:
    """``lookup`` for columns that share most of their values (start and end dates, the
    death counts): each distinct value is converted once for all of them."""
    encoded = pc.dictionary_encode(pa.concat_arrays(columns) if len(columns) > 1 else columns[0])
    results = [convert(value) for value in encoded.dictionary.to_pylist()]
    accepted = np.array([result is not REFUSED for result in results], dtype=bool)
    values = pa.array([None if r is REFUSED else r for r in results], type=type)
    indices = encoded.indices
    converted, mask_of = values.take(indices), accepted[indices.to_numpy(zero_copy_only=False)]
    rows = len(columns[0])
    return [
        (converted.slice(n * rows, rows), mask_of[n * rows : (n + 1) * rows])
        for n in range(len(columns))
    ]


def plain_number(column: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Decimal numbers written plainly (``-12.5``) as float64, null otherwise, and a mask
    of the rows that are empty or plain."""
    plain = pc.match_substring_regex(column, _PLAIN_NUMBER)
    values = pc.cast(pc.if_else(plain, column, pa.scalar(None, pa.string())), pa.float64())
    return values, mask(pc.or_(plain, pc.equal(column, "")))


def empty(column: pa.Array) -> np.ndarray:
    """Rows whose value is the empty string."""
    return mask(pc.equal(column, ""))


def null_if_empty(column: pa.Array) -> pa.Array:
    """The column with empty strings as nulls."""
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def in_range(values: pa.Array, bound: float) -> np.ndarray:
    """Rows that are null or within ``[-bound, bound]`` (NaN is not)."""
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
