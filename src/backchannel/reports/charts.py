"""Charts of the structural forecast for the decision brief, rendered to PNG bytes.

Each chart has a ``*_figure`` function that builds a matplotlib ``Figure`` (so tests and
other surfaces can inspect titles, lines and legends) and a ``*_chart`` function that
renders it to PNG. Figures are drawn on their own Agg canvas without pyplot, so no global
backend or figure registry is touched. Colours come from the Okabe-Ito palette, which
stays distinguishable under the common forms of colour blindness, and every model also
gets its own line style so the charts read in greyscale.

Every chart is drawn at the width it is printed at: a brief places its charts across the
A4 text column (:data:`TEXT_COLUMN_INCHES`), so a figure as wide as the column prints its
type at the point sizes set here, none under :data:`SMALLEST_PRINTED_POINTS`. The PNG is
rendered at :data:`PNG_DPI`, so its natural width (at CSS's 96 pixels to the inch) is wider
than the column: the page scales it down to the column, never up, and type stays sharp.
:func:`printed_text_sizes` measures what a placed figure prints, for the tests.

Input contracts (pandas DataFrames):

- a *scored* frame per model: ``ewp_name``, ``year`` (the country-year scored),
  ``mk_onset`` (0/1), ``maxrisk`` (probability in [0, 1]) and ``minrank``;
- a *forecasts* frame: ``ewp_name``, ``year`` (the forecast base year) and ``risk``.
"""

from __future__ import annotations

import difflib
import io
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator
from sklearn.metrics import roc_auc_score, roc_curve

SOURCE_NOTE = "Data: Early Warning Project (USHMM), fully-out-of-sample backtest 1994-2024"
EWP_THRESHOLD = 0.04

#: The brief's text column on A4 is about 17.2 cm (210 mm less the print margins and the
#: body's padding); charts are drawn 17 cm wide, so the page scales them up a little, never
#: down, and their type prints at least at the sizes set here.
TEXT_COLUMN_INCHES = 17.0 / 2.54
#: The smallest type a chart may print at, in points, once placed across the text column.
SMALLEST_PRINTED_POINTS = 8.0
#: Type sizes in points, as printed: small print (source notes), annotations, body.
NOTE_POINTS = 8.0
SMALL_POINTS = 8.5
BODY_POINTS = 9.0
TITLE_POINTS = 10.5
#: 200 dots to the inch keeps 8-point type crisp on paper; any resolution above CSS's 96
#: pixels to the inch makes the PNG wider than the column, so the page scales it down to fit.
PNG_DPI = 200
#: Height of the strip a figure keeps free at its foot for the source note.
NOTE_STRIP_INCHES = 0.24

OKABE_ITO_BLUE = "#0072B2"
OKABE_ITO_VERMILLION = "#D55E00"
OKABE_ITO_BLUISH_GREEN = "#009E73"
OKABE_ITO_REDDISH_PURPLE = "#CC79A7"
OKABE_ITO_ORANGE = "#E69F00"
OKABE_ITO_SKY_BLUE = "#56B4E9"
REFERENCE_GREY = "#555555"

MODEL_COLOURS = (
    OKABE_ITO_BLUE,
    OKABE_ITO_VERMILLION,
    OKABE_ITO_BLUISH_GREEN,
    OKABE_ITO_REDDISH_PURPLE,
    OKABE_ITO_ORANGE,
    OKABE_ITO_SKY_BLUE,
)
MODEL_LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 2)))
MODEL_MARKERS = ("o", "s", "^", "D", "v", "P")

SCORED_COLUMNS = ("ewp_name", "year", "mk_onset", "maxrisk", "minrank")
FORECAST_COLUMNS = ("ewp_name", "year", "risk")
PROBABILITY_TICKS = (0.0, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.06, 0.1, 0.15, 0.2, 0.3, 0.5)
WILSON_Z_95 = 1.959964


