"""Baseline for ``benchmarks/ingest.py`` only, not part of the product: the event
column-wise fast path as it was before the record splitter (``events/csv_records.py``), when records
came from ``csv.reader`` as a list of lists. Kept unchanged so that the benchmark can
time it and check that the product's reader gives the same results.

Column-wise mapping of CSV records onto the event table: the readers' fast path.

The fast path takes the raw string columns of the records with the right number of
fields and maps, at once, every record that is plainly valid: no field to strip, every
value in the form the per-record mapper accepts, nothing to warn about. Every other
record is left to the per-record mapper in ``readers``, which says exactly why it is
rejected or what is worth a warning, so the two paths together give the same events,
rejections and warnings as the per-record mapper alone.

Values that repeat (dates, counts, codes) are converted once per distinct value by the
same Python functions the per-record mapper uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["NOT_FAST", "FastColumns", "first_occurrences", "lookup", "plain_number", "unstripped"]

NOT_FAST: Any = object()
"""Returned by a value converter for a value the fast path leaves to the per-record mapper."""

# Every character ``str.isspace`` accepts (the per-record mapper strips fields with
# ``str.strip``); a test checks this against Python.
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_WS_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PYTHON_WHITESPACE) + "]"
_EDGE_WHITESPACE = f"^{_WS_CLASS}|{_WS_CLASS}$"
_PLAIN_NUMBER = r"^-?[0-9]{1,12}(\.[0-9]{1,20})?$"

FastColumns = dict[str, pa.Array]
"""Event-table columns by name, over all the records handed to the fast path."""


def unstripped(columns: Mapping[str, pa.Array]) -> np.ndarray:
    """Rows where some field starts or ends with whitespace (``str.strip`` would change it)."""
    rows = len(next(iter(columns.values())))
    found = np.zeros(rows, dtype=bool)
    for column in columns.values():
        found |= mask(pc.match_substring_regex(column, _EDGE_WHITESPACE))
    return found


def lookup(
    column: pa.Array, convert: Callable[[str], object], type: pa.DataType
) -> tuple[pa.Array, np.ndarray]:
    """``convert`` applied to each distinct value of ``column``: the values (null where
    ``convert`` said ``NOT_FAST``) and a mask of the rows it converted."""
    encoded = pc.dictionary_encode(column)
    results = [convert(value) for value in encoded.dictionary.to_pylist()]
    converted = np.array([result is not NOT_FAST for result in results], dtype=bool)
    values = pa.array([None if r is NOT_FAST else r for r in results], type=type)
    indices = encoded.indices
    return values.take(indices), converted[indices.to_numpy(zero_copy_only=False)]


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


def first_occurrences(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """For every row, the position of the first row with the same value."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    indices = pc.dictionary_encode(values).indices.to_numpy(zero_copy_only=False)
    _, first = np.unique(indices, return_index=True)
    return np.asarray(first[indices])


def mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean array as numpy, nulls as false."""
    filled = pc.fill_null(values, False)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)
