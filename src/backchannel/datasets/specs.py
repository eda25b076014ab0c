"""The shapes of the manifest: what a data set, one of its files and a file's layout are.

Plain frozen records that check themselves; the data itself lives in ``manifest``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Literal

from backchannel.events.coverage import ExtentKind

__all__ = [
    "Cadence",
    "CsvLayout",
    "DatasetSpec",
    "ExtentRule",
    "FileSpec",
    "Layout",
    "ListCheck",
    "MonthlyRelease",
    "Upstream",
    "XlsxLayout",
    "XmlLayout",
]


@dataclass(frozen=True)
class CsvLayout:
    """What a CSV file must look like, and where its coverage is read from.

    With ``header`` the first row names the columns and must include ``required_columns``;
    without, every row must have exactly ``column_count`` fields. Every data row must be as
    wide as the header (or ``column_count``). ``year_column`` may hold a year or an ISO date;
    ``country_column`` is a column name, or a 0-based index for header-less files, and
    ``country_separator`` splits cells that list several countries.
    """

    required_columns: tuple[str, ...] = ()
    header: bool = True
    column_count: int | None = None
    year_column: str | None = None
    country_column: str | int | None = None
    country_separator: str | None = None
    encoding: str = "utf-8-sig"

    def __post_init__(self) -> None:
        if self.header:
            if isinstance(self.country_column, int):
                raise ValueError("a CSV with a header names its country column")
            return
        if self.column_count is None or self.column_count < 1:
            raise ValueError("a CSV without a header needs a column_count of 1 or more")
        if self.required_columns or self.year_column is not None:
            raise ValueError("a CSV without a header has no named columns")
        if isinstance(self.country_column, str):
            raise ValueError("a CSV without a header gives its country column as an index")
        if self.country_column is not None and not 0 <= self.country_column < self.column_count:
            raise ValueError(f"country column {self.country_column} is outside the row")


@dataclass(frozen=True)
class XmlLayout:
    """An XML file: its root element, and the elements two levels down that count as rows."""

    root: str
    record_elements: tuple[str, ...] = ()
    year_element: str | None = None


@dataclass(frozen=True)
class XlsxLayout:
    """An Excel workbook: the columns its first sheet's header row must name."""

    required_columns: tuple[str, ...] = ()
    year_column: str | None = None
    country_column: str | None = None
    country_separator: str | None = None


Layout = CsvLayout | XmlLayout | XlsxLayout


@dataclass(frozen=True)
class ExtentRule:
    """Installed files whose name matches ``pattern`` (a case-sensitive glob) are of ``kind``.

    A country extract lists the countries found in the file's country column at install
    time, so a rule of that kind needs a layout that names one.
    """

    pattern: str
    kind: ExtentKind


@dataclass(frozen=True)
class MonthlyRelease:
    """A producer that publishes one file a month, named for the month its events cover.

    ``url`` and ``name`` hold ``{yy}`` (the year's last two digits) and ``{month}`` (1 to
    12, unpadded). The newest release is found by trying the month before the current one,
    then each earlier month, ``months_back`` in all: a month not yet published answers 404.
    """

    url: str
    name: str
    months_back: int = 4

    def __post_init__(self) -> None:
        for template in (self.url, self.name):
            if "{yy}" not in template or "{month}" not in template:
                raise ValueError(f"{template!r} must hold {{yy}} and {{month}}")
        if self.months_back < 1:
            raise ValueError("a monthly release is looked for in one month or more")


