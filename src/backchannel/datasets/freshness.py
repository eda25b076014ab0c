"""How old each installed data set is, and whether it is stale.

A data set's age is counted from the producer's own date for the installed copy
(``InstalledDataset.publication``): the date a designation list states in its file (the
UN list's ``dateGenerated``), the release date the manifest gives for a pinned release,
the month a monthly GED candidate release covers, the newest event date of the ACLED
events. A copy that states no date (OFAC's delimited files, PA-X version 6) is undated:
its age is unknown and it is flagged, never dated by the day it was downloaded. A copy
older than its largest age is stale: ``settings.list_max_age_days`` for designation lists
(the limit screening applies), else ``settings.data_max_age_days`` by data set id or by
cadence, else ``DEFAULT_MAX_AGE_DAYS``.

``data_ages`` gives every data set of the manifest; the brief and the web workspace call
it (or ``installed_data_ages`` for the ones a case's analysis read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from backchannel.datasets.listing import installed
from backchannel.datasets.manifest import MANIFEST
from backchannel.datasets.records import InstalledDataset, Publication, Status
from backchannel.datasets.specs import Cadence, DatasetSpec
from backchannel.settings import Settings

__all__ = [
    "DEFAULT_MAX_AGE_DAYS",
    "DataAge",
    "Freshness",
    "data_ages",
    "installed_data_ages",
    "max_age_days",
    "publication_of",
]

#: The largest age in days of each cadence when the settings name none (lists follow
#: ``settings.list_max_age_days``).
DEFAULT_MAX_AGE_DAYS: dict[Cadence, int] = {
    Cadence.MONTHLY: 45,
    Cadence.YEARLY: 400,
    Cadence.FEED: 30,
}


class Freshness(StrEnum):
    """Where an installed copy stands against its largest age."""

    CURRENT = "current"
    STALE = "stale"
    AGE_UNKNOWN = "age unknown"
    NOT_INSTALLED = "not installed"


@dataclass(frozen=True)
class DataAge:
    """One data set's publication date, age and freshness on the day ``on``.

    ``published`` is the producer's date as the producer states it (``2026-02-27``,
    ``2026-08``, ``2023``), ``None`` when the copy is undated or not installed.
    ``age_days`` counts from the earliest day that date allows (so it is never
    understated); ``stale`` is true for a copy older than ``max_age_days`` and for an
    undated one (nothing shows it is current), ``None`` when nothing is installed.
    """

    id: str
    title: str
    version: str
    on: dt.date
    published: str | None
    basis: str
    age_days: int | None
    max_age_days: int
    freshness: Freshness

    @property
    def stale(self) -> bool | None:
        """Whether the copy cannot be shown to be current; ``None`` when not installed."""
        if self.freshness is Freshness.NOT_INSTALLED:
            return None
        return self.freshness is not Freshness.CURRENT

    @property
    def published_text(self) -> str:
        """The publication date, ``undated``, or empty when nothing is installed."""
        if self.freshness is Freshness.NOT_INSTALLED:
            return ""
        return self.published or "undated"

    @property
    def age_text(self) -> str:
        """``420 days``, ``age unknown``, or empty when nothing is installed."""
        if self.freshness is Freshness.NOT_INSTALLED:
            return ""
        if self.age_days is None:
            return "age unknown"
        return f"{self.age_days} day" + ("" if self.age_days == 1 else "s")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: the keys ``data list --format json`` adds to each entry, and
        what the brief's "Data behind these figures" shows."""
        return {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "published": self.published,
            "published_basis": self.basis,
            "age_days": self.age_days,
            "stale": self.stale,
            "max_age_days": self.max_age_days,
            "freshness": self.freshness.value,
        }


def max_age_days(settings: Settings, spec: DatasetSpec) -> int:
    """The largest age of ``spec``'s copy before it counts as stale."""
    configured = settings.data_max_age_days
    if spec.id in configured:
        return configured[spec.id]
    if spec.cadence is Cadence.LIST:
        return settings.list_max_age_days
    return configured.get(spec.cadence.value, DEFAULT_MAX_AGE_DAYS[spec.cadence])


def publication_of(spec: DatasetSpec, record: InstalledDataset) -> Publication | None:
    """The producer's date of the installed copy: the record's, else (for records written
    before dates were kept) the list's stated date or the manifest's date of the release."""
    if record.publication is not None:
        return record.publication
    if record.designation_list is not None:
        published = record.designation_list.published
        if published is None:
            return None
        return Publication.of(published.isoformat(), "the publication date the list's file states")
    if spec.designation_list is None and spec.published and record.version == spec.version:
        return Publication.of(spec.published, f"the producer's date of release {spec.version}")
    return None


def _age(settings: Settings, spec: DatasetSpec, record: InstalledDataset, on: dt.date) -> DataAge:
    limit = max_age_days(settings, spec)
    if not record.installed or record.status is Status.DAMAGED:
        return DataAge(
            spec.id, spec.title, record.version, on, None, "", None, limit,
            Freshness.NOT_INSTALLED,
        )  # fmt: skip
    publication = publication_of(spec, record)
    if publication is None:
        return DataAge(
            spec.id, spec.title, record.version, on, None,
            "the installed copy states no publication date", None, limit, Freshness.AGE_UNKNOWN,
        )  # fmt: skip
    age = (on - publication.day).days
    state = Freshness.STALE if age > limit else Freshness.CURRENT
    return DataAge(
        spec.id, spec.title, record.version, on, publication.stated, publication.basis,
        age, limit, state,
    )  # fmt: skip


def data_ages(
    settings: Settings,
    on: dt.date | None = None,
    manifest: Sequence[DatasetSpec] = MANIFEST,
) -> list[DataAge]:
    """Every data set of the manifest with its publication date, age and freshness on the
    day ``on`` (default today), in manifest order."""
    day = on or dt.date.today()
    records = installed(settings, manifest)
    return [
        _age(settings, spec, record, day) for spec, record in zip(manifest, records, strict=True)
    ]


def installed_data_ages(
    settings: Settings,
    ids: Iterable[str],
    on: dt.date | None = None,
    manifest: Sequence[DatasetSpec] = MANIFEST,
) -> tuple[DataAge, ...]:
    """The ages of the data sets ``ids`` that are installed, in manifest order: what a
    brief names as the data behind its figures."""
    wanted = set(ids)
    ages = data_ages(settings, on, [spec for spec in manifest if spec.id in wanted])
    return tuple(a for a in ages if a.freshness is not Freshness.NOT_INSTALLED)
