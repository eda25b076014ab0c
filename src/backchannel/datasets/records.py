"""The records of an installation: per file and per data set, as ``installed.json`` holds them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, computed_field

from backchannel.events.coverage import FileExtent

__all__ = [
    "TABLE_COLUMNS",
    "Coverage",
    "InstalledDataset",
    "InstalledFile",
    "ListRecord",
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
    """

    name: str
    source: str
    sha256: str
    size: int
    status: Status
    coverage: Coverage
    extent: FileExtent = FileExtent()


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
