"""What one field of an event record means: dates, counts and whole numbers read from text.

The column-wise rules (``column_rules``) call these once per distinct value of a column,
and quote a bad value in a message with ``show``.
"""

from __future__ import annotations

import functools
import re
from datetime import date

__all__ = ["count_or_none", "count_value", "date_or_none", "show", "whole_or_none"]

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


def count_value(text: str) -> int | None:
    """A whole number of deaths ≥ 0 (``12.0`` as written by spreadsheets is accepted),
    else ``None``."""
    value = count_or_none(text)
    if value is None and _WHOLE_FLOAT.fullmatch(text):
        value = count_or_none(text.split(".", 1)[0])
    return value


def count_or_none(text: str) -> int | None:
    """ASCII digits only (``int`` would also take ``+1``, ``1_000`` and other scripts)."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        return int(text)
    return None


def whole_or_none(text: str) -> int | None:
    """ASCII digits with an optional leading minus, else ``None``."""
    value = count_or_none(text.removeprefix("-"))
    if value is None:
        return None
    return -value if text.startswith("-") else value
