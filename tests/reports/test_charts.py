"""Forecast charts: PNGs that decode, legends that carry the right AUCs, clear errors, and
type of at least 8 points once a chart is printed across the brief's A4 text column."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.lines import Line2D
from sklearn.metrics import roc_auc_score

from backchannel.reports.charts import (
    PNG_DPI,
    SMALLEST_PRINTED_POINTS,
    SOURCE_NOTE,
    TEXT_COLUMN_INCHES,
    calibration_table,
    country_risk_chart,
    country_risk_figure,
    drawn_texts,
    printed_text_sizes,
    reliability_chart,
    reliability_figure,
    roc_chart,
    roc_figure,
    write_png,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EWP_BACKTEST = Path("ewp") / "FOOSforecasts_3Sep2025.csv"


def synthetic_scored(seed: int, signal: float, countries: int = 60) -> pd.DataFrame:
    """Country-years 1994-2024 whose risk separates onsets from the rest by ``signal``."""
    rng = np.random.default_rng(seed)
    names = [f"Country {number:02d}" for number in range(countries)]
    frame = pd.DataFrame(
        [(name, year) for name in names for year in range(1994, 2025)],
        columns=["ewp_name", "year"],
    )
    latent = rng.normal(-4.5, 1.0, len(frame))
    frame["mk_onset"] = (rng.random(len(frame)) < 1 / (1 + np.exp(-latent))).astype(int)
    frame.loc[frame.index[::97], "mk_onset"] = 1  # a handful of onsets whatever the seed
    noisy = latent + signal * frame["mk_onset"] + rng.normal(0, 1.0, len(frame))
    frame["maxrisk"] = 1 / (1 + np.exp(-noisy))
    frame["minrank"] = frame.groupby("year")["maxrisk"].rank(ascending=False).astype(int)
    return frame


@pytest.fixture
def scored_by_model() -> dict[str, pd.DataFrame]:
    return {
        "ours": synthetic_scored(seed=1, signal=2.0),
        "EWP published": synthetic_scored(seed=2, signal=1.5),
        "EWP re-implemented": synthetic_scored(seed=3, signal=1.0),
    }


@pytest.fixture
def forecasts() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    years = np.arange(1993, 2024)
    return pd.DataFrame(
        {
            "ewp_name": "Ruritania",
            "year": years,
            "risk": np.clip(0.03 + rng.normal(0, 0.015, len(years)), 0.001, None),
        }
    )


def decoded_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels after decoding the PNG."""
    image = imread(io.BytesIO(png), format="png")
    return image.shape[1], image.shape[0]


def legend_texts(figure: Figure) -> list[str]:
    texts: list[str] = []
    for axes in figure.axes:
        legend = axes.get_legend()
        if legend is not None:
            texts.extend(text.get_text() for text in legend.get_texts())
    return texts


def figure_texts(figure: Figure) -> list[str]:
    return [text.get_text() for text in figure.texts]


def published_backtest(mirror: Path) -> pd.DataFrame:
    """EWP's own fully-out-of-sample backtest, in the scored-frame contract."""
    raw = pd.read_csv(mirror / EWP_BACKTEST)
    scored = raw.rename(columns={"maxrisk2": "maxrisk", "minrank2": "minrank"})
    scored = scored.dropna(subset=["maxrisk"])
    return scored[["ewp_name", "year", "mk_onset", "maxrisk", "minrank"]]


def test_roc_legend_gives_each_model_its_auc(scored_by_model: dict[str, pd.DataFrame]) -> None:
    figure = roc_figure(scored_by_model)
    expected = [
        f"{model} (AUC {roc_auc_score(frame['mk_onset'], frame['maxrisk']):.3f})"
        for model, frame in scored_by_model.items()
    ]
    assert legend_texts(figure) == [*expected, "Chance"]
    assert SOURCE_NOTE in figure_texts(figure)
    axes = figure.axes[0]
    assert axes.get_title()
    assert axes.get_xlabel().startswith("False alarm rate")
    assert axes.get_ylabel().startswith("Hit rate")


def test_roc_chart_is_a_png_of_sensible_size(scored_by_model: dict[str, pd.DataFrame]) -> None:
    png = roc_chart(scored_by_model)
    assert png.startswith(PNG_SIGNATURE)
    width, height = decoded_size(png)
    assert 800 <= width <= 2000
    assert 700 <= height <= 2000


def test_equal_figures_render_to_equal_bytes(scored_by_model: dict[str, pd.DataFrame]) -> None:
    assert roc_chart(scored_by_model) == roc_chart(scored_by_model)


