"""Getting a file's bytes: a copy from a mirror folder, or an HTTP download (maybe a zip member).

Each source is a ``Fetch``: a callable that writes the bytes to an open file and reports
progress. Every failure is a ``DataUnavailableError`` that names the source and, for
downloads, points to ``--mirror``.
"""

from __future__ import annotations

import fnmatch
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO

from backchannel.datasets.specs import FileSpec
from backchannel.errors import DataUnavailableError

__all__ = ["Fetch", "Progress", "mirror_fetch", "url_fetch"]

Progress = Callable[[str, int, int | None], None]
"""Called as ``progress(file_name, bytes_done, bytes_total_or_None)`` while a file copies."""

Fetch = Callable[[IO[bytes], Progress | None], None]
"""Writes one file's bytes to the open file given, reporting to the progress callback."""

_CHUNK = 1 << 16
_OFFLINE_HINT = (
    "Check the network connection, or install from a local copy of the data: "
    "`backchannel data pull --mirror DIR` (or set BACKCHANNEL_MIRROR)."
)


def mirror_fetch(path: Path) -> Fetch:
    """The fetch that copies the mirror file ``path``."""

    def fetch(out: IO[bytes], progress: Progress | None) -> None:
        try:
            total = path.stat().st_size
            with path.open("rb") as src:
                _copy(src, out, path.name, total, progress)
        except OSError as exc:
            raise DataUnavailableError(f"cannot copy mirror file {path}: {exc}") from exc

    return fetch


def url_fetch(dataset_id: str, file_spec: FileSpec, timeout: float) -> Fetch:
    """The fetch that downloads ``file_spec.url`` (then extracts ``file_spec.member``, if
    set), giving up on a silent server after ``timeout`` seconds."""
    url = file_spec.url or ""

    def fetch(out: IO[bytes], progress: Progress | None) -> None:
        if file_spec.member is None:
            _download(
                dataset_id,
                url=url,
                timeout=timeout,
                out=out,
                label=file_spec.name,
                progress=progress,
            )
            return
        # An archive: download it to a temporary file, then extract the one member.
        with tempfile.TemporaryFile() as archive:
            _download(
                dataset_id,
                url=url,
                timeout=timeout,
                out=archive,
                label=file_spec.name,
                progress=progress,
            )
            archive.seek(0)
            _extract_member(dataset_id, url, archive, file_spec.member, out)

    return fetch


def _download(
    dataset_id: str,
    *,
    url: str,
    timeout: float,
    out: IO[bytes],
    label: str,
    progress: Progress | None,
) -> None:
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise DataUnavailableError(f"{dataset_id}: refusing to download from {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": "backchannel-data-pull"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            _copy(response, out, label, total, progress)
    except urllib.error.HTTPError as exc:
        raise DataUnavailableError(
            f"{dataset_id}: download of {url} failed: HTTP {exc.code} {exc.reason}. {_OFFLINE_HINT}"
        ) from exc
    except urllib.error.URLError as exc:
        raise DataUnavailableError(
            f"{dataset_id}: cannot reach {url}: {exc.reason}. {_OFFLINE_HINT}"
        ) from exc
    except (TimeoutError, OSError) as exc:
        raise DataUnavailableError(
            f"{dataset_id}: download of {url} failed or timed out after {timeout:g} s: "
            f"{exc}. {_OFFLINE_HINT}"
        ) from exc


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


def _copy(
    src: IO[bytes], out: IO[bytes], label: str, total: int | None, progress: Progress | None
) -> None:
    done = 0
    if progress is not None:
        progress(label, 0, total)
    while chunk := src.read(_CHUNK):
        out.write(chunk)
        done += len(chunk)
        if progress is not None:
            progress(label, done, total)
