"""The monthly run of the stage backtest: one country's stage at every month end from UCDP
GED, against its Early Warning Project mass-killing onsets in the 24 months that follow.

The stage comes from the real rules (:func:`assess_stage`); the event measures are those of
:mod:`backchannel.risk.stage_inputs`, computed for every month end at once. EWP's episode
data and the country-year run are in :mod:`backchannel.risk.stage_backtest`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from backchannel.errors import InvalidInputError, Problem
from backchannel.events.alerts import escalation_alerts
from backchannel.events.indicators import ORGANISED_VIOLENCE
from backchannel.events.schema import ViolenceType
from backchannel.risk.forecast.country_names import ewp_names
from backchannel.risk.stage import StageRules, assess_stage
from backchannel.risk.stage_backtest import COUNTRY, YEAR
from backchannel.risk.stage_inputs import (
    QUARTER_DAYS,
    YEAR_DAYS,
    country_events,
    structural_measures,
)

#: The months after a raised stage within which an onset counts as following it.
FOLLOW_UP_MONTHS = 24
#: The event measures :func:`month_end_event_measures` computes (those the stage rules read).
MONTHLY_EVENT_MEASURES = (
    "civilian_deaths_12m",
    "civilian_deaths_3m",
    "organised_deaths_12m",
    "escalation_alerts_3m",
)
#: First and last years of UCDP GED's global coverage (version 23.1).
GED_FIRST_YEAR, GED_LAST_YEAR = 1989, 2022


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The last day of every month from ``first``'s month to ``last``'s month."""
    ends = pd.date_range(dt.date(first.year, first.month, 1), last, freq="ME")
    return [d.date() for d in ends]


def month_end_event_measures(
    connection: Any, events: ir.Table, iso3: str, as_of_dates: Iterable[dt.date]
) -> dict[dt.date, dict[str, float | None]]:
    """The stage's event measures as :func:`~backchannel.risk.stage_inputs.event_measures`
    computes them, at many dates at once.

    Calling ``event_measures`` once per month compiles its Ibis expressions anew each time
    (over a minute for 34 years of months), so here the window sums run as one query over
    every date and ``escalation_alerts`` runs once. Running the alerts once over all events
    is exact at month ends: an alert for a month reads that month and the months before it,
    never later ones. Only :data:`MONTHLY_EVENT_MEASURES`, the ones stage rules read, are
    computed; the tests hold them equal to ``event_measures`` month by month, so a change
    of definition there fails here. A date with no event up to it maps to ``{}``, as in
    ``event_measures``.
    """
    dates = sorted(set(as_of_dates))
    local = country_events(events, iso3)
    windows = ibis.memtable(
        {
            "as_of": dates,
            "year_ago": [d - dt.timedelta(days=YEAR_DAYS) for d in dates],
            "quarter_ago": [d - dt.timedelta(days=QUARTER_DAYS) for d in dates],
        }
    )
    joined = windows.join(local, local.date_start <= windows.as_of)
    one_sided = (joined.violence_type == ViolenceType.ONE_SIDED.value) | joined.civilian_targeting
    organised = joined.violence_type.isin(list(ORGANISED_VIOLENCE))
    in_year = joined.date_start > joined.year_ago
    in_quarter = joined.date_start > joined.quarter_ago
    sums = connection.to_pyarrow(
        joined.group_by("as_of").aggregate(
            civilian_12m=joined.deaths_best.sum(where=one_sided & in_year),
            civilian_3m=joined.deaths_best.sum(where=one_sided & in_quarter),
            organised_12m=joined.deaths_best.sum(where=organised & in_year),
        )
    ).to_pylist()
    alert_starts = [alert.start for alert in escalation_alerts(connection, local)]
    measures: dict[dt.date, dict[str, float | None]] = {d: {} for d in dates}
    for row in sums:
        as_of: dt.date = row["as_of"]
        quarter_ago = as_of - dt.timedelta(days=QUARTER_DAYS)
        measures[as_of] = {
            "civilian_deaths_12m": float(row["civilian_12m"] or 0),
            "civilian_deaths_3m": float(row["civilian_3m"] or 0),
            "organised_deaths_12m": float(row["organised_12m"] or 0),
            "escalation_alerts_3m": float(
                sum(1 for start in alert_starts if quarter_ago < start <= as_of)
            ),
        }
    return measures


