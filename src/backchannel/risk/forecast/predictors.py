"""The EWP predictor table: its columns, their plain-word meaning, loading and validation.

Source: US Holocaust Memorial Museum, Early Warning Project, Statistical Risk Assessment
2025 replication data (``prepared2024predictors-2025-09-03.csv``) and its 39-variable
elastic-net model (``coefficients_3Sep2025.csv``). The labels below are our own short
descriptions; the EWP variable name is always shown beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from backchannel.errors import InvalidInputError, Problem

#: The 39 predictors of EWP's model, with a plain-words label for each.
PREDICTOR_LABELS: dict[str, str] = {
    "widetargeting": "state discrimination targeting many groups",
    "narrowtargeting": "state discrimination targeting a narrow group",
    "v2csgender_binary": "women excluded from civil society",
    "v2mecenefm_binary": "government censorship of the media",
    "partyban.new.0": "no political parties banned",
    "partyban.new.1": "some political parties banned",
    "partyban.new.2": "all but the ruling party banned",
    "minorityrule": "rule by an ethnic minority elite",
    "judicialreform": "government attacks on the judiciary",
    "religiousfreedom": "restrictions on religious freedom",
    "pol_killing_approved": "political killings approved by the state",
    "freediscussion": "freedom of discussion",
    "social_inequality": "social-group inequality",
    "even_civilrights": "civil liberties applied evenly",
    "repress_civilsoc": "repression of civil society",
    "social_power_dist": "power distributed by social group",
    "ses_power_dist": "power distributed by socio-economic position",
    "popsize.log2": "population size (log)",
    "gdppcgrowth": "GDP per capita growth",
    "un_imr_sqrt": "infant mortality (square root)",
    "efindex": "ethnic fractionalisation",
    "discrimpop": "share of population politically discriminated against",
    "reg.na": "region: North America",
    "reg.eap": "region: East Asia and Pacific",
    "reg.sca": "region: South and Central Asia",
    "reg.mna": "region: Middle East and North Africa",
    "reg.eur": "region: Europe",
    "ios.iccpr1": "party to the ICCPR first optional protocol",
    "battledeaths.log2": "battle deaths (log)",
    "coup.try.5yr": "coup attempt in the last five years",
    "mk_ongoing_count_log2": "ongoing mass killings (log count)",
    "mean_mk_onset_interaction": "regional mass-killing onsets (interaction)",
    "mk_onset_prev_year": "mass-killing onset the year before",
    "newcountry": "newly independent country",
    "mk_ever": "mass killing ever recorded",
    "year_sq": "year squared (trend)",
    "year": "year (trend)",
    "countryage.new.log2": "country age (log)",
    "includesnonstate": "data include non-state-led episodes",
}
PREDICTORS: tuple[str, ...] = tuple(PREDICTOR_LABELS)

COUNTRY, YEAR, TARGET, ONSET = "ewp_name", "year", "mk_onset_1or2", "mk_onset"
REQUIRED_COLUMNS: tuple[str, ...] = (COUNTRY, YEAR, TARGET, ONSET, *PREDICTORS)


@dataclass(frozen=True)
class PredictorTable:
    """Validated country-years: the predictors, the target and the onset outcome."""

    frame: pd.DataFrame
    source: str

    @property
    def years(self) -> tuple[int, int]:
        """First and last year in the table."""
        return int(self.frame[YEAR].min()), int(self.frame[YEAR].max())

    def complete(self, year_filter: pd.Series) -> tuple[pd.DataFrame, int]:
        """Rows selected by ``year_filter`` with every predictor present, and how many were not."""
        selected = self.frame[year_filter]
        usable = selected.dropna(subset=list(PREDICTORS))
        return usable, len(selected) - len(usable)

    def rows_for_year(self, year: int) -> pd.DataFrame:
        """All rows of one year; an error naming the year if it has none."""
        rows = self.frame[self.frame[YEAR] == year]
        if rows.empty:
            raise InvalidInputError(self.source, [Problem(YEAR, f"no rows for year {year}")])
        return rows


def load_predictors(path: str | Path) -> PredictorTable:
    """Read and validate an EWP predictor file (the layout of the 2025 replication data)."""
    source = str(path)
    try:
        frame = pd.read_csv(path, na_values=["NA", ""], keep_default_na=True, low_memory=False)
    except FileNotFoundError:
        raise InvalidInputError(source, [Problem("", "file not found")]) from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InvalidInputError(source, [Problem("", f"not a readable CSV file: {exc}")]) from None
    return validate_predictors(frame, source)


def validate_predictors(frame: pd.DataFrame, source: str = "<frame>") -> PredictorTable:
    """Check columns and types; every problem names the column (and a row where it helps)."""
    problems = [
        Problem(column, "required column is missing (is this the EWP prepared-predictors file?)")
        for column in REQUIRED_COLUMNS
        if column not in frame.columns
    ]
    if problems:
        raise InvalidInputError(source, problems)
    frame = frame.copy()
    for column in (YEAR, TARGET, ONSET, *PREDICTORS):
        numeric = pd.to_numeric(frame[column], errors="coerce")
        bad = numeric.isna() & frame[column].notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            problems.append(
                Problem(
                    column,
                    f"expected numbers; data row {row + 1} holds {frame[column].iloc[row]!r}",
                    row + 2,
                )
            )
        frame[column] = numeric
    for column in (YEAR, TARGET):
        if frame[column].isna().any():
            row = int(frame[column].isna().to_numpy().nonzero()[0][0])
            problems.append(Problem(column, f"value missing in data row {row + 1}", row + 2))
    if frame[COUNTRY].isna().any():
        problems.append(Problem(COUNTRY, "country name missing"))
    for column in (TARGET, ONSET):
        values = set(frame[column].dropna().unique())
        if not values <= {0, 1}:
            problems.append(
                Problem(column, f"expected 0 or 1, found {sorted(values - {0, 1})[:3]}")
            )
    if problems:
        raise InvalidInputError(source, problems)
    frame[YEAR] = frame[YEAR].astype(int)
    return PredictorTable(frame=frame.reset_index(drop=True), source=source)
