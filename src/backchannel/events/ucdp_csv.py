"""Reading UCDP's CSV tables: the one loop every UCDP reader shares, and its cell helpers.

UCDP publishes its tables as UTF-8 CSV (sometimes with a byte-order mark) whose
``location`` cell may list several countries. ``read_ucdp_rows`` opens such a file, checks
the required columns, keeps the rows located in the countries asked for (the others are
skipped unchecked, so damage elsewhere does not stop a reading about one country), and
hands each kept row to the caller's parser; every bad cell of every kept row is reported by
line and column, together, in one ``InvalidInputError`` naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from backchannel.csv_records import csv_records
from backchannel.errors import InvalidInputError, Problem

__all__ = ["id_list", "location_mentions", "read_ucdp_rows", "whole"]

Row = TypeVar("Row")
# UCDP ids and years are far shorter; a longer run of digits is damage, and Python refuses
# to convert one of over 4,300 digits at all
_MAX_DIGITS = 18


def location_mentions(locations: str, names: Sequence[str]) -> bool:
    """Whether a comma-separated UCDP location list names any of these countries.

    Names may themselves hold a comma ("Macedonia, FYR"), so each is looked for as a whole
    item of the list rather than by splitting it.
    """
    return any(re.search(rf"(?:^|,)\s*{re.escape(n)}\s*(?:,|$)", locations) for n in names)


def whole(text: str | None) -> int | None:
    """The number a cell of digits alone holds (spaces around are fine), else ``None``."""
    digits = (text or "").strip()
    # isdecimal, not isdigit: int() refuses superscripts and the like that isdigit accepts
    if not digits.isdecimal() or len(digits) > _MAX_DIGITS:
        return None
    return int(digits)


def id_list(text: str | None) -> tuple[int, ...] | None:
    """The ids in a list cell ("86, 554"), or ``None`` if it holds none."""
    runs = re.findall(r"\d+", text or "")
    if not runs or any(len(run) > _MAX_DIGITS for run in runs):
        return None
    return tuple(int(run) for run in runs)


def read_ucdp_rows(
    path: str | Path,
    *,
    required: Sequence[str],
    title: str,
    parse: Callable[[Mapping[str, str], int], Row | list[Problem]],
    located_in: Sequence[str] | None = None,
) -> list[Row]:
    """Every kept row of the file, parsed; ``InvalidInputError`` naming the file when it
    cannot be read, lacks a column of ``required`` (``title`` names the data set), or any
    kept row is malformed (``parse`` returns its problems)."""
    source = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            records = csv_records(handle, source, skip_blank_cells=False)
            first = next(records, None)  # the header: the first record that is not blank
            header_line, header = (None, []) if first is None else first
            missing = [c for c in required if c not in header]
            if missing:
                message = f"required column of the {title} is missing"
                raise InvalidInputError(source, [Problem(c, message, header_line) for c in missing])
            problems: list[Problem] = []
            rows: list[Row] = []
            for line, fields in records:
                # as csv.DictReader reads it: a short row lacks its last columns, the last
                # of two columns of one name wins
                row = dict(zip(header, fields, strict=False))
                location = row.get("location") or ""
                if located_in is not None and not location_mentions(location, located_in):
                    continue
                parsed = parse(row, line)
                if isinstance(parsed, list):
                    problems.extend(parsed)
                else:
                    rows.append(parsed)
    except OSError as error:
        problem = Problem("", f"cannot read the file: {error.strerror or error}")
        raise InvalidInputError(source, [problem]) from None
    except UnicodeDecodeError as error:
        problem = Problem("", f"not UTF-8 text ({error.reason} at byte {error.start})")
        raise InvalidInputError(source, [problem]) from None
    if problems:
        raise InvalidInputError(source, problems)
    return rows
