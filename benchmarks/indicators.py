"""Benchmark: each event indicator through Ibis on DuckDB, against the same query written by
hand in DuckDB SQL over the same Parquet file.

Ingests the mirror's GED files (the Central African Republic extract, and the global
sample) to Parquet in a temporary folder, then for each file and each indicator of
``backchannel.events.indicators``, in one process:

- the Ibis path as the product runs it: ``backends.run_indicator`` on the stored file
  (the expression compiled once per indicator and options, then run on DuckDB, which
  scans the Parquet file);
- the plain Ibis path, for reference: the expression built and handed to
  ``connection.to_pyarrow`` on every call;
- the hand-written SQL: one DuckDB query over ``read_parquet(...)`` of the same file;

checks that the three give equal results (floats to 1e-9 relative), and prints the
median time of each (the Ibis path and the SQL timed in turns, so that the load of a
shared machine weighs on both alike), the ratio Ibis / SQL, and what compiling the
indicator costs the first time it is run in a process. Goal: <= 1.25x for every
indicator.
Run: ``.venv/bin/python benchmarks/indicators.py [MIRROR] [RUNS]``.
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import ibis.expr.types as ir
import pyarrow as pa
from _figures import write_figures

from backchannel.events import indicators
from backchannel.events.backends import (
    connect,
    event_table,
    prepare_indicator,
    run_indicator,
)
from backchannel.events.parquet import load_events, store_events
from backchannel.events.readers import read_ged
from backchannel.events.rise_evidence import DEATHS_SIZE_SPREAD
from backchannel.events.schema import EVENT_SCHEMA

GOAL = 1.25
DEFAULT_RUNS = 21
FILES = ("ged231_central_african_republic.csv", "ged231_global_sample_1000.csv")

# --------------------------------------------------------------------------- the SQL

# Each death measure: the column summed, and the events it is summed over (None: all).
CIVILIAN = "(violence_type = 'one_sided' OR civilian_targeting)"
ORGANISED = "violence_type IN ('state_based', 'non_state', 'one_sided')"
DEATHS = {
    "deaths_best": ("deaths_best", None),
    "deaths_low": ("deaths_low", None),
    "deaths_high": ("deaths_high", None),
    "civilian_deaths": ("deaths_best", CIVILIAN),
    "civilian_deaths_any_type": ("deaths_civilians", None),
    "organised_violence_deaths": ("deaths_best", ORGANISED),
}
COUNTS = [
    "events",
    "civilian_events",
    *(f"{name}{suffix}" for name in DEATHS for suffix in ("", "_events", "_largest")),
    "admin1_count",
    "grid_cells",
]
MONTH_INDEX = "(year(date_start) * 12 + month(date_start) - 1)"
GRID_CELL = (
    "(CAST(floor((latitude + 90) / 0.5) AS BIGINT) * 720"
    " + CAST(floor((longitude + 180) / 0.5) AS BIGINT))"
)
IDS_BY_DATE = "list(event_id ORDER BY date_start, event_id)"


def _aggregates(evidence: bool) -> str:
    parts = ["count(*) AS events", f"count(*) FILTER (WHERE {CIVILIAN}) AS civilian_events"]
    for name, (column, where) in DEATHS.items():
        some = f"WHERE {where}" if where else ""
        with_deaths = f"WHERE {where} AND {column} > 0" if where else f"WHERE {column} > 0"
        parts += [
            f"sum({column}) FILTER ({some}) AS {name}" if where else f"sum({column}) AS {name}",
            f"count({column}) FILTER ({with_deaths}) AS {name}_events",
            f"max({column}) FILTER ({some}) AS {name}_largest"
            if where
            else f"max({column}) AS {name}_largest",
        ]
    parts += [
        "count(DISTINCT admin1) AS admin1_count",
        f"count(DISTINCT {GRID_CELL}) AS grid_cells",
    ]
    if evidence:
        parts.append(f"{IDS_BY_DATE} AS event_ids")
    return ",\n  ".join(parts)


def monthly_sql(rows: str, keys: list[str], evidence: bool, names: dict[str, str]) -> str:
    """Zero-filled monthly aggregates of ``rows`` (a query with ``month_index``) per keys;
    ``names`` renames keys in the output."""
    key_list = ", ".join(keys)
    on = " AND ".join(f"c.{k} IS NOT DISTINCT FROM a.{k}" for k in keys)
    filled = ",\n  ".join(f"CAST(coalesce(a.{c}, 0) AS BIGINT) AS {c}" for c in COUNTS)
    ids = ",\n  coalesce(a.event_ids, []::VARCHAR[]) AS event_ids" if evidence else ""
    shown = ", ".join(f"c.{k} AS {names.get(k, k)}" for k in keys)
    return f"""
