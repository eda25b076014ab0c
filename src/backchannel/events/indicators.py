"""Event-data indicators as Ibis expressions: monthly series, escalation, threshold crossings.

Every function here takes an ``ibis.Table`` with the event layout of
:mod:`backchannel.events.schema` (or a monthly table built from it) and returns an
``ibis.Table`` expression. Nothing is executed here: the caller runs the expression on its
backend (DuckDB by default, PySpark for large data) with ``.to_pyarrow()``. The expressions
use only portable operations (group-by, window functions, joins, ``ibis.range`` +
``unnest``, ``collect``), no backend SQL and no pandas.

The escalation test compares a month's count with the unit's trailing months, allowing for
overdispersion: deaths from armed violence come in lumps (one massacre is one event with
dozens of deaths), so monthly counts vary far more than a Poisson count of the same mean.
The baseline's mean, variance and dispersion are Ibis window sums (:func:`escalation`); the
p-value, which needs an incomplete beta function, and its grading into words are small pure
functions on the executed result (``escalation_flags.flag_escalations``, on the test of
:mod:`backchannel.events.rise_evidence`, which says how it allows for the lumps). The same
functions compare violence during talks with the span before them
(:mod:`backchannel.events.alerts`).

Months: an event belongs to the month of its ``date_start``. Monthly series are zero-filled:
every unit (actor or area) has a row for every month from its first event to the last month
present in the data, so a month without events is a 0 in the baselines, not a gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import ibis
import ibis.expr.types as ir

from backchannel.events.measures import (
    COUNT_MEASURES,
    DEATH_MEASURES,
    EWP_MASS_KILLING_THRESHOLD,
    GRID_CELL_DEGREES,
    MEASURE_LABELS,
    MIN_COUNT_FOR_ALERT,
    ORGANISED_VIOLENCE,
    RATE_RATIO_CONTINUITY,
    ROLLING_MONTHS,
    TREND_MONTHS,
    UCDP_DEATH_THRESHOLD,
    UNKNOWN_ADMIN1,
    Measure,
)
from backchannel.events.rise_evidence import (
    DEATHS_SIZE_SPREAD,
)
from backchannel.events.schema import ViolenceType

# the measures and thresholds are re-exported: callers read them as indicator terms
__all__ = [
    "COUNT_MEASURES",
    "DEATH_MEASURES",
    "EWP_MASS_KILLING_THRESHOLD",
    "GRID_CELL_DEGREES",
    "MEASURE_LABELS",
    "MIN_COUNT_FOR_ALERT",
    "ORGANISED_VIOLENCE",
    "RATE_RATIO_CONTINUITY",
    "ROLLING_MONTHS",
    "TREND_MONTHS",
    "UCDP_DEATH_THRESHOLD",
    "UNKNOWN_ADMIN1",
    "Measure",
    "actor_escalation",
    "actor_month",
    "area_escalation",
    "area_month",
    "escalation",
    "month_index",
    "threshold_crossings",
]

_EVENT_IDS = ibis.dtype("array<string>")


# Ordered aggregations (``collect(order_by=...)``, ``first(order_by=...)``) are not
# supported on every backend (PySpark refuses them). Prefixing each id with its ISO date
# makes plain min / max / sort order events by date, then by id, everywhere.
_DATE_PREFIX = len("YYYY-MM-DD|")


def _dated_id(events: ir.Table) -> ir.StringValue:
    return events.date_start.cast("string") + "|" + events.event_id


def _ids_by_date(events: ir.Table) -> ir.ArrayValue:
    """Event ids of the group, ordered by date then id, on any backend."""
    return _dated_id(events).collect().sort().map(lambda dated: dated.substr(_DATE_PREFIX))


def month_index(date: ir.DateValue) -> ir.IntegerValue:
    """Months since year 0 (``year * 12 + month - 1``): consecutive months differ by 1."""
    return (date.year() * 12 + date.month() - 1).cast("int64")


def _month_from_index(index: ir.IntegerValue) -> ir.DateValue:
    return ibis.date(index // 12, index % 12 + 1, 1)


def _is_civilian_killing(events: ir.Table) -> ir.BooleanValue:
    return (events.violence_type == ViolenceType.ONE_SIDED.value) | events.civilian_targeting


def _grid_cell(events: ir.Table) -> ir.IntegerValue:
    """A PRIO-GRID-style cell number of the event's coordinates (null without them)."""
    cells_per_row = round(360 / GRID_CELL_DEGREES)
    row = ((events.latitude + 90) / GRID_CELL_DEGREES).floor()
    col = ((events.longitude + 180) / GRID_CELL_DEGREES).floor()
    return (row * cells_per_row + col).cast("int64")


