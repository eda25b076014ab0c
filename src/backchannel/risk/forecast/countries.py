"""The current country table: every country's forecast for the next two years, with drivers.

Trained as the protocol would at the newest cut-off (all years up to the last base year
minus two, whose two-year outcomes are known), forecasting from the newest base year. Each
country's drivers are the predictors that push its risk up most, from the model's
per-country log-odds contributions, in plain words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from backchannel.risk.forecast.models import RiskModel, StumpEnsemble
from backchannel.risk.forecast.predictors import (
    COUNTRY,
    PREDICTOR_LABELS,
    PREDICTORS,
    YEAR,
    PredictorTable,
)
from backchannel.risk.forecast.protocol import HORIZON, Partition

DRIVERS_SHOWN = 3


@dataclass(frozen=True)
class Driver:
    """One predictor pushing a country's risk up (or down), in log-odds."""

    variable: str
    label: str
    level: str  # "high" or "low" against the training years' mean
    contribution: float

    @property
    def text(self) -> str:
        """The driver in plain words, e.g. ``coup attempt in the last five years (high)``."""
        return f"{self.label} ({self.level})"


@dataclass(frozen=True)
class CountryForecast:
    """One row of the country table."""

    country: str
    base_year: int
    risk: float
    rank: int
    drivers: tuple[Driver, ...]
    ewp_published_risk: float | None
    ewp_published_rank: int | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def country_table(
    table: PredictorTable,
    published: pd.DataFrame | None = None,
    model: RiskModel | None = None,
) -> list[CountryForecast]:
    """Forecast every country from the newest base year, ranked, with drivers and EWP's figure."""
    if model is None:
        model = StumpEnsemble()
    base_year = table.years[1]
    partition = Partition(base_year - HORIZON, base_year)
    years = table.frame[YEAR]
    training, _ = table.complete(years <= partition.last_training_year)
    target_rows, _ = table.complete(years == base_year)
    fitted = model.fit(training[list(PREDICTORS)], training["mk_onset_1or2"].to_numpy(dtype=int))
    risk = fitted.predict_risk(target_rows[list(PREDICTORS)])
    contributions = fitted.contributions(target_rows[list(PREDICTORS)])
    ranks = pd.Series(risk).rank(ascending=False, method="min").to_numpy(dtype=int)
    published_by_country = _published_lookup(published)
    training_means = training[list(PREDICTORS)].mean()

    rows = []
    for position, country in enumerate(target_rows[COUNTRY].to_numpy()):
        row_contributions = contributions.iloc[position]
        top = row_contributions.sort_values(ascending=False).head(DRIVERS_SHOWN)
        values = target_rows[list(PREDICTORS)].iloc[position]
        drivers = tuple(
            Driver(
                str(variable),
                PREDICTOR_LABELS[str(variable)],
                "high" if values[variable] > training_means[variable] else "low",
                round(float(value), 4),
            )
            for variable, value in top.items()
            if value > 0
        )
        ewp_risk, ewp_rank = published_by_country.get(str(country), (None, None))
        rows.append(
            CountryForecast(
                country=str(country),
                base_year=base_year,
                risk=round(float(risk[position]), 5),
                rank=int(ranks[position]),
                drivers=drivers,
                ewp_published_risk=ewp_risk,
                ewp_published_rank=ewp_rank,
            )
        )
    return sorted(rows, key=lambda r: (r.rank, r.country))


def _published_lookup(published: pd.DataFrame | None) -> dict[str, tuple[float, int]]:
    if published is None:
        return {}
    risk_column = next(c for c in published.columns if c.startswith("risk.") and "and" in c)
    rank_column = next(c for c in published.columns if c.startswith("rank.") and "and" in c)
    return {
        str(row[COUNTRY]): (float(row[risk_column]), int(row[rank_column]))
        for _, row in published.iterrows()
        if not np.isnan(row[risk_column])
    }


__all__ = ["CountryForecast", "Driver", "country_table"]
