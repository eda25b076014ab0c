"""The brief's event-signals section: a case's alerts from installed event data, if any."""

from __future__ import annotations

import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from backchannel.events.alerts import Alert, case_alerts
from backchannel.events.backends import connect, event_table
from backchannel.events.readers import read_events
from backchannel.model.case import Case

SHOWN_EVENT_IDS = 12
INSTALL_HINT = (
    "No event data is installed, so this brief shows no event signals. Install UCDP GED with "
    "`backchannel data pull ucdp-ged` (add `--mirror DIR` when offline) and run the demo again."
)


class EventSignal(BaseModel):
    """One alert as the brief shows it."""

    model_config = ConfigDict(frozen=True)

    kind: str
    actor: str
    period: str
    summary: str
    event_count: int
    event_ids: list[str]


class EventSignals(BaseModel):
    """The section: the alerts, the data they come from, or why there are none."""

    model_config = ConfigDict(frozen=True)

    source: str
    signals: list[EventSignal]
    note: str


def event_signals(case: Case, event_files: list[str]) -> EventSignals:
    """Talks and commitment alerts for the case's counterparts from these GED/ACLED files."""
    if not event_files:
        return EventSignals(source="", signals=[], note=INSTALL_HINT)
    tables = [read_events(path).events for path in event_files]

    alerts = case_alerts(connect(), event_table(pa.concat_tables(tables)), case)
    note = (
        "Alerts compare each counterpart's violence during talks with the same span before "
        "them, and check commitments against the events that followed (see the event ids)."
        if alerts
        else "The installed events show no alert for this case's counterparts."
    )
    return EventSignals(
        source=", ".join(path.rsplit("/", 1)[-1] for path in event_files),
        signals=[_signal(alert) for alert in alerts],
        note=note,
    )


def _signal(alert: Alert) -> EventSignal:
    return EventSignal(
        kind=alert.kind.replace("_", " "),
        actor=alert.actor,
        period=f"{alert.start.isoformat()} to {alert.end.isoformat()}",
        summary=alert.summary,
        event_count=len(alert.event_ids),
        event_ids=alert.event_ids[:SHOWN_EVENT_IDS],
    )