def render_png(figure: Figure) -> bytes:
    """Render a figure to PNG bytes (no software stamp, so equal figures give equal bytes)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buffer.getvalue()


def new_chart_figure(
    height: float,
    note: str,
    *,
    width: float = TEXT_COLUMN_INCHES,
    top_inches: float = 0.0,
    bottom_inches: float = 0.0,
) -> Figure:
    """An empty figure on its own Agg canvas with ``note`` in small print at its foot.

    The constrained layout keeps the note's strip free, and ``top_inches`` above the axes
    and ``bottom_inches`` above the note for what the caller places itself (a heading, a
    figure legend). ``width`` is the printed width: the column's unless the page places
    the chart narrower.
    """
    bottom = (NOTE_STRIP_INCHES + bottom_inches) / height
    top = top_inches / height
    layout = ConstrainedLayoutEngine(rect=(0.0, bottom, 1.0, 1.0 - bottom - top))
    figure = Figure(figsize=(width, height), layout=layout)
    FigureCanvasAgg(figure)
    figure.text(
        0.08 / width,
        0.07 / height,
        note,
        fontsize=NOTE_POINTS,
        color=REFERENCE_GREY,
        ha="left",
        va="bottom",
    )
    return figure


def set_type_sizes(*all_axes: Axes) -> None:
    """Give axes their printed type sizes: ticks small, axis labels body, title heading.

    Set on each axes rather than taken from matplotlib's global defaults, which a style
    or another caller may have changed.
    """
    for axes in all_axes:
        axes.tick_params(labelsize=SMALL_POINTS)
        axes.xaxis.label.set_fontsize(BODY_POINTS)
        axes.yaxis.label.set_fontsize(BODY_POINTS)
        axes.title.set_fontsize(TITLE_POINTS)


def drawn_texts(figure: Figure) -> list[Text]:
    """Every text ``figure`` draws: visible, not empty, and for a tick label, on its axis.

    The figure is laid out first, as tick labels only exist then; an axis keeps labels
    for ticks beyond its limits, which are never drawn, and those are left out.
    """
    figure.draw_without_rendering()
    off_axis: set[int] = set()
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * (high - low)
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if not low - slack <= tick.get_loc() <= high + slack:
                    off_axis.update((id(tick.label1), id(tick.label2)))
    return [
        text
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip() and id(text) not in off_axis
    ]


def printed_text_sizes(
    figure: Figure, placed_width_inches: float = TEXT_COLUMN_INCHES
) -> list[tuple[float, str]]:
    """Every text ``figure`` draws as (printed size in points, text), smallest first.

    The figure is imagined placed ``placed_width_inches`` wide, which scales its type by
    that width over its own.
    """
    scale = placed_width_inches / figure.get_figwidth()
    return sorted(
        (float(float(text.get_fontsize()) * scale), text.get_text()) for text in drawn_texts(figure)
    )


def write_png(data: bytes, path: Path) -> Path:
    """Write PNG bytes to ``path``, creating its folder, and return the path written."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError(f"refusing to write {path}: the data is not a PNG image")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def roc_figure(scored_by_model: Mapping[str, pd.DataFrame]) -> Figure:
    """ROC curves of several models on one axis, each legend entry carrying its AUC.

    ``scored_by_model`` maps a model's display name (``"ours"``, ``"EWP published"``) to
    its scored frame; the curves use ``maxrisk`` as the score and ``mk_onset`` as truth.
    """
    _require_models(scored_by_model)
    figure = new_chart_figure(height=6.6, note=SOURCE_NOTE)
    axes = figure.add_subplot()
    for index, (model, scored) in enumerate(scored_by_model.items()):
        outcome, risk = _outcome_and_risk(scored, model)
        false_positive_rate, true_positive_rate, _ = roc_curve(outcome, risk)
        area = float(roc_auc_score(outcome, risk))
        axes.plot(
            false_positive_rate,
            true_positive_rate,
            label=f"{model} (AUC {area:.3f})",
            color=_model_colour(index),
            linestyle=_model_line_style(index),
            linewidth=2.0,
            drawstyle="steps-post",
        )
    axes.plot([0, 1], [0, 1], color=REFERENCE_GREY, linestyle=":", linewidth=1.2, label="Chance")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.005)
    axes.set_aspect("equal")
    axes.set_xlabel("False alarm rate (share of country-years without an onset flagged)")
    axes.set_ylabel("Hit rate (share of onsets flagged)")
    axes.set_title("How well each model ranks countries before new mass killings")
    axes.grid(color="#dddddd", linewidth=0.6)
    axes.legend(
        loc="lower right",
        frameon=True,
        title="Model (area under curve)",
        fontsize=SMALL_POINTS,
        title_fontsize=SMALL_POINTS,
    )
    set_type_sizes(axes)
    return figure


