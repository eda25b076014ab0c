"""Alerts from event data, each with the event ids behind it.

Four kinds:

- ``escalation``: an actor's monthly civilian killings far above its own trailing
  baseline (the Poisson test of ``indicators.escalation``);
- ``conduct_during_talks``: a counterpart's violence while dialogue with it runs, against
  the same number of months before the talks began;
- ``buying_time``: the same comparison showing violence rising *or* spreading to new
  areas while talks run, the pattern the report warns of (a group using dialogue to buy
  time for an atrocity campaign);
- ``commitment_violation``: events by a party inside the area, period and kind of
  violence it committed to stop.

A counterpart in a case is found in the events by its UCDP actor id, its name or an alias
(case-insensitive), on the perpetrator / side A.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import ibis.expr.types as ir

from backchannel.events import indicators
from backchannel.events.schema import ViolenceType
from backchannel.model.case import Actor, Case, Commitment
from backchannel.model.vocabulary import CommitmentKind

#: Significance for the talks-versus-before comparison (as for escalation alerts).
TALKS_P_VALUE = indicators.ALERT_P_VALUE
#: An engagement is taken to keep talks running this long after it ends; engagements
#: closer together than this form one period of talks.
OPEN_TALKS_DAYS = 30
#: A commitment with no end date is checked over its first year.
OPEN_COMMITMENT_DAYS = 365

#: Which violence breaks which commitment. Ceasefires and cessations of hostilities bind
#: all organised violence by the party; civilian protection binds violence against civilians.
VIOLATING_TYPES: dict[CommitmentKind, tuple[ViolenceType, ...]] = {
    CommitmentKind.CEASEFIRE: (
        ViolenceType.STATE_BASED,
        ViolenceType.NON_STATE,
        ViolenceType.ONE_SIDED,
    ),
    CommitmentKind.CESSATION_OF_HOSTILITIES: (
        ViolenceType.STATE_BASED,
        ViolenceType.NON_STATE,
        ViolenceType.ONE_SIDED,
    ),
    CommitmentKind.CIVILIAN_PROTECTION: (ViolenceType.ONE_SIDED,),
    CommitmentKind.HUMANITARIAN_ACCESS: (ViolenceType.ONE_SIDED,),
}


@dataclass(frozen=True)
class Alert:
    """One alert: what, who, when, why, and the events that show it."""

    kind: str
    actor: str
    start: dt.date
    end: dt.date
    summary: str
    event_ids: list[str]
    figures: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def actor_events(events: ir.Table, actor: Actor) -> ir.Table:
    """Events in which the case actor is the perpetrator or side A."""
    names = [name.lower() for name in (actor.name, *actor.aliases)]
    condition = events.actor1.lower().isin(names)
    if actor.ucdp_actor_id is not None:
        condition = condition | (events.actor1_ucdp_id == actor.ucdp_actor_id)
    return events.filter(condition)


def escalation_alerts(connection: Any, events: ir.Table) -> list[Alert]:
    """Every actor-month whose civilian killings the Poisson test flags."""
    scored = indicators.flag_escalations(
        connection.to_pyarrow(indicators.escalation(indicators.actor_month(events)))
    )
    alerts = []
    for row in scored.filter(scored.column("alert")).to_pylist():
        month: dt.date = row["month"]
        alerts.append(
            Alert(
                kind="escalation",
                actor=str(row["actor"]),
                start=month,
                end=_month_end(month),
                summary=str(row["reason"]),
                event_ids=list(row["event_ids"] or []),
                figures={
                    "observed": row["observed"],
                    "baseline_mean": row["baseline_mean"],
                    "rate_ratio": row["rate_ratio"],
                    "p_value": row["p_value"],
                },
            )
        )
    return alerts


def case_alerts(
    connection: Any, events: ir.Table, case: Case, as_of: dt.date | None = None
) -> list[Alert]:
    """Talks-period and commitment alerts for a case's counterparts."""
    alerts: list[Alert] = []
    data_end = _data_end(connection, events)
    horizon = min(as_of, data_end) if as_of else data_end
    for actor in case.actors:
        for start, end in talks_periods(case, actor.id):
            if start <= horizon:
                alerts.extend(_talks_alerts(connection, events, actor, start, min(end, horizon)))
    for commitment in case.commitments:
        if commitment.start <= horizon:
            alert = _commitment_alert(
                connection, events, case.actor(commitment.party), commitment, horizon
            )
            if alert is not None:
                alerts.append(alert)
    return alerts


def talks_periods(case: Case, actor_id: str) -> list[tuple[dt.date, dt.date]]:
    """Periods of talks with the actor: each engagement plus ``OPEN_TALKS_DAYS``, merged."""
    spans = sorted(
        (e.date, (e.end_date or e.date) + dt.timedelta(days=OPEN_TALKS_DAYS))
        for e in case.engagements
        if actor_id in e.counterparts
    )
    periods: list[tuple[dt.date, dt.date]] = []
    for start, end in spans:
        if periods and start <= periods[-1][1]:
            periods[-1] = (periods[-1][0], max(periods[-1][1], end))
        else:
            periods.append((start, end))
    return periods