WITH r AS ({rows}),
a AS (SELECT {key_list}, month_index,
  {_aggregates(evidence)}
  FROM r GROUP BY ALL),
c AS (SELECT {key_list}, unnest(range(min(month_index), (SELECT max(month_index) FROM r) + 1))
  AS month_index FROM r GROUP BY ALL)
SELECT {shown}, make_date(CAST(c.month_index // 12 AS BIGINT),
  CAST(c.month_index % 12 + 1 AS BIGINT), 1) AS month, c.month_index,
  {filled}{ids}
FROM c LEFT JOIN a ON {on} AND c.month_index = a.month_index
ORDER BY {", ".join(f"c.{k}" for k in keys)}, c.month_index
"""


def actor_rows(source: str, include_actor2: bool) -> str:
    first = (
        f"SELECT *, CAST(actor1 AS VARCHAR) AS actor, {MONTH_INDEX} AS month_index FROM {source}"
    )
    if not include_actor2:
        return first
    return f"""{first} UNION ALL
SELECT *, CAST(actor2 AS VARCHAR) AS actor, {MONTH_INDEX} AS month_index FROM {source}
WHERE actor2 IS NOT NULL AND violence_type <> 'one_sided' AND NOT civilian_targeting"""


def actor_month_sql(source: str, evidence: bool = True, include_actor2: bool = False) -> str:
    return monthly_sql(actor_rows(source, include_actor2), ["actor"], evidence, {})


def area_month_sql(source: str, level: str, evidence: bool = True) -> str:
    if level == "country":
        rows = f"SELECT *, {MONTH_INDEX} AS month_index FROM {source}"
        return monthly_sql(rows, ["country"], evidence, {})
    rows = (
        f"SELECT * EXCLUDE (admin1), admin1, coalesce(admin1, '{indicators.UNKNOWN_ADMIN1}')"
        f" AS admin1_area, {MONTH_INDEX} AS month_index FROM {source}"
    )
    return monthly_sql(rows, ["country", "admin1_area"], evidence, {"admin1_area": "admin1"})


def escalation_sql(monthly: str, keys: list[str], value: str, baseline: int = 12) -> str:
    """The escalation statistics of a zero-filled monthly query, as ``escalation``."""
    counts = value in indicators.COUNT_MEASURES
    event_count = f"CAST({value} AS BIGINT)" if counts else f"CAST({value}_events AS BIGINT)"
    largest = "CAST(NULL AS BIGINT)" if counts else f"CAST({value}_largest AS BIGINT)"
    spread = "" if counts else f" * {DEATHS_SIZE_SPREAD}"
    half = indicators.RATE_RATIO_CONTINUITY
    part = ", ".join(keys)

    def rows(start: int, end: int) -> str:
        def bound(n: int) -> str:
            return "CURRENT ROW" if n == 0 else f"{-n} PRECEDING"

        frame = f"ROWS BETWEEN {bound(start)} AND {bound(end)}"
        return f"OVER (PARTITION BY {part} ORDER BY month_index {frame})"

    trend = rows(-(indicators.TREND_MONTHS - 1), 0)
    steps = f"coalesce(sum(step * step) {rows(-(baseline - 1), -1)}, 0)" if baseline > 1 else "0"
    return f"""
WITH m AS ({monthly}),
s AS (SELECT {part}, month, month_index, CAST({value} AS BIGINT) AS observed,
  {event_count} AS event_count, {largest} AS largest_event,
  month_index - (SELECT min(month_index) FROM m) AS x, event_ids FROM m),
e AS (SELECT *, CASE WHEN x > 0 THEN observed - coalesce(lag(observed)
  OVER (PARTITION BY {part} ORDER BY month_index), 0) ELSE 0 END AS step FROM s),
w AS (SELECT *,
  coalesce(sum(observed) {rows(-baseline, -1)}, 0) AS baseline_sum,
  coalesce(sum(event_count) {rows(-baseline, -1)}, 0) AS baseline_events,
  {steps} AS baseline_squared_steps,
  least(x, {baseline}) AS n,
  count(observed) {trend} AS trend_n, sum(x) {trend} AS sx, sum(observed) {trend} AS sy,
  sum(x * observed) {trend} AS sxy, sum(x * x) {trend} AS sxx,
  coalesce(sum(observed) {rows(-2, 0)}, 0) AS last_three,
  coalesce(sum(observed) {rows(-5, -3)}, 0) AS previous_three FROM e),
v AS (SELECT *,
  CASE WHEN n > 0 THEN CAST(baseline_sum AS DOUBLE) / n END AS baseline_mean,
  CASE WHEN n > 1 THEN CAST(baseline_squared_steps AS DOUBLE) / CAST(2 * (n - 1) AS DOUBLE)
    END AS baseline_variance,
  trend_n * sxx - sx * sx AS slope_denominator,
  CASE WHEN baseline_events + event_count > 0 THEN CAST(baseline_sum + observed AS DOUBLE)
    / CAST(baseline_events + event_count AS DOUBLE) ELSE 1.0 END{spread} AS per_event FROM w),
f AS (SELECT *,
  CASE WHEN baseline_mean IS NULL THEN NULL WHEN per_event < 1.0 THEN 1.0 ELSE per_event END
    AS dispersion_floor,
  CASE WHEN baseline_variance IS NOT NULL AND baseline_mean > 0
    AND baseline_variance > baseline_mean THEN baseline_variance / baseline_mean ELSE 1.0 END
    AS estimated FROM v)
SELECT {part}, month, month_index, '{value}' AS measure, observed, event_count, largest_event,
  n AS baseline_months_observed, baseline_mean, baseline_variance, dispersion_floor,
  CASE WHEN baseline_mean IS NULL THEN NULL WHEN estimated < dispersion_floor
    THEN dispersion_floor ELSE estimated END AS dispersion,
  (observed + {half}) / (baseline_mean + {half}) AS rate_ratio,
  CASE WHEN slope_denominator > 0 THEN CAST(trend_n * sxy - sx * sy AS DOUBLE)
    / CAST(slope_denominator AS DOUBLE) ELSE 0.0 END AS trend_slope,
  (last_three + {half}) / (previous_three + {half}) AS trend_ratio,
  event_ids
FROM f ORDER BY {part}, month_index
"""


def crossings_sql(source: str) -> str:
    """Threshold crossings of rolling 12-month death tolls, as ``threshold_crossings``."""
    window = indicators.ROLLING_MONTHS
    parties = actor_rows(source, include_actor2=True)
    units = {
        "battle_parties": f"SELECT *, 'actor' AS unit_kind, actor AS unit FROM ({parties})",
        "perpetrators": (
            f"SELECT *, 'actor' AS unit_kind, actor1 AS unit, {MONTH_INDEX} AS month_index "
            f"FROM {source}"
        ),
        "countries": (
            f"SELECT *, 'country' AS unit_kind, country AS unit, {MONTH_INDEX} AS month_index "
            f"FROM {source}"
        ),
    }
    # (rows, threshold, events whose best-estimate deaths count, deaths to reach)
    parts = [
        ("battle_parties", "ucdp_25_deaths", ORGANISED, indicators.UCDP_DEATH_THRESHOLD),
        ("countries", "ucdp_25_deaths", ORGANISED, indicators.UCDP_DEATH_THRESHOLD),
        ("perpetrators", "ewp_mass_killing", CIVILIAN, indicators.EWP_MASS_KILLING_THRESHOLD),
        ("countries", "ewp_mass_killing", CIVILIAN, indicators.EWP_MASS_KILLING_THRESHOLD),
    ]
    selects = []
    for rows_name, threshold, wanted, deaths in parts:
        column = "deaths_best"
        selects.append(f"""
(WITH r AS ({units[rows_name]}),
a AS (SELECT unit_kind, unit, month_index, sum({column}) FILTER (WHERE {wanted}) AS deaths
  FROM r GROUP BY ALL),
c AS (SELECT unit_kind, unit, unnest(range(min(month_index),
  (SELECT max(month_index) FROM r) + 1)) AS month_index FROM r GROUP BY ALL),
m AS (SELECT c.unit_kind, c.unit, c.month_index, coalesce(a.deaths, 0) AS deaths FROM c
  LEFT JOIN a ON c.unit_kind = a.unit_kind AND c.unit IS NOT DISTINCT FROM a.unit
  AND c.month_index = a.month_index),
rolling AS (SELECT *, sum(deaths) OVER (PARTITION BY unit_kind, unit ORDER BY month_index
  ROWS BETWEEN {window - 1} PRECEDING AND CURRENT ROW) AS rolling_deaths FROM m),
lagged AS (SELECT *, lag(rolling_deaths) OVER (PARTITION BY unit_kind, unit
  ORDER BY month_index) AS previous_deaths FROM rolling),
up AS (SELECT *, row_number() OVER (PARTITION BY unit_kind, unit ORDER BY month_index)
  AS crossing, month_index - {window - 1} AS window_start_index FROM lagged
  WHERE rolling_deaths >= {deaths} AND (previous_deaths IS NULL OR previous_deaths < {deaths})),
contributing AS (SELECT unit_kind, unit, event_id, date_start, month_index AS event_month
  FROM r WHERE {wanted} AND deaths_best > 0)
SELECT up.unit_kind, up.unit, '{threshold}' AS threshold,
  CAST({deaths} AS BIGINT) AS threshold_deaths, CAST(up.crossing AS BIGINT) AS crossing,
  make_date(CAST(up.month_index // 12 AS BIGINT), CAST(up.month_index % 12 + 1 AS BIGINT), 1)
    AS month,
  make_date(CAST(up.window_start_index // 12 AS BIGINT),
    CAST(up.window_start_index % 12 + 1 AS BIGINT), 1) AS window_start,
  CAST(up.rolling_deaths AS BIGINT) AS rolling_deaths, count(*) AS event_count,
  arg_min(event_id, (date_start, event_id)) AS first_event_id,
  arg_max(event_id, (date_start, event_id)) AS last_event_id,
  {IDS_BY_DATE} AS event_ids
FROM up JOIN contributing AS e ON up.unit_kind = e.unit_kind AND up.unit = e.unit
  AND e.event_month BETWEEN up.window_start_index AND up.month_index
GROUP BY up.unit_kind, up.unit, up.month_index, up.window_start_index, up.rolling_deaths,
  up.crossing)""")
    return " UNION ALL ".join(selects) + " ORDER BY threshold, unit_kind, unit, month"


# --------------------------------------------------------------------------- the runs


def _ibis_indicators() -> dict[str, tuple[Callable[..., ir.Table], dict[str, Any]]]:
    """Each indicator as the product calls it: a function of the events and its options."""
    return {
        "actor_month": (indicators.actor_month, {}),
        "actor_month, no evidence": (indicators.actor_month, {"evidence": False}),
        "actor_month, both sides": (indicators.actor_month, {"include_actor2": True}),
        "area_month admin1": (indicators.area_month, {"level": "admin1"}),
        "area_month country": (indicators.area_month, {"level": "country"}),
        "escalation actors, civilian deaths": (
            indicators.actor_escalation,
            {"value": "civilian_deaths"},
        ),
        "escalation admin1, events": (
            indicators.area_escalation,
            {"level": "admin1", "value": "events"},
        ),
        "threshold_crossings": (indicators.threshold_crossings, {}),
    }


def _sql(source: str) -> dict[str, str]:
    return {
        "actor_month": actor_month_sql(source),
        "actor_month, no evidence": actor_month_sql(source, evidence=False),
        "actor_month, both sides": actor_month_sql(source, include_actor2=True),
        "area_month admin1": area_month_sql(source, "admin1"),
        "area_month country": area_month_sql(source, "country"),
        "escalation actors, civilian deaths": escalation_sql(
            actor_month_sql(source), ["actor"], "civilian_deaths"
        ),
        "escalation admin1, events": escalation_sql(
            area_month_sql(source, "admin1"), ["country", "admin1"], "events"
        ),
        "threshold_crossings": crossings_sql(source),
    }


def _medians(ways: list[Callable[[], Any]], runs: int) -> list[tuple[float, Any]]:
    """The median time and the result of each way, timed in turns (one run of each, then
    again), so that a change in the machine's load weighs on all of them alike."""
    results = [way() for way in ways]  # once before timing: first-call costs aside
    times: list[list[float]] = [[] for _ in ways]
    for _ in range(runs):
        for number, way in enumerate(ways):
            started = time.perf_counter()
            results[number] = way()
            times[number].append(time.perf_counter() - started)
    return [(statistics.median(t), r) for t, r in zip(times, results, strict=True)]


def _same(first: pa.Table, second: pa.Table) -> str | None:
    """Why two results differ (names, row count, a value), or None when they are equal."""
    if first.column_names != second.column_names:
        return f"columns {first.column_names} / {second.column_names}"
    if first.num_rows != second.num_rows:
        return f"{first.num_rows} / {second.num_rows} rows"
    for name in first.column_names:
        for row, (a, b) in enumerate(
            zip(first.column(name).to_pylist(), second.column(name).to_pylist(), strict=True)
        ):
            if isinstance(a, float) and isinstance(b, float):
                if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
                    return f"{name}[{row}]: {a} / {b}"
            elif a != b:
                return f"{name}[{row}]: {a!r} / {b!r}"
    return None


def compare(label: str, stored: Path, sql: str, connections: tuple[Any, Any], runs: int) -> float:
    """Time one indicator three ways on one stored file, print the line, give the ratio."""
    connection, sql_connection = connections
    indicator, options = _ibis_indicators()[label]
    (ibis_time, by_ibis), (sql_time, by_sql) = _medians(
        [
            lambda: run_indicator(connection, indicator, stored, **options),
            lambda: sql_connection.sql(sql).to_arrow_table(),
        ],
        runs,
    )
    [(plain_time, by_plain)] = _medians(
        [lambda: connection.to_pyarrow(indicator(event_table(load_events(stored)), **options))],
        max(3, runs // 4),
    )
    started = time.perf_counter()
    prepare_indicator.__wrapped__(indicator, tuple(sorted(options.items())), EVENT_SCHEMA)
    compile_time = time.perf_counter() - started
    problem = _same(by_ibis, by_sql) or _same(by_plain, by_sql)
    ratio = ibis_time / sql_time
    print(
        f"{label:36} {ibis_time * 1e3:6.1f}ms {sql_time * 1e3:6.1f}ms {ratio:5.2f}x"
        f"  {plain_time * 1e3:8.1f}ms {plain_time / sql_time:5.1f}x {compile_time * 1e3:7.1f}ms"
        + ("" if problem is None else f"   DIFFERENT: {problem}")
    )
    return ratio


def main() -> None:
    """Ingest the GED files, time every indicator three ways, check and print the ratios."""
    mirror = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_RUNS
    ratios = []
    connections = (connect(), duckdb.connect())
    with tempfile.TemporaryDirectory() as folder:
        for file in FILES:
            stored = store_events(read_ged(mirror / "ucdp" / file), folder)
            rows = load_events(stored).num_rows
            print(f"\n{file}: {rows:,} events, {stored.stat().st_size:,} bytes of Parquet")
            print(
                f"{'indicator':36} {'ibis':>8} {'sql':>8} {'ratio':>6}  {'plain ibis':>10} ratio"
                "  compiled once in"
            )
            for label, sql in _sql(f"read_parquet('{stored}')").items():
                ratios.append((compare(label, stored, sql, connections, runs), label))
    worst, worst_label = max(ratios)
    print(f"\nworst ratio Ibis / SQL: {worst:.2f}x   (goal <= {GOAL}x for every indicator)")
    path = write_figures(
        "indicators",
        {
            "worst_ratio_ibis_to_sql": round(worst, 2),
            "worst_indicator": worst_label,
            "indicator_runs_timed": len(ratios),
            "goal_ratio": GOAL,
        },
    )
    print(f"figures written to {path}")


if __name__ == "__main__":
    main()
