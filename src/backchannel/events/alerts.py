"""Alerts from event data, each with the event ids behind it and its strength in words.

Four kinds:

- ``escalation``: an actor's monthly killings of civilians above its own trailing
  baseline, tested twice, on the number of attacks on civilians and on the civilian deaths
  (``indicators.escalation`` and ``escalation_flags.flag_escalations``); an alert needs moderate
  or strong evidence from either;
- ``conduct_during_talks``: a counterpart's violence while dialogue with it runs, against
  the same number of months before the talks began, graded for events and for civilian
  deaths;
- ``buying_time``: the same comparison showing the number of events rising (at least
  moderate evidence) *or* violence spreading to new areas while talks run, the pattern the
  report warns of (a group using dialogue to buy time for an atrocity campaign). Deaths
  alone do not raise it: more deaths from no more events are deadlier incidents, not a
  campaign, and ``conduct_during_talks`` already reports them;
- ``commitment_violation``: events by a party inside the area, period and kind of
  violence it committed to stop.

The talks comparison is the escalation test on two spans: the monthly counts of each span
around its own mean give a pooled Pearson dispersion (``rise_evidence.pooled_dispersion``; for
deaths never below twice the mean deaths per event of both spans,
``rise_evidence.per_event_floor``), ``rise_evidence.rise_p_value`` compares the totals given that
dispersion, and ``rise_evidence.evidence_strength`` grades the result. Summaries say what rose
and how strongly in words; p-values, dispersions and rate ratios stay in ``Alert.figures``.

A counterpart in a case is found in the events by its UCDP actor id, its name or an alias
(case-insensitive), on the perpetrator / side A.

A case's alerts read only the events of its country, and of its regions when they match
(``case_scope``): a group's name recurring in another country never brings that country's
events in. Each of them says its ``scope``: ``"counterpart"`` for alerts on the case's own
actors, ``"context"`` for escalation alerts on other actors of the country, whose summaries
say so. Alerts outside a case (``escalation_alerts`` on any table) carry no scope.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import ibis.expr.types as ir

from backchannel.events import indicators, rise_evidence
from backchannel.events.case_scope import ScopedEvents, scope_to_case
from backchannel.events.escalation_flags import describe_escalation, flag_escalations
from backchannel.events.rise_evidence import (
    ALERT_STRENGTHS,
    Strength,
    evidence_strength,
    evidence_words,
    lump_note,
    plain_number,
    strength_rank,
)
from backchannel.events.schema import ViolenceType
from backchannel.model.case import Actor, Case, Commitment
from backchannel.model.vocabulary import CommitmentKind

#: Significance for the talks-versus-before comparison (as for escalation alerts): the
#: p-value of moderate evidence. The grade, not this number, decides (see ``strength``).
TALKS_P_VALUE = rise_evidence.ALERT_P_VALUE
#: An engagement is taken to keep talks running this long after it ends; engagements
#: closer together than this form one period of talks.
OPEN_TALKS_DAYS = 30
#: A commitment with no end date is checked over its first year.
OPEN_COMMITMENT_DAYS = 365
#: Days in an average month (365.25 / 12): talks and the span before them are cut into
#: this many days' blocks, the "months" whose counts give the dispersion.
MONTH_DAYS = 365.25 / 12
#: The measures of an escalation alert, the deaths first: what the texts lead with.
ESCALATION_MEASURES: tuple[indicators.Measure, ...] = ("civilian_deaths", "civilian_events")

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

#: Whom a case's alert is about: one of the case's actors, or another actor of the country.
AlertScope = Literal["counterpart", "context"]
#: How a context alert's summary begins, so that no reader takes it for a counterpart's.
CONTEXT_LEAD = "Context, not a counterpart of this case: "


@dataclass(frozen=True)
class Alert:
    """One alert: what, who, when, why, and the events that show it.

    ``summary`` is plain words for a brief: counts to two significant digits and the
    strength of the evidence, no p-values. ``figures`` hold the numbers for an annex
    (p-values, dispersions, rate ratios, counts). ``strength`` is the grade of the evidence
    of a rise behind the alert (``"strong"``, ``"moderate"``, ``"weak"``; the stronger of
    the events and deaths tests), None where no test shows a rise and for commitment
    violations, which count breaches rather than test a rise.

    ``scope`` and ``country`` (ISO alpha-3) are set on a case's alerts, which read only the
    case's country: ``"counterpart"`` for the case's own actors, ``"context"`` for other
    actors of the country. Both are None on alerts computed outside a case.
    """

    kind: str
    actor: str
    start: dt.date
    end: dt.date
    summary: str
    event_ids: list[str]
    figures: dict[str, Any] = field(default_factory=dict)
    strength: Strength | None = None
    scope: AlertScope | None = None
    country: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def actor_events(events: ir.Table, actor: Actor) -> ir.Table:
    """Events in which the case actor is the perpetrator or side A."""
    return events.filter(_is_actor(events, actor))


def _is_actor(events: ir.Table, actor: Actor) -> ir.BooleanValue:
    names = [name.lower() for name in (actor.name, *actor.aliases)]
    condition: ir.BooleanValue = events.actor1.lower().isin(names)
    if actor.ucdp_actor_id is not None:
        condition = condition | (events.actor1_ucdp_id == actor.ucdp_actor_id)
    return condition


def escalation_alerts(connection: Any, events: ir.Table) -> list[Alert]:
    """Every actor-month whose attacks on civilians or civilian deaths rose, moderately or
    strongly, above the actor's trailing year (one alert per actor-month, both tests in it).
    """
    monthly = indicators.actor_month(events)
    expressions = [indicators.escalation(monthly, measure) for measure in ESCALATION_MEASURES]
    scored = flag_escalations(connection.to_pyarrow(expressions[0].union(expressions[1])))
    by_month: dict[tuple[str, dt.date], dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in scored.to_pylist():
        by_month[(str(row["actor"]), row["month"])][row["measure"]] = row
    alerts = []
    for (actor, month), tests in sorted(by_month.items()):
        if not any(test["alert"] for test in tests.values()):
            continue
        ordered = [tests[m] for m in ESCALATION_MEASURES if m in tests]
        strength = max((t["strength"] for t in ordered), key=strength_rank)
        alerts.append(
            Alert(
                kind="escalation",
                actor=actor,
                start=month,
                end=_month_end(month),
                summary=". ".join(t["reason"] or describe_escalation(t, None) for t in ordered)
                + ".",
                event_ids=list(ordered[0]["event_ids"] or []),
                figures={t["measure"]: _escalation_figures(t) for t in ordered},
                strength=strength,
            )
        )
    return alerts


def _escalation_figures(test: dict[str, Any]) -> dict[str, Any]:
    names = (
        "observed",
        "event_count",
        "largest_event",
        "baseline_months_observed",
        "baseline_mean",
        "baseline_variance",
        "dispersion_floor",
        "dispersion",
        "rate_ratio",
        "p_value",
        "strength",
    )
    return {name: test[name] for name in names}


def case_alerts(
    connection: Any,
    events: ir.Table | ScopedEvents,
    case: Case,
    as_of: dt.date | None = None,
) -> list[Alert]:
    """Talks-period and commitment alerts for a case's counterparts, from the events of the
    case's country only (``events`` as given, or already scoped by ``scope_to_case``).

    Talks are read in the case's regions when they apply; a commitment in its own areas, or
    in the whole country when it names none (the case's own convention), never outside it.
    """
    scoped = events if isinstance(events, ScopedEvents) else scope_to_case(connection, events, case)
    if scoped.scope.country != case.context.country:
        raise ValueError(
            f"events scoped to {scoped.scope.country} given for case {case.id} in "
            f"{case.context.country}"
        )
    alerts: list[Alert] = []
    data_end = scoped.scope.data_end or dt.date.today()
    horizon = min(as_of, data_end) if as_of else data_end
    for actor in case.actors:
        for start, end in talks_periods(case, actor.id):
            if start <= horizon:
                alerts.extend(
                    _talks_alerts(connection, scoped.events, actor, start, min(end, horizon))
                )
    for commitment in case.commitments:
        if commitment.start <= horizon:
            alert = _commitment_alert(
                connection, scoped.country, case.actor(commitment.party), commitment, horizon
            )
            if alert is not None:
                alerts.append(alert)
    return [replace(a, scope="counterpart", country=scoped.scope.country) for a in alerts]


def case_escalation_alerts(connection: Any, scoped: ScopedEvents, case: Case) -> list[Alert]:
    """Escalation alerts in the case's scope: its counterparts' first, then, as context,
    those of the country's other actors (their summaries open with ``CONTEXT_LEAD``).

    A counterpart is any actor of the case found among the scoped events' perpetrators.
    """
    counterparts = _counterpart_names(connection, scoped.events, case.actors)
    country = scoped.scope.country
    own, context = [], []
    for alert in escalation_alerts(connection, scoped.events):
        if alert.actor in counterparts:
            own.append(replace(alert, scope="counterpart", country=country))
        else:
            context.append(
                replace(
                    alert, scope="context", country=country, summary=CONTEXT_LEAD + alert.summary
                )
            )
    return own + context


def _counterpart_names(connection: Any, events: ir.Table, actors: Sequence[Actor]) -> set[str]:
    """The perpetrator names under which the case's actors appear in the events."""
    if not actors:
        return set()
    condition = _is_actor(events, actors[0])
    for actor in actors[1:]:
        condition = condition | _is_actor(events, actor)
    found = connection.to_pyarrow(events.filter(condition).select("actor1").distinct())
    return {str(name) for name in found.column("actor1").to_pylist()}


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
    months = max(1, round(days / MONTH_DAYS))
    daily = _daily(connection, actor_events(events, actor), before_start, end)
    before = _span(daily, before_start, days, months)
    during = _span(daily, start, days, months)
    if during["events"] == 0:
        return []
    tests = {
        "events": _rise(before, during, "events", months),
        "civilian_deaths": _rise(before, during, "civilian_deaths", months),
    }
    new_areas = sorted(set(during["areas"]) - set(before["areas"]))
    figures = {
        "talks": [start.isoformat(), end.isoformat()],
        "before": [before_start.isoformat(), (start - dt.timedelta(days=1)).isoformat()],
        "months": months,
        "events_during": during["events"],
        "events_before": before["events"],
        "civilian_deaths_during": during["civilian_deaths"],
        "civilian_deaths_before": before["civilian_deaths"],
        **tests,
        "new_areas": new_areas,
    }
    strength = max((t["strength"] for t in tests.values()), key=strength_rank)
    deaths = tests["civilian_deaths"]
    note = (
        ""
        if deaths["strength"] is None
        else lump_note(during["civilian_deaths"], deaths["event_count"], deaths["largest_event"])
    )
    summary = (
        f"{actor.name} during talks ({start} to {end}): {_violence_words(during)}, against "
        f"{_violence_words(before)} in the same span before; "
        f"{evidence_words(tests['events']['strength'], 'in events')}, "
        f"{evidence_words(deaths['strength'], 'in civilian deaths')}{note}"
    )
    alerts = [
        Alert(
            "conduct_during_talks",
            actor.name,
            start,
            end,
            summary + ".",
            during["event_ids"],
            figures,
            strength,
        )
    ]
    rising = (
        tests["events"]["strength"] in ALERT_STRENGTHS
        and during["events"] >= indicators.MIN_COUNT_FOR_ALERT["events"]
    )
    spreading = len(new_areas) >= 2 and len(during["areas"]) > len(before["areas"])
    if rising or spreading:
        why = []
        if rising:
            why.append(
                f"its violent events grew more frequent ({tests['events']['strength']} evidence)"
            )
        if spreading:
            why.append(
                f"it spread to {plain_number(len(new_areas))} new areas: {', '.join(new_areas)}"
            )
        alerts.append(
            Alert(
                "buying_time",
                actor.name,
                start,
                end,
                f"Possible buying time: while talks ran, {' and '.join(why)}. {summary}.",
                during["event_ids"],
                figures,
                strength,
            )
        )
    return alerts


def _violence_words(span: dict[str, Any]) -> str:
    events, killed = span["events"], span["civilian_deaths"]
    return (
        f"{plain_number(events)} {'event' if events == 1 else 'events'} and "
        f"{plain_number(killed)} {'civilian' if killed == 1 else 'civilians'} killed"
    )


def _daily(connection: Any, events: ir.Table, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The actor's events per day from ``start`` to ``end``: counts, deaths, areas, ids."""
    window = events.filter((events.date_start >= start) & (events.date_start <= end))
    civilian = (window.violence_type == ViolenceType.ONE_SIDED.value) | window.civilian_targeting
    return list(
        connection.to_pyarrow(
            window.group_by("date_start").aggregate(
                events=window.count(),
                civilian_deaths=window.deaths_best.sum(where=civilian),
                civilian_killings=window.deaths_best.count(
                    where=civilian & (window.deaths_best > 0)
                ),
                largest_killing=window.deaths_best.max(where=civilian),
                areas=window.admin1.collect(distinct=True),
                event_ids=window.event_id.collect(),
            )
        ).to_pylist()
    )


def _span(
    daily: Sequence[dict[str, Any]], start: dt.date, days: int, months: int
) -> dict[str, Any]:
    """Totals and monthly blocks of the ``days`` days from ``start``, cut into ``months``."""
    blocks: dict[str, list[int]] = {"events": [0] * months, "civilian_deaths": [0] * months}
    killings, largest = 0, 0
    areas: set[str] = set()
    event_ids: list[str] = []
    for day in daily:
        offset = (day["date_start"] - start).days
        if not 0 <= offset < days:
            continue
        block = offset * months // days
        blocks["events"][block] += int(day["events"] or 0)
        blocks["civilian_deaths"][block] += int(day["civilian_deaths"] or 0)
        killings += int(day["civilian_killings"] or 0)
        largest = max(largest, int(day["largest_killing"] or 0))
        areas.update(a for a in day["areas"] or [] if a)
        event_ids.extend(day["event_ids"] or [])
    return {
        "events": sum(blocks["events"]),
        "civilian_deaths": sum(blocks["civilian_deaths"]),
        "blocks": blocks,
        "civilian_killings": killings,
        "largest_killing": largest,
        "areas": sorted(areas),
        "event_ids": sorted(event_ids),
    }


def _rise(
    before: dict[str, Any], during: dict[str, Any], measure: str, months: int
) -> dict[str, Any]:
    """The overdispersed test of a rise in ``measure`` from ``before`` to ``during``."""
    observed, baseline = during[measure], before[measure]
    counts_events = measure == "events"
    event_count = observed if counts_events else during["civilian_killings"]
    floor = (
        1.0
        if counts_events
        else rise_evidence.per_event_floor(
            observed + baseline, event_count + before["civilian_killings"]
        )
    )
    dispersion = rise_evidence.pooled_dispersion(
        [before["blocks"][measure], during["blocks"][measure]], floor
    )
    p_value = float(rise_evidence.rise_p_value(observed, baseline, months, dispersion, months))
    rate_ratio = (observed + indicators.RATE_RATIO_CONTINUITY) / (
        baseline + indicators.RATE_RATIO_CONTINUITY
    )
    largest = None if counts_events else during["largest_killing"]
    share = largest / observed if largest is not None and observed else None
    return {
        "rate_ratio": rate_ratio,
        "dispersion_floor": floor,
        "dispersion": dispersion,
        "p_value": p_value,
        "strength": evidence_strength(p_value, rate_ratio, event_count, share),
        "event_count": event_count,
        "largest_event": largest,
    }


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
            f"{party.name}: {plain_number(found['events'])} events of "
            f"{', '.join(k.value for k in kinds)} violence "
            f"({plain_number(found['deaths'])} deaths, "
            f"{plain_number(found['civilian_deaths'])} civilians) in {area} between "
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


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)