def test_published_ewp_backtest_auc_is_0_825(mirror: Path) -> None:
    figure = roc_figure({"EWP published": published_backtest(mirror)})
    assert legend_texts(figure)[0] == "EWP published (AUC 0.825)"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda frame: frame.drop(columns=["maxrisk"]), "missing column(s) maxrisk"),
        (lambda frame: frame.assign(maxrisk=np.nan), "have no maxrisk"),
        (lambda frame: frame.assign(maxrisk=frame["maxrisk"] * 3), "maxrisk must lie in [0, 1]"),
        (lambda frame: frame.assign(mk_onset=2), "mk_onset must be 0 or 1"),
        (lambda frame: frame.assign(mk_onset=0), "needs both onsets and non-onsets"),
    ],
)
def test_bad_scored_frame_is_refused_naming_the_model(
    change: Callable[[pd.DataFrame], pd.DataFrame], message: str
) -> None:
    broken = change(synthetic_scored(seed=1, signal=2.0))
    with pytest.raises(ValueError, match=rf"^broken model: .*{re.escape(message)}"):
        roc_figure({"broken model": broken})


def test_no_models_is_refused() -> None:
    with pytest.raises(ValueError, match="no models"):
        roc_chart({})
    with pytest.raises(ValueError, match="no models"):
        reliability_chart({})


def test_calibration_table_uses_equal_size_bins_that_keep_every_onset() -> None:
    scored = synthetic_scored(seed=4, signal=2.0)
    table = calibration_table(scored, bins=10)
    assert table["bin"].tolist() == list(range(1, 11))
    assert table["country_years"].max() - table["country_years"].min() <= 1
    assert table["country_years"].sum() == len(scored)
    assert table["onsets"].sum() == scored["mk_onset"].sum()
    assert table["mean_predicted"].is_monotonic_increasing


def test_calibration_table_bins_tied_risks_into_equal_sizes() -> None:
    scored = synthetic_scored(seed=5, signal=2.0).assign(maxrisk=0.01)
    table = calibration_table(scored, bins=4)
    assert table["country_years"].max() - table["country_years"].min() <= 1


def test_reliability_panels_show_calibration_and_onsets_per_bin(
    scored_by_model: dict[str, pd.DataFrame],
) -> None:
    figure = reliability_figure(scored_by_model, bins=8)
    calibration_axes, count_axes = figure.axes
    assert legend_texts(figure) == ["Perfect calibration", *scored_by_model]
    assert calibration_axes.get_xscale() == calibration_axes.get_yscale() == "function"
    bar_groups = count_axes.containers
    assert len(bar_groups) == len(scored_by_model)
    for bars, frame in zip(bar_groups, scored_by_model.values(), strict=True):
        heights = [patch.get_height() for patch in bars]
        assert len(heights) == 8
        assert sum(heights) == frame["mk_onset"].sum()
    assert count_axes.get_ylabel() == "Onsets"
    assert SOURCE_NOTE in figure_texts(figure)


def test_reliability_chart_is_a_png(scored_by_model: dict[str, pd.DataFrame]) -> None:
    png = reliability_chart(scored_by_model)
    assert png.startswith(PNG_SIGNATURE)
    width, height = decoded_size(png)
    assert height > width >= 800


