"""The packaged forecast artifacts: small tables our own code computes, rebuilt by ``make model``.

- ``backtest_forecasts.csv``: our model's fully-out-of-sample forecasts (base years 1993-2023)
  with their rank among countries that year;
- ``country_table.json``: the current forecast for every country, with drivers and EWP's
  published figure;
- ``backtest_metrics.json``: the three-way comparison of ``forecast backtest``.

They let the demo and briefs show structural risk offline, without the EWP files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from backchannel.risk.forecast.backtest import OURS, Comparison
from backchannel.risk.forecast.countries import CountryForecast
from backchannel.risk.forecast.country_names import ewp_names
from backchannel.risk.forecast.predictors import COUNTRY, YEAR

FORECASTS_FILE = "backtest_forecasts.csv"
COUNTRIES_FILE = "country_table.json"
METRICS_FILE = "backtest_metrics.json"


def packaged_folder() -> Path:
    """Where the packaged artifacts live inside the installed package."""
    return Path(str(resources.files("backchannel").joinpath("data/forecast")))


def write_artifacts(
    folder: Path, comparison: Comparison, countries: list[CountryForecast], data_version: str
) -> list[Path]:
    """Write the three artifacts into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    forecasts = comparison.backtests[OURS].forecasts.copy()
    forecasts["rank"] = (
        forecasts.groupby(YEAR)["risk"].rank(ascending=False, method="min").astype(int)
    )
    forecasts["risk"] = forecasts["risk"].round(6)
    forecasts_path = folder / FORECASTS_FILE
    forecasts.sort_values([YEAR, "rank", COUNTRY]).to_csv(forecasts_path, index=False)
    countries_path = folder / COUNTRIES_FILE
    countries_path.write_text(
        json.dumps(
            {"data": data_version, "model": OURS, "countries": [c.as_dict() for c in countries]},
            indent=1,
            ensure_ascii=False,
        )
        + "\n"
    )
    metrics_path = folder / METRICS_FILE
    metrics_path.write_text(
        json.dumps({"data": data_version, **comparison.as_json()}, indent=1) + "\n"
    )
    return [forecasts_path, countries_path, metrics_path]


@dataclass(frozen=True)
class StructuralRisk:
    """What the brief says about one country's structural risk at one time."""

    country: str
    base_year: int
    risk: float
    rank: int
    countries_ranked: int
    current: dict[str, Any] | None

    def sentence(self) -> str:
        """Plain words, with the base rate that keeps the figure in proportion."""
        return (
            f"{self.country}: {self.risk:.1%} estimated chance of a new mass-killing onset within "
            f"two years of {self.base_year}, rank {self.rank} of {self.countries_ranked} countries "
            "(our model, out of sample). Onsets are rare: about 0.8% of country-years see one, so "
            "even a high-ranked country most often sees none."
        )


@lru_cache(maxsize=4)
def _read_artifacts(folder: Path) -> tuple[pd.DataFrame, tuple[dict[str, Any], ...]] | None:
    path = folder / FORECASTS_FILE
    if not path.exists():
        return None
    countries_path = folder / COUNTRIES_FILE
    countries = (
        tuple(json.loads(countries_path.read_text())["countries"])
        if countries_path.exists()
        else ()
    )
    return pd.read_csv(path), countries


def packaged_forecasts(folder: Path | None = None) -> pd.DataFrame | None:
    """Our out-of-sample forecasts (``ewp_name, year, risk, rank``), read once per folder.

    A copy is returned, so callers may change it without touching the cached table.
    """
    artifacts = _read_artifacts(folder or packaged_folder())
    return None if artifacts is None else artifacts[0].copy()


def structural_risk(
    iso3: str, as_of_year: int, folder: Path | None = None
) -> StructuralRisk | None:
    """A country's packaged out-of-sample forecast from the last base year before ``as_of_year``."""
    artifacts = _read_artifacts(folder or packaged_folder())
    if artifacts is None:
        return None
    forecasts, table = artifacts
    known = set(forecasts[COUNTRY])
    name = next((n for n in ewp_names(iso3) if n in known), None)
    if name is None:
        return None
    earlier = forecasts[(forecasts[COUNTRY] == name) & (forecasts[YEAR] < as_of_year)]
    if earlier.empty:
        return None
    row = earlier.sort_values(YEAR).iloc[-1]
    base_year = int(row[YEAR])
    current = next((c for c in table if c["country"] == name), None)
    return StructuralRisk(
        country=name,
        base_year=base_year,
        risk=float(row["risk"]),
        rank=int(row["rank"]),
        countries_ranked=int((forecasts[YEAR] == base_year).sum()),
        current=current,
    )
