"""The UCDP/PRIO Armed Conflict Dataset: which state-based armed conflicts were fought where,
year by year, and whether one was active in a country as known on a given day.

Source: UCDP/PRIO Armed Conflict Dataset 25.1 (UCDP and PRIO, CC BY 4.0). A row is a
conflict in one year in which fighting over a government or a territory, with the
government of a state on at least one side, caused at least 25 battle-related deaths.
``intensity_level`` is 1 (minor: 25-999 deaths in the year) or 2 (war: 1,000 or more);
``start_date2`` is the day the current episode of the conflict began; ``location`` lists
the countries whose governments are parties, in UCDP's spelling.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import pycountry
from pydantic import BaseModel, ConfigDict

from backchannel.actors.seed_inputs import UCDP_SPELLINGS, ucdp_country_names
from backchannel.errors import NotFoundError, Problem
from backchannel.events.ucdp_csv import id_list, location_mentions, read_ucdp_rows, whole

__all__ = [
    "ACD_FIRST_YEAR",
    "REQUIRED",
    "ActiveConflict",
    "ConflictActivity",
    "ConflictYear",
    "Intensity",
    "active_conflicts",
    "read_armed_conflicts",
    "ucdp_iso3",
]

ACD_FIRST_YEAR = 1946
"""The first year the Armed Conflict Dataset codes (Gleditsch et al. 2002, "Armed Conflict
1946-2001: A New Dataset", JPR 39(5)); a row of an earlier year is damage."""

REQUIRED = (
    "conflict_id",
    "location",
    "side_a",
    "side_b",
    "incompatibility",
    "year",
    "intensity_level",
    "type_of_conflict",
    "start_date",
    "start_date2",
    "ep_end",
    "ep_end_date",
    "gwno_loc",
)
# The codes the ACD codebook defines for each coded column.
_CODES: dict[str, frozenset[int]] = {
    "incompatibility": frozenset({1, 2, 3}),  # territory, government, both
    "intensity_level": frozenset({1, 2}),
    "type_of_conflict": frozenset({1, 2, 3, 4}),  # extrasystemic, interstate, intra, intern.
    "ep_end": frozenset({0, 1}),
}
# fromisoformat alone would also take 20120101 and 2012-W01-1, which the ACD never writes
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UCDP_CODES = {name: code for code, name in UCDP_SPELLINGS.items()}


class Intensity(IntEnum):
    """UCDP's intensity level of a conflict in a year, by battle-related deaths."""

    MINOR = 1  # 25-999 battle-related deaths in the year
    WAR = 2  # 1,000 or more

    @property
    def label(self) -> str:
        """``"minor"`` or ``"war"``, as UCDP names the levels."""
        return "war" if self is Intensity.WAR else "minor"


@dataclass(frozen=True)
class ConflictYear:
    """One row of the Armed Conflict Dataset: a conflict in one year.

    ``location`` is the cell as written (a comma-separated list of countries);
    ``episode_start`` is ``start_date2``, the day the current episode began, and
    ``episode_end`` the ``ep_end_date`` of an episode that ended in this year
    (``episode_ended``). ``line`` is where the row starts in the file.
    """

    conflict_id: int
    location: str
    side_a: str
    side_b: str
    incompatibility: int
    year: int
    intensity: Intensity
    type_of_conflict: int
    start_date: dt.date
    episode_start: dt.date
    episode_ended: bool
    episode_end: dt.date | None
    gwno_loc: tuple[int, ...]
    line: int


class ActiveConflict(BaseModel):
    """A conflict found active, with the row it was read from (``year``)."""

    model_config = ConfigDict(frozen=True)

    conflict_id: int
    location: str
    side_a: str
    side_b: str
    intensity: Intensity
    year: int
    episode_start: dt.date

    def describe(self) -> str:
        """``"conflict 337, Government of Somalia v. Al-Shabaab, war in 2010"``."""
        return (
            f"conflict {self.conflict_id}, {self.side_a} v. {self.side_b}, "
            f"{self.intensity.label} in {self.year}"
        )


class ConflictActivity(BaseModel):
    """The answer to "was a UCDP armed conflict active in this country on this day?"
    when it is yes: the conflicts, most intense first."""

    model_config = ConfigDict(frozen=True)

    country: str
    as_of: dt.date
    conflicts: tuple[ActiveConflict, ...]

    @property
    def intensity(self) -> Intensity:
        """The highest intensity among the conflicts."""
        return max(c.intensity for c in self.conflicts)

    def describe(self) -> str:
        """The conflicts, one after another, for a sentence."""
        return "; ".join(c.describe() for c in self.conflicts)


def ucdp_iso3(name: str) -> str | None:
    """The ISO 3166 alpha-3 code of a country as UCDP names it, ``None`` when none is known
    (historical states such as "South Yemen" have none)."""
    text = name.strip()
    if text in _UCDP_CODES:
        return _UCDP_CODES[text]
    try:
        return str(pycountry.countries.lookup(text).alpha_3)
    except LookupError:
        return None


def read_armed_conflicts(
    path: str | Path, located_in: Sequence[str] | None = None
) -> list[ConflictYear]:
    """Read the UCDP/PRIO Armed Conflict Dataset CSV (UTF-8, with or without a byte-order mark).

    ``located_in`` keeps only the rows whose ``location`` names one of these countries (in
    UCDP's spelling); the others are skipped unchecked. Raises ``InvalidInputError`` naming
    the file when it cannot be read or lacks a required column, and every malformed row
    kept by its line and column.
    """
    return read_ucdp_rows(
        path,
        required=REQUIRED,
        title="UCDP/PRIO Armed Conflict Dataset",
        parse=_conflict_year,
        located_in=located_in,
    )


def _conflict_year(row: Mapping[str, str], line: int) -> ConflictYear | list[Problem]:
    """The row as a conflict-year, or what is wrong with it (every bad cell, by column)."""
    problems: list[Problem] = []
    numbers: dict[str, int] = {}
    for column in ("conflict_id", "year", *_CODES):
        text = row.get(column)
        value = whole(text)
        if value is None:
            problems.append(Problem(column, f"expected a whole number, got {text!r}", line))
        elif column in _CODES and value not in _CODES[column]:
            codes = ", ".join(str(c) for c in sorted(_CODES[column]))
            problems.append(Problem(column, f"expected one of {codes}, got {value}", line))
        else:
            numbers[column] = value
    year = numbers.get("year")
    if year is not None and not ACD_FIRST_YEAR <= year <= dt.MAXYEAR:
        problems.append(
            Problem("year", f"expected a year from {ACD_FIRST_YEAR} to 9999, got {year}", line)
        )
    dates = {c: _date(row, c, line, problems) for c in ("start_date", "start_date2")}
    episode_end = _date(row, "ep_end_date", line, problems, optional=True)
    gwno_loc = id_list(row.get("gwno_loc"))
    if gwno_loc is None:
        text = row.get("gwno_loc")
        problems.append(Problem("gwno_loc", f"expected a list of GW numbers, got {text!r}", line))
    for column in ("location", "side_a", "side_b"):
        if not (row.get(column) or "").strip():
            problems.append(Problem(column, "expected a name, got an empty cell", line))
    if problems:
        return problems
    assert year is not None and gwno_loc is not None  # every problem returned above
    start, episode_start = dates["start_date"], dates["start_date2"]
    assert start is not None and episode_start is not None
    return ConflictYear(
        conflict_id=numbers["conflict_id"],
        location=row["location"].strip(),
        side_a=row["side_a"].strip(),
        side_b=row["side_b"].strip(),
        incompatibility=numbers["incompatibility"],
        year=year,
        intensity=Intensity(numbers["intensity_level"]),
        type_of_conflict=numbers["type_of_conflict"],
        start_date=start,
        episode_start=episode_start,
        episode_ended=numbers["ep_end"] == 1,
        episode_end=episode_end,
        gwno_loc=gwno_loc,
        line=line,
    )


def _date(
    row: Mapping[str, str],
    column: str,
    line: int,
    problems: list[Problem],
    *,
    optional: bool = False,
) -> dt.date | None:
    """The ISO date in a cell; an empty cell is ``None`` when ``optional``, else a problem."""
    text = (row.get(column) or "").strip()
    if not text and optional:
        return None
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:  # a day the calendar does not have
            pass
    problems.append(Problem(column, f"expected YYYY-MM-DD, got {row.get(column)!r}", line))
    return None


def active_conflicts(
    conflicts: Iterable[ConflictYear], iso3: str, as_of: dt.date
) -> ConflictActivity | None:
    """The UCDP armed conflicts active in the country with ISO code ``iso3`` as known on
    ``as_of``, or ``None`` when there is none (or the code names no country).

    A conflict counts when the ACD codes it in the country for the year before ``as_of``,
    or for the year of ``as_of`` in an episode that began on or before ``as_of``, so that
    a replay never uses a conflict that began later. Each conflict is reported from its
    row of the year before when there is one: the current year's row (its intensity) is
    only complete after the year ends.
    """
    try:
        names = ucdp_country_names(iso3)
    except NotFoundError:
        return None
    chosen: dict[int, ConflictYear] = {}
    for row in conflicts:
        known = row.year == as_of.year - 1 or (
            row.year == as_of.year and row.episode_start <= as_of
        )
        if not known or not location_mentions(row.location, names):
            continue
        held = chosen.get(row.conflict_id)
        if held is None or row.year < held.year:
            chosen[row.conflict_id] = row
    if not chosen:
        return None
    ordered = sorted(chosen.values(), key=lambda r: (-r.intensity, r.conflict_id))
    return ConflictActivity(
        country=iso3,
        as_of=as_of,
        conflicts=tuple(
            ActiveConflict(
                conflict_id=r.conflict_id,
                location=r.location,
                side_a=r.side_a,
                side_b=r.side_b,
                intensity=r.intensity,
                year=r.year,
                episode_start=r.episode_start,
            )
            for r in ordered
        ),
    )
