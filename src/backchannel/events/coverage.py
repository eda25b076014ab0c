"""Do the event data cover a case's country and the months before its as-of date?

"No events" reads as "no risk" only when the data would have held the events: a file that
holds every event of the country (a full release, or an extract of the country) for the
whole window. A sample of events across countries never does, and neither do data that end
before the as-of date. Where UCDP codes an active armed conflict in the country, a window
holding almost no events shows the data to be incomplete whatever the files claim.

``FileExtent`` is what one installed file declares it covers (the data manifest declares
it, the installation records it); ``event_coverage`` weighs the files of an event table for
one country and day and returns an ``EventCoverage`` that names every problem found.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, model_validator

from backchannel.actors.seed_inputs import ucdp_country_names
from backchannel.errors import NotFoundError
from backchannel.events.ucdp_conflicts import ConflictActivity

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "MIN_EVENTS_UNDER_CONFLICT",
    "WINDOW_MONTHS",
    "EventCoverage",
    "ExtentKind",
    "FileExtent",
    "coverage_window",
    "event_coverage",
]

WINDOW_MONTHS = 24
"""Months before the as-of date the data must cover. Convention, uncalibrated; chosen so
that the window always holds the whole calendar year before the as-of date, the year whose
UCDP armed-conflict coding ``active_conflicts`` reads."""

MIN_EVENTS_UNDER_CONFLICT = 10
"""Fewest events in the window that data complete for a country at armed conflict hold.
Convention, uncalibrated. UCDP codes a conflict-year only at 25 or more battle-related
deaths, and GED records those deaths event by event. Checked on one country
only: in the GED 23.1 extract of the Central African Republic, at the 193 month ends from
1991 to 2022 when the Armed Conflict Dataset 25.1 has a conflict active there, the window
held 17 events at the fewest (as of 2001-06-30), so ten flags only data far thinner."""


class ExtentKind(StrEnum):
    """What a file of events declares it covers."""

    FULL_RELEASE = "full-release"  # every event of every country in its years
    COUNTRY_EXTRACT = "country-extract"  # every event of the countries it lists
    SAMPLE = "sample"  # events sampled across countries: complete for none
    UNKNOWN = "unknown"  # not declared: a user's file, ingested Parquet, an old install


class FileExtent(BaseModel):
    """What one file of events covers: its kind, and the countries of a country extract
    (ISO alpha-3 codes; ``unmatched`` keeps the names no code was found for)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: ExtentKind = ExtentKind.UNKNOWN
    countries: tuple[str, ...] = ()
    unmatched: tuple[str, ...] = ()

    @property
    def phrase(self) -> str:
        """``"full release"``, ``"country extract (CAF)"``, ``"sample"`` or ``"unknown"``."""
        if self.kind is ExtentKind.COUNTRY_EXTRACT:
            return f"country extract ({', '.join(self.countries) or 'no country found'})"
        return self.kind.value.replace("-", " ")


class EventCoverage(BaseModel):
    """Whether the event data cover a country for the ``WINDOW_MONTHS`` months up to a day.

    The window runs from ``window_start`` to ``window_end`` (the as-of date), both included.
    ``extent`` is the best extent among the files that hold or cover the country;
    ``files`` are the names of the files whose data count as covering it, spanning
    ``data_start`` to ``data_end`` (``None`` when no file covers it). ``events_in_window``
    counts the country's events that began in the window. ``problems`` names what is
    missing, one sentence each, and the coverage is adequate exactly when there is none;
    ``notes`` names what was accepted on trust (files whose extent is not declared).
    """

    model_config = ConfigDict(frozen=True)

    adequate: bool
    country: str
    window_start: dt.date
    window_end: dt.date
    extent: str
    files: list[str]
    data_start: dt.date | None
    data_end: dt.date | None
    events_in_window: int
    active_conflict: ConflictActivity | None
    problems: list[str]
    notes: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> EventCoverage:
        if self.adequate == bool(self.problems):
            raise ValueError("coverage is adequate exactly when no problem is named")
        if self.window_start > self.window_end:
            raise ValueError("the window starts after it ends")
        if (self.data_start is None) != (self.data_end is None):
            raise ValueError("the data span needs both a start and an end")
        return self


