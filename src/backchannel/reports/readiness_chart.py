"""The readiness chart of the decision brief: the conditions for dialogue, rendered to PNG.

One row per condition, grouped by whose condition it is (the counterpart's, the context's,
our own). A known condition is a bar as long as its score, coloured by its level, with a
mark for what the score rests on; an unknown one is an empty dashed slot that says
"unknown", so a condition nobody has judged never looks like one that is in place (nor like
one that is lacking). It follows :mod:`backchannel.reports.strategy_charts` (the risk
matrix) in colours, type sizes and checks.

Input contract: a *condition* is a mapping with ``id``, ``name``, ``group``
(``counterpart``, ``context`` or ``own``), ``score`` (0 to 1, or ``None`` when unknown),
``level`` (``in_place``, ``partial``, ``lacking`` or ``unknown``), ``basis`` (``analyst``,
``data`` or ``none``) and ``critical`` (bool). A condition is unknown exactly when it has no
score, and then it rests on nothing (``basis`` ``none``); a record that says otherwise is
refused, as the chart could only draw it by overstating or hiding what is known.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from backchannel.reports.chart_cache import chart_png
from backchannel.reports.charts import (
    NOTE_STRIP_INCHES,
    OKABE_ITO_BLUISH_GREEN,
    OKABE_ITO_ORANGE,
    OKABE_ITO_VERMILLION,
    REFERENCE_GREY,
    SMALL_POINTS,
    TEXT_COLUMN_INCHES,
    new_chart_figure,
    set_type_sizes,
)
from backchannel.reports.strategy_charts import (
    HEADING_INCHES,
    INK,
    READINESS_PLACED_SHARE,
    UNKNOWN_GREY,
    record_name,
    write_heading,
)

READINESS_SOURCE_NOTE = (
    "Scores: readiness conditions of the dialogue strategy, 0 lacking to 1 in place"
)

CONDITION_GROUPS = {
    "counterpart": "The counterpart",
    "context": "The context",
    "own": "Our own organisation",
}
#: Each level's name in the legend, its word beside a score, and its colour.
CONDITION_LEVELS = {
    "in_place": ("In place", "in place", OKABE_ITO_BLUISH_GREEN),
    "partial": ("Partly in place", "partly", OKABE_ITO_ORANGE),
    "lacking": ("Lacking", "lacking", OKABE_ITO_VERMILLION),
    "unknown": ("Unknown: not yet judged, no data", "unknown", UNKNOWN_GREY),
}
CONDITION_BASES = ("analyst", "data", "none")
CONDITION_FIELDS = ("id", "name", "group", "score", "level", "basis", "critical")
CRITICAL_MARK = "\u2605"  # a black star, in DejaVu Sans (matplotlib's own font)
#: The mark at the end of a known bar: what the score rests on (marker, face colour).
BASIS_MARKERS = {"data": ("o", INK), "analyst": ("D", "white")}
BASIS_LEGEND = {
    "data": "Score read from data only",
    "analyst": "Score judged by an analyst",
}

#: Cell shading runs green (1 x 1) through amber to red (3 x 3); amber sits at a product of
#: about 4, the middle of the grid, so low, medium and high cells read as three bands.
#: The readiness chart's vertical budget, in inches: the heading (title and caption), one
#: row per condition or group heading, the score axis, and each legend row.
_ROW_INCHES = 0.27
_AXIS_INCHES = 0.62
_LEGEND_ROW_INCHES = 0.2
_LEGEND_COLUMNS = 3
#: Bars fill this share of a row; the scale runs 0 to 1 with a little room either side
#: so a mark at 0 or 1 is not cut by the axes' edge.
_BAR_HEIGHT = 0.62
_SCALE_MARGIN = 0.03
#: Where the score and level are written, right of the scale (in score units).
_READING_X = 1.06
_LONGEST_NAME = 44


def readiness_figure(conditions: Sequence[Mapping[str, Any]]) -> Figure:
    """One row per readiness condition, grouped by whose condition it is.

    ``conditions`` are mappings with ``id``, ``name``, ``group`` (``counterpart``,
    ``context`` or ``own``), ``score`` (0 to 1, or ``None``), ``level`` (``in_place``,
    ``partial``, ``lacking`` or ``unknown``), ``basis`` (``analyst``, ``data`` or ``none``)
    and ``critical``; a value outside these, or a score that contradicts the level or the
    basis, is refused with a ``ValueError`` naming the condition's id and the field.

    A known condition is a bar exactly as long as its score (0 lacking to 1 in place),
    coloured by its level, with a mark at its end for what it rests on (a filled dot: data
    only; an open diamond: an analyst's judgement) and its score and level written beside
    the scale, so a score of 0 still reads as "lacking". An unknown condition has no bar:
    an empty dashed slot across the scale says "unknown", so a gap in knowledge is
    mistaken neither for a condition in place nor for one lacking. Critical conditions
    carry a star and a bold name. A caption under the title counts the unknown conditions.
    """
    checked = [_checked_condition(c, position) for position, c in enumerate(conditions)]
    # Rows run top to bottom: a heading row per group that has conditions, then its bars.
    rows: list[tuple[str, Mapping[str, Any] | None]] = []
    for group, heading in CONDITION_GROUPS.items():
        members = [c for c in checked if c["group"] == group]
        if members:
            rows.append((heading, None))
            rows.extend((c["name"], c) for c in members)

    legend = _readiness_legend()
    legend_inches = _LEGEND_ROW_INCHES * math.ceil(len(legend) / _LEGEND_COLUMNS) + 0.1
    height = HEADING_INCHES + _ROW_INCHES * max(len(rows), 2) + _AXIS_INCHES + legend_inches
    figure = new_chart_figure(
        height=height,
        note=READINESS_SOURCE_NOTE,
        width=TEXT_COLUMN_INCHES * READINESS_PLACED_SHARE,
        top_inches=HEADING_INCHES,
        bottom_inches=legend_inches,
    )
    write_heading(
        figure,
        "Readiness for dialogue: which conditions are in place",
        readiness_caption(checked),
    )
    axes = figure.add_subplot()
    positions = list(range(len(rows) - 1, -1, -1))
    for y, (_, condition) in zip(positions, rows, strict=True):
        if condition is not None:
            _draw_condition(axes, y, condition)

    axes.set_yticks(positions, [_row_label(text, condition) for text, condition in rows])
    for label, (_, condition) in zip(axes.get_yticklabels(), rows, strict=True):
        label.set_fontsize(SMALL_POINTS)
        if condition is None:
            label.set_fontweight("bold")
            label.set_color(REFERENCE_GREY)
        elif condition["critical"]:
            label.set_fontweight("bold")
    axes.tick_params(axis="y", length=0, pad=6)
    axes.set_ylim(-0.7, max(len(rows), 1) - 0.3)
    axes.set_xlim(-_SCALE_MARGIN, 1.0 + _SCALE_MARGIN)
    axes.set_xticks([0.0, 0.25, 0.5, 0.75, 1.0], ["0", "0.25", "0.5", "0.75", "1"])
    axes.set_xlabel("Readiness score: 0 lacking, 1 fully in place")
    axes.grid(axis="x", color="#e3e3e3", linewidth=0.6)
    axes.set_axisbelow(True)
    for spine in ("top", "right", "left"):
        axes.spines[spine].set_visible(False)
    axes.spines["bottom"].set_bounds(0.0, 1.0)
    set_type_sizes(axes)
    # Centred on the figure in the strip the layout keeps free above the source note:
    # centred on the axes it would spill past the right edge, as the names push them right.
    figure.legend(
        handles=legend,
        loc="lower center",
        bbox_to_anchor=(0.5, NOTE_STRIP_INCHES / height),
        ncol=_LEGEND_COLUMNS,
        fontsize=SMALL_POINTS,
        frameon=False,
        handlelength=1.8,
        columnspacing=1.2,
    )
    return figure


def readiness_chart(conditions: Sequence[Mapping[str, Any]]) -> bytes:
    """PNG of :func:`readiness_figure` (drawn once for equal conditions)."""
    return chart_png("readiness", conditions, readiness_figure)


def readiness_caption(conditions: Sequence[Mapping[str, Any]]) -> str:
    """The line under the readiness chart's title: how many conditions nobody has judged."""
    total = len(conditions)
    unknown = sum(c["level"] == "unknown" for c in conditions)
    if total == 0:
        return "No condition for dialogue recorded."
    if unknown == 0:
        return f"All {total} conditions judged by an analyst or read from data."
    return f"{unknown} of {total} conditions not yet judged: no analyst judgement and no data."


def _checked_condition(condition: Mapping[str, Any], position: int) -> Mapping[str, Any]:
    name = record_name("condition", condition, position)
    for field in CONDITION_FIELDS:
        if field not in condition:
            raise ValueError(f"{name}: missing field {field!r}")
    choices: tuple[tuple[str, Sequence[str]], ...] = (
        ("group", tuple(CONDITION_GROUPS)),
        ("level", tuple(CONDITION_LEVELS)),
        ("basis", CONDITION_BASES),
    )
    for field, allowed in choices:
        if condition[field] not in allowed:
            raise ValueError(
                f"{name}: {field} must be one of {', '.join(allowed)}, got {condition[field]!r}"
            )
    score = condition["score"]
    if score is not None and (
        isinstance(score, bool)
        or not isinstance(score, int | float)
        or not math.isfinite(score)
        or not 0.0 <= score <= 1.0
    ):
        raise ValueError(f"{name}: score must be a number from 0 to 1 or None, got {score!r}")
    level, basis = condition["level"], condition["basis"]
    if (level == "unknown") != (score is None):
        expected = "None, as the level is unknown" if level == "unknown" else "a number"
        raise ValueError(f"{name}: score must be {expected} for level {level!r}, got {score!r}")
    if (basis == "none") != (score is None):
        expected = "analyst or data for a known score" if basis == "none" else "none"
        raise ValueError(f"{name}: basis must be {expected}, got {basis!r} with score {score!r}")
    return condition


def _row_label(text: str, condition: Mapping[str, Any] | None) -> str:
    if condition is None:
        return text.upper()
    name = textwrap.shorten(text, width=_LONGEST_NAME, placeholder="\u2026")
    return f"{CRITICAL_MARK} {name}" if condition["critical"] else name


def _draw_condition(axes: Axes, y: float, condition: Mapping[str, Any]) -> None:
    score = condition["score"]
    if score is None:
        # No bar: an empty slot across the whole scale, as the score could be anywhere.
        axes.add_patch(
            Rectangle(
                (0.0, y - _BAR_HEIGHT / 2),
                1.0,
                _BAR_HEIGHT,
                fill=False,
                edgecolor=UNKNOWN_GREY,
                linestyle=(0, (3, 2)),
                linewidth=0.9,
            )
        )
        axes.text(
            0.5,
            y,
            CONDITION_LEVELS["unknown"][1],
            ha="center",
            va="center",
            fontsize=SMALL_POINTS,
            fontstyle="italic",
            color=REFERENCE_GREY,
        )
        return
    _, word, colour = CONDITION_LEVELS[condition["level"]]
    axes.barh(y, score, height=_BAR_HEIGHT, color=colour, edgecolor=_darker(colour), linewidth=0.6)
    marker, face = BASIS_MARKERS[condition["basis"]]
    axes.plot(
        score,
        y,
        marker=marker,
        markersize=6.5,
        markerfacecolor=face,
        markeredgecolor=INK,
        markeredgewidth=1.0,
        linestyle="none",
        zorder=3,
        clip_on=False,
    )
    # Beside the scale, the score and its level in words after a swatch of the level's
    # colour: a score of 0 has no bar to colour, and words survive a greyscale print.
    axes.plot(
        _READING_X,
        y,
        marker="s",
        markersize=7,
        markerfacecolor=colour,
        markeredgecolor=_darker(colour),
        linestyle="none",
        clip_on=False,
    )
    axes.annotate(
        f"{score:.2f} {word}",
        (_READING_X, y),
        xytext=(7, 0),
        textcoords="offset points",
        annotation_clip=False,
        ha="left",
        va="center",
        fontsize=SMALL_POINTS,
        color=INK,
    )


def _readiness_legend() -> list[Any]:
    # Every mark the chart can draw, whether or not this chart draws it, so that readers
    # of several briefs meet the same key.
    handles: list[Any] = [
        Patch(facecolor=colour, edgecolor=_darker(colour), label=label)
        for key, (label, _, colour) in CONDITION_LEVELS.items()
        if key != "unknown"
    ]
    handles.append(
        Patch(
            fill=False,
            edgecolor=UNKNOWN_GREY,
            linestyle=(0, (3, 2)),
            label=CONDITION_LEVELS["unknown"][0],
        )
    )
    for basis, (marker, face) in BASIS_MARKERS.items():
        handles.append(_legend_marker(marker, face, BASIS_LEGEND[basis]))
    handles.append(_legend_marker(f"${CRITICAL_MARK}$", INK, "Critical condition"))
    return handles


def _legend_marker(marker: str, face: str, label: str) -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=marker,
        markersize=6.5,
        markerfacecolor=face,
        markeredgecolor=INK,
        label=label,
    )


def _darker(colour: str) -> tuple[float, float, float]:
    red, green, blue = to_rgb(colour)
    return (red * 0.7, green * 0.7, blue * 0.7)
