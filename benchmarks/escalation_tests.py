"""Benchmark: escalation alerts of the old exact Poisson test against the overdispersed test.

On the real UCDP GED 23.1 file for the Central African Republic, in one process:

- the baseline: the test the escalation alerts used before, an exact one-sided Poisson test
  of an actor's civilian deaths in a month against its trailing 12-month mean (floored at
  0.5 a month), alerting at p < 0.01 with at least 10 deaths. It lives here only, privately;
- the new test: ``backchannel.events.alerts.escalation_alerts`` (attacks on civilians and
  civilian deaths, overdispersed, alerting at moderate or strong evidence).

It prints how many actor-month alerts each raises and the ratio new / old, and, as a
quality check, how many of each fall in months in which the country's total of deaths from
UCDP one-sided violence at least doubled against its mean over the 12 months before (a
month after a year without any counts as doubled when it has a death).

Then a check of chance alerts: stationary simulated violence (no escalation by
construction: Poisson-arriving attacks, each killing a random number of people, geometric
or, with heavier tails, log-normal) through the same Ibis pipeline; every alert there is a
false alarm. The old test alerted at p < 0.01, so an honest test would raise at most about
10 per 1,000 actor-months (20 for the new one, which alerts on either of two tests).

Run: ``.venv/bin/python benchmarks/escalation_tests.py [MIRROR]`` (default ../shared/data).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
from _figures import write_figures
from scipy import stats

from backchannel.events import indicators
from backchannel.events.alerts import escalation_alerts
from backchannel.events.backends import connect, event_table
from backchannel.events.readers import read_ged
from backchannel.events.schema import EVENT_SCHEMA

CAR_GED = Path("ucdp") / "ged231_central_african_republic.csv"
OLD_P_VALUE = 0.01
OLD_RATE_FLOOR = 0.5
OLD_MIN_DEATHS = 10
DOUBLING = 2.0
SIMULATED_ACTORS = 300
SIMULATED_MONTHS = 60
ATTACKS_A_MONTH = 1.0
DEATHS_PER_ATTACK = 6.0


def _old_poisson_alerts(connection: object, events: ir.Table) -> set[tuple[str, dt.date]]:
    """Actor-months the old exact Poisson test alerted on (the baseline of this benchmark)."""
    scored = connection.to_pyarrow(  # type: ignore[attr-defined]
        indicators.escalation(indicators.actor_month(events, evidence=False), "civilian_deaths")
    )
    observed = scored.column("observed").to_numpy(zero_copy_only=False).astype(float)
    mean = scored.column("baseline_mean").to_numpy(zero_copy_only=False).astype(float)
    with np.errstate(invalid="ignore"):
        p_values = stats.poisson.sf(observed - 1, np.maximum(mean, OLD_RATE_FLOOR))
    fired = (p_values < OLD_P_VALUE) & (observed >= OLD_MIN_DEATHS)  # NaN compares False
    actors = scored.column("actor").to_pylist()
    months = scored.column("month").to_pylist()
    return {(actors[i], months[i]) for i in np.flatnonzero(fired)}


def _new_alerts(connection: object, events: ir.Table) -> set[tuple[str, dt.date]]:
    return {(alert.actor, alert.start) for alert in escalation_alerts(connection, events)}


def doubling_months(events: pa.Table) -> set[dt.date]:
    """Months whose one-sided deaths in the country at least doubled their prior-year mean."""
    frame = events.to_pandas()
    one_sided = frame[frame["violence_type"] == "one_sided"]
    months = one_sided["date_start"].map(lambda d: dt.date(d.year, d.month, 1))
    totals = one_sided.groupby(months)["deaths_best"].sum()
    first = min(frame["date_start"]).replace(day=1)
    last = max(frame["date_start"]).replace(day=1)
    calendar = list(_months(first, last))
    series = np.array([float(totals.get(m, 0)) for m in calendar])
    doubled = set()
    for index in range(12, len(calendar)):
        prior = series[index - 12 : index].mean()
        if series[index] > 0 and series[index] >= DOUBLING * prior:
            doubled.add(calendar[index])
    return doubled


def _months(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    month = first
    while month <= last:
        yield month
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def simulated_events(sizes: str, seed: int = 11) -> pa.Table:
    """Stationary one-sided violence: no actor ever escalates.

    ``sizes``: ``geometric`` deaths per attack (mean 6, E[D^2] / E[D] about 11) or
    ``lognormal`` (rounded up; mean about 6, E[D^2] / E[D] about 25).
    """
    generator = np.random.default_rng(seed)
    first = dt.date(2000, 1, 1)
    calendar = list(_months(first, dt.date(2000 + SIMULATED_MONTHS // 12 - 1, 12, 1)))
    rows = []
    for actor in range(SIMULATED_ACTORS):
        for month in calendar:
            for attack in range(generator.poisson(ATTACKS_A_MONTH)):
                if sizes == "geometric":
                    deaths = int(generator.geometric(1 / DEATHS_PER_ATTACK))
                else:
                    deaths = int(np.ceil(generator.lognormal(0.8, 1.3)))
                event_id = f"sim:{actor}:{month}:{attack}"
                rows.append(_event(event_id, f"actor {actor}", month, deaths))
    # one event of no one on the first day fixes every actor's coverage from the start
    rows.append(_event("sim:start", "nobody", first, 0))
    return pa.Table.from_pylist(rows, schema=EVENT_SCHEMA)


def _event(event_id: str, actor: str, month: dt.date, deaths: int) -> dict[str, object]:
    return {
        "event_id": event_id,
        "source": "simulation",
        "date_start": month,
        "date_end": month,
        "year": month.year,
        "country": "Simland",
        "admin1": "North",
        "admin2": None,
        "latitude": 5.0,
        "longitude": 20.0,
        "actor1": actor,
        "actor2": "Civilians",
        "actor1_ucdp_id": None,
        "actor2_ucdp_id": None,
        "violence_type": "one_sided",
        "civilian_targeting": True,
        "deaths_best": deaths,
        "deaths_low": deaths,
        "deaths_high": deaths,
        "deaths_civilians": deaths,
        "source_file": "simulation",
        "source_line": 0,
    }


def _ratio(new: float, old: float) -> str:
    return f"{new / old:.2f}" if old else "n/a"


def main(mirror: Path) -> None:
    path = (mirror / CAR_GED).resolve()
    events = read_ged(path).events
    table = event_table(events)
    connection = connect()

    started = time.perf_counter()
    old = _old_poisson_alerts(connection, table)
    old_seconds = time.perf_counter() - started
    started = time.perf_counter()
    new = _new_alerts(connection, table)
    new_seconds = time.perf_counter() - started

    doubled = doubling_months(events)
    old_in = sum(1 for _, month in old if month in doubled)
    new_in = sum(1 for _, month in new if month in doubled)
    print(f"{path}: {events.num_rows} events; {len(doubled)} months in which one-sided deaths")
    print("in the country at least doubled against the mean of the 12 months before")
    print()
    print(f"{'':38}{'old Poisson':>12}{'new':>12}{'new/old':>10}")
    print(f"{'actor-month alerts':38}{len(old):>12}{len(new):>12}{_ratio(len(new), len(old)):>10}")
    print(f"{'... in a doubling month':38}{old_in:>12}{new_in:>12}{_ratio(new_in, old_in):>10}")
    old_share = old_in / len(old) if old else 0.0
    new_share = new_in / len(new) if new else 0.0
    print(
        f"{'share in a doubling month':38}{old_share:>12.2f}{new_share:>12.2f}"
        f"{_ratio(new_share, old_share):>10}"
    )
    old_months = {month for _, month in old}
    new_months = {month for _, month in new}
    old_covered = len(old_months & doubled)
    new_covered = len(new_months & doubled)
    print(
        f"{'doubling months with an alert':38}{old_covered:>12}{new_covered:>12}"
        f"{_ratio(new_covered, old_covered):>10}"
    )
    print(f"{'seconds':38}{old_seconds:>12.2f}{new_seconds:>12.2f}")
    print(f"alerts only in the old test: {len(old - new)}; only in the new: {len(new - old)}")

    figures: dict[str, object] = {
        "car_alerts_old": len(old),
        "car_alerts_new": len(new),
        "car_share_in_doubling_month_old": round(old_share, 2),
        "car_share_in_doubling_month_new": round(new_share, 2),
    }
    tested = SIMULATED_ACTORS * (SIMULATED_MONTHS - 1)
    print()
    print(
        f"stationary simulation: {SIMULATED_ACTORS} actors x {SIMULATED_MONTHS} months, "
        f"{ATTACKS_A_MONTH:g} attack a month on average, no escalation"
    )
    header = "false alarms per 1,000 actor-months"
    print(f"{header:38}{'old Poisson':>12}{'new':>12}{'new/old':>10}")
    for sizes in ("geometric", "lognormal"):
        simulated_table = ibis.memtable(simulated_events(sizes))
        old_rate = 1000 * len(_old_poisson_alerts(connection, simulated_table)) / tested
        new_rate = 1000 * len(_new_alerts(connection, simulated_table)) / tested
        label = f"  deaths per attack {sizes}"
        print(f"{label:38}{old_rate:>12.1f}{new_rate:>12.1f}{_ratio(new_rate, old_rate):>10}")
        figures[f"false_alarms_per_1000_{sizes}_old"] = round(old_rate, 1)
        figures[f"false_alarms_per_1000_{sizes}_new"] = round(new_rate, 1)
    print(f"figures written to {write_figures('escalation_tests', figures)}")


if __name__ == "__main__":
    main(
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).parents[1] / ".." / "shared" / "data"
    )
