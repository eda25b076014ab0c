"""Getting a file's bytes: a copy from a mirror folder, a download (maybe a zip member), or
ACLED's API.

Each source is a ``Source``: the name the file is installed under, where it comes from,
and a ``Fetch`` that writes the file to a path in the staging folder and says what it
found (``FetchOutcome``): a download whose server answered that the installed copy is
current writes nothing and says ``not_modified``. Downloads go to a partial file in the
data set's partial folder, which survives a failed pull so the next one resumes it.
Every failure is a ``DataUnavailableError`` that names the source and, for downloads,
points to ``--mirror``.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from backchannel.datasets.acled import pull_acled
from backchannel.datasets.download import (
    DownloadPolicy,
    Progress,
    Validators,
    copy_stream,
    discard_partial,
    download,
)
from backchannel.datasets.records import Publication
from backchannel.errors import DataUnavailableError
from backchannel.settings import Settings

__all__ = [
    "Fetch",
    "FetchOutcome",
    "Progress",
    "Source",
    "acled_fetch",
    "mirror_fetch",
    "url_fetch",
]

_CHUNK = 1 << 16


@dataclass(frozen=True)
class FetchOutcome:
    """What a fetch found: the file, or that the installed copy is current (nothing was
    written); the server's validators; the release and publication the source states."""

    not_modified: bool = False
    validators: Validators = field(default_factory=Validators)
    version: str | None = None
    publication: Publication | None = None


Fetch = Callable[[Path, Progress | None], FetchOutcome]
"""Writes one file to the path given (in the staging folder), reporting progress."""


@dataclass(frozen=True)
class Source:
    """One file to install: its installed name, where it comes from (a URL, or
    ``mirror:<path>``), and the fetch that writes it."""

    name: str
    label: str
    fetch: Fetch


def mirror_fetch(
    path: Path, *, version: str | None = None, publication: Publication | None = None
) -> Fetch:
    """The fetch that copies the mirror file ``path`` (of the release ``version``, when
    its name says which)."""

    def fetch(target: Path, progress: Progress | None) -> FetchOutcome:
        try:
            total = path.stat().st_size
            with path.open("rb") as src, target.open("wb") as out:
                copy_stream(src, out, target.name, total, progress)
        except OSError as exc:
            raise DataUnavailableError(f"cannot copy mirror file {path}: {exc}") from exc
        return FetchOutcome(version=version, publication=publication)

    return fetch


def url_fetch(
    dataset_id: str,
    url: str,
    *,
    member: str | None,
    partial_dir: Path,
    policy: DownloadPolicy,
    validators: Validators | None = None,
    version: str | None = None,
    publication: Publication | None = None,
) -> Fetch:
    """The fetch that downloads ``url`` (then extracts the zip ``member`` glob, if set).

    The download lands in ``partial_dir`` first and is kept there when it fails, so the
    next pull resumes it; ``validators`` of the installed copy make the request
    conditional. ``version`` and ``publication`` describe the release the address holds.
    """
    archive_name = Path(httpx.URL(url).path).name or "download"

    def fetch(target: Path, progress: Progress | None) -> FetchOutcome:
        part = partial_dir / f"{target.name if member is None else archive_name}.part"
        got = download(
            dataset_id,
            url,
            part,
            label=target.name,
            policy=policy,
            progress=progress,
            validators=validators,
        )
        if got.not_modified:
            return FetchOutcome(True, got.validators, version, publication)
        if member is None:
            os.replace(part, target)
        else:
            try:
                with part.open("rb") as archive, target.open("wb") as out:
                    _extract_member(dataset_id, url, archive, member, out)
            except DataUnavailableError:
                discard_partial(part)  # a complete download that is no archive: no resume
                raise
        discard_partial(part)
        return FetchOutcome(False, got.validators, version, publication)

    return fetch


def acled_fetch(settings: Settings, policy: DownloadPolicy, installed: Path | None) -> Fetch:
    """The fetch that merges the events ACLED's API gives since the newest installed one
    into the installed ACLED file ``installed`` (``None`` on a first pull)."""

    def fetch(target: Path, progress: Progress | None) -> FetchOutcome:
        pulled = pull_acled(
            settings, policy, installed, target, label=target.name, progress=progress
        )
        publication = (
            Publication.of(pulled.newest.isoformat(), "the newest event_date in the file")
            if pulled.newest is not None
            else None
        )
        return FetchOutcome(publication=publication)

    return fetch


def _extract_member(
    dataset_id: str, url: str, archive: IO[bytes], pattern: str, out: IO[bytes]
) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [
                n
                for n in zf.namelist()
                if not n.endswith("/") and fnmatch.fnmatch(Path(n).name, pattern)
            ]
            if len(names) != 1:
                raise DataUnavailableError(
                    f"{dataset_id}: expected one member matching {pattern!r} in {url}, "
                    f"found {len(names)}: {', '.join(zf.namelist()) or 'none'}"
                )
            with zf.open(names[0]) as member:
                shutil.copyfileobj(member, out, _CHUNK)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise DataUnavailableError(
            f"{dataset_id}: {url} is not a valid zip archive: {exc}"
        ) from exc
