"""ACLED events through ACLED's API, kept as a CSV in ACLED's standard export layout.

ACLED's API answers only a signed-in myACLED account: a pull asks ACLED's OAuth endpoint
for a token with ``settings.acled_email`` and ``settings.acled_password`` (the password
grant ACLED's API guide describes), then reads ``/api/acled/read`` page by page. The first
pull asks for events from ``settings.acled_start_date`` (default: a year back); every
later pull asks only for events dated on or after the newest ``event_date`` installed
(that day again, since ACLED adds events to recent days), and merges them into the
installed file by ``event_id_cnty``: a re-sent event replaces the installed one. The
result is written in ACLED's 31-column export layout, newest events first, so
``events.readers.read_acled`` reads it like a file exported from ACLED's site.

ACLED's terms forbid redistributing its data: the file stays in the user's own store
(owner-only permissions), is never taken from or written to a mirror, and is never
packaged. Events ACLED deletes after a pull stay in the file until it is pulled afresh.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from backchannel.datasets.download import DownloadPolicy, Progress, request_json
from backchannel.datasets.manifest import ACLED_READ_URL, ACLED_TOKEN_URL
from backchannel.datasets.upstream import through_base
from backchannel.errors import ConfigurationError, DataUnavailableError
from backchannel.events.readers import ACLED_COLUMNS
from backchannel.settings import Settings

__all__ = [
    "AcledPull",
    "newest_event_date",
    "pull_acled",
    "require_credentials",
]

#: First-pull window when no start date is set.
DEFAULT_FIRST_DAYS = 365
#: A bound on pages, so a server that never sends a short page cannot keep a pull going.
MAX_PAGES = 10_000


def require_credentials(settings: Settings) -> tuple[str, str]:
    """The myACLED email and password; ``ConfigurationError`` saying which settings to
    set when either is missing."""
    email = settings.acled_email
    password = settings.acled_password.get_secret_value() if settings.acled_password else ""
    if not email or not password:
        raise ConfigurationError(
            "acled: ACLED's API needs a myACLED account: set BACKCHANNEL_ACLED_EMAIL and "
            "BACKCHANNEL_ACLED_PASSWORD (ACLED data are never in a mirror: its terms forbid "
            "redistribution)."
        )
    return email, password


def _token(settings: Settings, policy: DownloadPolicy, email: str, password: str) -> str:
    url = through_base(settings, ACLED_TOKEN_URL)

    def refused(response: httpx.Response) -> Exception | None:
        if response.status_code in (400, 401, 403):
            return DataUnavailableError(
                f"acled: ACLED refused to sign in {email} at {url} "
                f"(HTTP {response.status_code}): check BACKCHANNEL_ACLED_EMAIL and "
                "BACKCHANNEL_ACLED_PASSWORD, and that the account has accepted ACLED's "
                "terms and has API access."
            )
        return None

    document = request_json(
        "acled",
        "POST",
        url,
        policy,
        data={
            "username": email,
            "password": password,
            "grant_type": "password",
            "client_id": "acled",
        },
        refused=refused,
    )
    token = document.get("access_token") if isinstance(document, dict) else None
    if not isinstance(token, str) or not token:
        raise DataUnavailableError(f"acled: {url} answered without an access token")
    return token


def _page(
    settings: Settings, policy: DownloadPolicy, token: str, params: Mapping[str, str | int]
) -> list[dict[str, Any]]:
    url = through_base(settings, ACLED_READ_URL)

    def refused(response: httpx.Response) -> Exception | None:
        if response.status_code in (401, 403):
            return DataUnavailableError(
                f"acled: ACLED refused to read {url} (HTTP {response.status_code}): the "
                "account may lack API access or its token expired; pull again."
            )
        return None

    document = request_json(
        "acled",
        "GET",
        url,
        policy,
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        refused=refused,
    )
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise DataUnavailableError(f"acled: {url} answered without a list of events")
    if document.get("success") is False or document.get("status") not in (None, 200):
        detail = document.get("error") or document.get("message") or "no reason given"
        raise DataUnavailableError(f"acled: ACLED's API refused the request: {detail}")
    rows: list[dict[str, Any]] = [row for row in document["data"] if isinstance(row, dict)]
    if len(rows) != len(document["data"]):
        raise DataUnavailableError(f"acled: {url} answered with events that are not records")
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    return str(value)


def newest_event_date(path: Path | None) -> dt.date | None:
    """The newest ``event_date`` (ISO) of an ACLED CSV; ``None`` for no file or no date."""
    if path is None or not path.is_file():
        return None
    newest: dt.date | None = None
    for row in _read_rows(path):
        try:
            day = dt.date.fromisoformat(row.get("event_date", ""))
        except ValueError:
            continue
        newest = day if newest is None or day > newest else newest
    return newest


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class AcledPull:
    """What one ACLED pull did: events received, pages read, the first event date asked
    for, and the newest event date the merged file holds."""

    received: int
    pages: int
    since: dt.date
    newest: dt.date | None


def pull_acled(
    settings: Settings,
    policy: DownloadPolicy,
    installed: Path | None,
    target: Path,
    *,
    label: str,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> AcledPull:
    """Write to ``target`` the installed ACLED events (``installed``, may be ``None``)
    merged with the events ACLED's API gives from the newest installed event date on.

    Raises ``ConfigurationError`` without credentials (before any request), and
    ``DataUnavailableError`` naming the address when ACLED refuses or cannot be reached.
    """
    email, password = require_credentials(settings)
    newest = newest_event_date(installed)
    since = newest or settings.acled_start_date
    if since is None:
        since = (today or dt.date.today()) - dt.timedelta(days=DEFAULT_FIRST_DAYS)
    token = _token(settings, policy, email, password)
    params: dict[str, str | int] = {
        "_format": "json",
        "limit": settings.acled_page_size,
        "event_date": since.isoformat(),
        "event_date_where": ">=",
    }
    if settings.acled_countries:
        params["country"] = "|".join(settings.acled_countries)
    received: list[dict[str, Any]] = []
    pages = 0
    while pages < MAX_PAGES:
        pages += 1
        rows = _page(settings, policy, token, {**params, "page": pages})
        received.extend(rows)
        if progress is not None:
            progress(label, len(received), None)
        if len(rows) < settings.acled_page_size:
            break
    merged = _merge(_read_rows(installed) if installed and installed.is_file() else [], received)
    if not merged:
        places = ", ".join(settings.acled_countries) or "any country"
        raise DataUnavailableError(
            f"acled: ACLED's API sent no event from {since.isoformat()} on for {places}; "
            "nothing was installed. Check BACKCHANNEL_ACLED_COUNTRIES (ACLED's country "
            "names) and BACKCHANNEL_ACLED_START_DATE."
        )
    target.write_text(_csv_text(merged), encoding="utf-8")
    return AcledPull(len(received), pages, since, newest_event_date(target))


def _merge(
    installed: Iterable[Mapping[str, str]], received: Iterable[Mapping[str, Any]]
) -> list[dict[str, str]]:
    """Installed and received events by ``event_id_cnty`` (received wins), newest first."""
    by_id: dict[str, dict[str, str]] = {}
    for row in installed:
        by_id[row.get("event_id_cnty", "")] = {c: row.get(c) or "" for c in ACLED_COLUMNS}
    for record in received:
        row = {c: _cell(record.get(c)) for c in ACLED_COLUMNS}
        if not row["event_id_cnty"]:
            raise DataUnavailableError("acled: ACLED's API sent an event without event_id_cnty")
        by_id[row["event_id_cnty"]] = row
    events = sorted(by_id.values(), key=lambda r: r["event_id_cnty"])
    return sorted(events, key=lambda r: r["event_date"], reverse=True)


def _csv_text(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(ACLED_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
