"""EWP's fully-out-of-sample protocol: train on years up to t, forecast base year t+2.

For each last training year t (1991..2021 in EWP's backtest) a model is fitted on every
country-year up to t with complete predictors, target ``mk_onset_1or2``, and forecasts
every country in base year t+2 (the forecast is for an onset in t+3 or t+4). The partition
object refuses any overlap between what is learnt from and what is forecast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from backchannel.risk.forecast.models import RiskModel
from backchannel.risk.forecast.predictors import COUNTRY, PREDICTORS, TARGET, YEAR, PredictorTable

FIRST_CUTOFF, LAST_CUTOFF = 1991, 2021
HORIZON = 2


@dataclass(frozen=True)
class Partition:
    """One protocol step: learn from years <= ``last_training_year``, forecast ``base_year``."""

    last_training_year: int
    base_year: int

    def __post_init__(self) -> None:
        if self.base_year <= self.last_training_year:
            raise ValueError(
                f"base year {self.base_year} must come after the last training year "
                f"{self.last_training_year}: training and forecast would overlap"
            )

    @classmethod
    def for_cutoff(cls, last_training_year: int) -> Partition:
        """EWP's partition: forecast base year t+2 from training years <= t."""
        return cls(last_training_year, last_training_year + HORIZON)


@dataclass
class Backtest:
    """Every forecast a protocol run made, with the rows it had to leave out."""

    forecasts: pd.DataFrame  # columns ewp_name, year (base year), risk
    dropped_training_rows: dict[int, int] = field(default_factory=dict)
    dropped_forecast_rows: dict[int, int] = field(default_factory=dict)

    @property
    def dropped_forecast_total(self) -> int:
        """Country-years that could not be forecast for missing predictors."""
        return sum(self.dropped_forecast_rows.values())


def forecast_one(
    table: PredictorTable, partition: Partition, model: RiskModel
) -> tuple[pd.DataFrame, int, int]:
    """Fit on the partition's training years and forecast its base year.

    Returns the forecasts and the numbers of training and forecast rows dropped for
    missing predictors.
    """
    years = table.frame[YEAR]
    training, dropped_training = table.complete(years <= partition.last_training_year)
    table.rows_for_year(partition.base_year)
    target_rows, dropped_target = table.complete(years == partition.base_year)
    fitted = model.fit(training[list(PREDICTORS)], training[TARGET].to_numpy(dtype=int))
    risk = fitted.predict_risk(target_rows[list(PREDICTORS)])
    forecasts = pd.DataFrame(
        {COUNTRY: target_rows[COUNTRY].to_numpy(), YEAR: partition.base_year, "risk": risk}
    )
    return forecasts, dropped_training, dropped_target


def run_backtest(
    table: PredictorTable,
    model: RiskModel,
    cutoffs: Iterable[int] = range(FIRST_CUTOFF, LAST_CUTOFF + 1),
    on_step: Callable[[int], None] | None = None,
) -> Backtest:
    """Run the protocol over every cut-off; ``on_step`` is told each finished cut-off."""
    parts = []
    result = Backtest(forecasts=pd.DataFrame())
    for cutoff in cutoffs:
        partition = Partition.for_cutoff(cutoff)
        forecasts, dropped_training, dropped_target = forecast_one(table, partition, model)
        parts.append(forecasts)
        result.dropped_training_rows[cutoff] = dropped_training
        result.dropped_forecast_rows[partition.base_year] = dropped_target
        if on_step:
            on_step(cutoff)
    result.forecasts = pd.concat(parts, ignore_index=True) if parts else _empty_forecasts()
    return result


def _empty_forecasts() -> pd.DataFrame:
    return pd.DataFrame({COUNTRY: [], YEAR: np.array([], dtype=int), "risk": []})
