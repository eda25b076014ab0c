"""Where a file is fetched from upstream: the manifest's address, a configured one, a base.

``address`` gives a file's upstream URL: ``settings.upstream_urls`` first (an address the
manifest could not confirm, such as PA-X's export), else the manifest's. ``through_base``
moves any upstream URL under ``settings.upstream_base`` (``https://host/path`` becomes
``<base>/host/path``), for a caching proxy, an internal copy of the producers' sites, or a
test server: every download and API call goes through it, so the code that runs against a
local server is the code that runs against the producers. ``newest_monthly`` finds the
newest release of a producer that names each monthly file after its month.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import httpx

from backchannel.datasets.download import DownloadPolicy, probe
from backchannel.datasets.specs import DatasetSpec, FileSpec, MonthlyRelease
from backchannel.errors import DataUnavailableError
from backchannel.settings import Settings

__all__ = [
    "MonthlyFile",
    "address",
    "monthly_file",
    "monthly_of_name",
    "newest_monthly",
    "override_keys",
    "through_base",
]


def override_keys(spec: DatasetSpec, file_spec: FileSpec) -> tuple[str, ...]:
    """The keys of ``settings.upstream_urls`` that name this file, most specific first."""
    keys = [f"{spec.id}/{file_spec.name}"]
    if len(spec.files) == 1:
        keys.append(spec.id)
    return tuple(keys)


def address(settings: Settings, spec: DatasetSpec, file_spec: FileSpec) -> str | None:
    """The upstream URL of a file before ``through_base``: configured, else the manifest's
    (``None`` when neither gives one)."""
    for key in override_keys(spec, file_spec):
        configured = settings.upstream_urls.get(key)
        if configured:
            return configured
    return file_spec.url


def through_base(settings: Settings, url: str) -> str:
    """``url`` as fetched: unchanged, or moved under ``settings.upstream_base``."""
    base = settings.upstream_base
    if not base:
        return url
    parsed = httpx.URL(url)
    rest = parsed.raw_path.decode("ascii")  # path and query, as sent
    return f"{base.rstrip('/')}/{parsed.host}{rest}"


@dataclass(frozen=True)
class MonthlyFile:
    """One monthly release: the name it is installed under, its address, its version and
    the month its events cover (``2026-08``)."""

    name: str
    url: str
    version: str
    month: str


def _months_before(today: dt.date, count: int) -> list[tuple[int, int]]:
    """The ``count`` (year, month) pairs before ``today``'s month, newest first."""
    year, month = today.year, today.month
    found = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        found.append((year, month))
    return found


def monthly_of_name(release: MonthlyRelease, name: str) -> MonthlyFile | None:
    """The release a file named ``name`` is (as a mirror holds it), or ``None`` when the
    name is not of the release's form."""
    pattern = re.escape(release.name)
    pattern = pattern.replace(re.escape("{yy}"), r"(?P<yy>\d{2})")
    pattern = pattern.replace(re.escape("{month}"), r"(?P<month>1[0-2]|[1-9])")
    match = re.fullmatch(pattern, name)
    if match is None:
        return None
    return monthly_file(release, 2000 + int(match["yy"]), int(match["month"]))


def monthly_file(release: MonthlyRelease, year: int, month: int) -> MonthlyFile:
    """The release for ``year``-``month``."""
    values = {"yy": f"{year % 100:02d}", "month": str(month)}
    return MonthlyFile(
        name=release.name.format(**values),
        url=release.url.format(**values),
        version=f"{year % 100:02d}.0.{month}",
        month=f"{year:04d}-{month:02d}",
    )


def newest_monthly(
    settings: Settings,
    spec: DatasetSpec,
    release: MonthlyRelease,
    policy: DownloadPolicy,
    today: dt.date | None = None,
) -> MonthlyFile:
    """The newest monthly release the producer has published, trying the month before
    ``today``'s, then each earlier one (``release.months_back`` in all).

    Raises ``DataUnavailableError`` naming every address tried when none is there, and as
    a download does when the server fails or cannot be reached.
    """
    tried = []
    for year, month in _months_before(today or dt.date.today(), release.months_back):
        candidate = monthly_file(release, year, month)
        url = through_base(settings, candidate.url)
        if probe(spec.id, url, policy):
            return MonthlyFile(candidate.name, url, candidate.version, candidate.month)
        tried.append(url)
    raise DataUnavailableError(
        f"{spec.id}: no monthly release found; tried {', '.join(tried)} (each answered 404). "
        f"Check the producer's page {spec.homepage}, or install from a local copy with "
        "`backchannel data pull --mirror DIR`."
    )
