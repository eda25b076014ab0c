"""The UCDP dyadic data set: who fought the state, year by year, and who backed each side.

Source: UCDP Dyadic Dataset 25.1 (Uppsala Conflict Data Program, CC BY 4.0). A row is a
dyad (two sides of a state-based armed conflict) in one year in which fighting between
them reached UCDP's threshold of 25 battle-related deaths. Several cells are
comma-separated lists: a side's actor ids and names (``side_a_id`` "86, 554"), the
secondary warring parties that backed it with troops (``side_a_2nd``), and the countries
the conflict was located in (``location``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from backchannel.errors import Problem
from backchannel.events.ucdp_csv import id_list, location_mentions, read_ucdp_rows, whole

__all__ = ["REQUIRED", "DyadYear", "location_mentions", "read_dyadic"]

REQUIRED = ("dyad_id", "conflict_id", "location", "side_a_id", "side_b_id", "year")
_WHOLE_NUMBERS = ("dyad_id", "conflict_id", "year")
_SIDE_IDS = ("side_a_id", "side_b_id")


@dataclass(frozen=True)
class DyadYear:
    """One row of the dyadic data set: a dyad in one year.

    ``side_a``/``side_b`` pair each actor id of the side with its name; where the names
    cannot be paired with the ids one to one, each id gets the side's whole name.
    ``start`` is the dyad's ``start_date`` (when the fighting first reached the
    threshold, in any year); ``line`` is where the row starts in the file.
    """

    dyad_id: int
    conflict_id: int
    year: int
    side_a: tuple[tuple[int, str], ...]
    side_b: tuple[tuple[int, str], ...]
    side_a_2nd: tuple[str, ...]
    side_b_2nd: tuple[str, ...]
    intensity: int | None
    start: dt.date | None
    line: int


def read_dyadic(path: str | Path, located_in: Sequence[str] | None = None) -> list[DyadYear]:
    """Read the UCDP dyadic CSV (UTF-8, with or without a byte-order mark).

    ``located_in`` keeps only the rows whose ``location`` names one of these countries
    (in UCDP's spelling); the other rows are skipped unchecked, so damage elsewhere in the
    file does not stop a reading about one country. Raises ``InvalidInputError`` naming
    the file when it cannot be read or lacks a required column, and every malformed row
    kept by its line and column.
    """
    return read_ucdp_rows(
        path,
        required=REQUIRED,
        title="UCDP dyadic data set",
        parse=_dyad_year,
        located_in=located_in,
    )


def _dyad_year(row: Mapping[str, str], line: int) -> DyadYear | list[Problem]:
    """The row as a dyad-year, or what is wrong with it (every bad cell, by column)."""
    problems: list[Problem] = []
    numbers: dict[str, int] = {}
    sides: dict[str, tuple[int, ...]] = {}
    for column in (*_WHOLE_NUMBERS, *_SIDE_IDS):
        text = row.get(column)
        value = id_list(text) if column in _SIDE_IDS else whole(text)
        if value is None:
            problems.append(Problem(column, f"expected a whole number, got {text!r}", line))
        elif isinstance(value, tuple):
            sides[column] = value
        else:
            numbers[column] = value
    # a year the calendar cannot hold would only fail later, when the year is dated
    year = numbers.get("year", dt.MINYEAR)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        problems.append(Problem("year", f"expected a year from 1 to 9999, got {year}", line))
    start_text = (row.get("start_date") or "").strip()
    start = None
    try:
        start = dt.date.fromisoformat(start_text) if start_text else None
    except ValueError:
        problems.append(
            Problem("start_date", f"expected YYYY-MM-DD, got {row.get('start_date')!r}", line)
        )
    if problems:
        return problems
    return DyadYear(
        dyad_id=numbers["dyad_id"],
        conflict_id=numbers["conflict_id"],
        year=year,
        side_a=_side(sides["side_a_id"], row.get("side_a")),
        side_b=_side(sides["side_b_id"], row.get("side_b")),
        side_a_2nd=_names(row.get("side_a_2nd")),
        side_b_2nd=_names(row.get("side_b_2nd")),
        intensity=whole(row.get("intensity_level")),
        start=start,
        line=line,
    )


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(n.strip() for n in (text or "").split(",") if n.strip())


def _side(ids: tuple[int, ...], names_text: str | None) -> tuple[tuple[int, str], ...]:
    """A side's actor ids with their names (paired when the counts agree)."""
    names = _names(names_text)
    if len(names) != len(ids):
        names = tuple([(names_text or "").strip()] * len(ids))
    return tuple(zip(ids, names, strict=True))
