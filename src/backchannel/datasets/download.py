"""HTTP downloads for a data pull: bounded waits, retries with backoff, resumption, validators.

``download`` fetches one URL into a partial file that outlives a failed pull, so the next
pull resumes it with an HTTP Range request (guarded by ``If-Range``, so a file that changed
meanwhile is fetched whole again). It waits ``connect_timeout`` to connect and
``read_timeout`` for each next bytes; a server error (5xx, 408, 429), a read timeout or a
connection cut mid-file is retried with exponential backoff; a 404 or any other client
error is not, and neither is a server that cannot be reached at all (offline: the pull
fails at once and points to ``--mirror``). A body shorter than its Content-Length is a cut
connection. Given the installed copy's ETag or Last-Modified, the request is conditional
and a 304 answer says the file did not change. A SHA-256 the server publishes with the
file (``Repr-Digest`` or ``Digest``) is checked.

Every failure is a ``DataUnavailableError`` that names the data set and the address.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from backchannel.errors import DataUnavailableError
from backchannel.settings import Settings

__all__ = [
    "OFFLINE_HINT",
    "DownloadPolicy",
    "Downloaded",
    "NotPublished",
    "Progress",
    "Validators",
    "discard_partial",
    "download",
    "probe",
    "request_json",
]

Progress = Callable[[str, int, int | None], None]
"""Called as ``progress(file_name, bytes_done, bytes_total_or_None)`` while a file copies."""

OFFLINE_HINT = (
    "Check the network connection, or install from a local copy of the data: "
    "`backchannel data pull --mirror DIR` (or set BACKCHANNEL_MIRROR)."
)
_CHUNK = 1 << 16
_USER_AGENT = "backchannel-data-pull"
#: Client errors that are worth another try: a request timeout and rate limiting.
_RETRY_STATUSES = frozenset({408, 429})
_SHA256_FIELD = re.compile(r"sha-256\s*=\s*:?([A-Za-z0-9+/=]+):?", re.IGNORECASE)


@dataclass(frozen=True)
class DownloadPolicy:
    """How long to wait and how often to try again."""

    connect_timeout: float
    read_timeout: float
    retries: int
    backoff: float

    @classmethod
    def of(cls, settings: Settings) -> DownloadPolicy:
        """The policy the settings ask for."""
        return cls(
            connect_timeout=settings.download_connect_timeout,
            read_timeout=settings.download_timeout,
            retries=settings.download_retries,
            backoff=settings.download_backoff,
        )

    def timeout(self) -> httpx.Timeout:
        """The httpx timeout: connect, read, write and pool waits."""
        return httpx.Timeout(
            self.read_timeout, connect=self.connect_timeout, pool=self.connect_timeout
        )

    def wait_before(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1, 2, ...): the backoff doubled
        for each earlier retry."""
        return float(self.backoff * 2 ** (retry - 1))


@dataclass(frozen=True)
class Validators:
    """What identifies a server's copy of a file: its ETag and Last-Modified headers."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True)
class Downloaded:
    """The outcome of a download: the file, or word that it did not change (a 304)."""

    not_modified: bool
    validators: Validators
    size: int
    resumed_from: int = 0


class NotPublished(DataUnavailableError):
    """The server says the file is not there (404 or 410)."""


class _Retry(Exception):
    """A failure worth another attempt; the message says what happened."""


class _Offline(Exception):
    """The server could not be reached at all."""


def _client(policy: DownloadPolicy) -> httpx.Client:
    return httpx.Client(
        timeout=policy.timeout(),
        follow_redirects=True,
        headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"},
    )


def _check_scheme(dataset_id: str, url: str) -> None:
    if httpx.URL(url).scheme not in ("http", "https"):
        raise DataUnavailableError(f"{dataset_id}: refusing to download from {url!r}")


@contextmanager
def _transport_errors() -> Iterator[None]:
    """httpx's exceptions as ``_Offline`` (no connection) or ``_Retry`` (cut, timed out)."""
    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise _Offline(str(exc) or type(exc).__name__) from exc
    except httpx.TimeoutException as exc:
        raise _Retry(f"no data within the read timeout ({type(exc).__name__})") from exc
    except (httpx.TransportError, httpx.StreamError) as exc:
        raise _Retry(f"the connection broke: {exc or type(exc).__name__}") from exc


def _with_retries(
    dataset_id: str,
    url: str,
    policy: DownloadPolicy,
    attempt: Callable[[], Any],
    sleep: Callable[[float], None],
) -> Any:
    """``attempt()`` until it succeeds, retrying a ``_Retry`` up to ``policy.retries`` times."""
    tries = 0
    while True:
        try:
            return attempt()
        except _Offline as exc:
            raise DataUnavailableError(
                f"{dataset_id}: cannot reach {url}: {exc}. {OFFLINE_HINT}"
            ) from None
        except _Retry as exc:
            tries += 1
            if tries > policy.retries:
                raise DataUnavailableError(
                    f"{dataset_id}: download of {url} failed after {tries} attempt(s): "
                    f"{exc}. {OFFLINE_HINT}"
                ) from None
            sleep(policy.wait_before(tries))


