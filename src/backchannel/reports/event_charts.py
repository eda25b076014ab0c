"""Event-data charts for the brief: a group's violence against civilians month by month,
with the periods of talks and the commitments it made drawn on the same time line.

Drawn as wide as the brief's text column, with no type under 8 points once printed
(:mod:`backchannel.reports.charts` sets the sizes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from backchannel.reports.charts import (
    OKABE_ITO_BLUISH_GREEN,
    OKABE_ITO_ORANGE,
    OKABE_ITO_VERMILLION,
    REFERENCE_GREY,
    SMALL_POINTS,
    new_chart_figure,
    render_png,
    set_type_sizes,
)

EVENT_SOURCE_NOTE = (
    "Data: UCDP Georeferenced Event Dataset (best estimates); talks and commitments from the case"
)


def actor_timeline_figure(
    monthly: pd.DataFrame,
    actor: str,
    talks: Sequence[tuple[dt.date, dt.date]] = (),
    commitments: Sequence[tuple[dt.date, str]] = (),
) -> Figure:
    """Civilians killed per month by ``actor`` (bars) and its events (line), talks shaded.

    ``monthly`` needs columns ``month``, ``civilian_deaths`` and ``events`` (one actor, as
    from ``indicators.actor_month``).
    """
    missing = {"month", "civilian_deaths", "events"} - set(monthly.columns)
    if missing:
        raise ValueError(f"monthly table lacks columns {sorted(missing)}")
    if monthly.empty:
        raise ValueError(f"no events for {actor!r}")
    months = pd.to_datetime(monthly["month"])
    figure = new_chart_figure(height=4.4, note=EVENT_SOURCE_NOTE)
    axes = figure.add_subplot()
    axes.bar(
        months,
        monthly["civilian_deaths"],
        width=25,
        color=OKABE_ITO_VERMILLION,
        label="Civilians killed (one-sided violence)",
    )
    axes.set_ylabel("Civilians killed per month")
    events_axes = axes.twinx()
    events_axes.plot(
        months,
        monthly["events"],
        color=REFERENCE_GREY,
        linewidth=1.2,
        label="Events per month (all types)",
    )
    events_axes.set_ylabel("Events per month")
    for number, (start, end) in enumerate(talks):
        axes.axvspan(
            pd.Timestamp(start),
            pd.Timestamp(end),
            color=OKABE_ITO_BLUISH_GREEN,
            alpha=0.18,
            label="Talks" if number == 0 else None,
        )
    for number, (day, label) in enumerate(commitments):
        axes.axvline(
            pd.Timestamp(day),
            color=OKABE_ITO_ORANGE,
            linestyle="--",
            linewidth=1.4,
            label="Commitment" if number == 0 else None,
        )
        # On the events axes, drawn last, so the events line passes under the words.
        events_axes.annotate(
            label,
            (pd.Timestamp(day), 0.97),
            xycoords=("data", "axes fraction"),
            fontsize=SMALL_POINTS,
            rotation=90,
            va="top",
            ha="right",
            color=REFERENCE_GREY,
            # Over the bars and the events line, a light box keeps the words legible.
            bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "alpha": 0.8, "lw": 0},
        )
    axes.set_title(f"{actor}: violence against civilians and talks")
    # At most eight dates along the axis, years written once: full dates would run together.
    locator = AutoDateLocator(maxticks=8)  # type: ignore[no-untyped-call]  # untyped upstream
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    handles, labels = axes.get_legend_handles_labels()
    more_handles, more_labels = events_axes.get_legend_handles_labels()
    # Below the axes, where it hides no month of the series.
    axes.legend(
        handles + more_handles,
        labels + more_labels,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=2,
        fontsize=SMALL_POINTS,
        frameon=False,
    )
    set_type_sizes(axes, events_axes)
    return figure


def actor_timeline_chart(
    monthly: pd.DataFrame,
    actor: str,
    talks: Sequence[tuple[dt.date, dt.date]] = (),
    commitments: Sequence[tuple[dt.date, str]] = (),
) -> bytes:
    """The timeline as PNG bytes."""
    return render_png(actor_timeline_figure(monthly, actor, talks, commitments))
