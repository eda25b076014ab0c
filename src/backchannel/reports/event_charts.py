"""Event-data charts for the brief: a group's violence against civilians month by month,
with the periods of talks and the commitments it made drawn on the same time line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from backchannel.reports.charts import (
    OKABE_ITO_BLUISH_GREEN,
    OKABE_ITO_ORANGE,
    OKABE_ITO_VERMILLION,
    REFERENCE_GREY,
    render_png,
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
    figure = Figure(figsize=(9.0, 4.2), layout=ConstrainedLayoutEngine(rect=(0.0, 0.04, 1.0, 0.96)))
    FigureCanvasAgg(figure)
    figure.text(0.01, 0.01, EVENT_SOURCE_NOTE, fontsize=7.5, color=REFERENCE_GREY)
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
        axes.annotate(
            label,
            (pd.Timestamp(day), axes.get_ylim()[1] * 0.95),
            fontsize=7,
            rotation=90,
            va="top",
            ha="right",
            color=REFERENCE_GREY,
        )
    axes.set_title(f"{actor}: violence against civilians and talks")
    handles, labels = axes.get_legend_handles_labels()
    more_handles, more_labels = events_axes.get_legend_handles_labels()
    axes.legend(handles + more_handles, labels + more_labels, loc="upper left", fontsize=8)
    return figure


def actor_timeline_chart(
    monthly: pd.DataFrame,
    actor: str,
    talks: Sequence[tuple[dt.date, dt.date]] = (),
    commitments: Sequence[tuple[dt.date, str]] = (),
) -> bytes:
    """The timeline as PNG bytes."""
    return render_png(actor_timeline_figure(monthly, actor, talks, commitments))