def roc_chart(scored_by_model: Mapping[str, pd.DataFrame]) -> bytes:
    """PNG of :func:`roc_figure`."""
    return render_png(roc_figure(scored_by_model))


def reliability_figure(scored_by_model: Mapping[str, pd.DataFrame], bins: int = 10) -> Figure:
    """Reliability diagram: mean predicted risk against observed onset rate, per risk bin.

    Onsets are rare, so bins hold equal numbers of country-years (quantiles of predicted
    risk, ties broken by order) rather than equal widths, and both axes use a square-root
    scale so small probabilities stay readable while bins with no onset still show at zero.
    Observed rates carry 95% Wilson intervals; the lower panel counts onsets per bin.
    """
    _require_models(scored_by_model)
    if bins < 2:
        raise ValueError(f"bins must be at least 2, got {bins}")
    figure = new_chart_figure(height=8.4, note=SOURCE_NOTE)
    calibration_axes, count_axes = figure.subplots(2, 1, gridspec_kw={"height_ratios": (3.2, 1.0)})
    bar_width = 0.8 / len(scored_by_model)
    largest_value = 0.0
    rows_per_bin: list[float] = []
    for index, (model, scored) in enumerate(scored_by_model.items()):
        table = calibration_table(scored, bins=bins, model=model)
        low, high = _wilson_interval(table["onsets"], table["country_years"])
        largest_value = max(largest_value, table["mean_predicted"].max(), high.max())
        rows_per_bin.append(float(table["country_years"].mean()))
        colour = _model_colour(index)
        calibration_axes.errorbar(
            table["mean_predicted"],
            table["observed_rate"],
            yerr=(table["observed_rate"] - low, high - table["observed_rate"]),
            label=model,
            color=colour,
            linestyle=_model_line_style(index),
            marker=_model_marker(index),
            markersize=6,
            linewidth=1.6,
            elinewidth=0.9,
            capsize=2.5,
            alpha=0.95,
        )
        positions = table["bin"] + (index - (len(scored_by_model) - 1) / 2) * bar_width
        bars = count_axes.bar(
            positions, table["onsets"], width=bar_width, color=colour, label=model
        )
        count_axes.bar_label(bars, fontsize=NOTE_POINTS, padding=1)
    limit = _square_root_axis_limit(largest_value)
    calibration_axes.plot(
        [0, limit],
        [0, limit],
        color=REFERENCE_GREY,
        linestyle=":",
        linewidth=1.2,
        label="Perfect calibration",
    )
    for set_scale in (calibration_axes.set_xscale, calibration_axes.set_yscale):
        set_scale("function", functions=(_square_root, np.square))
    _set_probability_ticks(calibration_axes, limit)
    calibration_axes.set_xlabel("Mean predicted risk in the bin (square-root scale)")
    calibration_axes.set_ylabel("Observed onset rate in the bin, 95% interval")
    calibration_axes.set_title("Do predicted risks match how often onsets happened?")
    calibration_axes.grid(color="#dddddd", linewidth=0.6)
    calibration_axes.legend(loc="upper left", fontsize=SMALL_POINTS)

    count_axes.set_xticks(range(1, bins + 1))
    count_axes.set_xlim(0.4, bins + 0.6)
    count_axes.set_xlabel(
        f"Risk bin, lowest to highest ({bins} bins of about "
        f"{round(float(np.mean(rows_per_bin)))} country-years each)"
    )
    count_axes.set_ylabel("Onsets")
    count_axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    count_axes.margins(y=0.2)
    count_axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    set_type_sizes(calibration_axes, count_axes)
    return figure


def reliability_chart(scored_by_model: Mapping[str, pd.DataFrame], bins: int = 10) -> bytes:
    """PNG of :func:`reliability_figure`."""
    return render_png(reliability_figure(scored_by_model, bins=bins))