def _status_error(dataset_id: str, url: str, response: httpx.Response) -> Exception:
    """The exception for an unusable status: retry (5xx, 408, 429) or a final error."""
    status = response.status_code
    reason = response.reason_phrase
    if status >= 500 or status in _RETRY_STATUSES:
        return _Retry(f"HTTP {status} {reason}")
    message = f"{dataset_id}: download of {url} failed: HTTP {status} {reason}."
    if status in (404, 410):
        return NotPublished(
            f"{message} The producer may have moved or renamed the file: check the address "
            "in the manifest, or install from a local copy with "
            "`backchannel data pull --mirror DIR`."
        )
    return DataUnavailableError(f"{message} {OFFLINE_HINT}")


# --------------------------------------------------------------------------- partial files


def _sidecar(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def discard_partial(part: Path) -> None:
    """Remove a partial download and what is known of it."""
    part.unlink(missing_ok=True)
    _sidecar(part).unlink(missing_ok=True)


def _resume_point(part: Path, url: str) -> tuple[int, Validators]:
    """Bytes already downloaded from ``url`` and the validators of that copy; (0, none)
    when the partial file is of another address or its copy cannot be identified."""
    try:
        size = part.stat().st_size
        known = json.loads(_sidecar(part).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        discard_partial(part)
        return 0, Validators()
    validators = Validators(known.get("etag"), known.get("last_modified"))
    strong_etag = validators.etag is not None and not validators.etag.startswith("W/")
    if known.get("url") != url or size == 0 or not (strong_etag or validators.last_modified):
        # Without a validator a resumed file could join two different copies.
        discard_partial(part)
        return 0, Validators()
    return size, validators


def _remember(part: Path, url: str, validators: Validators) -> None:
    document = {"url": url, "etag": validators.etag, "last_modified": validators.last_modified}
    _sidecar(part).write_text(json.dumps(document), encoding="utf-8")


def _validators(headers: Mapping[str, str]) -> Validators:
    return Validators(headers.get("ETag"), headers.get("Last-Modified"))


def _published_sha256(headers: Mapping[str, str]) -> str | None:
    """The SHA-256 a server publishes for the whole file (RFC 9530 ``Repr-Digest``, or the
    older ``Digest``), as hex; ``None`` when it publishes none."""
    for name in ("Repr-Digest", "Digest"):
        value = headers.get(name)
        match = _SHA256_FIELD.search(value) if value else None
        if match is None:
            continue
        try:
            return base64.b64decode(match[1], validate=True).hex()
        except (binascii.Error, ValueError):
            return "unreadable"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- download


def download(
    dataset_id: str,
    url: str,
    part: Path,
    *,
    label: str,
    policy: DownloadPolicy,
    progress: Progress | None = None,
    validators: Validators | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Downloaded:
    """Download ``url`` into ``part``, resuming what an earlier attempt left there.

    With ``validators`` of the installed copy (and nothing to resume), the request asks
    whether the file changed: a 304 returns ``not_modified`` and leaves ``part`` absent.
    On success ``part`` holds the whole file; on failure it keeps what arrived, for the
    next pull to resume. Raises ``NotPublished`` for a 404 or 410 and
    ``DataUnavailableError`` for every other failure, naming ``dataset_id`` and ``url``.
    """
    _check_scheme(dataset_id, url)
    part.parent.mkdir(parents=True, exist_ok=True)
    with _client(policy) as client:

        def attempt() -> Downloaded:
            offset, known = _resume_point(part, url)
            with _transport_errors():
                return _attempt(
                    client,
                    dataset_id,
                    url,
                    part,
                    offset=offset,
                    known=known,
                    installed=validators,
                    label=label,
                    progress=progress,
                )

        result: Downloaded = _with_retries(dataset_id, url, policy, attempt, sleep)
    return result


def _request_headers(
    offset: int, known: Validators, installed: Validators | None
) -> dict[str, str]:
    headers: dict[str, str] = {}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        strong = known.etag if known.etag and not known.etag.startswith("W/") else None
        headers["If-Range"] = strong or known.last_modified or ""
    elif installed:
        if installed.etag:
            headers["If-None-Match"] = installed.etag
        if installed.last_modified:
            headers["If-Modified-Since"] = installed.last_modified
    return headers


def _attempt(
    client: httpx.Client,
    dataset_id: str,
    url: str,
    part: Path,
    *,
    offset: int,
    known: Validators,
    installed: Validators | None,
    label: str,
    progress: Progress | None,
) -> Downloaded:
    headers = _request_headers(offset, known, installed)
    with client.stream("GET", url, headers=headers) as response:
        status = response.status_code
        conditional = "If-None-Match" in headers or "If-Modified-Since" in headers
        if status == 304 and conditional:
            return Downloaded(True, installed or Validators(), 0)
        if status == 206 and offset:
            if _range_start(response.headers.get("Content-Range")) != offset:
                discard_partial(part)
                raise _Retry("the server sent another part of the file than the one asked for")
        elif status == 200:
            offset = 0
            _remember(part, url, _validators(response.headers))
        elif status == 416:
            discard_partial(part)
            raise _Retry("the server refused to resume the partial download (HTTP 416)")
        else:
            raise _status_error(dataset_id, url, response)
        length = response.headers.get("Content-Length")
        expected = offset + int(length) if length and length.isdigit() else None
        encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
        # A body compressed in transit although identity was asked for: its length is the
        # compressed one, so only its decoded bytes are kept and counted by the checks after.
        chunks = response.iter_bytes() if encoded else response.iter_raw()
        total = None if encoded else expected
        done = _append(chunks, part, offset=offset, label=label, total=total, progress=progress)
        expected = None if encoded else expected
        if expected is not None and done != expected:
            raise _Retry(f"the connection closed after {done:,} of {expected:,} bytes")
        got = _validators(response.headers)
    published = _published_sha256(response.headers)
    if published is not None and published != _sha256(part):
        discard_partial(part)
        raise DataUnavailableError(
            f"{dataset_id}: the file downloaded from {url} does not match the SHA-256 the "
            "server published with it; it was not installed. Pull again later."
        )
    return Downloaded(False, got if got else known, done, resumed_from=offset)


def _range_start(content_range: str | None) -> int | None:
    """The first byte of ``bytes 100-199/200``; ``None`` when absent or unreadable."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-\d+/(?:\d+|\*)\s*", content_range or "")
    return int(match[1]) if match else None


def _append(
    chunks: Iterator[bytes],
    part: Path,
    *,
    offset: int,
    label: str,
    total: int | None,
    progress: Progress | None,
) -> int:
    """Write ``chunks`` to ``part`` from ``offset`` on; the bytes it then holds."""
    done = offset
    mode = "r+b" if offset else "wb"
    with part.open(mode) as out:
        out.seek(offset)
        out.truncate()
        if progress is not None:
            progress(label, done, total)
        for chunk in chunks:
            out.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress(label, done, total)
    return done


# --------------------------------------------------------------------------- small requests


def probe(
    dataset_id: str,
    url: str,
    policy: DownloadPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Whether the server has a file at ``url``: True for 2xx, False for 404 or 410.

    Reads no body. Retries and fails as ``download`` does.
    """
    _check_scheme(dataset_id, url)
    with _client(policy) as client:

        def attempt() -> bool:
            with _transport_errors(), client.stream("GET", url) as response:
                if response.is_success:
                    return True
                error = _status_error(dataset_id, url, response)
                if isinstance(error, NotPublished):
                    return False
                raise error

        found: bool = _with_retries(dataset_id, url, policy, attempt, sleep)
    return found


def request_json(
    dataset_id: str,
    method: str,
    url: str,
    policy: DownloadPolicy,
    *,
    params: Mapping[str, str | int] | None = None,
    data: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    refused: Callable[[httpx.Response], Exception | None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """The JSON document an API answers, retried as a download is.

    ``refused`` may turn a response into the error to raise (e.g. a 401 into a message on
    the credentials); it is asked before the status is judged.
    """
    _check_scheme(dataset_id, url)
    with _client(policy) as client:

        def attempt() -> Any:
            with _transport_errors():
                response = client.request(method, url, params=params, data=data, headers=headers)
            problem = refused(response) if refused is not None else None
            if problem is not None:
                raise problem
            if not response.is_success:
                raise _status_error(dataset_id, url, response)
            try:
                return response.json()
            except ValueError:
                raise DataUnavailableError(
                    f"{dataset_id}: {url} did not answer with JSON (HTTP {response.status_code})"
                ) from None

        return _with_retries(dataset_id, url, policy, attempt, sleep)


def copy_stream(
    src: IO[bytes], out: IO[bytes], label: str, total: int | None, progress: Progress | None
) -> None:
    """Copy ``src`` to ``out`` in chunks, reporting progress."""
    done = 0
    if progress is not None:
        progress(label, 0, total)
    while chunk := src.read(_CHUNK):
        out.write(chunk)
        done += len(chunk)
        if progress is not None:
            progress(label, done, total)
