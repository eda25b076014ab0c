"""The brief's event-signals section: a case's alerts from installed event data, if any.

Everything here is as known on the assessment date: the events are cut at the day before
they reach this module, and every alert window is cut at it too, so a replay shows no
event, window or chart month after the day. Alerts and charts read only the events of the
case's country (and of its regions when they match the data; ``events.case_scope``), and the
section's note says what was left out.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from typing import Any

import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, computed_field

from backchannel.events.alerts import Alert, actor_events, case_alerts, talks_periods
from backchannel.events.backends import connect, event_table
from backchannel.events.case_scope import scope_to_case
from backchannel.events.coverage import EventCoverage
from backchannel.events.schema import ViolenceType
from backchannel.model.case import Case
from backchannel.reports.event_charts import actor_timeline_chart

SHOWN_EVENT_IDS = 12
MAX_TIMELINES = 3
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
    strength: str | None = None
    event_count: int
    event_ids: list[str]


class Timeline(BaseModel):
    """A counterpart's monthly violence chart with its talks and commitments."""

    model_config = ConfigDict(frozen=True)

    actor: str
    chart_png_base64: str


class EventSignals(BaseModel):
    """The section: the alerts, the data they come from, or why there are none."""

    model_config = ConfigDict(frozen=True)

    source: str
    signals: list[EventSignal]
    note: str
    timelines: list[Timeline] = []
    #: The alerts as typed results, for the strategy engine.
    typed_alerts: list[Alert] = []
    #: Why the event data were not used, when they were installed but fell short.
    coverage_problems: list[str] = []
    #: Which events the alerts read (``CaseScope.as_dict``): the country, the regions
    #: applied or not, and how many events were left out. None when no events were read.
    scope: dict[str, Any] | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def alerts(self) -> list[dict[str, Any]]:
        """The alerts in full, as JSON documents (dates as ISO text): the annex reads them."""
        return [_plain_alert(alert) for alert in self.typed_alerts]


def no_event_signals(source: str, coverage: EventCoverage | None) -> EventSignals:
    """The section when there are no usable event data: not installed, or not covering."""
    if coverage is None:
        return EventSignals(source="", signals=[], note=INSTALL_HINT)
    return EventSignals(
        source=source,
        signals=[],
        note=(
            "The installed event data do not cover this case well enough to read its "
            "counterparts' conduct, so no alert is shown and none counts as reassurance: "
            + "; ".join(coverage.problems)
            + "."
        ),
        coverage_problems=list(coverage.problems),
    )


def event_signals(
    case: Case,
    events: pa.Table,
    source: str = "",
    as_of: dt.date | None = None,
    *,
    timelines: bool = True,
) -> EventSignals:
    """Talks and commitment alerts for the case's counterparts, every window cut at ``as_of``,
    from the events of the case's country (and regions) only."""
    day = as_of or case.context.period.end or dt.date.today()
    connection = connect()
    scoped = scope_to_case(connection, event_table(events), case)
    alerts = [_cut(alert, day) for alert in case_alerts(connection, scoped, case, day)]
    note = (
        "Alerts compare each counterpart's violence during talks with the same span before "
        "them, and check commitments against the events that followed (the event ids are in "
        "the annex)."
        if alerts
        else "The installed events show no alert for this case's counterparts."
    )
    return EventSignals(
        source=source,
        signals=[_signal(alert) for alert in alerts],
        note=" ".join([note, *scoped.scope.notes()]),
        timelines=counterpart_timelines(
            connection, scoped.events, case, {a.actor for a in alerts}, day
        )
        if timelines
        else [],
        typed_alerts=alerts,
        scope=scoped.scope.as_dict(),
    )


def counterpart_timelines(
    connection: Any, events: ir.Table, case: Case, actor_names: set[str], as_of: dt.date
) -> list[Timeline]:
    """A timeline chart for each named counterpart, from a year before the case to the day
    (``events`` already scoped to the case: see ``scope_to_case``)."""
    start = case.context.period.start - dt.timedelta(days=365)
    end = min(case.context.period.end or as_of, as_of)
    if end < start:
        return []
    timelines: list[Timeline] = []
    for actor in case.actors:
        if actor.name not in actor_names or len(timelines) >= MAX_TIMELINES:
            continue
        own = actor_events(events, actor)
        own = own.filter((own.date_start >= start) & (own.date_start <= end))
        civilian = (own.violence_type == ViolenceType.ONE_SIDED.value) | own.civilian_targeting
        monthly = connection.to_pyarrow(
            own.group_by(month=own.date_start.truncate("M")).aggregate(
                civilian_deaths=own.deaths_best.sum(where=civilian).fill_null(0),
                events=own.count(),
            )
        ).to_pandas()
        calendar = pd.DataFrame({"month": pd.date_range(start.replace(day=1), end, freq="MS")})
        monthly["month"] = pd.to_datetime(monthly["month"])
        series = calendar.merge(monthly, on="month", how="left").fillna(0)
        talks = [(s, min(e, end)) for s, e in talks_periods(case, actor.id) if s <= end]
        commitments = [
            (c.start, c.kind.value.replace("_", " "))
            for c in case.commitments
            if c.party == actor.id and c.start <= end
        ]
        chart = actor_timeline_chart(series, actor.name, talks, commitments)
        timelines.append(
            Timeline(actor=actor.name, chart_png_base64=base64.b64encode(chart).decode())
        )
    return timelines


def _cut(alert: Alert, day: dt.date) -> Alert:
    """The alert with its window ending no later than ``day`` (a month may run past it)."""
    if alert.end <= day:
        return alert
    return dataclasses.replace(alert, end=day)


def _plain_alert(alert: Alert) -> dict[str, Any]:
    document = alert.as_dict()
    document["start"], document["end"] = alert.start.isoformat(), alert.end.isoformat()
    return document


def _signal(alert: Alert) -> EventSignal:
    return EventSignal(
        kind=alert.kind.replace("_", " "),
        actor=alert.actor,
        period=f"{alert.start.isoformat()} to {alert.end.isoformat()}",
        summary=alert.summary,
        strength=getattr(alert, "strength", None),
        event_count=len(alert.event_ids),
        event_ids=alert.event_ids[:SHOWN_EVENT_IDS],
    )
