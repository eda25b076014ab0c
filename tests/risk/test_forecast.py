"""The structural forecast on the real EWP data: protocol, leakage guard, metrics, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backchannel.errors import InvalidInputError
from backchannel.risk.forecast.artifacts import structural_risk
from backchannel.risk.forecast.countries import country_table
from backchannel.risk.forecast.country_names import ewp_names, iso3_of
from backchannel.risk.forecast.metrics import evaluate, published_scores, score_forecasts
from backchannel.risk.forecast.models import EwpElasticNet, StumpEnsemble
from backchannel.risk.forecast.predictors import (
    PREDICTORS,
    PredictorTable,
    load_predictors,
    validate_predictors,
)
from backchannel.risk.forecast.protocol import Partition, forecast_one, run_backtest


@pytest.fixture(scope="module")
def ewp_folder() -> Path:
    from tests.conftest import mirror_path

    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    return mirror / "ewp"


@pytest.fixture(scope="module")
def table(ewp_folder: Path) -> PredictorTable:
    return load_predictors(ewp_folder / "prepared2024predictors-2025-09-03.csv")


def test_predictor_file_loads_with_39_predictors(table: PredictorTable) -> None:
    assert len(PREDICTORS) == 39
    assert table.years == (1960, 2024)
    assert len(table.frame) == 9463


def test_partition_refuses_overlap() -> None:
    assert Partition.for_cutoff(2000) == Partition(2000, 2002)
    with pytest.raises(ValueError, match="overlap"):
        Partition(2005, 2005)


@pytest.mark.parametrize("model", [StumpEnsemble(), EwpElasticNet()], ids=lambda m: m.name)
def test_leakage_guard_future_rows_cannot_change_a_forecast(
    table: PredictorTable, model: StumpEnsemble | EwpElasticNet
) -> None:
    """Scramble every outcome and predictor after the base year: the forecast must not move."""
    partition = Partition.for_cutoff(2005)
    original, _, _ = forecast_one(table, partition, model)

    frame = table.frame.copy()
    later = frame["year"] > partition.base_year
    generator = np.random.default_rng(7)
    for column in [*PREDICTORS, "mk_onset_1or2", "mk_onset", "mk_onset_1", "mk_onset_2"]:
        values = frame.loc[later, column].to_numpy()
        frame.loc[later, column] = generator.permutation(values)
    frame.loc[later, "mk_onset_1or2"] = 1 - frame.loc[later, "mk_onset_1or2"]
    scrambled, _, _ = forecast_one(PredictorTable(frame, "scrambled"), partition, model)

    pd.testing.assert_frame_equal(original, scrambled)


def test_published_anchor_matches_ewp_figures(ewp_folder: Path) -> None:
    scored = published_scores(pd.read_csv(ewp_folder / "FOOSforecasts_3Sep2025.csv"))
    metrics = evaluate(scored, samples=50)
    assert len(scored) == 5032 and int(scored["mk_onset"].sum()) == 39
    assert round(metrics["auc"].value, 3) == 0.825
    assert round(metrics["recall_at_30"].value, 2) == 0.69
    assert metrics["auc"].low < metrics["auc"].value < metrics["auc"].high


def test_our_scoring_reproduces_the_published_maxrisk(
    table: PredictorTable, ewp_folder: Path
) -> None:
    """Fed EWP's own one-step forecasts, our scoring rebuilds EWP's maxrisk2 column."""
    foos = pd.read_csv(ewp_folder / "FOOSforecasts_3Sep2025.csv")
    base = foos[["ewp_name", "prev_year", "risk_prev"]].rename(
        columns={"prev_year": "year", "risk_prev": "risk"}
    )
    forecasts = base.dropna().drop_duplicates(["ewp_name", "year"])
    ours = score_forecasts(forecasts, table).set_index(["ewp_name", "year"])["maxrisk"]
    published = published_scores(foos).set_index(["ewp_name", "year"])["maxrisk"]
    shared = ours.index.intersection(published.index)
    assert len(shared) > 4900
    np.testing.assert_allclose(ours[shared], published[shared], rtol=1e-9)


def test_backtest_of_a_few_cutoffs_counts_dropped_rows(table: PredictorTable) -> None:
    result = run_backtest(table, StumpEnsemble(), cutoffs=range(1991, 1994))
    assert sorted(result.forecasts["year"].unique()) == [1993, 1994, 1995]
    assert set(result.dropped_forecast_rows) == {1993, 1994, 1995}
    assert all(count >= 0 for count in result.dropped_training_rows.values())
    assert result.forecasts["risk"].between(0, 1).all()


def test_country_table_ranks_every_country_with_drivers(
    table: PredictorTable, ewp_folder: Path
) -> None:
    final = pd.read_csv(ewp_folder / "final_forecasts_data_3Sep2025.csv")
    rows = country_table(table, final)
    assert len(rows) == 168 and rows[0].rank == 1
    assert [r.rank for r in rows] == sorted(r.rank for r in rows)
    top = rows[0]
    assert top.base_year == 2024 and top.drivers and top.ewp_published_rank is not None
    assert all(d.contribution > 0 and d.level in {"high", "low"} for d in top.drivers)


def test_every_ewp_country_has_an_iso_code(ewp_folder: Path) -> None:
    names = pd.read_csv(ewp_folder / "final_forecasts_data_3Sep2025.csv")["ewp_name"]
    unmatched = [name for name in names if iso3_of(name) is None]
    assert unmatched == []
    for name in names:
        code = iso3_of(name)
        assert code is not None and name in ewp_names(code)


def test_packaged_artifacts_give_case_risk() -> None:
    risk = structural_risk("SOM", 2011)
    assert risk is not None
    assert risk.country == "Somalia" and risk.base_year == 2010
    assert 0 < risk.risk < 1 and 1 <= risk.rank <= risk.countries_ranked
    assert "0.8%" in risk.sentence()
    assert structural_risk("ZZZ", 2011) is None


# --- bad input ------------------------------------------------------------------------------


def test_missing_and_misnamed_columns_are_named(table: PredictorTable) -> None:
    broken = table.frame.rename(columns={"popsize.log2": "popsize"}).drop(columns=["mk_onset"])
    with pytest.raises(InvalidInputError) as caught:
        validate_predictors(broken, "bad.csv")
    locations = {p.location for p in caught.value.problems}
    assert {"popsize.log2", "mk_onset"} <= locations


def test_wrong_types_name_column_and_row(table: PredictorTable) -> None:
    broken = table.frame.copy().astype({"gdppcgrowth": object})
    broken.loc[5, "gdppcgrowth"] = "fast"
    with pytest.raises(InvalidInputError, match=r"bad\.csv:7: at gdppcgrowth: expected numbers"):
        validate_predictors(broken, "bad.csv")


def test_year_without_rows_is_named(table: PredictorTable) -> None:
    without_2005 = PredictorTable(table.frame[table.frame["year"] != 2005], "gap.csv")
    with pytest.raises(InvalidInputError, match="no rows for year 2005"):
        forecast_one(without_2005, Partition.for_cutoff(2003), StumpEnsemble())


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(InvalidInputError, match="not a readable CSV"):
        load_predictors(path)


@pytest.mark.slow
def test_cli_backtest_json_has_the_contract_keys(tmp_path: Path, ewp_folder: Path) -> None:
    from typer.testing import CliRunner

    from backchannel.cli import app

    runner = CliRunner()
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    assert (
        runner.invoke(
            app, ["data", "pull", "ewp", "--mirror", str(ewp_folder.parent)], env=env
        ).exit_code
        == 0
    )
    result = runner.invoke(
        app,
        [
            "forecast",
            "backtest",
            "--format",
            "json",
            "--samples",
            "20",
            "--output",
            str(tmp_path / "f.csv"),
        ],
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["n_country_years"], document["n_onsets"]) == (5032, 39)
    for source in ("ours", "ewp_reimplemented", "ewp_published"):
        assert {"auc", "recall_at_30", "brier", "log_loss"} <= set(document[source])
    assert round(document["ewp_published"]["auc"], 3) == 0.825
    assert round(document["ewp_published"]["recall_at_30"], 2) == 0.69
    written = pd.read_csv(tmp_path / "f.csv")
    assert list(written.columns) == ["ewp_name", "year", "risk"]
    assert written["year"].min() == 1993 and written["year"].max() == 2023


def test_cli_countries_json(tmp_path: Path, ewp_folder: Path) -> None:
    from typer.testing import CliRunner

    from backchannel.cli import app

    runner = CliRunner()
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    runner.invoke(app, ["data", "pull", "ewp", "--mirror", str(ewp_folder.parent)], env=env)
    result = runner.invoke(app, ["forecast", "countries", "--format", "json"], env=env)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 168 and rows[0]["rank"] == 1
    assert {"country", "risk", "rank", "drivers", "ewp_published_risk"} <= set(rows[0])
    table = runner.invoke(app, ["forecast", "countries", "--top", "5"], env=env)
    assert table.exit_code == 0 and rows[0]["country"] in table.stdout


def test_cli_forecast_without_data_says_how_to_get_it(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from backchannel.cli import app

    result = CliRunner().invoke(
        app, ["forecast", "countries"], env={"BACKCHANNEL_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 4 and "backchannel data pull ewp" in result.stderr
