"""Stage backtest: metric arithmetic on hand-built frames, then the real EWP and GED data."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

from backchannel import datasets
from backchannel.errors import InvalidInputError
from backchannel.events.backends import connect, event_table
from backchannel.risk.forecast.artifacts import packaged_folder, packaged_forecasts
from backchannel.risk.monthly_backtest import (
    MONTHLY_EVENT_MEASURES,
    month_end_event_measures,
    month_ends,
    monthly_backtest,
    monthly_stages,
    onset_follows,
)
from backchannel.risk.stage import load_stage_rules
from backchannel.risk.stage_backtest import (
    CountryYearBacktest,
    battle_deaths,
    country_year_backtest,
    read_country_years,
    read_episode_years,
    score_warning,
)
from backchannel.risk.stage_inputs import event_measures
from backchannel.settings import Settings
from tests.conftest import mirror_path

RULES = load_stage_rules()
PREDICTORS_FILE = "prepared2024predictors-2025-09-03.csv"
BASE_DATA_FILE = "basedata2025_4august2025.csv"


# --------------------------------------------------------------------------- hand-built


def test_score_warning_arithmetic() -> None:
    assessed = pd.DataFrame(
        {
            "ewp_name": ["A", "A", "A", "B", "B", "C"],
            "year": [2000, 2001, 2002, 2000, 2001, 2000],
            "stage": ["elevated", "ongoing", "ongoing", "remote", "elevated", "ongoing"],
            "mk_onset": [0, 1, 0, 0, 0, 0],
            "mk_onset_1or2": [1, 0, 0, 0, 1, 0],
        }
    )
    # A's onset in 2001 comes a year after A 2000 (elevated); B's onset in 2003 two years
    # after B 2001 (elevated); D's onset in 2001 had no assessed year before it.
    onsets = pd.DataFrame({"ewp_name": ["A", "B", "D"], "year": [2001, 2003, 2001]})
    rank = assessed["stage"].map(RULES.rank)
    ongoing = score_warning("ongoing", assessed, rank == 3, rank >= 3, onsets)
    assert (ongoing.country_years, ongoing.onset_same_year, ongoing.followed_by_onset) == (3, 1, 0)
    assert ongoing.false_alarms == 3 and ongoing.hit_rate == 0
    assert (ongoing.onsets_preceded, ongoing.onsets_total) == (0, 3)
    elevated = score_warning("elevated", assessed, rank == 1, rank >= 1, onsets)
    assert (elevated.country_years, elevated.followed_by_onset, elevated.false_alarms) == (2, 2, 0)
    assert elevated.hit_rate == 1.0
    # A 2001 is one year after A 2000 (elevated); B 2003 is two after B 2001 (elevated)
    assert elevated.onsets_preceded == 2 and elevated.recall == pytest.approx(2 / 3)
    empty = score_warning("imminent", assessed, rank == 2, rank >= 2, onsets)
    assert empty.country_years == 0 and empty.hit_rate is None


def test_country_year_proxies_and_counts_on_a_tiny_table() -> None:
    def row(name: str, year: int, **values: float) -> dict[str, object]:
        base: dict[str, object] = {
            "ewp_name": name,
            "year": year,
            "battledeaths.log2": 0.0,
            "mk_ongoing_count_log2": 0.0,
            "mk_onset": 0,
            "mk_onset_1": 0.0,
            "mk_onset_2": 0.0,
            "mk_onset_1or2": 0,
        }
        return {**base, **values}

    predictors = pd.DataFrame(
        [
            row("Ongoingland", 2000, mk_ongoing_count_log2=1.0, mk_onset_1=1.0, mk_onset_1or2=1),
            row("Ongoingland", 2001, mk_ongoing_count_log2=1.0, mk_onset=1),
            row("Warland", 2000, **{"battledeaths.log2": math.log2(26)}),  # 25 deaths
            row("Skirmishland", 2000, **{"battledeaths.log2": math.log2(25)}),  # 24 deaths
            row("Topland", 2000, mk_onset_2=1.0, mk_onset_1or2=1),
            row("Topland", 2002, mk_onset=1),
            row("Quietland", 2000),
            row("Lateland", 2001, mk_onset_2=1.0, mk_onset_1or2=1),
            row("Lateland", 2003, mk_onset=1),
            row("Quietland", 2001, mk_onset_2=float("nan")),  # outcome not yet observed
        ]
    )
    forecasts = pd.DataFrame(
        {
            "ewp_name": [
                *("Ongoingland", "Ongoingland", "Warland", "Skirmishland", "Topland"),
                *("Quietland", "Quietland", "Lateland"),
            ],
            "year": [2000, 2001, 2000, 2000, 2000, 2000, 2001, 2001],
            "risk": [0.01, 0.01, 0.01, 0.01, 0.05, 0.01, 0.01, 0.01],
            "rank": [100, 100, 100, 100, 3, 100, 100, 100],
        }
    )
    result = country_year_backtest(predictors, forecasts, RULES)
    assert (result.first_year, result.last_year, result.country_years) == (2000, 2001, 7)
    by_stage = {s.name: s for s in result.stages}
    assert {k: v.country_years for k, v in by_stage.items()} == {
        "remote": 3,  # Skirmishland (24 deaths), Quietland 2000, Lateland 2001
        "elevated": 2,  # Warland (25 deaths) and Topland (rank 3, 5%)
        "imminent": 0,
        "ongoing": 2,
    }
    # onsets in 2001-2003: Ongoingland 2001, Topland 2002, Lateland 2003 (after a remote year)
    assert result.onsets == 3 and result.onsets_without_forecast == 0
    assert by_stage["remote"].followed_by_onset == 1 and by_stage["remote"].onsets_preceded == 3
    assert by_stage["ongoing"].followed_by_onset == 1 and by_stage["ongoing"].onset_same_year == 1
    assert by_stage["ongoing"].onsets_preceded == 1
    assert by_stage["elevated"].onsets_preceded == 2 and by_stage["elevated"].false_alarms == 1
    top = next(b for b in result.baselines if b.name.startswith("structural"))
    assert (top.country_years, top.followed_by_onset, top.onsets_preceded) == (1, 1, 1)
    assert result.ongoing_in_episode == result.ongoing_years == result.episode_years == 2


def test_battle_deaths_reverse_the_log2_plus_one_transform() -> None:
    assert battle_deaths(math.log2(26)) == 25
    assert battle_deaths(0.0) == 0
    assert battle_deaths(float("nan")) is None


@pytest.mark.parametrize(
    ("month_end", "onset_year", "follows"),
    [
        (dt.date(2012, 12, 31), 2013, True),
        (dt.date(2012, 12, 31), 2012, False),
        (dt.date(2013, 12, 31), 2013, False),
        (dt.date(2013, 6, 30), 2013, True),  # annual dates: generous to the stage
        (dt.date(2011, 1, 31), 2013, True),  # window closes 2013-01-31
        (dt.date(2010, 12, 31), 2013, False),  # window closes 2012-12-31
    ],
)
def test_onset_follows_a_month_within_24_months(
    month_end: dt.date, onset_year: int, follows: bool
) -> None:
    assert onset_follows(month_end, onset_year) is follows


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "predictors.csv"
    path.write_text("ewp_name,year\nA,2000\n")
    with pytest.raises(InvalidInputError, match=r"battledeaths\.log2"):
        read_country_years(path)


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """EWP and UCDP GED installed from the mirror through the data manifest."""
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror: set BACKCHANNEL_MIRROR or place ../shared/data")
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), mirror=None)
    datasets.pull(settings, ["ewp", "ucdp-ged"], mirror=mirror)
    return settings


@pytest.fixture(scope="module")
def predictors(installed: Settings) -> pd.DataFrame:
    return read_country_years(datasets.file_path(installed, "ewp", PREDICTORS_FILE))


@pytest.fixture(scope="module")
def yearly(predictors: pd.DataFrame) -> CountryYearBacktest:
    forecasts = packaged_forecasts()
    assert forecasts is not None
    return country_year_backtest(predictors, forecasts, RULES)


def test_real_counts_reconcile(
    installed: Settings, predictors: pd.DataFrame, yearly: CountryYearBacktest
) -> None:
    first, last = yearly.first_year, yearly.last_year
    # the last year whose two following years are observed; 2024 is the data's last year
    assert (first, last) == (1993, 2022)
    assert sum(s.country_years for s in yearly.stages) == yearly.country_years
    base_rate = yearly.baselines[0]
    assert base_rate.country_years == yearly.country_years
    assert sum(s.followed_by_onset for s in yearly.stages) == base_rate.followed_by_onset

    raw = pd.read_csv(datasets.file_path(installed, "ewp", PREDICTORS_FILE))
    in_window = raw[(raw["year"] >= first + 1) & (raw["year"] <= last + 2)]
    assert yearly.onsets == int((in_window["mk_onset"] == 1).sum())
    forecast = packaged_forecasts()
    assert forecast is not None
    assessed = raw.merge(forecast[["ewp_name", "year"]], on=["ewp_name", "year"])
    assessed = assessed[(assessed["year"] >= first) & (assessed["year"] <= last)]
    assert yearly.country_years == len(assessed)
    assert base_rate.followed_by_onset == int(assessed["mk_onset_1or2"].sum())

    by_stage = {s.name: s for s in yearly.stages}
    assert by_stage["imminent"].country_years == 0  # yearly data cannot reach it
    assert yearly.ongoing_in_episode == yearly.ongoing_years == yearly.episode_years
    ongoing_years = int((assessed["mk_ongoing_count_log2"] > 0).sum())
    assert by_stage["ongoing"].country_years == ongoing_years


def test_top_30_baseline_matches_the_forecast_backtest(yearly: CountryYearBacktest) -> None:
    # Same onsets (1994-2024) and the same "top 30 in either year before" rule as
    # `forecast backtest`; the years differ only for an onset in 2024, and there is none.
    metrics = json.loads((packaged_folder() / "backtest_metrics.json").read_text())
    top = next(b for b in yearly.baselines if b.name.startswith("structural top-30"))
    assert yearly.onsets == metrics["n_onsets"]
    assert top.recall == pytest.approx(metrics["ours"]["recall_at_30"], abs=1e-4)


@pytest.mark.parametrize(
    "month_end",
    [
        dt.date(1989, 1, 31),  # before any event: no event measures at all
        dt.date(1991, 8, 31),
        dt.date(2002, 10, 31),
        dt.date(2009, 6, 30),
        dt.date(2012, 12, 31),
        dt.date(2013, 9, 30),
        dt.date(2014, 6, 30),
        dt.date(2017, 9, 30),
        dt.date(2022, 12, 31),
    ],
)
def test_batched_measures_equal_event_measures(car_events: pa.Table, month_end: dt.date) -> None:
    connection = connect()
    table = event_table(car_events)
    batched = month_end_event_measures(connection, table, "CAF", [month_end])[month_end]
    real, _evidence = event_measures(connection, table, "CAF", month_end)
    assert batched == {k: v for k, v in real.items() if k in MONTHLY_EVENT_MEASURES}


def test_car_monthly_run_reaches_ongoing_in_2014(car_events: pa.Table, installed: Settings) -> None:
    episodes = read_episode_years(datasets.file_path(installed, "ewp", BASE_DATA_FILE))
    connection = connect()
    table = event_table(car_events)
    stages = monthly_stages(
        connection, table, "CAF", month_ends(dt.date(1989, 1, 1), dt.date(2022, 12, 31)), RULES
    )
    assert len(stages) == 408
    assert any(s.stage == "ongoing" for s in stages if s.month_end.year == 2014)
    assert all(s.stage != "ongoing" for s in stages if s.month_end.year < 2013)

    result = monthly_backtest(connection, table, episodes, "CAF", RULES)
    assert result.months == 408 and sum(result.months_by_stage.values()) == 408
    assert result.months_by_stage == {
        **{stage: sum(1 for s in stages if s.stage == stage) for stage in RULES.stages},
        "unknown": sum(1 for s in stages if s.stage is None),
    }
    # months before the data hold any CAR event have no stage, never "remote"
    unknown = [s for s in stages if s.stage is None]
    assert unknown and all(not s.measures.get("organised_deaths_12m") for s in unknown)
    assert result.first_month_at.keys() == result.months_by_stage.keys()
    assert result.first_month_at["unknown"] == unknown[0].month_end
    assert result.raised_followed + result.raised_not_followed == result.raised_months
    assert [o.year for o in result.onsets] == [2013]
    assert result.onsets[0].preceded and result.onsets[0].matched
    assert result.ongoing_months_in_episode == result.ongoing_months > 0


def _stage_cli() -> typer.Typer:
    from backchannel.cli.stage import stage_app

    wrapper = typer.Typer()
    wrapper.add_typer(stage_app, name="stage")
    return wrapper


def test_cli_without_ewp_says_how_to_install_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _stage_cli(),
        ["stage", "backtest"],
        env={"BACKCHANNEL_DATA_DIR": str(tmp_path), "BACKCHANNEL_MIRROR": None},
    )
    assert result.exit_code == 4
    assert "backchannel data pull ewp" in result.stderr


def test_cli_table_lists_every_stage_with_its_first_month(installed: Settings) -> None:
    result = CliRunner().invoke(
        _stage_cli(),
        ["stage", "backtest"],
        env={"BACKCHANNEL_DATA_DIR": str(installed.data_dir), "BACKCHANNEL_MIRROR": None},
    )
    assert result.exit_code == 0, result.stderr
    assert "months at unknown" in result.stdout and "months at ongoing" in result.stdout


def test_cli_json_holds_both_runs(
    installed: Settings, yearly: CountryYearBacktest, car_events: pa.Table
) -> None:
    result = CliRunner().invoke(
        _stage_cli(),
        ["stage", "backtest", "--format", "json"],
        env={"BACKCHANNEL_DATA_DIR": str(installed.data_dir), "BACKCHANNEL_MIRROR": None},
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["country_year"]["country_years"] == yearly.country_years
    assert document["country_year"]["onsets"] == yearly.onsets
    episodes = read_episode_years(datasets.file_path(installed, "ewp", BASE_DATA_FILE))
    direct = monthly_backtest(connect(), event_table(car_events), episodes, "CAF", RULES)
    # the installed GED adds a global sample that repeats six CAR events: counted once
    assert document["monthly"] == json.loads(json.dumps(direct.as_dict()))


def test_an_event_in_two_installed_files_counts_once(car_events: pa.Table) -> None:
    from backchannel.events.schema import combine_event_tables

    repeated = car_events.slice(0, 5)
    combined = combine_event_tables([car_events, repeated])
    assert combined.num_rows == car_events.num_rows
    assert combined.column("event_id").to_pylist() == car_events.column("event_id").to_pylist()
