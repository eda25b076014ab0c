"""The dashboard's "new since your last visit": alerts ``backchannel watch`` recorded in a
case after the newest one the user was shown.

The rows are masked for a user who gets the redacted view, by the case's ``Disclosure``
as the rest of the dashboard is (and the page is read back before it is sent). The
visit mark moves only once the page is made, so a page that failed shows the same alerts
as new next time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from backchannel.redaction import Disclosure
from backchannel.store.monitoring import AlertNews


@dataclass(frozen=True)
class NewAlertsView:
    """What the dashboard's panel shows: a headline, a note on monitoring, the rows."""

    headline: str
    note: str
    rows: list[dict[str, Any]]


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d at %H:%M UTC")


def _count(number: int) -> str:
    return f"{number} new alert{'' if number == 1 else 's'}"


def new_alerts_view(news: AlertNews, disclosure: Disclosure | None) -> NewAlertsView:
    """The panel for ``news``, masked by ``disclosure`` when the user sees the case redacted."""
    seen = news.previous_visit
    count = len(news.alerts)
    if seen is not None:
        since = f"since your last visit on {_when(seen)}"
        headline = f"{_count(count)} {since}" if count else f"No new alert {since}"
    elif count:
        headline = f"{_count(count)}: recorded by monitoring before your first visit"
    else:
        headline = "No alert recorded by monitoring yet"
    if news.last_pass is None:
        note = (
            "Monitoring (backchannel watch) has not checked this case yet: the absence of "
            "new alerts here is no reassurance."
        )
    else:
        note = f"Monitoring last checked this case on {_when(news.last_pass)}."
    rows = [
        {
            "kind": alert.kind.replace("_", " "),
            "actor": alert.actor,
            "period": alert.period,
            "summary": alert.summary,
            "event_count": alert.event_count,
            "found": _when(alert.found_at),
        }
        for alert in news.alerts
    ]
    if disclosure is not None:
        rows = disclosure.redact(rows)
    return NewAlertsView(headline, note, rows)
