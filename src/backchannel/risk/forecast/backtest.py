"""The side-by-side backtest: our model, our EWP re-implementation, EWP's published forecasts.

All three are scored on the same country-years (those every source covers), so their
metrics compare like with like.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from backchannel.risk.forecast.metrics import (
    BOOTSTRAP_SAMPLES,
    Estimate,
    common_country_years,
    evaluate,
    published_scores,
    score_forecasts,
)
from backchannel.risk.forecast.models import EwpElasticNet, RiskModel, StumpEnsemble
from backchannel.risk.forecast.predictors import ONSET, PredictorTable
from backchannel.risk.forecast.protocol import Backtest, run_backtest

OURS, REIMPLEMENTED, PUBLISHED = "ours", "ewp_reimplemented", "ewp_published"


@dataclass(frozen=True)
class Comparison:
    """Metrics per source on shared country-years, and what each run had to drop."""

    metrics: dict[str, dict[str, Estimate]]
    scored: dict[str, pd.DataFrame]
    backtests: dict[str, Backtest]
    n_country_years: int
    n_onsets: int

    def as_json(self) -> dict[str, Any]:
        """The JSON document of ``forecast backtest --format json``."""
        document: dict[str, Any] = {
            "n_country_years": self.n_country_years,
            "n_onsets": self.n_onsets,
            "protocol": (
                "EWP fully-out-of-sample: train on years <= t (1991-2021), forecast base year "
                "t+2; country-years 1994-2024 scored by max risk / min rank over the forecasts "
                "from one and two years before"
            ),
        }
        for source, estimates in self.metrics.items():
            entry: dict[str, Any] = {name: round(e.value, 5) for name, e in estimates.items()}
            entry["interval_95"] = {
                name: [round(e.low, 5), round(e.high, 5)] for name, e in estimates.items()
            }
            if source in self.backtests:
                entry["forecast_rows_dropped_for_missing_predictors"] = self.backtests[
                    source
                ].dropped_forecast_total
            document[source] = entry
        return document


def _named_step(
    on_step: Callable[[str, int], None] | None, name: str
) -> Callable[[int], None] | None:
    if on_step is None:
        return None
    return lambda cutoff: on_step(name, cutoff)


def compare(
    table: PredictorTable,
    published_foos: pd.DataFrame,
    models: tuple[RiskModel, ...] | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
    on_step: Callable[[str, int], None] | None = None,
) -> Comparison:
    """Run the protocol for each model and score all sources on their common country-years."""
    backtests: dict[str, Backtest] = {}
    for model in models or (StumpEnsemble(), EwpElasticNet()):
        backtests[model.name] = run_backtest(table, model, on_step=_named_step(on_step, model.name))
    scored_all = {name: score_forecasts(b.forecasts, table) for name, b in backtests.items()}
    scored_all[PUBLISHED] = published_scores(published_foos)
    names = list(scored_all)
    shared = dict(zip(names, common_country_years(*scored_all.values()), strict=True))
    reference = shared[names[0]]
    return Comparison(
        metrics={name: evaluate(frame, samples) for name, frame in shared.items()},
        scored=shared,
        backtests=backtests,
        n_country_years=len(reference),
        n_onsets=int(reference[ONSET].sum()),
    )
