"""Backtest of the fused risk stage against the Early Warning Project's mass-killing onsets.

Two runs, both scored against EWP's coding of mass-killing episodes (US Holocaust Memorial
Museum, Statistical Risk Assessment 2025 data):

- **country-year**, every country: the stage as knowable at the end of year t, built from
  what country-year data hold, against a new onset in t+1 or t+2 (``mk_onset_1or2``);
- **monthly**, one country where UCDP GED covers it (1989-2022): the stage at each month
  end from the events themselves, against the country's EWP onsets in the next 24 months
  (:mod:`backchannel.risk.monthly_backtest`).

The stage always comes from the real rules (:func:`assess_stage` on the packaged
``rules/stage.yaml``); this module only builds the measures those rules read and counts
what followed. Nothing here reads analysts' framework judgements: that source is missing
in both runs, as it is for any case nobody has assessed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from backchannel.errors import InvalidInputError, Problem
from backchannel.risk.stage import StageRules, assess_stage

#: EWP's definition of a mass killing: at least this many civilians killed in a year or less.
MASS_KILLING_CIVILIANS = 1000.0
#: The structural baseline: EWP's convention of reporting the 30 highest-risk countries.
TOP_N = 30

COUNTRY, YEAR = "ewp_name", "year"
BATTLE_DEATHS_LOG2 = "battledeaths.log2"
ONGOING_COUNT_LOG2 = "mk_ongoing_count_log2"
ONSET, ONSET_NEXT, ONSET_AFTER_NEXT, ONSET_NEXT_TWO = (
    "mk_onset",
    "mk_onset_1",
    "mk_onset_2",
    "mk_onset_1or2",
)
PREDICTOR_COLUMNS = (
    COUNTRY,
    YEAR,
    BATTLE_DEATHS_LOG2,
    ONGOING_COUNT_LOG2,
    ONSET,
    ONSET_NEXT,
    ONSET_AFTER_NEXT,
    ONSET_NEXT_TWO,
)
EPISODE_COLUMNS = (COUNTRY, YEAR, "mk_onset", "mk_ongoing")


# --------------------------------------------------------------------------- reading


def _read_columns(path: str | Path, columns: Sequence[str]) -> pd.DataFrame:
    source = str(path)
    try:
        header = pd.read_csv(path, nrows=0).columns
    except FileNotFoundError:
        raise InvalidInputError(source, [Problem("", "file not found")]) from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise InvalidInputError(source, [Problem(c, "required column is missing") for c in missing])
    return pd.read_csv(path, usecols=list(columns), na_values=["NA", ""])


def read_country_years(path: str | Path) -> pd.DataFrame:
    """The columns of EWP's prepared-predictors file that the country-year backtest reads."""
    return _read_columns(path, PREDICTOR_COLUMNS)


