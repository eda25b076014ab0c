"""Cell parsers: each turns one raw cell into a typed value or says what was expected.

A raw cell is what the workbook or CSV reader gives (text, a number, a boolean, a date from
a workbook's date cell, blank).
Every parser raises ``CellError`` with the expectation in plain words, which the table
reader turns into a problem naming the file, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Collection
from typing import TypeVar

from backchannel.xlsx import Cell

__all__ = [
    "CellError",
    "Parser",
    "flag",
    "id_list",
    "iso3",
    "number",
    "one_of",
    "optional",
    "some_date",
    "text",
    "whole",
]

T = TypeVar("T")
Parser = Callable[[Cell], T]

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's 1900-02-29
_LAST_SERIAL = 2_958_465  # 9999-12-31
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T][0-9:.]+)?")
_DIGITS = re.compile(r"[0-9]{1,18}")  # UCDP and PA-X ids are far shorter; longer is damage
_WHOLE_FLOAT = re.compile(r"([0-9]{1,18})\.0*")
_ISO3 = re.compile(r"[A-Z]{3}")


class CellError(ValueError):
    """A cell does not hold what its column should; ``expected`` says what should be there."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def optional(parse: Parser[T]) -> Parser[T | None]:
    """The parser, letting a blank cell through as ``None``."""

    def parse_optional(value: Cell) -> T | None:
        return None if value is None else parse(value)

    return parse_optional


def whole(value: Cell) -> int:
    """A whole number, written as an integer, as ``12.0``, or stored as a number."""
    expected = "a whole number"
    if isinstance(value, bool):
        raise CellError(expected)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e18:
            return int(value)
        raise CellError(expected)
    if not isinstance(value, str):  # blank, or a date
        raise CellError(expected)
    stripped = value.strip()
    match = _DIGITS.fullmatch(stripped) or _WHOLE_FLOAT.fullmatch(stripped)
    if match is None:
        raise CellError(expected)
    return int(match.group(1) if match.lastindex else match.group())


def number(value: Cell) -> float:
    """A finite number."""
    expected = "a number"
    if isinstance(value, (bool, dt.date)) or value is None:
        raise CellError(expected)
    try:
        result = float(value)
    except ValueError:
        raise CellError(expected) from None
    if not math.isfinite(result):
        raise CellError(expected)
    return result


def id_list(value: Cell) -> tuple[int, ...]:
    """A list of ids: one whole number, or several separated by commas (``"86, 554"``)."""
    expected = "a whole number or a comma-separated list of whole numbers"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return (whole(value),)
        except CellError:
            raise CellError(expected) from None
    if not isinstance(value, str):
        raise CellError(expected)
    pieces = [piece.strip() for piece in value.split(",")]
    if not all(_DIGITS.fullmatch(piece) for piece in pieces):
        raise CellError(expected)
    return tuple(int(piece) for piece in pieces)


def some_date(value: Cell) -> dt.date:
    """A date: a workbook's date cell, ``YYYY-MM-DD`` text, or a spreadsheet serial number
    (a time of day, in any of them, is ignored)."""
    expected = "a date (YYYY-MM-DD, or a date cell)"
    if isinstance(value, bool) or value is None:
        raise CellError(expected)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        if not (math.isfinite(value) and 1 <= value <= _LAST_SERIAL):
            raise CellError(expected)
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    match = _ISO_DATE.fullmatch(value.strip())
    if match is None:
        raise CellError(expected)
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(expected) from None


def flag(value: Cell) -> bool:
    """A yes/no cell: 1 or 0, TRUE or FALSE (as a boolean cell or as text)."""
    expected = "1 or 0 (or TRUE or FALSE)"
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return bool(value)
        raise CellError(expected)
    if not isinstance(value, str):  # blank, or a date
        raise CellError(expected)
    word = value.strip().upper()
    if word in ("1", "TRUE"):
        return True
    if word in ("0", "FALSE"):
        return False
    raise CellError(expected)


def text(value: Cell) -> str:
    """Non-blank text (a number cell is read as its text, a date cell as its ISO date)."""
    if value is None or isinstance(value, bool):
        raise CellError("text")
    result = str(value).strip()
    if not result:
        raise CellError("text")
    return result


def iso3(value: Cell) -> str:
    """An ISO 3166-1 alpha-3 country code."""
    code = value.strip() if isinstance(value, str) else ""
    if not _ISO3.fullmatch(code):
        raise CellError("a three-letter ISO country code")
    return code


def one_of(codes: Collection[T], parse: Parser[T]) -> Parser[T]:
    """The parser, accepting only the given codes."""
    shown = ", ".join(str(code) for code in sorted(codes, key=str))

    def parse_code(value: Cell) -> T:
        try:
            result = parse(value)
        except CellError:
            raise CellError(f"one of {shown}") from None
        if result not in codes:
            raise CellError(f"one of {shown}")
        return result

    return parse_code
