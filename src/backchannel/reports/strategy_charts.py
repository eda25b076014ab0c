"""Charts of the dialogue strategy for the decision brief, rendered to PNG bytes.

Two charts, each as a ``*_figure`` function (a matplotlib ``Figure`` that tests can
inspect) and a ``*_chart`` function (its PNG):

- the **risk matrix** of engaging: every engagement risk placed by likelihood and impact
  on a 3 x 3 grid whose cells darken from green through amber to red;
- the **readiness** of the conditions for dialogue: one bar per condition, grouped by
  whose condition it is (the counterpart's, the context's, our own).

Both follow :mod:`backchannel.reports.charts`: figures on their own Agg canvas (no
pyplot), Okabe-Ito colours that stay apart under colour blindness, and a second cue
besides colour (numbers, hatching, marker shapes) so the charts read in greyscale.

Input contracts (plain mappings, as the dialogue engine exports them):

- a *risk*: ``id``, ``name``, ``likelihood`` and ``impact`` (integers 1 low to 3 high),
  ``level`` (``low``, ``medium`` or ``high``), and optionally a short ``label``;
- a *condition*: ``id``, ``name``, ``group`` (``counterpart``, ``context`` or ``own``),
  ``score`` (0 to 1, or ``None`` when unknown), ``level`` (``in_place``, ``partial``,
  ``lacking`` or ``unknown``), ``basis`` (``analyst``, ``data`` or ``none``) and
  ``critical`` (bool).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from backchannel.reports.charts import (
    OKABE_ITO_BLUISH_GREEN,
    OKABE_ITO_ORANGE,
    OKABE_ITO_VERMILLION,
    REFERENCE_GREY,
    render_png,
)

RISK_SOURCE_NOTE = "Likelihood and impact: ratings of the dialogue strategy, 1 low to 3 high"
READINESS_SOURCE_NOTE = (
    "Scores: readiness conditions of the dialogue strategy, 0 lacking to 1 in place"
)

INK = "#1b1f24"
UNKNOWN_GREY = "#9a9a9a"
GRID_LINE = "#ffffff"

SCALE_WORDS = {1: "low", 2: "medium", 3: "high"}
RISK_LEVELS = ("low", "medium", "high")
RISK_FIELDS = ("id", "name", "likelihood", "impact", "level")

CONDITION_GROUPS = {
    "counterpart": "The counterpart",
    "context": "The context",
    "own": "Our own organisation",
}
CONDITION_LEVELS = {
    "in_place": ("In place", OKABE_ITO_BLUISH_GREEN),
    "partial": ("Partly in place", OKABE_ITO_ORANGE),
    "lacking": ("Lacking", OKABE_ITO_VERMILLION),
    "unknown": ("Unknown", UNKNOWN_GREY),
}
CONDITION_BASES = ("analyst", "data", "none")
CONDITION_FIELDS = ("id", "name", "group", "score", "level", "basis", "critical")
CRITICAL_MARK = "\u2605"  # a black star, in DejaVu Sans (matplotlib's own font)

#: Cell shading runs green (1 x 1) through amber to red (3 x 3); amber sits at a product of
#: about 4, the middle of the grid, so low, medium and high cells read as three bands.
_CELL_COLOURS = LinearSegmentedColormap.from_list(
    "likelihood_x_impact",
    [(0.0, OKABE_ITO_BLUISH_GREEN), (0.4, OKABE_ITO_ORANGE), (1.0, OKABE_ITO_VERMILLION)],
)
#: Cells are tinted, not saturated, so the dark markers and their labels stay legible.
_CELL_TINT = 0.45

#: One cell spans one unit; markers keep inside this half-width, clear of the cell edges
#: and of the product shown in the cell's bottom-right corner.
_CELL_HALF_HEIGHT = 0.34
_LABELLED_MARKER_X = -0.34
_GRID_RIGHT_X = 0.3
_MOST_LABELLED_PER_CELL = 4
_MOST_ROWS_PER_CELL = 5
_SHORT_LABEL_CHARACTERS = 14
_KEY_WRAP_CHARACTERS = 34
#: Heights at a figure's foot: the source note's strip, and the readiness legend's two rows.
_NOTE_STRIP_INCHES = 0.2
_LEGEND_INCHES = 0.5


def risk_matrix_figure(risks: Sequence[Mapping[str, Any]]) -> Figure:
    """The engagement risks on a likelihood (x) by impact (y) grid, one numbered marker each.

    ``risks`` are mappings with ``id``, ``name``, ``likelihood`` and ``impact`` (integers
    1 to 3), ``level`` (``low``, ``medium`` or ``high``) and optionally a short ``label``
    (else the id, in words). A risk outside the grid, or missing a field, is refused with
    a ``ValueError`` naming its id and the field.

    Cells are shaded by likelihood x impact (green low, amber, red high) and show that
    product in their bottom-right corner. Risks that share a cell are spread apart
    (:func:`spread_in_cell`); each marker holds a number that the key beside the grid
    resolves to the risk's full name and assessed level and, while a cell holds few enough,
    has a short label beside it.
    """
    checked = [_checked_risk(risk, position) for position, risk in enumerate(risks)]
    key_lines = sum(len(_key_entry(n, r)) for n, r in enumerate(checked, start=1))
    figure = _new_figure(width=7.0, height=max(4.6, 1.4 + 0.2 * key_lines), note=RISK_SOURCE_NOTE)
    grid_axes, key_axes = figure.subplots(1, 2, gridspec_kw={"width_ratios": (1.55, 1.0)})

    for likelihood in (1, 2, 3):
        for impact in (1, 2, 3):
            product = likelihood * impact
            grid_axes.add_patch(
                Rectangle(
                    (likelihood - 0.5, impact - 0.5),
                    1.0,
                    1.0,
                    facecolor=_cell_colour(product),
                    edgecolor=GRID_LINE,
                    linewidth=2.0,
                )
            )
            grid_axes.text(
                likelihood + 0.45,
                impact - 0.45,
                str(product),
                ha="right",
                va="bottom",
                fontsize=7,
                color=REFERENCE_GREY,
            )

    by_cell: dict[tuple[int, int], list[tuple[int, Mapping[str, Any]]]] = {}
    for number, risk in enumerate(checked, start=1):
        by_cell.setdefault((risk["likelihood"], risk["impact"]), []).append((number, risk))
    for (likelihood, impact), members in sorted(by_cell.items()):
        labelled = len(members) <= _MOST_LABELLED_PER_CELL
        for (dx, dy), (number, risk) in zip(spread_in_cell(len(members)), members, strict=True):
            x, y = likelihood + dx, impact + dy
            grid_axes.plot(
                x,
                y,
                marker="o",
                markersize=13,
                markerfacecolor=INK,
                markeredgecolor="white",
                markeredgewidth=1.0,
                linestyle="none",
                zorder=3,
            )
            grid_axes.text(
                x,
                y,
                str(number),
                ha="center",
                va="center",
                fontsize=7,
                fontweight="bold",
                color="white",
                zorder=4,
            )
            if labelled:
                grid_axes.text(
                    x + 0.1,
                    y,
                    _short_label(risk),
                    ha="left",
                    va="center",
                    fontsize=7.5,
                    color=INK,
                    zorder=4,
                )

    grid_axes.set_xlim(0.5, 3.5)
    grid_axes.set_ylim(0.5, 3.5)
    grid_axes.set_aspect("equal")
    ticks = (1, 2, 3)
    grid_axes.set_xticks(ticks, [f"{t}\n{SCALE_WORDS[t]}" for t in ticks])
    grid_axes.set_yticks(ticks, [f"{t} {SCALE_WORDS[t]}" for t in ticks])
    grid_axes.tick_params(length=0)
    for spine in grid_axes.spines.values():
        spine.set_visible(False)
    grid_axes.set_xlabel("Likelihood")
    grid_axes.set_ylabel("Impact")
    grid_axes.set_title("Risks of engaging: likelihood and impact")

    _draw_risk_key(key_axes, checked)
    return figure


def risk_matrix_chart(risks: Sequence[Mapping[str, Any]]) -> bytes:
    """PNG of :func:`risk_matrix_figure`."""
    return render_png(risk_matrix_figure(risks))


def spread_in_cell(count: int) -> list[tuple[float, float]]:
    """Offsets from a cell's centre for ``count`` markers that share the cell, in order.

    Up to four markers stack down the cell's left side, leaving room for a short label to
    their right. More fill a grid of at most five rows, columns side by side (their labels
    then give way to the key, as there is no room for them). Offsets stay inside the cell
    and, up to twenty-five markers, at least 0.16 of a cell apart, more than a marker's width.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    if count <= _MOST_LABELLED_PER_CELL:
        columns = [_LABELLED_MARKER_X]
    else:
        number_of_columns = max(2, math.ceil(count / _MOST_ROWS_PER_CELL))
        step = (_GRID_RIGHT_X - _LABELLED_MARKER_X) / (number_of_columns - 1)
        columns = [_LABELLED_MARKER_X + column * step for column in range(number_of_columns)]
    rows = math.ceil(count / len(columns))
    if rows == 1:
        heights = [0.0]
    else:
        step = 2 * _CELL_HALF_HEIGHT / (rows - 1)
        heights = [_CELL_HALF_HEIGHT - row * step for row in range(rows)]
    # Fill row by row, so that one cell's numbers read left to right, then downwards.
    return [(columns[i % len(columns)], heights[i // len(columns)]) for i in range(count)]


def readiness_figure(conditions: Sequence[Mapping[str, Any]]) -> Figure:
    """One horizontal bar per readiness condition, grouped by whose condition it is.

    ``conditions`` are mappings with ``id``, ``name``, ``group`` (``counterpart``,
    ``context`` or ``own``), ``score`` (0 to 1, or ``None``), ``level`` (``in_place``,
    ``partial``, ``lacking`` or ``unknown``), ``basis`` (``analyst``, ``data`` or ``none``)
    and ``critical``; a value outside these is refused with a ``ValueError`` naming the
    condition's id and the field.

    Bar length is the score (0 lacking to 1 in place) and its colour the level; a condition
    whose score is unknown gets a hatched grey bar across the whole scale labelled
    "unknown", so a gap in knowledge is not mistaken for a condition that is lacking. A
    marker at the end of each bar tells whether the score rests on data or on analyst
    judgement; critical conditions carry a star.
    """
    checked = [_checked_condition(c, position) for position, c in enumerate(conditions)]
    # Rows run top to bottom: a heading row per group that has conditions, then its bars.
    rows: list[tuple[str, Mapping[str, Any] | None]] = []
    for group, heading in CONDITION_GROUPS.items():
        members = [c for c in checked if c["group"] == group]
        if members:
            rows.append((heading, None))
            rows.extend((c["name"], c) for c in members)

    height = 2.4 + 0.3 * len(rows)
    figure = _new_figure(
        width=7.0, height=height, note=READINESS_SOURCE_NOTE, reserved_bottom=_LEGEND_INCHES
    )
    axes = figure.add_subplot()
    positions = list(range(len(rows) - 1, -1, -1))
    labels: list[str] = []
    for y, (text, condition) in zip(positions, rows, strict=True):
        if condition is None:
            labels.append(text.upper())
            continue
        labels.append(_condition_label(condition))
        _draw_condition_bar(axes, y, condition)

    axes.set_yticks(positions, labels)
    for label, (_, condition) in zip(axes.get_yticklabels(), rows, strict=True):
        if condition is None:
            label.set_fontweight("bold")
            label.set_color(REFERENCE_GREY)
            label.set_fontsize(8)
        else:
            label.set_fontsize(8.5)
    axes.tick_params(axis="y", length=0)
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.set_xlim(0.0, 1.12)
    axes.set_xticks([0.0, 0.25, 0.5, 0.75, 1.0])
    axes.set_xlabel("Readiness score (0 = lacking, 1 = fully in place)")
    axes.set_ylabel("Condition for dialogue")
    # A figure title: the axes are narrowed by the condition names, an axes title would spill.
    figure.suptitle("Readiness for dialogue: which conditions are in place")
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    # Centred on the figure in a strip the layout keeps free above the source note: centred
    # on the axes it would spill past the right edge, as the names push the axes right.
    figure.legend(
        handles=_readiness_legend(checked),
        loc="lower center",
        bbox_to_anchor=(0.5, _NOTE_STRIP_INCHES / height),
        ncol=4,
        fontsize=7.5,
        frameon=False,
    )
    return figure


def readiness_chart(conditions: Sequence[Mapping[str, Any]]) -> bytes:
    """PNG of :func:`readiness_figure`."""
    return render_png(readiness_figure(conditions))


def _new_figure(width: float, height: float, note: str, reserved_bottom: float = 0.0) -> Figure:
    # The layout leaves a strip at the bottom free for the source note, and above it
    # ``reserved_bottom`` inches for a figure legend.
    bottom = (_NOTE_STRIP_INCHES + reserved_bottom) / height
    layout = ConstrainedLayoutEngine(rect=(0.0, bottom, 1.0, 1.0 - bottom))
    figure = Figure(figsize=(width, height), layout=layout)
    FigureCanvasAgg(figure)
    figure.text(0.01, 0.008, note, fontsize=7.5, color=REFERENCE_GREY, ha="left")
    return figure


def _cell_colour(product: int) -> tuple[float, float, float]:
    red, green, blue, _ = _CELL_COLOURS((product - 1) / 8)
    return (
        1 - _CELL_TINT * (1 - red),
        1 - _CELL_TINT * (1 - green),
        1 - _CELL_TINT * (1 - blue),
    )


def _checked_risk(risk: Mapping[str, Any], position: int) -> Mapping[str, Any]:
    name = _record_name("risk", risk, position)
    for field in RISK_FIELDS:
        if field not in risk:
            raise ValueError(f"{name}: missing field {field!r}")
    for field in ("likelihood", "impact"):
        value = risk[field]
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE_WORDS:
            raise ValueError(f"{name}: {field} must be an integer from 1 to 3, got {value!r}")
    if risk["level"] not in RISK_LEVELS:
        raise ValueError(
            f"{name}: level must be one of {', '.join(RISK_LEVELS)}, got {risk['level']!r}"
        )
    return risk


def _checked_condition(condition: Mapping[str, Any], position: int) -> Mapping[str, Any]:
    name = _record_name("condition", condition, position)
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
    return condition


def _record_name(kind: str, record: Mapping[str, Any], position: int) -> str:
    # Name the record by its id when it has one, else by its place in the input.
    identifier = record.get("id")
    return f"{kind} {identifier!r}" if identifier else f"{kind} #{position + 1} (no id)"


def _short_label(risk: Mapping[str, Any]) -> str:
    label = str(risk.get("label") or risk["id"]).replace("_", " ")
    if len(label) > _SHORT_LABEL_CHARACTERS:
        label = label[: _SHORT_LABEL_CHARACTERS - 1].rstrip() + "\u2026"
    return label


def _key_entry(number: int, risk: Mapping[str, Any]) -> list[str]:
    text = f"{number}. {risk['name']} ({risk['level']})"
    return textwrap.wrap(text, _KEY_WRAP_CHARACTERS, subsequent_indent="    ") or [text]


def _draw_risk_key(axes: Any, risks: Sequence[Mapping[str, Any]]) -> None:
    axes.set_axis_off()
    lines = ["Risks (assessed level)"]
    for number, risk in enumerate(risks, start=1):
        lines.extend(_key_entry(number, risk))
    if not risks:
        lines.append("No engagement risk recorded.")
    axes.text(
        0.0,
        1.0,
        "\n".join(lines),
        transform=axes.transAxes,
        ha="left",
        va="top",
        fontsize=8,
        color=INK,
        linespacing=1.45,
    )
    axes.legend(
        handles=[
            Patch(facecolor=_cell_colour(1), edgecolor=REFERENCE_GREY, label="1-2: low"),
            Patch(facecolor=_cell_colour(4), edgecolor=REFERENCE_GREY, label="3-4: medium"),
            Patch(facecolor=_cell_colour(9), edgecolor=REFERENCE_GREY, label="6-9: high"),
        ],
        title="Shade and corner figure:\nlikelihood \u00d7 impact",
        loc="lower left",
        fontsize=7.5,
        title_fontsize=7.5,
        frameon=False,
    )


def _condition_label(condition: Mapping[str, Any]) -> str:
    name = textwrap.shorten(str(condition["name"]), width=48, placeholder="\u2026")
    return f"{CRITICAL_MARK} {name}" if condition["critical"] else name


def _draw_condition_bar(axes: Any, y: float, condition: Mapping[str, Any]) -> None:
    score = condition["score"]
    if score is None:
        axes.barh(
            y,
            1.0,
            height=0.62,
            facecolor="#efefef",
            edgecolor=UNKNOWN_GREY,
            hatch="///",
            linewidth=0.8,
        )
        axes.text(
            0.5,
            y,
            "unknown",
            ha="center",
            va="center",
            fontsize=7.5,
            color=INK,
            bbox={"boxstyle": "square,pad=0.2", "facecolor": "#efefef", "edgecolor": "none"},
        )
        return
    _, colour = CONDITION_LEVELS[condition["level"]]
    axes.barh(y, score, height=0.62, color=colour, edgecolor=_darker(colour), linewidth=0.6)
    axes.text(score + 0.035, y, f"{score:.2f}", ha="left", va="center", fontsize=7.5, color=INK)
    if condition["basis"] != "none":
        marker, face = ("o", INK) if condition["basis"] == "data" else ("D", "white")
        axes.plot(
            score,
            y,
            marker=marker,
            markersize=6,
            markerfacecolor=face,
            markeredgecolor=INK,
            markeredgewidth=1.0,
            linestyle="none",
            zorder=3,
            clip_on=False,
        )


def _readiness_legend(conditions: Sequence[Mapping[str, Any]]) -> list[Any]:
    handles: list[Any] = [
        Patch(facecolor=colour, edgecolor=_darker(colour), label=label)
        for key, (label, colour) in CONDITION_LEVELS.items()
        if key != "unknown"
    ]
    handles.append(
        Patch(facecolor="#efefef", edgecolor=UNKNOWN_GREY, hatch="///", label="Score unknown")
    )
    handles.append(_legend_marker("o", INK, "Score from data"))
    handles.append(_legend_marker("D", "white", "Score from analyst judgement"))
    if any(c["critical"] for c in conditions):
        handles.append(_legend_marker(f"${CRITICAL_MARK}$", INK, "Critical condition"))
    return handles


def _legend_marker(marker: str, face: str, label: str) -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=marker,
        markersize=6,
        markerfacecolor=face,
        markeredgecolor=INK,
        label=label,
    )


def _darker(colour: str) -> tuple[float, float, float]:
    red, green, blue = to_rgb(colour)
    return (red * 0.7, green * 0.7, blue * 0.7)
