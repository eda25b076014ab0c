"""The measures the stage rules read, computed from event data and the structural forecast.

Everything is evaluated as of a date: only events that began on or before it count, and
the structural forecast is the one made from the last base year before it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from backchannel.events import case_scope
from backchannel.events.alerts import escalation_alerts
from backchannel.events.indicators import ORGANISED_VIOLENCE
from backchannel.events.schema import ViolenceType
from backchannel.risk.forecast.artifacts import structural_risk
from backchannel.risk.forecast.country_names import ewp_names

QUARTER_DAYS = 91
YEAR_DAYS = 365
#: Years of one-sided violence before the last twelve months read as the country's record.
HISTORY_YEARS = 10
#: EWP predictor columns read as measures, by the measure name the rules use.
PREDICTOR_MEASURES = {
    "ewp_mk_ever": "mk_ever",
    "ewp_coup_try_5yr": "coup.try.5yr",
    "ewp_discrimpop": "discrimpop",
}

# Defined in ``events.case_scope``, which scopes a case's alerts to its country; kept under
# these names for the risk modules and commands that import them from here.
event_country_names = case_scope.event_country_names
country_events = case_scope.country_events


def event_measures(
    connection: Any, events: ir.Table, iso3: str, as_of: dt.date
) -> tuple[dict[str, float | None], dict[str, list[str]]]:
    """Event measures for the country as of a date, and the event ids behind each.

    Each measure's evidence lists its events deadliest first, so that the first few ids a
    reader opens are the ones that weigh most.
    """
    local = country_events(events, iso3)
    local = local.filter(local.date_start <= as_of)
    year_ago = as_of - dt.timedelta(days=YEAR_DAYS)
    quarter_ago = as_of - dt.timedelta(days=QUARTER_DAYS)
    history_start = year_ago - dt.timedelta(days=HISTORY_YEARS * YEAR_DAYS)
    one_sided = (local.violence_type == ViolenceType.ONE_SIDED.value) | local.civilian_targeting
    organised = local.violence_type.isin(list(ORGANISED_VIOLENCE))
    windows = {
        "civilian_deaths_12m": one_sided & (local.date_start > year_ago),
        "civilian_deaths_3m": one_sided & (local.date_start > quarter_ago),
        "organised_deaths_12m": organised & (local.date_start > year_ago),
        "civilian_deaths_prior_10y": one_sided
        & (local.date_start > history_start)
        & (local.date_start <= year_ago),
    }
    totals = connection.to_pyarrow(
        local.aggregate(
            events_total=local.count(),
            **{name: local.deaths_best.sum(where=where) for name, where in windows.items()},
        )
    ).to_pylist()[0]
    if not totals["events_total"]:
        return {}, {}
    flagged = local.filter(local.date_start > history_start).mutate(
        **{f"in_{name}": where for name, where in windows.items()}
    )
    rows = connection.to_pyarrow(
        flagged.select("event_id", "deaths_best", *[f"in_{name}" for name in windows]).order_by(
            [ibis.desc("deaths_best"), "event_id"]
        )
    ).to_pylist()
    evidence = {name: [r["event_id"] for r in rows if r[f"in_{name}"]] for name in windows}
    recent_alerts = [
        alert
        for alert in escalation_alerts(connection, local)
        if quarter_ago < alert.start <= as_of
    ]
    measures: dict[str, float | None] = {name: float(totals[name] or 0) for name in windows}
    measures["escalation_alerts_3m"] = float(len(recent_alerts))
    evidence["escalation_alerts_3m"] = sorted({i for a in recent_alerts for i in a.event_ids})
    return measures, evidence


def predictor_measures(
    predictors: pd.DataFrame, iso3: str, as_of: dt.date
) -> dict[str, float | None]:
    """EWP country-year predictors for the last year complete on ``as_of``, as ``ewp_*``.

    ``predictors`` is the EWP model input (one row per country and year); only the columns
    in ``PREDICTOR_MEASURES`` are read. A country or year the table lacks gives nothing.
    """
    names = {name.lower() for name in ewp_names(iso3)}
    rows = predictors[
        predictors["ewp_name"].str.lower().isin(names) & (predictors["year"] == as_of.year - 1)
    ]
    if rows.empty:
        return {}
    row = rows.iloc[0]
    return {
        measure: None if pd.isna(row[column]) else float(row[column])
        for measure, column in PREDICTOR_MEASURES.items()
        if column in row.index
    }


def structural_measures(iso3: str, as_of: dt.date) -> dict[str, float | None]:
    """The packaged out-of-sample forecast from the last base year before the date."""
    risk = structural_risk(iso3, as_of.year)
    if risk is None:
        return {}
    return {"structural_risk": risk.risk, "structural_rank": float(risk.rank)}
