"""The measures the stage rules read, computed from event data and the structural forecast.

Everything is evaluated as of a date: only events that began on or before it count, and
the structural forecast is the one made from the last base year before it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis.expr.types as ir

from backchannel.events.alerts import escalation_alerts
from backchannel.events.indicators import ORGANISED_VIOLENCE
from backchannel.events.schema import ViolenceType
from backchannel.risk.forecast.artifacts import structural_risk
from backchannel.risk.forecast.country_names import ewp_names

QUARTER_DAYS = 91
YEAR_DAYS = 365


def country_events(events: ir.Table, iso3: str) -> ir.Table:
    """Events in the country with this ISO code (matched on the names sources use for it)."""
    names = [name.lower() for name in ewp_names(iso3)]
    return events.filter(events.country.lower().isin(names))


def event_measures(
    connection: Any, events: ir.Table, iso3: str, as_of: dt.date
) -> tuple[dict[str, float | None], dict[str, list[str]]]:
    """Event measures for the country as of a date, and the event ids behind each."""
    local = country_events(events, iso3)
    local = local.filter(local.date_start <= as_of)
    year_ago = as_of - dt.timedelta(days=YEAR_DAYS)
    quarter_ago = as_of - dt.timedelta(days=QUARTER_DAYS)
    one_sided = (local.violence_type == ViolenceType.ONE_SIDED.value) | local.civilian_targeting
    organised = local.violence_type.isin(list(ORGANISED_VIOLENCE))
    in_year = local.date_start > year_ago
    in_quarter = local.date_start > quarter_ago
    row = connection.to_pyarrow(
        local.aggregate(
            events_total=local.count(),
            civilian_12m=local.deaths_best.sum(where=one_sided & in_year),
            civilian_3m=local.deaths_best.sum(where=one_sided & in_quarter),
            organised_12m=local.deaths_best.sum(where=organised & in_year),
            civilian_ids_12m=local.event_id.collect(where=one_sided & in_year),
            civilian_ids_3m=local.event_id.collect(where=one_sided & in_quarter),
            organised_ids_12m=local.event_id.collect(where=organised & in_year),
        )
    ).to_pylist()[0]
    if not row["events_total"]:
        return {}, {}
    recent_alerts = [
        alert
        for alert in escalation_alerts(connection, local)
        if quarter_ago < alert.start <= as_of
    ]
    measures: dict[str, float | None] = {
        "civilian_deaths_12m": float(row["civilian_12m"] or 0),
        "civilian_deaths_3m": float(row["civilian_3m"] or 0),
        "organised_deaths_12m": float(row["organised_12m"] or 0),
        "escalation_alerts_3m": float(len(recent_alerts)),
    }
    evidence = {
        "civilian_deaths_12m": sorted(row["civilian_ids_12m"] or []),
        "civilian_deaths_3m": sorted(row["civilian_ids_3m"] or []),
        "organised_deaths_12m": sorted(row["organised_ids_12m"] or []),
        "escalation_alerts_3m": sorted({i for a in recent_alerts for i in a.event_ids}),
    }
    return measures, evidence


def structural_measures(iso3: str, as_of: dt.date) -> dict[str, float | None]:
    """The packaged out-of-sample forecast from the last base year before the date."""
    risk = structural_risk(iso3, as_of.year)
    if risk is None:
        return {}
    return {"structural_risk": risk.risk, "structural_rank": float(risk.rank)}