def _death_measures(
    events: ir.Table,
) -> dict[str, tuple[ir.IntegerColumn, ir.BooleanValue | None]]:
    """Each death measure: the column it sums and the events it sums over (None: all)."""
    return {
        "deaths_best": (events.deaths_best, None),
        "deaths_low": (events.deaths_low, None),
        "deaths_high": (events.deaths_high, None),
        "civilian_deaths": (events.deaths_best, _is_civilian_killing(events)),
        "civilian_deaths_any_type": (events.deaths_civilians, None),
        "organised_violence_deaths": (
            events.deaths_best,
            events.violence_type.isin(ORGANISED_VIOLENCE),
        ),
    }


def _monthly(
    events: ir.Table,
    keys: Sequence[str],
    evidence: bool = True,
    only: str | None = None,
) -> ir.Table:
    """Zero-filled monthly aggregates of ``events`` per combination of ``keys``.

    ``events`` must already carry the key columns and ``month_index``. With ``evidence``
    each month also lists its event ids, which costs more than every count together on
    large tables: bulk statistics can leave it out and fetch evidence for alerts only.
    ``only`` names the one death measure wanted (no other count is made): the distinct
    areas and grid cells alone cost more than the sum a threshold needs.
    """
    keys = list(keys)
    evidence_ids = {"event_ids": _ids_by_date(events)} if evidence else {}
    counts: dict[str, ir.Value] = {}
    if only is None:
        counts["events"] = events.count()
        counts["civilian_events"] = events.count(where=_is_civilian_killing(events))
    for name, (deaths, where) in _death_measures(events).items():
        if only in (None, name):
            counts[name] = deaths.sum(where=where)
        if only is None:
            # the lumps behind the sum: how many events, and the most deaths in one of them
            with_deaths = deaths > 0 if where is None else where & (deaths > 0)
            counts[f"{name}_events"] = deaths.count(where=with_deaths)
            counts[f"{name}_largest"] = deaths.max(where=where)
    if not counts:
        raise ValueError(f"only must be one of {DEATH_MEASURES}, not {only!r}")
    if only is None:
        counts["admin1_count"] = events.admin1.nunique()
        counts["grid_cells"] = _grid_cell(events).nunique()
    aggregates = events.group_by([*keys, "month_index"]).aggregate(**evidence_ids, **counts)
    last_month = events.month_index.max()
    firsts = events.group_by(keys).aggregate(first_month_index=events.month_index.min())
    calendar = firsts.select(
        *keys,
        month_index=ibis.range(firsts.first_month_index, last_month + 1, 1).unnest(),
    )
    joined = calendar.left_join(aggregates, [*keys, "month_index"])
    return joined.select(
        *[calendar[k] for k in keys],
        month=_month_from_index(calendar.month_index),
        month_index=calendar.month_index,
        **{name: aggregates[name].fill_null(0).cast("int64") for name in counts},
        **(
            {"event_ids": aggregates.event_ids.fill_null(ibis.literal([], type=_EVENT_IDS))}
            if evidence
            else {}
        ),
    ).order_by([*keys, "month_index"])


def _with_month(events: ir.Table) -> ir.Table:
    return events.mutate(month_index=month_index(events.date_start))


def _actor_rows(events: ir.Table, include_actor2: bool) -> ir.Table:
    """One row per (event, actor): actor1 always; actor2 too for battles when asked.

    One-sided violence and civilian targeting never give actor2 a row: its side B is the
    civilians killed.
    """
    # cast: nullable on both sides, or the union's schemas differ when actor1 is NOT NULL
    first_side = events.mutate(actor=events.actor1.cast("string"))
    if not include_actor2:
        return first_side
    second_side = events.filter(
        events.actor2.notnull()
        & (events.violence_type != ViolenceType.ONE_SIDED.value)
        & ~events.civilian_targeting
    )
    second_side = second_side.mutate(actor=second_side.actor2.cast("string"))
    return first_side.union(second_side)