def calibration_table(scored: pd.DataFrame, bins: int = 10, model: str = "model") -> pd.DataFrame:
    """Per quantile bin of ``maxrisk``: size, onsets, mean predicted risk and observed rate.

    Bins hold equal numbers of rows (to within one); ``bin`` runs from 1 (lowest risk).
    """
    outcome, risk = _outcome_and_risk(scored, model)
    if len(risk) < bins:
        raise ValueError(f"{model}: {len(risk)} scored rows cannot fill {bins} bins")
    order = pd.Series(risk).rank(method="first").to_numpy()
    bin_number = np.ceil(order * bins / len(risk)).astype(int)
    frame = pd.DataFrame({"bin": bin_number, "risk": risk, "onset": outcome})
    table = frame.groupby("bin", as_index=False).agg(
        country_years=("onset", "size"),
        onsets=("onset", "sum"),
        mean_predicted=("risk", "mean"),
    )
    table["observed_rate"] = table["onsets"] / table["country_years"]
    return table


def country_risk_figure(
    forecasts: pd.DataFrame,
    country: str,
    onsets: Iterable[int] | None = None,
    published: pd.DataFrame | None = None,
) -> Figure:
    """One country's forecast risk by base year, with onsets and the EWP 4% threshold.

    The risk at base year *t* is the chance of a new mass killing starting in *t*+1 or
    *t*+2, so an onset drawn at year *y* is the one the forecasts at *y*-1 and *y*-2 were
    about. ``published`` (same columns as ``forecasts``) adds EWP's own published risk.
    """
    _require_columns(forecasts, FORECAST_COLUMNS, "forecasts")
    ours = forecasts.loc[forecasts["ewp_name"] == country].sort_values("year")
    if ours.empty:
        raise ValueError(_unknown_country_message(country, forecasts["ewp_name"]))
    figure = new_chart_figure(height=4.6, note=SOURCE_NOTE)
    axes = figure.add_subplot()
    highest_risk = float(ours["risk"].max())
    axes.plot(
        ours["year"],
        ours["risk"],
        label="Our forecast",
        color=_model_colour(0),
        linestyle=_model_line_style(0),
        marker=_model_marker(0),
        markersize=4,
        linewidth=2.0,
    )
    if published is not None:
        _require_columns(published, FORECAST_COLUMNS, "published")
        theirs = published.loc[published["ewp_name"] == country].sort_values("year")
        if not theirs.empty:
            highest_risk = max(highest_risk, float(theirs["risk"].max()))
            axes.plot(
                theirs["year"],
                theirs["risk"],
                label="EWP published forecast",
                color=_model_colour(1),
                linestyle=_model_line_style(1),
                marker=_model_marker(1),
                markersize=4,
                linewidth=1.8,
            )
    for position, year in enumerate(sorted(set(onsets or ()))):
        axes.axvline(
            year,
            color=OKABE_ITO_REDDISH_PURPLE,
            linewidth=2.2,
            alpha=0.8,
            label="Onset of a mass killing" if position == 0 else None,
        )
    axes.axhline(
        EWP_THRESHOLD, color=REFERENCE_GREY, linestyle="--", linewidth=1.2, label="EWP 4% threshold"
    )
    axes.annotate(
        "EWP 4% threshold",
        xy=(0.0, EWP_THRESHOLD),
        xycoords=("axes fraction", "data"),
        xytext=(4, 3),
        textcoords="offset points",
        fontsize=SMALL_POINTS,
        color=REFERENCE_GREY,
    )
    axes.set_ylim(0, max(highest_risk, EWP_THRESHOLD) * 1.15)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _percent(value)))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("Forecast base year (risk covers onsets in the next two years)")
    axes.set_ylabel("Risk of a new mass killing")
    axes.set_title(f"{country}: forecast risk of a new mass killing")
    axes.grid(color="#dddddd", linewidth=0.6)
    # Below the axes, not beside them: at the column's width a legend at the side would
    # take a third of the time axis.
    axes.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.15),
        ncol=2,
        fontsize=SMALL_POINTS,
        frameon=False,
    )
    set_type_sizes(axes)
    return figure