def read_episode_years(path: str | Path) -> pd.DataFrame:
    """EWP's base data: per country-year, a mass-killing onset and an ongoing episode (0/1)."""
    return _read_columns(path, EPISODE_COLUMNS)


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class WarningScore:
    """How one warning fared: the country-years it covers and the onsets it came before.

    ``country_years`` and ``followed_by_onset`` count the years in this group (a stage
    exactly, or everything a baseline flags); ``onsets_preceded`` counts the onsets that
    this group *or a higher stage* came before, in either of the two years before them.
    """

    name: str
    country_years: int
    onset_same_year: int
    followed_by_onset: int
    onsets_preceded: int
    onsets_total: int

    @property
    def false_alarms(self) -> int:
        """Country-years raised with no new onset in the next two years."""
        return self.country_years - self.followed_by_onset

    @property
    def hit_rate(self) -> float | None:
        """Share of the group's country-years followed by an onset (precision)."""
        return self.followed_by_onset / self.country_years if self.country_years else None

    @property
    def recall(self) -> float | None:
        """Share of all onsets that this group or higher came before."""
        return self.onsets_preceded / self.onsets_total if self.onsets_total else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the derived rates."""
        return {
            **asdict(self),
            "false_alarms": self.false_alarms,
            "hit_rate": self.hit_rate,
            "recall": self.recall,
        }


def score_warning(
    name: str,
    assessed: pd.DataFrame,
    in_group: pd.Series,
    raised: pd.Series,
    onsets: pd.DataFrame,
) -> WarningScore:
    """Score one warning over assessed country-years.

    ``assessed`` has ``ewp_name, year, mk_onset, mk_onset_1or2``; ``in_group`` selects the
    country-years counted in this row and ``raised`` those that count as a warning for
    recall (for a stage: that stage or higher). ``onsets`` lists the onsets to recall as
    ``ewp_name, year``; an onset is preceded when a raised country-year of the same country
    lies one or two years before it.
    """
    group = assessed[in_group]
    warned = {(c, int(y)) for c, y in assessed.loc[raised, [COUNTRY, YEAR]].itertuples(False)}
    preceded = sum(
        1
        for country, year in onsets[[COUNTRY, YEAR]].itertuples(False)
        if (country, int(year) - 1) in warned or (country, int(year) - 2) in warned
    )
    return WarningScore(
        name=name,
        country_years=len(group),
        onset_same_year=int(group[ONSET].sum()),
        followed_by_onset=int(group[ONSET_NEXT_TWO].sum()),
        onsets_preceded=preceded,
        onsets_total=len(onsets),
    )


# --------------------------------------------------------------------------- country-year


def battle_deaths(log2_value: float | None) -> float | None:
    """Battle deaths from EWP's ``battledeaths.log2``, which is log2(deaths + 1).

    The transform is read off the data: the smallest non-zero value is log2(26), UCDP's
    25-death threshold plus one, and every value maps back to a whole number of deaths.
    """
    if log2_value is None or math.isnan(log2_value):
        return None
    return float(round(2.0**log2_value - 1.0))


def country_year_measures(row: Mapping[str, Any]) -> dict[str, float | None]:
    """The stage measures that one EWP country-year row (joined to its forecast) supports.

    - ``structural_risk`` / ``structural_rank``: our packaged out-of-sample forecast made
      from base year t (fit on data up to t-2), as ``risk`` and ``rank``.
    - ``civilian_deaths_12m``: a proxy. EWP codes a mass killing as ongoing in year t when
      at least 1,000 civilians were killed, so an ongoing episode is entered as exactly
      1,000 and no episode as 0 (below the line, not a count). This is circular: the
      ``ongoing`` stage here is EWP's own retrospective coding handed back, so it cannot
      fail to match EWP's ongoing years, and EWP's start dates use hindsight that a
      month-by-month analyst would not have had.
    - ``organised_deaths_12m``: battle deaths in year t (state-based conflict only, so below
      the event-data measure, which adds non-state and one-sided violence).
    - ``civilian_deaths_3m``, ``escalation_alerts_3m``: unknown (``None``). Yearly data hold
      no three-month windows, so the ``imminent`` rules can never fire in this run.
    """
    ongoing = float(row[ONGOING_COUNT_LOG2]) > 0
    return {
        "structural_risk": float(row["risk"]),
        "structural_rank": float(row["rank"]),
        "civilian_deaths_12m": MASS_KILLING_CIVILIANS if ongoing else 0.0,
        "organised_deaths_12m": battle_deaths(float(row[BATTLE_DEATHS_LOG2])),
        "civilian_deaths_3m": None,
        "escalation_alerts_3m": None,
    }


@dataclass(frozen=True)
class CountryYearBacktest:
    """The country-year run: per-stage scores, baselines and the ongoing-episode check."""

    first_year: int
    last_year: int
    country_years: int
    onsets: int
    onsets_without_forecast: int
    stages: list[WarningScore]
    baselines: list[WarningScore]
    ongoing_years: int
    ongoing_in_episode: int
    episode_years: int
    episode_years_ongoing: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        document = asdict(self)
        document["stages"] = [s.as_dict() for s in self.stages]
        document["baselines"] = [b.as_dict() for b in self.baselines]
        return document


def assess_country_years(
    predictors: pd.DataFrame,
    forecasts: pd.DataFrame,
    rules: StageRules,
    first_year: int | None = None,
    last_year: int | None = None,
) -> pd.DataFrame:
    """Every country-year with a forecast and a fully observed outcome, with its stage.

    Years default to the forecasts' first base year and the last year whose two following
    years are both in the data (``mk_onset_2`` known); later years are dropped, since a
    missing onset there means "not yet observed", not "none".
    """
    joined = forecasts[[COUNTRY, YEAR, "risk", "rank"]].merge(
        predictors[list(PREDICTOR_COLUMNS)], on=[COUNTRY, YEAR], how="inner"
    )
    joined = joined[joined[ONSET_NEXT].notna() & joined[ONSET_AFTER_NEXT].notna()]
    low = first_year if first_year is not None else int(forecasts[YEAR].min())
    high = last_year if last_year is not None else int(joined[YEAR].max())
    joined = joined[(joined[YEAR] >= low) & (joined[YEAR] <= high)].copy()
    joined["stage"] = [
        assess_stage(country_year_measures(row), rules).stage for row in joined.to_dict("records")
    ]
    return joined.sort_values([YEAR, COUNTRY]).reset_index(drop=True)


def country_year_backtest(
    predictors: pd.DataFrame,
    forecasts: pd.DataFrame,
    rules: StageRules,
    first_year: int | None = None,
    last_year: int | None = None,
) -> CountryYearBacktest:
    """Score the stage, and the structural top-30 alone, on EWP's country-year onsets.

    ``predictors`` is EWP's prepared-predictors table (:func:`read_country_years`),
    ``forecasts`` our packaged out-of-sample forecasts (``ewp_name, year, risk, rank``).
    Onsets counted are the country-years with ``mk_onset`` in years first+1 to last+2 in
    ``predictors`` (a country-year with two new episodes counts once, as in EWP's own
    scoring), whether or not the country had a forecast before them: an onset nobody
    assessed is a miss, not a gap.
    """
    assessed = assess_country_years(predictors, forecasts, rules, first_year, last_year)
    if assessed.empty:
        raise InvalidInputError(
            "country-year backtest",
            [
                Problem(
                    "years",
                    f"no country-year from {first_year or 'the first'} to "
                    f"{last_year or 'the last'} year has both a forecast and two observed "
                    "following years",
                )
            ],
        )
    low, high = int(assessed[YEAR].min()), int(assessed[YEAR].max())
    onsets = predictors[
        (predictors[ONSET] == 1) & (predictors[YEAR] >= low + 1) & (predictors[YEAR] <= high + 2)
    ][[COUNTRY, YEAR]]
    forecast_keys = {(c, int(y)) for c, y in assessed[[COUNTRY, YEAR]].itertuples(False)}
    unseen = sum(
        1
        for c, y in onsets.itertuples(False)
        if (c, int(y) - 1) not in forecast_keys and (c, int(y) - 2) not in forecast_keys
    )
    rank = assessed["stage"].map(rules.rank)
    stages = [
        score_warning(stage, assessed, rank == rules.rank(stage), rank >= rules.rank(stage), onsets)
        for stage in rules.stages
    ]
    top = assessed["rank"] <= TOP_N
    elevated = rank >= rules.rank("elevated")
    everything = pd.Series(True, index=assessed.index)
    baselines = [
        score_warning("every country-year (base rate)", assessed, everything, everything, onsets),
        score_warning(f"structural top-{TOP_N} alone", assessed, top, top, onsets),
        score_warning("fused stage elevated or higher", assessed, elevated, elevated, onsets),
    ]
    in_episode = assessed[ONGOING_COUNT_LOG2] > 0
    is_ongoing = assessed["stage"] == "ongoing"
    return CountryYearBacktest(
        first_year=low,
        last_year=high,
        country_years=len(assessed),
        onsets=len(onsets),
        onsets_without_forecast=unseen,
        stages=stages,
        baselines=baselines,
        ongoing_years=int(is_ongoing.sum()),
        ongoing_in_episode=int((in_episode & is_ongoing).sum()),
        episode_years=int(in_episode.sum()),
        episode_years_ongoing=int((in_episode & is_ongoing).sum()),
        notes=[
            "imminent cannot occur here: its rules read three-month windows and escalation "
            "alerts, which yearly data do not hold",
            "ongoing is EWP's own ongoing-episode coding entered as 1,000 civilians killed: "
            "it matches EWP's ongoing years by construction, with hindsight on start years",
            "structural inputs are our out-of-sample forecasts from base year t; event "
            "inputs are battle deaths in year t (state-based conflict only)",
        ],
    )
