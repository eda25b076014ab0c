"""Benchmark: event indicators on a 10-million-event table, against plain pandas.

Builds a synthetic GED-like table by resampling the real GED files (CAR and the global
sample): rows are drawn with replacement, given fresh ids and spread over 1989-2022 with
random day shifts, so actor and area structure stay realistic. Then, in one process:

- DuckDB (through the Ibis indicators): actor-month and area-month tables with zero-filled
  months, and the escalation statistics, for all actors and areas;
- a straightforward pandas implementation of the same actor-month aggregates (the
  baseline), and the ratio between the two;
- the CSV ingest rate of the GED reader on a 200,000-row file (``benchmarks/ingest.py``
  compares it with the former csv-module reader, on GED and ACLED files);
- peak resident memory.

Goals: indicators for 10M events in <= 10 s on 2 cores, >= 10x faster than pandas,
ingest >= 200k events/s. Run: ``.venv/bin/python benchmarks/events.py [MIRROR] [ROWS]``.
"""

from __future__ import annotations

import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from _figures import write_figures

from backchannel.events import indicators
from backchannel.events.backends import connect, event_table
from backchannel.events.readers import read_ged

DEFAULT_ROWS = 10_000_000


def synthetic_events(seed_tables: list[pa.Table], rows: int, seed: int = 7) -> pa.Table:
    """``rows`` events resampled from the seed tables with new ids and shifted dates."""
    pooled = pa.concat_tables(seed_tables)
    generator = np.random.default_rng(seed=seed)
    picks = generator.integers(0, pooled.num_rows, rows)
    table = pooled.take(pa.array(picks))
    shifts = generator.integers(-3650, 3650, rows).astype("timedelta64[D]")
    starts = table.column("date_start").to_numpy().astype("datetime64[D]") + shifts
    starts = np.clip(starts, np.datetime64("1989-01-01"), np.datetime64("2022-12-31"))
    start_array = pa.array(starts, type=pa.date32())
    table = table.set_column(table.schema.get_field_index("date_start"), "date_start", start_array)
    table = table.set_column(table.schema.get_field_index("date_end"), "date_end", start_array)
    table = table.set_column(
        table.schema.get_field_index("year"), "year", pc.year(start_array).cast(pa.int32())
    )
    ids = pa.array([f"bench:{n}" for n in range(rows)])
    return table.set_column(table.schema.get_field_index("event_id"), "event_id", ids)


def pandas_actor_month(frame: pd.DataFrame) -> pd.DataFrame:
    """The baseline: the same actor-month columns as the Ibis code, zero-filled, in plain pandas."""
    frame = frame.assign(month=frame["date_start"].values.astype("datetime64[M]"))
    civilian = frame["violence_type"].eq("one_sided") | frame["civilian_targeting"]
    organised = frame["violence_type"].isin(["state_based", "non_state", "one_sided"])
    cell = np.floor(frame["latitude"] / 0.5) * 1000 + np.floor(frame["longitude"] / 0.5)
    frame = frame.assign(
        civilian=frame["deaths_best"].where(civilian, 0),
        organised=frame["deaths_best"].where(organised, 0),
        cell=cell,
    )
    grouped = frame.groupby(["actor1", "month"]).agg(
        events=("event_id", "size"),
        deaths_best=("deaths_best", "sum"),
        deaths_low=("deaths_low", "sum"),
        deaths_high=("deaths_high", "sum"),
        civilian_deaths=("civilian", "sum"),
        civilian_deaths_any_type=("deaths_civilians", "sum"),
        organised_violence_deaths=("organised", "sum"),
        admin1_count=("admin1", "nunique"),
        grid_cells=("cell", "nunique"),
    )
    last = frame["month"].max()
    filled = []
    for actor, rows in grouped.groupby(level=0):
        months = pd.date_range(rows.index.get_level_values(1).min(), last, freq="MS")
        index = pd.MultiIndex.from_product([[actor], months], names=["actor1", "month"])
        filled.append(rows.reindex(index, fill_value=0))
    return pd.concat(filled)


def write_ged_csv(source: Path, target: Path, rows: int) -> None:
    """A GED CSV of ``rows`` rows: the source's rows repeated with fresh ids."""
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        body = list(reader)
    id_column = header.index("id")
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(rows):
            row = list(body[n % len(body)])
            row[id_column] = str(10_000_000 + n)
            writer.writerow(row)


def timed(label: str, work):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    print(f"{label:48} {elapsed:8.2f} s")
    return elapsed, result


def main() -> None:
    """Run every measurement and print the figures and ratios."""
    mirror = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_ROWS
    seeds = [
        read_ged(mirror / "ucdp" / name).events
        for name in ("ged231_central_african_republic.csv", "ged231_global_sample_1000.csv")
    ]
    _, events = timed(
        f"build synthetic table ({rows:,} events)", lambda: synthetic_events(seeds, rows)
    )

    connection = connect()
    table = event_table(events)
    duck_actor, actor_rows = timed(
        "DuckDB actor-month (all actors)",
        lambda: connection.to_pyarrow(indicators.actor_month(table, evidence=False)),
    )
    duck_area, _ = timed(
        "DuckDB area-month (admin-1)",
        lambda: connection.to_pyarrow(indicators.area_month(table, evidence=False)),
    )
    duck_esc, _ = timed(
        "DuckDB escalation statistics (actors)",
        lambda: connection.to_pyarrow(
            indicators.escalation(indicators.actor_month(table, evidence=False))
        ),
    )
    total = duck_actor + duck_area + duck_esc
    print(f"{'DuckDB indicators in all':48} {total:8.2f} s   (goal <= 10 s)")
    timed(
        "  (actor-month with event ids as evidence)",
        lambda: connection.to_pyarrow(indicators.actor_month(table)),
    )

    frame = events.select(
        [
            "event_id",
            "date_start",
            "actor1",
            "violence_type",
            "civilian_targeting",
            "deaths_best",
            "deaths_low",
            "deaths_high",
            "deaths_civilians",
            "admin1",
            "latitude",
            "longitude",
        ]
    ).to_pandas()
    frame["date_start"] = pd.to_datetime(frame["date_start"])
    pandas_time, pandas_rows = timed(
        "pandas actor-month (baseline)", lambda: pandas_actor_month(frame)
    )
    print(f"actor-month rows: DuckDB {actor_rows.num_rows:,}, pandas {len(pandas_rows):,}")
    print(f"ratio pandas / DuckDB for actor-month: {pandas_time / duck_actor:.1f}x   (goal >= 10x)")

    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "ged_200k.csv"
        write_ged_csv(mirror / "ucdp" / "ged231_central_african_republic.csv", csv_path, 200_000)
        ingest_time, result = timed("GED CSV ingest, 200,000 rows", lambda: read_ged(csv_path))
        print(f"ingest rate: {result.rows_read / ingest_time:,.0f} events/s   (goal >= 200,000)")

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MiB")
    figures = {
        "events": rows,
        "duckdb_indicators_seconds": round(total, 1),
        "duckdb_actor_month_seconds": round(duck_actor, 1),
        "ratio_pandas_to_duckdb_actor_month": round(pandas_time / duck_actor, 1),
        "ged_ingest_200k_events_per_second": round(result.rows_read / ingest_time, -3),
        "peak_memory_gib": round(peak / 1024, 1),
    }
    print(f"figures written to {write_figures('events', figures)}")


if __name__ == "__main__":
    main()