def actor_month(
    events: ir.Table, *, include_actor2: bool = False, evidence: bool = True
) -> ir.Table:
    """Zero-filled monthly indicators per actor.

    The actor is ``actor1``: GED side A, and for one-sided violence the perpetrator. With
    ``include_actor2`` a battle also counts for its side B (both parties of a dyad suffer
    its battle deaths); civilians are never an actor.

    Columns: ``actor``, ``month`` (first day), ``month_index``, ``events``,
    ``civilian_events`` (one-sided violence / civilian-targeting events: the actor's attacks
    on civilians), ``deaths_best`` / ``deaths_low`` / ``deaths_high``, ``civilian_deaths``
    (best estimate of the civilian-killing events: the actor's killings of civilians),
    ``civilian_deaths_any_type`` (sum of ``deaths_civilians`` over all event types),
    ``organised_violence_deaths`` (best estimate over state-based, non-state and one-sided
    events), for each of these death measures ``<measure>_events`` (the events with such
    deaths) and ``<measure>_largest`` (the most in one event), ``admin1_count`` and
    ``grid_cells`` (geographic spread: distinct admin-1 areas and distinct 0.5 degree
    cells), ``event_ids`` (the evidence, ordered by date).
    """
    rows = _actor_rows(_with_month(events), include_actor2)
    return _monthly(rows, ["actor"], evidence)


def area_month(
    events: ir.Table, level: Literal["admin1", "country"] = "admin1", *, evidence: bool = True
) -> ir.Table:
    """Zero-filled monthly indicators per area: per country, or per (country, admin1).

    Same indicator columns as :func:`actor_month`, keyed by ``country`` (and ``admin1``,
    where events without one are grouped as :data:`UNKNOWN_ADMIN1`).
    """
    rows = _with_month(events)
    if level == "country":
        return _monthly(rows, ["country"], evidence)
    if level == "admin1":
        rows = rows.mutate(admin1_area=rows.admin1.fill_null(UNKNOWN_ADMIN1))
        monthly = _monthly(rows, ["country", "admin1_area"], evidence)
        return monthly.rename(admin1="admin1_area")
    raise ValueError(f"level must be 'admin1' or 'country', not {level!r}")


def _unit_keys(monthly: ir.Table) -> list[str]:
    keys = [k for k in ("actor", "country", "admin1") if k in monthly.columns]
    if not keys:
        raise ValueError("monthly table has none of the unit columns actor, country, admin1")
    return keys


