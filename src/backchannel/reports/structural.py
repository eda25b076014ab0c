"""The brief's structural-risk section, from the packaged forecast artifacts (offline)."""

from __future__ import annotations

import base64
import functools

from pydantic import BaseModel, ConfigDict

from backchannel.reports.charts import country_risk_chart
from backchannel.risk.forecast.artifacts import packaged_forecasts, structural_risk


class StructuralSection(BaseModel):
    """What the brief shows of the country-level forecast for a case."""

    model_config = ConfigDict(frozen=True)

    country: str
    base_year: int
    risk: float
    rank: int
    countries_ranked: int
    sentence: str
    current_sentence: str | None
    current_drivers: list[str]
    chart_png_base64: str


def structural_section(iso3: str, case_start_year: int) -> StructuralSection | None:
    """The section for a case's country, as forecast before the case began; ``None`` if unknown."""
    risk = structural_risk(iso3, case_start_year)
    if risk is None:
        return None
    chart = _packaged_country_chart(risk.country)
    if chart is None:
        return None
    current_sentence, drivers = None, []
    if risk.current:
        current = risk.current
        base = int(current["base_year"])
        current_sentence = (
            f"Today ({base + 1}-{base + 2}): {current['risk']:.1%}, rank {current['rank']}"
            + (
                f"; EWP's published figure {current['ewp_published_risk']:.1%}, "
                f"rank {current['ewp_published_rank']}."
                if current.get("ewp_published_risk") is not None
                else "."
            )
        )
        drivers = [f"{d['label']} ({d['level']})" for d in current["drivers"]]
    return StructuralSection(
        country=risk.country,
        base_year=risk.base_year,
        risk=risk.risk,
        rank=risk.rank,
        countries_ranked=risk.countries_ranked,
        sentence=risk.sentence(),
        current_sentence=current_sentence,
        current_drivers=drivers,
        chart_png_base64=base64.b64encode(chart).decode(),
    )


@functools.lru_cache(maxsize=64)
def _packaged_country_chart(country: str) -> bytes | None:
    """The country's risk chart from the packaged forecasts, drawn once per process.

    Drawing takes most of a case's analysis (about 0.5 s), and its inputs are packaged
    files that do not change while the process runs; ``None`` without packaged forecasts.
    """
    forecasts = packaged_forecasts()
    if forecasts is None:
        return None
    return country_risk_chart(forecasts[["ewp_name", "year", "risk"]], country)
