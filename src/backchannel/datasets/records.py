"""The records of an installation: per file and per data set, as ``installed.json`` holds them."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, computed_field

from backchannel.events.coverage import FileExtent

__all__ = [
    "TABLE_COLUMNS",
    "Coverage",
    "InstalledDataset",
    "InstalledFile",
    "ListRecord",
    "Publication",
    "Status",
]

TABLE_COLUMNS = ("id", "version", "status", "rows", "years", "countries", "source")
"""The columns of ``InstalledDataset.table_row``."""


class Status(StrEnum):
    """How far an installed data set (or file) could be checked."""

    VERIFIED = "verified"
    LAYOUT_CHECKED = "layout-checked"
    NOT_INSTALLED = "not installed"
    DAMAGED = "damaged"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Coverage(_Record):
    """What a file covers: data rows, first and last year, number of distinct countries."""

    rows: int = 0
    year_min: int | None = None
    year_max: int | None = None
    countries: int | None = None

    @property
    def years(self) -> str:
        """``"1989-2022"``, one year, or ``""`` when the file has no year."""
        if self.year_min is None or self.year_max is None:
            return ""
        if self.year_min == self.year_max:
            return str(self.year_min)
        return f"{self.year_min}-{self.year_max}"


class InstalledFile(_Record):
    """One installed file, as recorded in ``installed.json``.

    ``extent`` is what the manifest declares the file covers (for event data: a full
    release, a country extract and its countries, or a sample); files the manifest
    declares nothing for, and records written before extents were kept, read as unknown.
    ``etag`` and ``last_modified`` are the validators the server sent with a download
    (``None`` for a mirror copy): the next pull asks whether the file changed since.
    """

    name: str
    source: str
    sha256: str
    size: int
    status: Status
    coverage: Coverage
    extent: FileExtent = FileExtent()
    etag: str | None = None
    last_modified: str | None = None


_STATED = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class Publication(_Record):
    """When the producer published a copy, as the producer states it.

    ``stated`` is the date at the precision the producer gives: a day (``2026-02-27``),
    a month (``2026-08``) or a year (``2023``). ``day`` is the earliest day the copy can
    have been published, from which its age is counted, so that an age is never
    understated: the first day of a stated month or year, or, for a release named after
    the period its events cover, the last day of that period. ``basis`` says where the
    date comes from.
    """

    stated: str
    day: dt.date
    basis: str

    @classmethod
    def of(cls, stated: str, basis: str, *, covers_period: bool = False) -> Publication:
        """The publication ``stated`` as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

        With ``covers_period`` the stated period is the one the release's events cover,
        so the copy cannot have been published before the period's last day.
        ``ValueError`` for any other form.
        """
        match = _STATED.fullmatch(stated.strip())
        if match is None:
            raise ValueError(f"not a stated date (YYYY, YYYY-MM or YYYY-MM-DD): {stated!r}")
        year = int(match[1])
        month = int(match[2]) if match[2] else None
        day_of_month = int(match[3]) if match[3] else None
        if day_of_month is not None and month is not None:
            return cls(stated=stated, day=dt.date(year, month, day_of_month), basis=basis)
        if not covers_period:
            return cls(stated=stated, day=dt.date(year, month or 1, 1), basis=basis)
        last_month = month or 12
        last_day = calendar.monthrange(year, last_month)[1]
        return cls(stated=stated, day=dt.date(year, last_month, last_day), basis=basis)


class ListRecord(_Record):
    """A designation list as its own reader found it when it was installed.

    ``entries`` is what screening will search; ``rejected`` the records the reader could
    not take. ``published`` is the publication date the file states, ``None`` when it
    states none: such a list is undated (``publication`` says so in words), never dated
    by the day it was downloaded. ``forced`` records an install that passed the entry-count
    guard only because ``--force`` was given.
    """

    list_id: str
    entries: int
    rejected: int = 0
    published: dt.date | None = None
    forced: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def publication(self) -> str:
        """``2026-02-27``, or ``undated``."""
        return self.published.isoformat() if self.published is not None else "undated"


class InstalledDataset(_Record):
    """One data set of the manifest and its installation (``installed`` false if absent).

    ``designation_list`` is set for a designation list: what its reader found at install
    (entries, publication date); ``None`` for other data sets and older records.
    ``publication`` is when the producer published the installed copy (``None``: the copy
    is undated, or the record predates publication dates).
    """

    id: str
    title: str
    version: str
    installed: bool = False
    status: Status = Status.NOT_INSTALLED
    source: str = ""
    installed_at: str = ""
    licence: str = ""
    citation: str = ""
    coverage: Coverage = Coverage()
    files: tuple[InstalledFile, ...] = ()
    problem: str = ""
    designation_list: ListRecord | None = None
    publication: Publication | None = None

    def table_row(self) -> list[str]:
        """The cells of ``backchannel data list``, in ``TABLE_COLUMNS`` order (id, version,
        status, rows, years, countries, source); empty strings where unknown."""
        if not self.installed:
            return [self.id, self.version, str(self.status), "", "", "", ""]
        countries = self.coverage.countries
        return [
            self.id,
            self.version,
            str(self.status),
            str(self.coverage.rows),
            self.coverage.years,
            "" if countries is None else str(countries),
            self.source,
        ]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict of the record (what ``installed.json`` holds, plus status)."""
        return self.model_dump(mode="json")