def test_reliability_needs_at_least_two_bins(scored_by_model: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(ValueError, match="bins must be at least 2"):
        reliability_figure(scored_by_model, bins=1)


def test_reliability_of_published_ewp_backtest_renders(mirror: Path) -> None:
    scored = published_backtest(mirror)
    figure = reliability_figure({"EWP published": scored})
    bars = figure.axes[1].containers[0]
    assert sum(patch.get_height() for patch in bars) == scored["mk_onset"].sum()


def test_country_chart_marks_onsets_threshold_and_published_line(
    forecasts: pd.DataFrame,
) -> None:
    published = forecasts.assign(risk=forecasts["risk"] * 1.2)
    figure = country_risk_figure(forecasts, "Ruritania", onsets=[2001, 2013], published=published)
    axes = figure.axes[0]
    assert legend_texts(figure) == [
        "Our forecast",
        "EWP published forecast",
        "Onset of a mass killing",
        "EWP 4% threshold",
    ]
    lines: list[Line2D] = list(axes.get_lines())
    vertical_x = [np.asarray(line.get_xdata(), dtype=float) for line in lines]
    onset_years = sorted(float(xs[0]) for xs in vertical_x if len(xs) == 2 and xs[0] == xs[1])
    assert onset_years == [2001.0, 2013.0]
    threshold = [line for line in lines if line.get_label() == "EWP 4% threshold"]
    assert np.asarray(threshold[0].get_ydata(), dtype=float).tolist() == [0.04, 0.04]
    assert "EWP 4% threshold" in [text.get_text() for text in axes.texts]
    assert axes.get_xlabel().startswith("Forecast base year")
    assert "Ruritania" in axes.get_title()


def test_country_chart_without_extras_is_a_png(forecasts: pd.DataFrame) -> None:
    png = country_risk_chart(forecasts, "Ruritania")
    assert png.startswith(PNG_SIGNATURE)
    width, height = decoded_size(png)
    assert width > height >= 500


def test_country_chart_refuses_an_unknown_country(forecasts: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"no forecasts for country 'Ruritanya'.*Ruritania"):
        country_risk_chart(forecasts, "Ruritanya")
    with pytest.raises(ValueError, match="'Atlantis'"):
        country_risk_figure(forecasts, "Atlantis")


def test_country_chart_refuses_forecasts_without_risk(forecasts: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"forecasts: missing column\(s\) risk"):
        country_risk_figure(forecasts.drop(columns=["risk"]), "Ruritania")


def test_write_png_creates_the_folder_and_refuses_non_png(
    scored_by_model: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    png = roc_chart(scored_by_model)
    target = tmp_path / "brief" / "roc.png"
    assert write_png(png, target) == target
    assert target.read_bytes() == png
    with pytest.raises(ValueError, match="not a PNG"):
        write_png(b"<svg/>", tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()


def test_actor_timeline_shows_talks_and_commitments() -> None:
    import datetime as dt

    from backchannel.reports.event_charts import actor_timeline_chart, actor_timeline_figure

    months = pd.date_range("2014-01-01", periods=12, freq="MS")
    monthly = pd.DataFrame({"month": months, "civilian_deaths": range(12), "events": [1] * 12})
    figure = actor_timeline_figure(
        monthly,
        "Group G",
        talks=[(dt.date(2014, 3, 1), dt.date(2014, 4, 15))],
        commitments=[(dt.date(2014, 7, 23), "cessation of hostilities")],
    )
    axes = figure.axes[0]
    assert axes.get_title() == "Group G: violence against civilians and talks"
    legend = axes.get_legend()
    assert legend is not None, "the timeline has no legend"
    labels = [text.get_text() for text in legend.get_texts()]
    assert {"Talks", "Commitment", "Civilians killed (one-sided violence)"} <= set(labels)
    assert actor_timeline_chart(monthly, "Group G").startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="lacks columns"):
        actor_timeline_figure(monthly.drop(columns=["events"]), "Group G")


def _timeline_figure() -> Figure:
    import datetime as dt

    from backchannel.reports.event_charts import actor_timeline_figure

    months = pd.date_range("2013-01-01", periods=30, freq="MS")
    monthly = pd.DataFrame(
        {"month": months, "civilian_deaths": [n % 9 * 3 for n in range(30)], "events": 4}
    )
    return actor_timeline_figure(
        monthly,
        "Group G",
        talks=[(dt.date(2013, 6, 1), dt.date(2013, 9, 15))],
        commitments=[(dt.date(2014, 2, 10), "cessation of hostilities")],
    )


@pytest.mark.parametrize(
    "build",
    [
        lambda models, forecasts: roc_figure(models),
        lambda models, forecasts: reliability_figure(models),
        lambda models, forecasts: country_risk_figure(
            forecasts, "Ruritania", onsets=[2001], published=forecasts
        ),
        lambda models, forecasts: _timeline_figure(),
    ],
    ids=["roc", "reliability", "country_risk", "actor_timeline"],
)
def test_every_text_prints_at_8_points_or_more_across_the_text_column(
    build: Callable[[dict[str, pd.DataFrame], pd.DataFrame], Figure],
    scored_by_model: dict[str, pd.DataFrame],
    forecasts: pd.DataFrame,
) -> None:
    figure = build(scored_by_model, forecasts)
    # Drawn as wide as the column: point sizes in the figure are point sizes on paper.
    assert figure.get_figwidth() == pytest.approx(TEXT_COLUMN_INCHES)
    sizes = printed_text_sizes(figure, TEXT_COLUMN_INCHES)
    assert len(sizes) > 10
    smallest, text = sizes[0]
    assert smallest >= SMALLEST_PRINTED_POINTS, f"{text!r} prints at {smallest:.1f} pt"
    # Every text stays on the figure.
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    for artist in drawn_texts(figure):
        box = artist.get_window_extent(renderer)
        assert figure.bbox.x0 - 1 <= box.x0 and box.x1 <= figure.bbox.x1 + 1, artist
        assert figure.bbox.y0 - 1 <= box.y0 and box.y1 <= figure.bbox.y1 + 1, artist


def test_a_column_wide_chart_is_wider_than_the_column_in_css_pixels(
    scored_by_model: dict[str, pd.DataFrame],
) -> None:
    width, _ = decoded_size(roc_chart(scored_by_model))
    # At CSS's 96 pixels to the inch the PNG is wider than its place, so the page scales it
    # down to the column (type keeps its size), never up; 200 pixels to the printed inch.
    assert abs(width - TEXT_COLUMN_INCHES * PNG_DPI) < 1
    assert width / 96 > TEXT_COLUMN_INCHES


def test_printed_text_sizes_scale_with_the_placed_width(
    scored_by_model: dict[str, pd.DataFrame],
) -> None:
    figure = roc_figure(scored_by_model)
    full = printed_text_sizes(figure, TEXT_COLUMN_INCHES)
    half = printed_text_sizes(figure, TEXT_COLUMN_INCHES / 2)
    assert [text for _, text in full] == [text for _, text in half]
    assert [size / 2 for size, _ in full] == pytest.approx([size for size, _ in half])