@dataclass(frozen=True)
class MonthStage:
    """The stage at one month end and the measures it was read from."""

    month_end: dt.date
    stage: str | None  # None: no source had adequate data that month (no events yet)
    measures: dict[str, float | None]


@dataclass(frozen=True)
class OnsetCheck:
    """One EWP onset year against the monthly stages before and during it."""

    year: int
    raised_months_before: int
    raised_months_during: int
    first_raised: dt.date | None

    @property
    def preceded(self) -> bool:
        """Imminent or ongoing was raised in the 24 months before the onset year."""
        return self.raised_months_before > 0

    @property
    def matched(self) -> bool:
        """Imminent or ongoing was raised in some month of the onset year."""
        return self.raised_months_during > 0


@dataclass(frozen=True)
class MonthlyBacktest:
    """The monthly run for one country: counts per stage and what followed raised months."""

    country: str
    ewp_name: str
    first_month: dt.date
    last_month: dt.date
    months: int
    months_by_stage: dict[str, int]
    raised_months: int
    raised_followed: int
    raised_not_followed: int
    raised_not_followed_in_episode: int
    ongoing_months: int
    ongoing_months_in_episode: int
    episode_months: int
    episode_months_ongoing: int
    onsets: list[OnsetCheck]
    first_month_at: dict[str, dt.date | None]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO strings)."""
        document = asdict(self)
        document["onsets"] = [
            {**asdict(o), "preceded": o.preceded, "matched": o.matched} for o in self.onsets
        ]
        converted: dict[str, Any] = _iso_dates(document)
        return converted


def _iso_dates(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_dates(v) for v in value]
    return value


def monthly_stages(
    connection: Any,
    events: ir.Table,
    iso3: str,
    dates: Sequence[dt.date],
    rules: StageRules,
) -> list[MonthStage]:
    """The stage at each date from the country's events and the packaged structural forecast.

    Structural inputs come from :func:`structural_measures`: the forecast from the last base
    year before the date's year, as the product reads them. Raises ``InvalidInputError``
    when an event rule reads a measure :func:`month_end_event_measures` does not compute,
    rather than scoring a stage that could never fire.
    """
    uncovered = sorted(
        {m for r in rules.rules if r.source == "events" for m in r.measures}
        - set(MONTHLY_EVENT_MEASURES)
    )
    if uncovered:
        raise InvalidInputError(
            "stage rules",
            [Problem(m, "the monthly backtest does not compute this measure") for m in uncovered],
        )
    by_date = month_end_event_measures(connection, events, iso3, dates)
    # the forecast depends on the year alone; reading it once a year saves seconds
    structural = {
        year: structural_measures(iso3, dt.date(year, 12, 31)) for year in {d.year for d in by_date}
    }
    stages = []
    for day in sorted(by_date):
        measures = {**structural[day.year], **by_date[day]}
        stages.append(MonthStage(day, assess_stage(measures, rules).stage, measures))
    return stages


def _follow_up_end(month_end: dt.date) -> dt.date:
    """The month end ``FOLLOW_UP_MONTHS`` months after a month end."""
    end: dt.date = (pd.Timestamp(month_end) + pd.offsets.MonthEnd(FOLLOW_UP_MONTHS)).date()
    return end


def onset_follows(month_end: dt.date, onset_year: int) -> bool:
    """Whether an onset in ``onset_year`` may fall in the 24 months after ``month_end``.

    EWP dates onsets by year only, so the year counts when it overlaps the window at all:
    an onset year that starts before the window closes and ends after the month end. That
    favours the stage (an onset in January counts as following a June warning of the same
    year), which the report states.
    """
    return (
        dt.date(onset_year, 1, 1) <= _follow_up_end(month_end)
        and dt.date(onset_year, 12, 31) > month_end
    )


def episode_years_of(episodes: pd.DataFrame, iso3: str) -> tuple[str, set[int], set[int]]:
    """The country's EWP name, its onset years and its years with an ongoing episode."""
    names = set(episodes[COUNTRY])
    name = next((n for n in ewp_names(iso3) if n in names), None)
    if name is None:
        raise InvalidInputError(
            "EWP base data", [Problem(COUNTRY, f"no country matches the ISO code {iso3}")]
        )
    rows = episodes[episodes[COUNTRY] == name]
    return (
        name,
        {int(y) for y in rows.loc[rows["mk_onset"] == 1, YEAR]},
        {int(y) for y in rows.loc[rows["mk_ongoing"] == 1, YEAR]},
    )


