"""``backchannel stage backtest``: how the fused stage fared against real mass-killing onsets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from backchannel import datasets
from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    err,
    load_settings,
    print_json,
    reported_errors,
)
from backchannel.cli.output import (
    Column,
    Listing,
    WideOption,
    listing,
    print_csv,
    print_line,
    print_listing,
)
from backchannel.errors import NotFoundError
from backchannel.settings import Settings

if TYPE_CHECKING:
    from backchannel.risk.monthly_backtest import MonthlyBacktest
    from backchannel.risk.stage import StageRules
    from backchannel.risk.stage_backtest import CountryYearBacktest

stage_app = typer.Typer(help="The fused atrocity-risk stage.", no_args_is_help=True)

EWP_BASE_DATA = "basedata2025_4august2025.csv"


@stage_app.command("backtest")
def stage_backtest(
    from_year: Annotated[
        int | None,
        typer.Option("--from-year", help="First year assessed (default: all the data allow)."),
    ] = None,
    to_year: Annotated[
        int | None,
        typer.Option("--to-year", help="Last year assessed (default: all the data allow)."),
    ] = None,
    ged_country: Annotated[
        str, typer.Option("--ged-country", help="ISO alpha-3 code of the monthly GED run.")
    ] = "CAF",
    format: FormatOption = OutputFormat.table,
    wide: WideOption = False,
) -> None:
    """Score the stage against EWP mass-killing onsets: country-years, then GED months.

    Needs the EWP data (`backchannel data pull ewp`); the monthly run also needs UCDP GED
    (`backchannel data pull ucdp-ged`) and is skipped, with a note, without it.
    """
    from backchannel.risk.forecast.artifacts import packaged_forecasts
    from backchannel.risk.stage import load_stage_rules
    from backchannel.risk.stage_backtest import country_year_backtest, read_country_years

    settings = load_settings()
    notes: list[str] = []
    with reported_errors():
        predictors = read_country_years(
            datasets.file_path(settings, "ewp", datasets.EWP_PREDICTORS)
        )
        forecasts = packaged_forecasts()
        if forecasts is None:
            raise NotFoundError("the packaged structural forecasts are missing: run `make model`")
        rules = load_stage_rules()
        with err.status("scoring country-years"):
            yearly = country_year_backtest(predictors, forecasts, rules, from_year, to_year)
        monthly = _monthly_run(
            settings, rules, ged_country.upper(), from_year=from_year, to_year=to_year, notes=notes
        )
    if format is OutputFormat.json:
        print_json(
            {
                "country_year": yearly.as_dict(),
                "monthly": monthly.as_dict() if monthly else None,
                "notes": notes,
            }
        )
        return
    listings = [_country_years(yearly)] + ([_monthly(monthly)] if monthly is not None else [])
    if format is OutputFormat.csv:
        print_csv(listings)
    else:
        print_listing(listings[0], wide=wide)
        print_line(
            f"ongoing matched an EWP ongoing episode in {yearly.ongoing_in_episode} of "
            f"{yearly.ongoing_years} country-years (by construction: see the notes)"
        )
        if monthly is not None:
            print_listing(listings[1], wide=wide)
    for note in [*yearly.notes, *(monthly.notes if monthly else []), *notes]:
        err.print(f"note: {note}", highlight=False)


def _monthly_run(
    settings: Settings,
    rules: StageRules,
    iso3: str,
    *,
    from_year: int | None,
    to_year: int | None,
    notes: list[str],
) -> MonthlyBacktest | None:
    """The GED monthly run, or ``None`` with a note saying why it was skipped."""
    from backchannel.events.backends import connect, event_table
    from backchannel.events.readers import read_events
    from backchannel.events.schema import combine_event_tables
    from backchannel.risk.monthly_backtest import GED_FIRST_YEAR, GED_LAST_YEAR, monthly_backtest
    from backchannel.risk.stage_backtest import read_episode_years
    from backchannel.risk.stage_inputs import country_events

    first = max(GED_FIRST_YEAR, from_year or GED_FIRST_YEAR)
    last = min(GED_LAST_YEAR, to_year or GED_LAST_YEAR)
    if first > last:
        notes.append(f"monthly run skipped: UCDP GED covers {GED_FIRST_YEAR}-{GED_LAST_YEAR}")
        return None
    try:
        files = datasets.file_paths(settings, "ucdp-ged")
    except NotFoundError as exc:
        notes.append(f"monthly run skipped: {exc.message}")
        return None
    episodes = read_episode_years(datasets.file_path(settings, "ewp", EWP_BASE_DATA))
    events = event_table(combine_event_tables([read_events(f, "ged").events for f in files]))
    connection = connect()
    if not connection.to_pyarrow(country_events(events, iso3).count()).as_py():
        notes.append(f"monthly run skipped: the installed UCDP GED holds no events in {iso3}")
        return None
    with err.status(f"scoring GED months in {iso3}"):
        return monthly_backtest(
            connection, events, episodes, iso3, rules, first_year=first, last_year=last
        )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _country_years(result: CountryYearBacktest) -> Listing:
    rows: list[list[Any]] = []
    for score in [*result.stages, *result.baselines]:
        is_warning = score.name != "remote" and not score.name.startswith("every")
        rows.append(
            [
                score.name,
                score.country_years,
                score.onset_same_year,
                score.followed_by_onset,
                _percent(score.hit_rate),
                score.false_alarms if is_warning else "-",
                f"{score.onsets_preceded} of {score.onsets_total}",
                _percent(score.recall),
            ]
        )
    return listing(
        f"Stage at the end of year t against a new mass-killing onset in t+1 or t+2, "
        f"{result.first_year}-{result.last_year}: {result.country_years:,} country-years, "
        f"{result.onsets} onsets in {result.first_year + 1}-{result.last_year + 2}",
        [
            Column("stage", "stage / warning"),
            Column("country_years", "country-years", numeric=True),
            Column("onset_same_year", "onset in year t", numeric=True, wide=True),
            Column("followed_by_onset", "followed by onset", numeric=True, wide=True),
            Column("hit_rate", "hit rate", numeric=True),
            Column("false_alarms", "raised, none followed", numeric=True),
            Column("onsets_preceded", "onsets preceded (this or higher)", wide=True),
            Column("recall", numeric=True),
        ],
        rows,
        name="country_years",
    )


def _monthly(result: MonthlyBacktest) -> Listing:
    rows: list[list[Any]] = [
        [
            "months assessed",
            f"{result.months} ({result.first_month:%Y-%m} to {result.last_month:%Y-%m})",
        ],
        *[
            [f"months at {stage}", f"{count} (first {_month(result.first_month_at[stage])})"]
            for stage, count in result.months_by_stage.items()
        ],
        ["months raised (imminent or ongoing)", result.raised_months],
        ["raised, an onset in the next 24 months", result.raised_followed],
        [
            "raised, no onset in the next 24 months",
            f"{result.raised_not_followed} ({result.raised_not_followed_in_episode} of them "
            "while EWP codes an episode ongoing)",
        ],
        [
            "ongoing months in an EWP episode year",
            f"{result.ongoing_months_in_episode} of {result.ongoing_months}",
        ],
        [
            "EWP episode months read as ongoing",
            f"{result.episode_months_ongoing} of {result.episode_months}",
        ],
    ]
    for onset in result.onsets:
        rows.append(
            [
                f"EWP onset {onset.year}",
                f"raised in {onset.raised_months_before} of the 24 months before the year, "
                f"{onset.raised_months_during} months of it; first raised "
                f"{_month(onset.first_raised)}",
            ]
        )
    return listing(
        f"Monthly stage from UCDP GED, {result.ewp_name}, against EWP onsets",
        ["measure", "value"],
        rows,
        name="monthly",
    )


def _month(day: Any) -> str:
    return "never" if day is None else f"{day:%Y-%m}"