def _talks_alerts(
    connection: Any, events: ir.Table, actor: Actor, start: dt.date, end: dt.date
) -> list[Alert]:
    days = (end - start).days + 1
    before_start = start - dt.timedelta(days=days)
    own = actor_events(events, actor)
    during = _summary(connection, own, start, end)
    before = _summary(connection, own, before_start, start - dt.timedelta(days=1))
    if during["events"] == 0:
        return []
    rising_p = float(
        indicators.poisson_upper_tail(
            [during["civilian_deaths"]], [max(before["civilian_deaths"], 0.5)]
        )[0]
    )
    events_p = float(
        indicators.poisson_upper_tail([during["events"]], [max(before["events"], 0.5)])[0]
    )
    new_areas = sorted(set(during["areas"]) - set(before["areas"]))
    figures = {
        "talks": [start.isoformat(), end.isoformat()],
        "before": [before_start.isoformat(), (start - dt.timedelta(days=1)).isoformat()],
        "events_during": during["events"],
        "events_before": before["events"],
        "civilian_deaths_during": during["civilian_deaths"],
        "civilian_deaths_before": before["civilian_deaths"],
        "p_civilian_deaths_rise": rising_p,
        "p_events_rise": events_p,
        "new_areas": new_areas,
    }
    summary = (
        f"{actor.name} during talks ({start} to {end}): {during['events']} events, "
        f"{during['civilian_deaths']} civilians killed, against {before['events']} events and "
        f"{before['civilian_deaths']} civilians killed in the {days} days before"
    )
    alerts = [
        Alert("conduct_during_talks", actor.name, start, end, summary, during["event_ids"], figures)
    ]
    rising = (
        rising_p < TALKS_P_VALUE
        and during["civilian_deaths"] >= indicators.MIN_COUNT_FOR_ALERT["civilian_deaths"]
    ) or (events_p < TALKS_P_VALUE and during["events"] >= indicators.MIN_COUNT_FOR_ALERT["events"])
    spreading = len(new_areas) >= 2 and len(during["areas"]) > len(before["areas"])
    if rising or spreading:
        why = []
        if rising:
            why.append(f"violence rose (Poisson p {_p_text(min(rising_p, events_p))})")
        if spreading:
            why.append(f"it spread to {len(new_areas)} new areas: {', '.join(new_areas)}")
        alerts.append(
            Alert(
                "buying_time",
                actor.name,
                start,
                end,
                f"Possible buying time: while talks ran, {' and '.join(why)}. {summary}.",
                during["event_ids"],
                figures,
            )
        )
    return alerts


def _commitment_alert(
    connection: Any, events: ir.Table, party: Actor, commitment: Commitment, horizon: dt.date
) -> Alert | None:
    kinds = VIOLATING_TYPES.get(commitment.kind)
    if not kinds:
        return None
    end = min(commitment.end or commitment.start + dt.timedelta(days=OPEN_COMMITMENT_DAYS), horizon)
    own = actor_events(events, party)
    breaking = own.filter(
        own.violence_type.isin([k.value for k in kinds])
        & (own.date_start >= commitment.start)
        & (own.date_start <= end)
    )
    if commitment.area:
        areas = [a.lower() for a in commitment.area]
        breaking = breaking.filter(
            breaking.admin1.lower().isin(areas) | breaking.admin2.lower().isin(areas)
        )
    found = _summary(connection, breaking, commitment.start, end)
    if found["events"] == 0:
        return None
    area = ", ".join(commitment.area) or "the whole country"
    return Alert(
        "commitment_violation",
        party.name,
        commitment.start,
        end,
        (
            f"{party.name}: {found['events']} events of "
            f"{', '.join(k.value for k in kinds)} violence "
            f"({found['deaths']} deaths, {found['civilian_deaths']} civilians) in {area} between "
            f"{commitment.start} and {end}, against its {commitment.kind.value.replace('_', ' ')} "
            f"commitment {commitment.id}"
        ),
        found["event_ids"],
        {
            "commitment": commitment.id,
            "events": found["events"],
            "deaths": found["deaths"],
            "civilian_deaths": found["civilian_deaths"],
            "first_event": found["first"],
        },
    )


def _summary(connection: Any, events: ir.Table, start: dt.date, end: dt.date) -> dict[str, Any]:
    window = events.filter((events.date_start >= start) & (events.date_start <= end))
    civilian = (window.violence_type == ViolenceType.ONE_SIDED.value) | window.civilian_targeting
    row = connection.to_pyarrow(
        window.aggregate(
            events=window.count(),
            deaths=window.deaths_best.sum(),
            civilian_deaths=window.deaths_best.sum(where=civilian),
            areas=window.admin1.collect(distinct=True),
            event_ids=window.event_id.collect(),
            first=window.date_start.min(),
        )
    ).to_pylist()[0]
    return {
        "events": int(row["events"] or 0),
        "deaths": int(row["deaths"] or 0),
        "civilian_deaths": int(row["civilian_deaths"] or 0),
        "areas": [a for a in (row["areas"] or []) if a],
        "event_ids": sorted(row["event_ids"] or []),
        "first": row["first"].isoformat() if row["first"] else None,
    }


def _p_text(p: float) -> str:
    return "< 1e-6" if p < 1e-6 else f"= {p:.2g}"


def _data_end(connection: Any, events: ir.Table) -> dt.date:
    value = (
        connection.to_pyarrow(events.aggregate(last=events.date_start.max()))
        .column("last")[0]
        .as_py()
    )
    return value if isinstance(value, dt.date) else dt.date.today()


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)