def monthly_backtest(
    connection: Any,
    events: ir.Table,
    episodes: pd.DataFrame,
    iso3: str,
    rules: StageRules,
    *,
    first_year: int = GED_FIRST_YEAR,
    last_year: int = GED_LAST_YEAR,
) -> MonthlyBacktest:
    """Month-end stages for one country from GED, scored against its EWP onsets.

    A month is *raised* at ``imminent`` or ``ongoing``. It is *followed* when an EWP onset
    year overlaps the next 24 months (:func:`onset_follows`); raised months not followed
    are split by whether EWP codes an episode as ongoing that year, since ``ongoing``
    during an episode is a correct reading that no *new* onset can follow.
    """
    name, onset_years, episode_years = episode_years_of(episodes, iso3)
    dates = month_ends(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))
    stages = monthly_stages(connection, events, iso3, dates, rules)
    raised_rank = rules.rank("imminent")
    raised = [s for s in stages if s.stage is not None and rules.rank(s.stage) >= raised_rank]
    not_followed = [
        s for s in raised if not any(onset_follows(s.month_end, y) for y in onset_years)
    ]
    ongoing = [s for s in stages if s.stage == "ongoing"]
    in_episode = [s for s in stages if s.month_end.year in episode_years]
    checks = []
    for year in sorted(y for y in onset_years if first_year <= y <= last_year + 2):
        before = [s for s in raised if year - 2 <= s.month_end.year < year]
        during = [s for s in raised if s.month_end.year == year]
        window = [s for s in raised if year - 2 <= s.month_end.year <= year]
        checks.append(
            OnsetCheck(
                year=year,
                raised_months_before=len(before),
                raised_months_during=len(during),
                first_raised=window[0].month_end if window else None,
            )
        )
    # Keyed like ``months_by_stage``: months with no stage are "unknown".
    first_at = {
        key: next((s.month_end for s in stages if s.stage == stage), None)
        for key, stage in [*((stage, stage) for stage in rules.stages), ("unknown", None)]
    }
    return MonthlyBacktest(
        country=iso3,
        ewp_name=name,
        first_month=dates[0],
        last_month=dates[-1],
        months=len(stages),
        months_by_stage={
            **{stage: sum(1 for s in stages if s.stage == stage) for stage in rules.stages},
            "unknown": sum(1 for s in stages if s.stage is None),
        },
        raised_months=len(raised),
        raised_followed=len(raised) - len(not_followed),
        raised_not_followed=len(not_followed),
        raised_not_followed_in_episode=sum(
            1 for s in not_followed if s.month_end.year in episode_years
        ),
        ongoing_months=len(ongoing),
        ongoing_months_in_episode=sum(1 for s in ongoing if s.month_end.year in episode_years),
        episode_months=len(in_episode),
        episode_months_ongoing=sum(1 for s in in_episode if s.stage == "ongoing"),
        onsets=checks,
        first_month_at=first_at,
        notes=[
            "EWP dates onsets by year: an onset year overlapping the 24 months after a "
            "raised month counts as following it, which favours the stage",
            "event measures are UCDP GED best estimates; structural inputs are the packaged "
            "forecast from the last base year before each month's year",
        ],
    )
