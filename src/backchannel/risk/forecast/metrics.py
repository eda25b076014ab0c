"""Scoring on EWP's protocol, and the metrics with bootstrap intervals.

A country-year Y (1994-2024) is scored by the maximum risk and the minimum rank among the
forecasts with base years Y-1 and Y-2 (EWP's ``maxrisk2`` / ``minrank2``); its outcome is
``mk_onset`` (a new mass killing began in Y). Ranks are within each base year, 1 = highest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from backchannel.risk.forecast.predictors import COUNTRY, ONSET, YEAR, PredictorTable

FIRST_SCORED, LAST_SCORED = 1994, 2024
TOP_N = 30
RISK_THRESHOLD = 0.04  # EWP's "high risk" line: 4% chance of an onset in two years
BOOTSTRAP_SAMPLES = 1000
METRIC_NAMES = (
    "auc",
    "recall_at_30",
    "mean_yearly_recall_at_30",
    "brier",
    "log_loss",
    "precision_at_4pct",
    "recall_at_4pct",
)


def score_forecasts(forecasts: pd.DataFrame, table: PredictorTable) -> pd.DataFrame:
    """Scored country-years 1994-2024: ``mk_onset``, ``maxrisk``, ``minrank``."""
    ranked = forecasts.assign(
        rank=forecasts.groupby(YEAR)["risk"].rank(ascending=False, method="min")
    )
    frame = table.frame
    outcomes = frame[(frame[YEAR] >= FIRST_SCORED) & (frame[YEAR] <= LAST_SCORED)][
        [COUNTRY, YEAR, ONSET]
    ]
    one_before = ranked.rename(columns={"risk": "risk_1", "rank": "rank_1"}).assign(
        **{YEAR: ranked[YEAR] + 1}
    )
    two_before = ranked.rename(columns={"risk": "risk_2", "rank": "rank_2"}).assign(
        **{YEAR: ranked[YEAR] + 2}
    )
    scored = outcomes.merge(one_before, on=[COUNTRY, YEAR], how="left").merge(
        two_before, on=[COUNTRY, YEAR], how="left"
    )
    scored["maxrisk"] = scored[["risk_1", "risk_2"]].max(axis=1)
    scored["minrank"] = scored[["rank_1", "rank_2"]].min(axis=1)
    scored = scored.dropna(subset=["maxrisk", ONSET])
    return scored[[COUNTRY, YEAR, ONSET, "maxrisk", "minrank"]].reset_index(drop=True)


def published_scores(foos: pd.DataFrame) -> pd.DataFrame:
    """EWP's published fully-out-of-sample file in the same shape as ``score_forecasts``."""
    required = {COUNTRY, YEAR, ONSET, "maxrisk2", "minrank2"}
    missing = sorted(required - set(foos.columns))
    if missing:
        raise ValueError(f"EWP forecast file lacks columns {missing}")
    scored = foos.rename(columns={"maxrisk2": "maxrisk", "minrank2": "minrank"})
    scored = scored[(scored[YEAR] >= FIRST_SCORED) & (scored[YEAR] <= LAST_SCORED)]
    return scored.dropna(subset=["maxrisk"])[[COUNTRY, YEAR, ONSET, "maxrisk", "minrank"]]


def metric_values(
    onset: np.ndarray, risk: np.ndarray, rank: np.ndarray, year: np.ndarray
) -> dict[str, float]:
    """Every metric for one set of scored country-years."""
    onset = onset.astype(int)
    clipped = np.clip(risk, 1e-6, 1 - 1e-6)
    flagged = risk >= RISK_THRESHOLD
    onsets = onset == 1
    in_top = rank <= TOP_N
    yearly = [in_top[onsets & (year == y)].mean() for y in np.unique(year[onsets])]
    return {
        "auc": float(roc_auc_score(onset, risk)) if 0 < onsets.sum() < len(onset) else float("nan"),
        "recall_at_30": float(in_top[onsets].mean()) if onsets.any() else float("nan"),
        "mean_yearly_recall_at_30": float(np.mean(yearly)) if yearly else float("nan"),
        "brier": float(brier_score_loss(onset, np.clip(risk, 0, 1))),
        "log_loss": float(log_loss(onset, clipped, labels=[0, 1])),
        "precision_at_4pct": float(onsets[flagged].mean()) if flagged.any() else float("nan"),
        "recall_at_4pct": float(flagged[onsets].mean()) if onsets.any() else float("nan"),
    }


@dataclass(frozen=True)
class Estimate:
    """A metric's value with its bootstrap 95% interval."""

    value: float
    low: float
    high: float


def evaluate(
    scored: pd.DataFrame, samples: int = BOOTSTRAP_SAMPLES, seed: int = 1994
) -> dict[str, Estimate]:
    """Metrics with percentile intervals from resampling country-years with replacement."""
    columns = (
        scored[ONSET].to_numpy(),
        scored["maxrisk"].to_numpy(dtype=float),
        scored["minrank"].to_numpy(dtype=float),
        scored[YEAR].to_numpy(),
    )
    point = metric_values(*columns)
    generator = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {name: [] for name in METRIC_NAMES}
    for _ in range(samples):
        pick = generator.integers(0, len(scored), len(scored))
        for name, value in metric_values(*(c[pick] for c in columns)).items():
            draws[name].append(value)
    intervals = {}
    for name in METRIC_NAMES:
        values = np.array(draws[name])
        values = values[~np.isnan(values)]
        low, high = np.percentile(values, [2.5, 97.5]) if len(values) else (np.nan, np.nan)
        intervals[name] = Estimate(point[name], float(low), float(high))
    return intervals


def common_country_years(*scored: pd.DataFrame) -> list[pd.DataFrame]:
    """Each scored frame restricted to the country-years all of them cover."""
    keys = set.intersection(*(set(zip(s[COUNTRY], s[YEAR], strict=True)) for s in scored))
    return [
        s[[key in keys for key in zip(s[COUNTRY], s[YEAR], strict=True)]].reset_index(drop=True)
        for s in scored
    ]