def coverage_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the ``WINDOW_MONTHS`` months that end on ``as_of``.

    As of 2011-06-30 that is 2009-07-01 to 2011-06-30; a month-end day that the earlier
    month lacks moves to that month's last day (as of 2012-02-29: from 2010-03-01).
    """
    months = as_of.year * 12 + as_of.month - 1 - WINDOW_MONTHS
    year, month = divmod(months, 12)
    day = min(as_of.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day) + dt.timedelta(days=1), as_of


def event_coverage(
    connection: Any,
    events: ir.Table,
    extents: Mapping[str, FileExtent],
    iso3: str,
    as_of: dt.date,
    *,
    active_conflict: ConflictActivity | None = None,
    country_names: Sequence[str] | None = None,
) -> EventCoverage:
    """How far ``events`` (the event table, as an Ibis table run on ``connection``) cover the
    country with ISO code ``iso3`` in the ``WINDOW_MONTHS`` months up to ``as_of``.

    ``extents`` gives each file's declared extent by the events' ``source_file`` (the path
    the readers record); a file not in it is of unknown extent. ``active_conflict`` is the
    UCDP answer for the country and day (``active_conflicts``), ``None`` when there is no
    conflict or no answer. The country's events are those whose ``country`` is one of
    ``country_names`` (UCDP's and ISO's names for it by default), in any letter case.

    Adequate only when (1) some file covers the country: a full release, a country extract
    listing it, or a file of unknown extent that holds events of it (accepted, and named
    in ``notes``); a sample never covers; (2) the covering files span the whole window: a
    declared file covers the whole calendar years between its first and last event (GED
    is released by calendar year), a file of unknown extent only the days between the
    country's first and last event in it; and (3) not an active conflict while the window
    holds fewer than ``MIN_EVENTS_UNDER_CONFLICT`` events.
    """
    window_start, window_end = coverage_window(as_of)
    names = list(country_names) if country_names is not None else _names(iso3)
    country = names[0] if names else iso3
    files = _per_file(connection, events, names, window_start, window_end)
    weighed = _weigh(files, extents, iso3)
    problems: list[str] = []
    notes = [
        f"{name} is a file of undeclared extent: it is taken to hold every event of "
        f"{country} from {start} to {end}, the days between its first and last event there"
        for name, start, end in weighed.trusted
    ]
    if not weighed.covering:
        problems.append(_uncovered(weighed, country))
    else:
        if weighed.start > window_start:
            problems.append(
                f"the data begin on {weighed.start}, after the window opens on {window_start}"
            )
        if weighed.end < window_end:
            problems.append(f"the data end on {weighed.end}, before the as-of date {as_of}")
    in_window = sum(f.in_window for f in files)
    if active_conflict is not None and in_window < MIN_EVENTS_UNDER_CONFLICT:
        held = f"{in_window} event" + ("" if in_window == 1 else "s")
        problems.append(
            f"UCDP codes an active armed conflict in {country} "
            f"({active_conflict.intensity.label}) but the data hold {held} in the "
            f"{WINDOW_MONTHS} months before {as_of}: the data are incomplete "
            f"(UCDP: {active_conflict.describe()})"
        )
    return EventCoverage(
        adequate=not problems,
        country=iso3,
        window_start=window_start,
        window_end=window_end,
        extent=weighed.extent,
        files=[name for name, _ in weighed.covering],
        data_start=weighed.start if weighed.covering else None,
        data_end=weighed.end if weighed.covering else None,
        events_in_window=in_window,
        active_conflict=active_conflict,
        problems=problems,
        notes=notes,
    )


def _names(iso3: str) -> list[str]:
    try:
        return ucdp_country_names(iso3)
    except NotFoundError:
        return [iso3]


@dataclass(frozen=True)
class _File:
    """What one source file holds: its years overall, and the country's first and last
    event days and events in the window (``None`` days when it holds none of the country)."""

    source: str
    year_min: int
    year_max: int
    country_start: dt.date | None
    country_end: dt.date | None
    in_window: int

    @property
    def name(self) -> str:
        return PurePath(self.source).name


def _per_file(
    connection: Any, events: ir.Table, names: Sequence[str], start: dt.date, end: dt.date
) -> list[_File]:
    local = events.country.lower().isin([n.lower() for n in names])
    in_window = local & (events.date_start >= start) & (events.date_start <= end)
    summary = events.group_by("source_file").aggregate(
        year_min=events.year.min(),
        year_max=events.year.max(),
        country_start=events.date_start.min(where=local),
        country_end=events.date_end.max(where=local),
        in_window=events.count(where=in_window),
    )
    rows = connection.to_pyarrow(summary.order_by("source_file")).to_pylist()
    return [_File(source=row.pop("source_file"), **row) for row in rows]


class _Weighed:
    """The files sorted by what they say of the country."""

    def __init__(self) -> None:
        self.covering: list[tuple[str, ExtentKind]] = []
        self.trusted: list[tuple[str, dt.date, dt.date]] = []
        self.samples: list[str] = []
        self.other_extracts: list[FileExtent] = []
        self.undeclared_without_country: list[str] = []
        self.extract_codes: list[str] = []
        self.start = dt.date.max
        self.end = dt.date.min

    def cover(self, name: str, kind: ExtentKind, start: dt.date, end: dt.date) -> None:
        self.covering.append((name, kind))
        self.start = min(self.start, start)
        self.end = max(self.end, end)

    @property
    def extent(self) -> str:
        kinds = {kind for _, kind in self.covering}
        if ExtentKind.FULL_RELEASE in kinds:
            return "full release"
        if ExtentKind.COUNTRY_EXTRACT in kinds:
            return f"country extract ({', '.join(self.extract_codes)})"
        if kinds:
            return "unknown (user file)"
        if self.samples:
            return "sample"
        if self.undeclared_without_country:
            return "unknown (user file)"
        return "none"


def _weigh(files: Sequence[_File], extents: Mapping[str, FileExtent], iso3: str) -> _Weighed:
    weighed = _Weighed()
    for file in files:
        extent = extents.get(file.source, FileExtent())
        whole_years = dt.date(file.year_min, 1, 1), dt.date(file.year_max, 12, 31)
        if extent.kind is ExtentKind.FULL_RELEASE:
            weighed.cover(file.name, extent.kind, *whole_years)
        elif extent.kind is ExtentKind.COUNTRY_EXTRACT and iso3 in extent.countries:
            weighed.cover(file.name, extent.kind, *whole_years)
            codes = weighed.extract_codes
            codes.extend(c for c in extent.countries if c not in codes)
        elif extent.kind is ExtentKind.COUNTRY_EXTRACT:
            weighed.other_extracts.append(extent)
        elif extent.kind is ExtentKind.SAMPLE:
            weighed.samples.append(file.name)
        elif file.country_start is not None and file.country_end is not None:
            weighed.cover(file.name, extent.kind, file.country_start, file.country_end)
            weighed.trusted.append((file.name, file.country_start, file.country_end))
        else:
            weighed.undeclared_without_country.append(file.name)
    return weighed


def _uncovered(weighed: _Weighed, country: str) -> str:
    """The sentence saying why no file covers the country."""
    if weighed.samples:
        why = (
            f"the installed event data hold only a sample for {country} "
            f"({', '.join(weighed.samples)}: events sampled across countries, "
            "never every event of one)"
        )
    elif weighed.undeclared_without_country:
        why = (
            f"no event of {country} is in the event files "
            f"({', '.join(weighed.undeclared_without_country)}), whose extent is not "
            "declared: they may not cover it"
        )
    else:
        why = f"no event file covers {country}"
    codes = sorted({c for extent in weighed.other_extracts for c in extent.countries})
    if codes:
        why += f"; the country extracts installed cover {', '.join(codes)} only"
    return why
