"""The brief's structural-risk section, from the packaged forecast artifacts (offline)."""

from __future__ import annotations

import base64
import datetime as dt
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


def structural_section(
    iso3: str, case_start_year: int, *, as_of: dt.date | None = None
) -> StructuralSection | None:
    """The section for a case's country, as forecast before the case began; ``None`` if unknown.

    With ``as_of`` nothing later is shown: the chart stops at the last base year complete
    on that day, and today's forecast appears only when it was already made then.
    """
    last_year = (as_of.year - 1) if as_of is not None else None
    risk = structural_risk(
        iso3, min(case_start_year, last_year + 1) if last_year else case_start_year
    )
    if risk is None:
        return None
    chart = _packaged_country_chart(risk.country, last_year)
    if chart is None:
        return None
    current_sentence, drivers = None, []
    made_by_then = risk.current is not None and (
        last_year is None or int(risk.current["base_year"]) <= last_year
    )
    if risk.current and made_by_then:
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
def _packaged_country_chart(country: str, last_year: int | None) -> bytes | None:
    """The country's risk chart from the packaged forecasts up to ``last_year``, drawn once
    per process and year.

    Drawing takes most of a case's analysis (about 0.5 s), and its inputs are packaged
    files that do not change while the process runs; ``None`` without packaged forecasts.
    """
    forecasts = packaged_forecasts()
    if forecasts is None:
        return None
    if last_year is not None:
        forecasts = forecasts[forecasts["year"] <= last_year]
        if forecasts[forecasts["ewp_name"] == country].empty:
            return None
    return country_risk_chart(forecasts[["ewp_name", "year", "risk"]], country)