def escalation(
    monthly: ir.Table,
    value: Measure = "civilian_deaths",
    baseline_months: int = 12,
    *,
    keys: Sequence[str] | None = None,
    coverage_start: ir.DateValue | None = None,
) -> ir.Table:
    """Each unit-month's ``value`` against its trailing baseline: the test statistic inputs.

    ``monthly`` is a zero-filled table from :func:`actor_month` or :func:`area_month`;
    ``keys`` default to the unit columns found in it (``actor``, ``country``, ``admin1``).

    Baseline: the previous ``baseline_months`` months, the current month excluded. Months
    before the unit's first event count as zeros as long as they lie inside the data's
    coverage (from ``coverage_start``, by default the earliest month in ``monthly``): a new
    actor's first appearance is measured against silence, while the data's own first month
    has no baseline at all (``baseline_mean`` null).

    Dispersion: the baseline's variance over its mean, the method-of-moments estimate for
    counts whose variance is proportional to their mean. The variance is the mean square
    successive difference of the baseline months over 2 (von Neumann, Kent, Bellinson &
    Hart, *Annals of Mathematical Statistics* 12, 1941), not the spread around the
    baseline mean: both estimate the same variance for months that vary at random, but a
    rise already under way in the baseline would inflate the spread around the mean and
    pass for overdispersion, so that a sustained rise would grade weaker month by month.
    Where the variance does not exceed the mean, or there are fewer than two baseline
    months, the counts are taken as Poisson (dispersion 1). The result is never below
    ``dispersion_floor`` (:func:`per_event_floor`): 1 for event measures; for death
    measures :data:`DEATHS_SIZE_SPREAD` times the mean deaths per event over the baseline
    and the month together (the month is included because under "no escalation" its events
    come from the same process). In the one-sided events of the Central African Republic in
    UCDP GED 23.1 the mean is 7.9 deaths an event; without the floor a quiet baseline would
    make any lump of deaths look impossible.

    Columns: the keys, ``month``, ``month_index``, ``measure`` (the name of ``value``),
    ``observed``, ``event_count`` (the events behind ``observed``: the count itself for
    event measures, the events with deaths for death measures), ``largest_event`` (death
    measures: the most deaths in one event of the month; null for event measures),
    ``baseline_months_observed``, ``baseline_mean``, ``baseline_variance`` (from successive
    differences, null with fewer than 2 months), ``dispersion_floor``, ``dispersion`` (both
    null without a baseline), ``rate_ratio`` = (observed + 0.5) / (baseline_mean + 0.5),
    ``trend_slope`` (least-squares slope per month over the last
    :data:`TREND_MONTHS` months, current included), ``trend_ratio`` (last 3 months over the
    3 before, each + 0.5) and ``event_ids``.

    The p-value and its grade in words come after execution, from
    ``escalation_flags.flag_escalations``.
    """
    if baseline_months < 1:
        raise ValueError(f"baseline_months must be at least 1, not {baseline_months}")
    if value not in MIN_COUNT_FOR_ALERT:
        raise ValueError(f"value must be one of {sorted(MIN_COUNT_FOR_ALERT)}, not {value!r}")
    unit_keys = list(keys) if keys is not None else _unit_keys(monthly)
    start_index = (
        month_index(coverage_start) if coverage_start is not None else monthly.month_index.min()
    )
    observed = monthly[value].cast("int64")
    if value in COUNT_MEASURES:
        event_count, largest_event = observed, ibis.null("int64")
    else:
        event_count = monthly[f"{value}_events"].cast("int64")
        largest_event = monthly[f"{value}_largest"].cast("int64")
    series = monthly.select(
        *unit_keys,
        "month",
        "month_index",
        measure=ibis.literal(value),
        observed=observed,
        event_count=event_count,
        largest_event=largest_event,
        # x of the trend regression, kept small so that the sums stay exact
        x=(monthly.month_index - start_index).cast("int64"),
        **({"event_ids": monthly.event_ids} if "event_ids" in monthly.columns else {}),
    )

    def over(rows: tuple[int, int]) -> ibis.expr.builders.LegacyWindowBuilder:
        return ibis.window(group_by=unit_keys, order_by="month_index", rows=rows)

    # the step from the month before; before the unit's first event (inside the coverage)
    # that month was a zero, and the data's first month has no month before it
    previous = series.observed.lag().over(ibis.window(group_by=unit_keys, order_by="month_index"))
    series = series.mutate(
        step=ibis.ifelse(series.x > 0, series.observed - previous.fill_null(0), 0)
    )
    baseline = over((-baseline_months, -1))
    trend = over((-(TREND_MONTHS - 1), 0))
    last_three = over((-2, 0))
    previous_three = over((-5, -3))
    y = series.observed
    x = series.x
    # the n - 1 steps inside an n-month baseline: those of its months but the first
    steps = (
        (series.step * series.step).sum().over(over((-(baseline_months - 1), -1))).fill_null(0)
        if baseline_months > 1
        else ibis.literal(0, type="int64")
    )
    scored = series.mutate(
        baseline_sum=y.sum().over(baseline).fill_null(0),
        baseline_events=series.event_count.sum().over(baseline).fill_null(0),
        baseline_squared_steps=steps,
        baseline_months_observed=ibis.least(x, baseline_months),
        trend_n=y.count().over(trend),
        trend_sx=x.sum().over(trend),
        trend_sy=y.sum().over(trend),
        trend_sxy=(x * y).sum().over(trend),
        trend_sxx=(x * x).sum().over(trend),
        last_three=y.sum().over(last_three).fill_null(0),
        previous_three=y.sum().over(previous_three).fill_null(0),
    )
    n = scored.baseline_months_observed
    baseline_mean = ibis.ifelse(
        n > 0, scored.baseline_sum.cast("float64") / n, ibis.null("float64")
    )
    baseline_variance = ibis.ifelse(
        n > 1,
        scored.baseline_squared_steps.cast("float64") / (2 * (n - 1)).cast("float64"),
        ibis.null("float64"),
    )
    slope_denominator = scored.trend_n * scored.trend_sxx - scored.trend_sx * scored.trend_sx
    slope = ibis.ifelse(
        slope_denominator > 0,
        (scored.trend_n * scored.trend_sxy - scored.trend_sx * scored.trend_sy).cast("float64")
        / slope_denominator.cast("float64"),
        ibis.literal(0.0),
    )
    with_baseline = scored.mutate(baseline_mean=baseline_mean, baseline_variance=baseline_variance)
    mean = with_baseline.baseline_mean
    variance = with_baseline.baseline_variance
    overdispersed = variance.notnull() & (mean > 0) & (variance > mean)
    estimated = ibis.ifelse(overdispersed, variance / mean, ibis.literal(1.0))
    pooled_events = with_baseline.baseline_events + with_baseline.event_count
    per_event = ibis.ifelse(
        pooled_events > 0,
        (with_baseline.baseline_sum + with_baseline.observed).cast("float64")
        / pooled_events.cast("float64"),
        ibis.literal(1.0),
    )
    if value not in COUNT_MEASURES:
        per_event = per_event * DEATHS_SIZE_SPREAD
    # not greatest(): most SQL engines skip its NULL arguments
    floor = ibis.ifelse(
        mean.isnull(),
        ibis.null("float64"),
        ibis.ifelse(per_event < 1.0, ibis.literal(1.0), per_event),
    )
    dispersion = ibis.ifelse(
        mean.isnull(), ibis.null("float64"), ibis.ifelse(estimated < floor, floor, estimated)
    )
    return with_baseline.select(
        *unit_keys,
        "month",
        "month_index",
        "measure",
        "observed",
        "event_count",
        "largest_event",
        "baseline_months_observed",
        "baseline_mean",
        "baseline_variance",
        dispersion_floor=floor,
        dispersion=dispersion,
        rate_ratio=(with_baseline.observed + RATE_RATIO_CONTINUITY)
        / (mean + RATE_RATIO_CONTINUITY),
        trend_slope=slope,
        trend_ratio=(with_baseline.last_three + RATE_RATIO_CONTINUITY)
        / (with_baseline.previous_three + RATE_RATIO_CONTINUITY),
        **({"event_ids": with_baseline.event_ids} if "event_ids" in with_baseline.columns else {}),
    ).order_by([*unit_keys, "month_index"])