def country_risk_chart(
    forecasts: pd.DataFrame,
    country: str,
    onsets: Iterable[int] | None = None,
    published: pd.DataFrame | None = None,
) -> bytes:
    """PNG of :func:`country_risk_figure`."""
    return render_png(country_risk_figure(forecasts, country, onsets=onsets, published=published))


def _require_models(scored_by_model: Mapping[str, pd.DataFrame]) -> None:
    if not scored_by_model:
        raise ValueError("no models to chart: pass at least one scored frame")
    if len(scored_by_model) > len(MODEL_COLOURS):
        raise ValueError(
            f"{len(scored_by_model)} models on one chart; at most {len(MODEL_COLOURS)} stay legible"
        )


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        present = ", ".join(map(str, frame.columns))
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}; has {present}")


def _outcome_and_risk(scored: pd.DataFrame, model: str) -> tuple[np.ndarray, np.ndarray]:
    _require_columns(scored, SCORED_COLUMNS, model)
    for column in ("mk_onset", "maxrisk"):
        missing_values = int(scored[column].isna().sum())
        if missing_values:
            raise ValueError(f"{model}: {missing_values} row(s) have no {column}; drop them first")
    outcome = scored["mk_onset"].to_numpy(dtype=int)
    risk = scored["maxrisk"].to_numpy(dtype=float)
    if not set(np.unique(outcome)) <= {0, 1}:
        raise ValueError(f"{model}: mk_onset must be 0 or 1")
    if risk.min() < 0 or risk.max() > 1:
        raise ValueError(f"{model}: maxrisk must lie in [0, 1]")
    if len(np.unique(outcome)) < 2:
        raise ValueError(f"{model}: needs both onsets and non-onsets to chart")
    return outcome, risk


def _wilson_interval(
    successes: pd.Series, trials: pd.Series, z: float = WILSON_Z_95
) -> tuple[np.ndarray, np.ndarray]:
    hits = successes.to_numpy(dtype=float)
    count = trials.to_numpy(dtype=float)
    rate = hits / count
    denominator = 1 + z**2 / count
    centre = (rate + z**2 / (2 * count)) / denominator
    half_width = z * np.sqrt(rate * (1 - rate) / count + z**2 / (4 * count**2)) / denominator
    return np.clip(centre - half_width, 0, 1), np.clip(centre + half_width, 0, 1)


def _square_root(values: np.ndarray) -> np.ndarray:
    root: np.ndarray = np.sqrt(np.clip(values, 0, None))
    return root


def _square_root_axis_limit(largest_value: float) -> float:
    return float(min(1.0, (math.sqrt(max(largest_value, 0.01)) * 1.05) ** 2))


def _set_probability_ticks(axes: Axes, limit: float) -> None:
    # On a square-root scale small ticks crowd together; keep only those far enough apart.
    minimum_gap = 0.08 * math.sqrt(limit)
    ticks: list[float] = []
    for tick in PROBABILITY_TICKS:
        if tick <= limit and (not ticks or math.sqrt(tick) - math.sqrt(ticks[-1]) >= minimum_gap):
            ticks.append(tick)
    for axis in (axes.xaxis, axes.yaxis):
        axis.set_major_locator(FixedLocator(ticks))
        axis.set_major_formatter(FuncFormatter(lambda value, _: _percent(value)))
    axes.set_xlim(0, limit)
    axes.set_ylim(0, limit)


def _percent(value: float) -> str:
    return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _unknown_country_message(country: str, known_names: pd.Series) -> str:
    names = sorted({str(name) for name in known_names.dropna()})
    close = difflib.get_close_matches(country, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"no forecasts for country {country!r}{hint}"


def _model_colour(index: int) -> str:
    return MODEL_COLOURS[index % len(MODEL_COLOURS)]


def _model_line_style(index: int) -> str | tuple[int, tuple[int, ...]]:
    return MODEL_LINE_STYLES[index % len(MODEL_LINE_STYLES)]


def _model_marker(index: int) -> str:
    return MODEL_MARKERS[index % len(MODEL_MARKERS)]
