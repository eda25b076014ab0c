"""Charts of the dialogue strategy for the decision brief, rendered to PNG bytes.

The **risk matrix** here, and the conventions both strategy charts share (the readiness
chart is :mod:`backchannel.reports.readiness_chart`), each as a ``*_figure`` function (a
matplotlib ``Figure`` that tests can inspect) and a ``*_chart`` function (its PNG):

- the **risk matrix** of engaging: every engagement risk placed by likelihood and impact
  on a 3 x 3 grid whose cells darken from green through amber to red, and named in a key
  under the grid (the grid takes the figure's whole width, so short labels fit its cells).

Both charts follow :mod:`backchannel.reports.charts`: figures on their own Agg canvas (no
pyplot), Okabe-Ito colours that stay apart under colour blindness, a second cue besides
colour (words, numbers, outlines, marker shapes) so the charts read in greyscale, and each
figure drawn at the width the brief prints it, so its type prints at the sizes set here,
none under 8 points.

Input contract (plain mappings, as the dialogue engine exports them):

- a *risk*: ``id``, ``name``, ``likelihood`` and ``impact`` (integers 1 low to 3 high),
  ``level`` (``low``, ``medium`` or ``high``), and optionally a short ``label``;
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch, Rectangle
from matplotlib.textpath import TextToPath

from backchannel.reports.chart_cache import chart_png
from backchannel.reports.charts import (
    BODY_POINTS,
    NOTE_POINTS,
    NOTE_STRIP_INCHES,
    OKABE_ITO_BLUISH_GREEN,
    OKABE_ITO_ORANGE,
    OKABE_ITO_VERMILLION,
    REFERENCE_GREY,
    SMALL_POINTS,
    TEXT_COLUMN_INCHES,
    TITLE_POINTS,
    new_chart_figure,
    set_type_sizes,
)

RISK_SOURCE_NOTE = "Likelihood and impact: ratings of the dialogue strategy, 1 low to 3 high"

#: Share of the text column the brief places each chart across (the ``max-width`` of its
#: ``<img>`` in ``templates/strategy_sections.html``). Each figure is drawn that wide, so a
#: type size set here is the size on paper.
READINESS_PLACED_SHARE = 1.0
RISK_MATRIX_PLACED_SHARE = 0.8

INK = "#1b1f24"
UNKNOWN_GREY = "#8a8a8a"
_ELLIPSIS = "\u2026"
#: The height of a chart's heading (title and caption), in inches.
HEADING_INCHES = 0.62
GRID_LINE = "#ffffff"

SCALE_WORDS = {1: "low", 2: "medium", 3: "high"}
RISK_LEVELS = ("low", "medium", "high")
RISK_FIELDS = ("id", "name", "likelihood", "impact", "level")

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
#: A short label beside a marker: on two lines while a cell holds few enough markers for
#: two lines to fit between them, each line as wide as the cell leaves right of the marker
#: (less the corner's product, for a label level with it), measured in the type it is set in.
_MOST_TWO_LINE_LABELS_PER_CELL = 3
_LABEL_OFFSET_POINTS = 10.0
_CELL_EDGE_POINTS = 3.0
_CORNER_PRODUCT_POINTS = 12.0
#: The risk matrix's vertical budget, in inches: a cell's height, the axis below the grid,
#: a line of the key (in two columns under the grid), the shading legend's strip.
_CELL_INCHES = 0.9
_GRID_AXIS_INCHES = 0.62
_KEY_LINE_INCHES = 0.19
#: The key's two columns start at these shares of its width, which is the grid's: the
#: figure's less the impact axis's labels (at most this wide) on the left.
_KEY_COLUMNS_AT = (0.0, 0.52)
_IMPACT_AXIS_INCHES = 0.9
_KEY_COLUMN_GAP_POINTS = 8.0
_KEY_INDENT = "    "
_SHADING_LEGEND_INCHES = 0.5


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
    key_columns = _key_columns(checked)
    key_inches = _KEY_LINE_INCHES * (1 + max(len(column) for column in key_columns)) + 0.05
    grid_inches = 3 * _CELL_INCHES + _GRID_AXIS_INCHES
    heading_inches = HEADING_INCHES - 0.2
    height = heading_inches + grid_inches + key_inches + _SHADING_LEGEND_INCHES
    figure = new_chart_figure(
        height=height,
        note=RISK_SOURCE_NOTE,
        width=TEXT_COLUMN_INCHES * RISK_MATRIX_PLACED_SHARE,
        top_inches=heading_inches,
        bottom_inches=_SHADING_LEGEND_INCHES,
    )
    write_heading(figure, "Risks of engaging: likelihood and impact", None)
    grid_axes, key_axes = figure.subplots(
        2, 1, gridspec_kw={"height_ratios": (grid_inches, key_inches)}
    )

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
                likelihood + 0.46,
                impact - 0.46,
                str(product),
                ha="right",
                va="bottom",
                fontsize=NOTE_POINTS,
                color=REFERENCE_GREY,
            )

    by_cell: dict[tuple[int, int], list[tuple[int, Mapping[str, Any]]]] = {}
    for number, risk in enumerate(checked, start=1):
        by_cell.setdefault((risk["likelihood"], risk["impact"]), []).append((number, risk))
    # Labels are placed once the layout has sized the cells: (x, y, label, lines, level
    # with the corner's product).
    labels: list[tuple[float, float, str, int, bool]] = []
    for (likelihood, impact), members in sorted(by_cell.items()):
        labelled = len(members) <= _MOST_LABELLED_PER_CELL
        label_lines = 2 if len(members) <= _MOST_TWO_LINE_LABELS_PER_CELL else 1
        for (dx, dy), (number, risk) in zip(spread_in_cell(len(members)), members, strict=True):
            x, y = likelihood + dx, impact + dy
            grid_axes.plot(
                x,
                y,
                marker="o",
                markersize=14,
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
                fontsize=NOTE_POINTS,
                fontweight="bold",
                color="white",
                zorder=4,
            )
            if labelled:
                short = str(risk.get("label") or risk["id"]).replace("_", " ")
                labels.append((x, y, short, label_lines, dy < -_CELL_HALF_HEIGHT / 2))

    grid_axes.set_xlim(0.5, 3.5)
    grid_axes.set_ylim(0.5, 3.5)
    ticks = (1, 2, 3)
    grid_axes.set_xticks(ticks, [f"{t}\n{SCALE_WORDS[t]}" for t in ticks])
    grid_axes.set_yticks(ticks, [f"{t}\n{SCALE_WORDS[t]}" for t in ticks])
    grid_axes.tick_params(length=0)
    for spine in grid_axes.spines.values():
        spine.set_visible(False)
    grid_axes.set_xlabel("Likelihood")
    grid_axes.set_ylabel("Impact")
    set_type_sizes(grid_axes)

    _draw_risk_key(key_axes, key_columns)
    figure.legend(
        handles=[
            Patch(facecolor=_cell_colour(1), edgecolor=REFERENCE_GREY, label="1-2: low"),
            Patch(facecolor=_cell_colour(4), edgecolor=REFERENCE_GREY, label="3-4: medium"),
            Patch(facecolor=_cell_colour(9), edgecolor=REFERENCE_GREY, label="6-9: high"),
        ],
        title="Cell shade and corner figure: likelihood \u00d7 impact",
        loc="lower left",
        bbox_to_anchor=(0.0, NOTE_STRIP_INCHES / height),
        ncol=3,
        fontsize=SMALL_POINTS,
        title_fontsize=SMALL_POINTS,
        alignment="left",
        frameon=False,
    )
    _label_markers(figure, grid_axes, labels)
    return figure


def risk_matrix_chart(risks: Sequence[Mapping[str, Any]]) -> bytes:
    """PNG of :func:`risk_matrix_figure` (drawn once for equal risks)."""
    return chart_png("risk-matrix", risks, risk_matrix_figure)


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


def write_heading(figure: Figure, title: str, caption: str | None) -> None:
    # Title and caption sit in the strip the layout keeps free at the top, flush left
    # with the figure rather than centred on axes the condition names push to the right.
    width, height = figure.get_size_inches()
    left = 0.08 / width
    figure.text(
        left,
        1 - 0.1 / height,
        title,
        fontsize=TITLE_POINTS,
        fontweight="bold",
        color=INK,
        ha="left",
        va="top",
    )
    if caption:
        figure.text(
            left,
            1 - 0.36 / height,
            caption,
            fontsize=BODY_POINTS,
            color=INK,
            ha="left",
            va="top",
        )


def _cell_colour(product: int) -> tuple[float, float, float]:
    red, green, blue, _ = _CELL_COLOURS((product - 1) / 8)
    return (
        1 - _CELL_TINT * (1 - red),
        1 - _CELL_TINT * (1 - green),
        1 - _CELL_TINT * (1 - blue),
    )


def _checked_risk(risk: Mapping[str, Any], position: int) -> Mapping[str, Any]:
    name = record_name("risk", risk, position)
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


def record_name(kind: str, record: Mapping[str, Any], position: int) -> str:
    # Name the record by its id when it has one, else by its place in the input.
    identifier = record.get("id")
    return f"{kind} {identifier!r}" if identifier else f"{kind} #{position + 1} (no id)"


def _label_markers(
    figure: Figure, grid_axes: Axes, labels: Sequence[tuple[float, float, str, int, bool]]
) -> None:
    # Lay the figure out to learn how wide a cell prints, then fit each label to the room
    # right of its marker. The labels stay inside their cells, so the layout holds.
    figure.draw_without_rendering()
    cell_points = grid_axes.get_window_extent().width / 3 * 72 / figure.dpi
    room = cell_points * (0.5 - _LABELLED_MARKER_X) - _LABEL_OFFSET_POINTS - _CELL_EDGE_POINTS
    for x, y, label, lines, beside_product in labels:
        width = room - (_CORNER_PRODUCT_POINTS if beside_product else 0.0)
        grid_axes.annotate(
            "\n".join(fit_words(label, width, SMALL_POINTS, lines)),
            (x, y),
            xytext=(_LABEL_OFFSET_POINTS, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=SMALL_POINTS,
            linespacing=1.0,
            color=INK,
            zorder=4,
        )


def fit_words(
    text: str, width_points: float, size_points: float, lines: int | None = None
) -> list[str]:
    """``text`` wrapped in lines no wider than ``width_points``, set at ``size_points``.

    Widths are measured in matplotlib's font as the text will print. Words are never split
    across lines: a word too long for a line, or the words left over once ``lines`` lines
    are full, are cut and end in an ellipsis.
    """
    font = FontProperties(size=size_points)
    measure = TextToPath()  # widths in points as printed, with no figure or renderer

    def fits(line: str) -> bool:
        measured, _, _ = measure.get_text_width_height_descent(line, font, ismath=False)
        return bool(measured <= width_points)

    def cut(line: str) -> str:
        while line and not fits(line + _ELLIPSIS):
            line = line[:-1].rstrip()
        return line + _ELLIPSIS

    fitted: list[str] = []
    words = text.split()
    while words and (lines is None or len(fitted) < lines):
        line = words.pop(0)
        while words and fits(f"{line} {words[0]}"):
            line = f"{line} {words.pop(0)}"
        fitted.append(line if fits(line) else cut(line))
    if words and fitted and not fitted[-1].endswith(_ELLIPSIS):
        fitted[-1] = cut(fitted[-1])
    return fitted


def _key_entry(number: int, risk: Mapping[str, Any]) -> list[str]:
    key_width = (TEXT_COLUMN_INCHES * RISK_MATRIX_PLACED_SHARE - _IMPACT_AXIS_INCHES) * 72
    column = key_width * (_KEY_COLUMNS_AT[1] - _KEY_COLUMNS_AT[0]) - _KEY_COLUMN_GAP_POINTS
    indent, _, _ = TextToPath().get_text_width_height_descent(
        _KEY_INDENT, FontProperties(size=SMALL_POINTS), ismath=False
    )
    text = f"{number}. {risk['name']} ({risk['level']})"
    first, *rest = fit_words(text, column - indent, SMALL_POINTS)
    return [first, *(_KEY_INDENT + line for line in rest)]


def _key_columns(risks: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    # The key in two columns, numbers running down the first then the second, split where
    # the longer column is shortest (the first keeps the extra line on a tie).
    entries = [_key_entry(number, risk) for number, risk in enumerate(risks, start=1)]
    if not entries:
        return ["No engagement risk recorded."], []
    sizes = [len(entry) for entry in entries]
    split = min(
        range(1, len(entries) + 1),
        key=lambda at: (max(sum(sizes[:at]), sum(sizes[at:])), -at),
    )
    return (
        [line for entry in entries[:split] for line in entry],
        [line for entry in entries[split:] for line in entry],
    )


def _draw_risk_key(axes: Axes, columns: tuple[list[str], list[str]]) -> None:
    axes.set_axis_off()
    axes.text(
        0.0,
        1.0,
        "Risks, by number (assessed level)",
        transform=axes.transAxes,
        ha="left",
        va="top",
        fontsize=SMALL_POINTS,
        fontweight="bold",
        color=INK,
    )
    lines = max(len(column) for column in columns) + 1
    for x, column in zip(_KEY_COLUMNS_AT, columns, strict=True):
        if column:
            axes.text(
                x,
                1.0 - 1.0 / lines,
                "\n".join(column),
                transform=axes.transAxes,
                ha="left",
                va="top",
                fontsize=SMALL_POINTS,
                color=INK,
                linespacing=1.4,
            )