def actor_escalation(
    events: ir.Table,
    value: Measure = "civilian_deaths",
    baseline_months: int = 12,
    *,
    include_actor2: bool = False,
    evidence: bool = True,
) -> ir.Table:
    """:func:`escalation` of each actor's monthly series (:func:`actor_month`): one
    function of the events, so that ``backends.run_indicator`` can compile it once."""
    monthly = actor_month(events, include_actor2=include_actor2, evidence=evidence)
    return escalation(monthly, value, baseline_months)


def area_escalation(
    events: ir.Table,
    level: Literal["admin1", "country"] = "admin1",
    value: Measure = "civilian_deaths",
    baseline_months: int = 12,
    *,
    evidence: bool = True,
) -> ir.Table:
    """:func:`escalation` of each area's monthly series (:func:`area_month`)."""
    return escalation(area_month(events, level, evidence=evidence), value, baseline_months)


def threshold_crossings(events: ir.Table) -> ir.Table:
    """Months in which a rolling 12-month death toll reaches a recognised threshold.

    Two thresholds, per actor and per country:

    - ``ucdp_25_deaths``: organised-violence deaths (best estimate of state-based,
      non-state and one-sided events) reach :data:`UCDP_DEATH_THRESHOLD` (25). For actors
      both sides of a battle count (:func:`actor_month` with ``include_actor2``).
    - ``ewp_mass_killing``: civilian deaths from one-sided violence / civilian targeting by
      the actor (or in the country) reach :data:`EWP_MASS_KILLING_THRESHOLD` (1,000).

    A crossing is a month whose rolling total (that month and the 11 before, zero-filled)
    reaches the threshold while the month before was below it; ``crossing`` numbers them
    per unit and threshold, so ``crossing == 1`` is the first month the threshold is met.

    Columns: ``unit_kind`` ('actor' or 'country'), ``unit``, ``threshold``,
    ``threshold_deaths``, ``crossing``, ``month``, ``window_start``, ``rolling_deaths``,
    and the evidence: ``event_count``, ``first_event_id``, ``last_event_id`` and
    ``event_ids`` (the contributing events of the 12-month window, by date).
    """
    with_month = _with_month(events)
    # battles count for both sides; killings of civilians only for the perpetrator (actor1)
    battle_parties = _actor_rows(with_month, include_actor2=True)
    battle_parties = battle_parties.mutate(
        unit_kind=ibis.literal("actor"), unit=battle_parties.actor
    )
    perpetrators = with_month.mutate(unit_kind=ibis.literal("actor"), unit=with_month.actor1)
    countries = with_month.mutate(unit_kind=ibis.literal("country"), unit=with_month.country)
    parts = [
        _crossings_of(rows, "ucdp_25_deaths", "organised_violence_deaths", UCDP_DEATH_THRESHOLD)
        for rows in (battle_parties, countries)
    ] + [
        _crossings_of(rows, "ewp_mass_killing", "civilian_deaths", EWP_MASS_KILLING_THRESHOLD)
        for rows in (perpetrators, countries)
    ]
    return ibis.union(*parts).order_by(["threshold", "unit_kind", "unit", "month"])