@dataclass(frozen=True)
class FileSpec:
    """One file of a data set.

    ``mirror`` is the file's place under a mirror root, or a glob matching several files
    (each is installed under its own name). ``url`` is the direct upstream download, or
    ``None`` when the producer offers none; when it is a zip archive, ``member`` is the
    glob of the one member to install. ``checked`` is the day ``url`` was confirmed
    against a stored copy of the document the data set's ``Upstream`` names (``None``: not
    confirmed, see its evidence). ``monthly`` replaces ``url`` for a producer that names
    each monthly release after its month; ``api`` names a producer's API that ``url`` is the
    read endpoint of (``acled``). ``sha256`` is the checksum of the installed file (the
    member, for archives) when upstream is versioned. ``extents`` declares what each
    installed file covers by its name: the first rule that matches decides, and a file no
    rule matches is of unknown extent.
    """

    name: str
    mirror: str
    layout: Layout
    url: str | None = None
    member: str | None = None
    sha256: str | None = None
    extents: tuple[ExtentRule, ...] = ()
    checked: dt.date | None = None
    monthly: MonthlyRelease | None = None
    api: Literal["acled"] | None = None

    def __post_init__(self) -> None:
        extract = any(r.kind is ExtentKind.COUNTRY_EXTRACT for r in self.extents)
        if extract and (isinstance(self.layout, XmlLayout) or self.layout.country_column is None):
            raise ValueError(f"{self.name}: a country extract needs a layout with a country column")
        if self.monthly is not None and self.url is not None:
            raise ValueError(f"{self.name}: a monthly release has no fixed url")
        if self.api is not None and self.url is None:
            raise ValueError(f"{self.name}: an API needs its read endpoint as url")
        if self.checked is not None and self.url is None and self.monthly is None:
            raise ValueError(f"{self.name}: no address to have checked")

    def extent_kind(self, installed_name: str) -> ExtentKind:
        """The extent the first matching rule declares for a file installed under this name."""
        for rule in self.extents:
            if fnmatchcase(installed_name, rule.pattern):
                return rule.kind
        return ExtentKind.UNKNOWN


@dataclass(frozen=True)
class ListCheck:
    """A designation list: the screening reader that must read it whole before it is
    installed, and the entry count it is held to.

    ``reader`` names the reader screening uses (``un``: the UN consolidated XML; ``ofac``:
    OFAC's sdn, alt and add files, in the data set's file order). ``reference_entries`` is
    the number of entries a copy the producer published held, ``reference`` which copy:
    a new copy far below it (or far below the installed copy) is refused unless forced.
    """

    reader: Literal["un", "ofac"]
    reference_entries: int | None = None
    reference: str = ""

    def __post_init__(self) -> None:
        if self.reference_entries is not None:
            if self.reference_entries < 1:
                raise ValueError("a reference entry count must be 1 or more")
            if not self.reference.strip():
                raise ValueError("a reference entry count must say which copy it counts")


class Cadence(StrEnum):
    """How often a producer publishes a new copy; it sets the age beyond which the installed
    copy counts as stale (``settings.list_max_age_days`` for lists, else
    ``settings.data_max_age_days`` or ``freshness.DEFAULT_MAX_AGE_DAYS``)."""

    LIST = "list"  # a designation list, changed whenever a listing changes
    MONTHLY = "monthly"
    YEARLY = "yearly"  # a yearly release, or rarer
    FEED = "feed"  # a live event feed, updated weekly or more often


@dataclass(frozen=True)
class Upstream:
    """Where a producer documents the addresses its files are published at.

    ``documented_at`` is the producer's page that gives or lists the addresses;
    ``evidence`` says what confirmed each file's address on the day its ``checked`` names,
    or why it could not be confirmed.
    """

    documented_at: str
    evidence: str


@dataclass(frozen=True)
class DatasetSpec:
    """One external data set: what it is, where it comes from, and how to cite it.

    ``designation_list`` is set for the designation lists screening reads: their install
    runs the list's reader on the new copy and checks its entry count. ``published`` is
    the producer's date of the pinned release as the producer states it (``2025-09-03``,
    ``2025-04``, ``2023``; empty when it states none or the date comes from the file).
    ``optional`` data sets are pulled with all the others only when they can be: a mirror
    that lacks them, or missing credentials, skips them with a note. A data set that is not
    ``redistributable`` never comes from a mirror and is never exported from the store.
    """

    id: str
    title: str
    version: str
    producer: str
    homepage: str
    licence: str
    citation: str
    files: tuple[FileSpec, ...]
    notes: str = ""
    designation_list: ListCheck | None = None
    upstream: Upstream | None = None
    cadence: Cadence = Cadence.YEARLY
    published: str = ""
    optional: bool = False
    redistributable: bool = True
