"""Benchmark: the full structural-forecast backtest, its wall time and the metric table.

Runs EWP's fully-out-of-sample protocol (31 cut-offs) for our ensemble and for our
re-implementation of EWP's elastic net, scores both beside EWP's published forecasts on the
same country-years, and prints each metric with the ratio ours / EWP published. The goal:
the whole run under 2 minutes on 2 cores.

Run: ``.venv/bin/python benchmarks/forecast_backtest.py [MIRROR_DIR]`` (default ../shared/data).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd
from _figures import write_figures

from backchannel.risk.forecast.backtest import OURS, PUBLISHED, REIMPLEMENTED, compare
from backchannel.risk.forecast.metrics import METRIC_NAMES
from backchannel.risk.forecast.predictors import load_predictors

LOWER_IS_BETTER = {"brier", "log_loss"}


def main() -> None:
    """Time the backtest and print the side-by-side table."""
    default = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    ewp = Path(sys.argv[1] if len(sys.argv) > 1 else default) / "ewp"
    started = time.perf_counter()
    table = load_predictors(ewp / "prepared2024predictors-2025-09-03.csv")
    foos = pd.read_csv(ewp / "FOOSforecasts_3Sep2025.csv")
    comparison = compare(table, foos)
    elapsed = time.perf_counter() - started
    print(
        f"backtest: {comparison.n_country_years:,} country-years, {comparison.n_onsets} onsets, "
        f"wall time {elapsed:.1f} s (goal < 120 s)"
    )
    print(
        f"{'metric':26} {'ours':>8} {'ewp re-impl':>12} {'ewp published':>14} {'ours/published':>15}"
    )
    figures: dict[str, object] = {
        "country_years": comparison.n_country_years,
        "onsets": comparison.n_onsets,
        "wall_seconds": round(elapsed, 1),
    }
    for name in METRIC_NAMES:
        values = [comparison.metrics[s][name].value for s in (OURS, REIMPLEMENTED, PUBLISHED)]
        for source, value in zip(
            ("ours", "ewp_reimplemented", "ewp_published"), values, strict=True
        ):
            figures[f"{name}_{source}"] = round(value, 5)
        ratio = values[0] / values[2] if values[2] else float("nan")
        better = "lower is better" if name in LOWER_IS_BETTER else ""
        print(
            f"{name:26} {values[0]:8.4f} {values[1]:12.4f} {values[2]:14.4f} {ratio:15.3f}  {better}"
        )
    print(f"figures written to {write_figures('forecast_backtest', figures)}")


if __name__ == "__main__":
    main()