def _crossings_of(rows: ir.Table, threshold: str, measure: str, deaths: int) -> ir.Table:
    monthly = _monthly(rows, ["unit_kind", "unit"], evidence=False, only=measure)
    window = ibis.window(
        group_by=["unit_kind", "unit"],
        order_by="month_index",
        rows=(-(ROLLING_MONTHS - 1), 0),
    )
    rolling = monthly.select(
        "unit_kind",
        "unit",
        "month",
        "month_index",
        rolling_deaths=monthly[measure].sum().over(window),
    )
    # the lag is a column before the filter: a window function inside filter() becomes a
    # QUALIFY that Ibis evaluates after the plain part of the predicate, over fewer rows
    rolling = rolling.mutate(
        previous_deaths=rolling.rolling_deaths.lag().over(
            ibis.window(group_by=["unit_kind", "unit"], order_by="month_index")
        )
    )
    upward = rolling.filter(
        (rolling.rolling_deaths >= deaths)
        & (rolling.previous_deaths.isnull() | (rolling.previous_deaths < deaths))
    )
    upward = upward.mutate(
        crossing=ibis.row_number().over(
            ibis.window(group_by=["unit_kind", "unit"], order_by="month_index")
        )
        + 1,
        window_start_index=upward.month_index - (ROLLING_MONTHS - 1),
    )
    wanted = (
        _is_civilian_killing(rows)
        if measure == "civilian_deaths"
        else rows.violence_type.isin(ORGANISED_VIOLENCE)
    )
    contributing = rows.filter(wanted & (rows.deaths_best > 0)).select(
        "unit_kind",
        "unit",
        "event_id",
        "date_start",
        event_month_index=rows.month_index,
    )
    joined = upward.join(
        contributing,
        [
            upward.unit_kind == contributing.unit_kind,
            upward.unit == contributing.unit,
            contributing.event_month_index >= upward.window_start_index,
            contributing.event_month_index <= upward.month_index,
        ],
    )
    evidence = joined.group_by(
        [
            upward.unit_kind,
            upward.unit,
            upward.month,
            upward.month_index,
            upward.window_start_index,
            upward.rolling_deaths,
            upward.crossing,
        ]
    ).aggregate(
        event_count=joined.count(),
        first_event_id=_dated_id(joined).min().substr(_DATE_PREFIX),
        last_event_id=_dated_id(joined).max().substr(_DATE_PREFIX),
        event_ids=_ids_by_date(joined),
    )
    return evidence.select(
        "unit_kind",
        "unit",
        threshold=ibis.literal(threshold),
        threshold_deaths=ibis.literal(deaths, type="int64"),
        crossing=evidence.crossing.cast("int64"),
        month=evidence.month,
        window_start=_month_from_index(evidence.window_start_index),
        rolling_deaths=evidence.rolling_deaths.cast("int64"),
        event_count=evidence.event_count.cast("int64"),
        first_event_id=evidence.first_event_id,
        last_event_id=evidence.last_event_id,
        event_ids=evidence.event_ids,
    )
