"""Charts of the dialogue strategy for the decision brief, rendered to PNG bytes.

Two charts, each as a ``*_figure`` function (a matplotlib ``Figure`` that tests can
inspect) and a ``*_chart`` function (its PNG):

- the **readiness** of the conditions for dialogue: one row per condition, grouped by
  whose condition it is (the counterpart's, the context's, our own). A known condition is
  a bar as long as its score, coloured by its level, with a mark for what the score rests
  on; an unknown one is an empty dashed slot that says "unknown", so a condition nobody
  has judged never looks like one that is in place (nor like one that is lacking);
- the **risk matrix** of engaging: every engagement risk placed by likelihood and impact
  on a 3 x 3 grid whose cells darken from green through amber to red, and named in a key
  under the grid (the grid takes the figure's whole width, so short labels fit its cells).

Both follow :mod:`backchannel.reports.charts`: figures on their own Agg canvas (no
pyplot), Okabe-Ito colours that stay apart under colour blindness, a second cue besides
colour (words, numbers, outlines, marker shapes) so the charts read in greyscale, and each
figure drawn at the width the brief prints it, so its type prints at the sizes set here,
none under 8 points.

Input contracts (plain mappings, as the dialogue engine exports them):

- a *risk*: ``id``, ``name``, ``likelihood`` and ``impact`` (integers 1 low to 3 high),
  ``level`` (``low``, ``medium`` or ``high``), and optionally a short ``label``;
- a *condition*: ``id``, ``name``, ``group`` (``counterpart``, ``context`` or ``own``),
  ``score`` (0 to 1, or ``None`` when unknown), ``level`` (``in_place``, ``partial``,
  ``lacking`` or ``unknown``), ``basis`` (``analyst``, ``data`` or ``none``) and
  ``critical`` (bool). A condition is unknown exactly when it has no score, and then it
  rests on nothing (``basis`` ``none``); a record that says otherwise is refused, as the
  chart could only draw it by overstating or hiding what is known.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.textpath import TextToPath

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
    render_png,
    set_type_sizes,
)

RISK_SOURCE_NOTE = "Likelihood and impact: ratings of the dialogue strategy, 1 low to 3 high"
READINESS_SOURCE_NOTE = (
    "Scores: readiness conditions of the dialogue strategy, 0 lacking to 1 in place"
)

#: Share of the text column the brief places each chart across (the ``max-width`` of its
#: ``<img>`` in ``templates/strategy_sections.html``). Each figure is drawn that wide, so a
#: type size set here is the size on paper.
READINESS_PLACED_SHARE = 1.0
RISK_MATRIX_PLACED_SHARE = 0.8

INK = "#1b1f24"
UNKNOWN_GREY = "#8a8a8a"
GRID_LINE = "#ffffff"

SCALE_WORDS = {1: "low", 2: "medium", 3: "high"}
RISK_LEVELS = ("low", "medium", "high")
RISK_FIELDS = ("id", "name", "likelihood", "impact", "level")

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
_ELLIPSIS = "\u2026"
#: The mark at the end of a known bar: what the score rests on (marker, face colour).
BASIS_MARKERS = {"data": ("o", INK), "analyst": ("D", "white")}
BASIS_LEGEND = {
    "data": "Score read from data only",
    "analyst": "Score judged by an analyst",
}

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

#: The readiness chart's vertical budget, in inches: the heading (title and caption), one
#: row per condition or group heading, the score axis, and each legend row.
_HEADING_INCHES = 0.62
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
    height = _HEADING_INCHES + _ROW_INCHES * max(len(rows), 2) + _AXIS_INCHES + legend_inches
    figure = new_chart_figure(
        height=height,
        note=READINESS_SOURCE_NOTE,
        width=TEXT_COLUMN_INCHES * READINESS_PLACED_SHARE,
        top_inches=_HEADING_INCHES,
        bottom_inches=legend_inches,
    )
    _write_heading(
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
    """PNG of :func:`readiness_figure`."""
    return render_png(readiness_figure(conditions))


def readiness_caption(conditions: Sequence[Mapping[str, Any]]) -> str:
    """The line under the readiness chart's title: how many conditions nobody has judged."""
    total = len(conditions)
    unknown = sum(c["level"] == "unknown" for c in conditions)
    if total == 0:
        return "No condition for dialogue recorded."
    if unknown == 0:
        return f"All {total} conditions judged by an analyst or read from data."
    return f"{unknown} of {total} conditions not yet judged: no analyst judgement and no data."


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
    heading_inches = _HEADING_INCHES - 0.2
    height = heading_inches + grid_inches + key_inches + _SHADING_LEGEND_INCHES
    figure = new_chart_figure(
        height=height,
        note=RISK_SOURCE_NOTE,
        width=TEXT_COLUMN_INCHES * RISK_MATRIX_PLACED_SHARE,
        top_inches=heading_inches,
        bottom_inches=_SHADING_LEGEND_INCHES,
    )
    _write_heading(figure, "Risks of engaging: likelihood and impact", None)
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


def _write_heading(figure: Figure, title: str, caption: str | None) -> None:
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
    level, basis = condition["level"], condition["basis"]
    if (level == "unknown") != (score is None):
        expected = "None, as the level is unknown" if level == "unknown" else "a number"
        raise ValueError(f"{name}: score must be {expected} for level {level!r}, got {score!r}")
    if (basis == "none") != (score is None):
        expected = "analyst or data for a known score" if basis == "none" else "none"
        raise ValueError(f"{name}: basis must be {expected}, got {basis!r} with score {score!r}")
    return condition


def _record_name(kind: str, record: Mapping[str, Any], position: int) -> str:
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
