"""Strategy charts: unknown readiness drawn as unknown and no bar longer than its score,
type of at least 8 points as the brief prints them, risks kept apart and named, PNGs that
decode and repeat byte for byte, and bad input refused by id and field.

The figures are inspected as matplotlib objects (patches, lines, texts, their colours and
fills), not as pixels; one test lays the charts out with WeasyPrint and the brief's print
stylesheet to measure how wide the page really places them.
"""

from __future__ import annotations

import base64
import io
import itertools
import math
import re
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.formatting_structure.boxes import ReplacedBox

from backchannel.reports.charts import (
    OKABE_ITO_BLUISH_GREEN,
    OKABE_ITO_ORANGE,
    OKABE_ITO_VERMILLION,
    PNG_DPI,
    SMALLEST_PRINTED_POINTS,
    TEXT_COLUMN_INCHES,
    drawn_texts,
    printed_text_sizes,
    write_png,
)
from backchannel.reports.pdf import DataOnlyURLFetcher, brief_print_css
from backchannel.reports.readiness_chart import (
    CRITICAL_MARK,
    readiness_caption,
    readiness_chart,
    readiness_figure,
)
from backchannel.reports.strategy_charts import (
    READINESS_PLACED_SHARE,
    RISK_MATRIX_PLACED_SHARE,
    UNKNOWN_GREY,
    fit_words,
    risk_matrix_chart,
    risk_matrix_figure,
    spread_in_cell,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: CSS pixels to the inch: the size WeasyPrint gives an image's pixels before max-width.
CSS_PIXELS_PER_INCH = 96
TEMPLATE = "templates/strategy_sections.html"


def _risk(
    identifier: str, likelihood: int, impact: int, level: str = "high", name: str | None = None
) -> dict[str, Any]:
    return {
        "id": identifier,
        "name": name or identifier.replace("_", " ").capitalize() + " (full name)",
        "likelihood": likelihood,
        "impact": impact,
        "level": level,
    }


def _condition(
    identifier: str,
    name: str,
    group: str,
    score: float | None,
    level: str,
    basis: str,
    critical: bool = False,
) -> dict[str, Any]:
    return {
        "id": identifier,
        "name": name,
        "group": group,
        "score": score,
        "level": level,
        "basis": basis,
        "critical": critical,
    }


RISKS = [
    _risk("buying_time", 3, 3),
    _risk("legitimation", 2, 3),
    _risk("staff_security", 3, 3),
    _risk("legal_exposure", 1, 3, "medium"),
    _risk("spoiler_backlash", 2, 2, "medium"),
    _risk("aid_diversion", 3, 3),
]

#: The engine's six engagement risks as a tense case rates them: four share the worst cell.
ENGINE_RISKS = [
    _risk("buying_time", 3, 3, name="Manipulation and buying time"),
    _risk("legitimisation", 3, 3, name="Legitimisation of the group"),
    _risk("spoiler_reaction", 3, 3, name="Spoiler reaction"),
    _risk("staff_safety", 3, 3, name="Safety of staff and intermediaries"),
    _risk("reputation", 2, 3, name="Reputation of our organisation"),
    _risk("legal_exposure", 3, 2, "medium", name="Legal exposure"),
]

CONDITIONS: list[dict[str, Any]] = [
    _condition("command", "Command and control over fighters", "counterpart", 0.7, "in_place",
               "data", critical=True),
    _condition("interest", "Interest in dialogue", "counterpart", None, "unknown", "none"),
    _condition("access", "Physical access to the area", "context", 0.2, "lacking", "analyst",
               critical=True),
    _condition("mandate", "Mandate to engage", "own", 0.5, "partial", "analyst"),
]  # fmt: skip

#: The seventeen conditions of ``conditions.yaml`` early in a case: nine nobody has judged
#: and no data speaks to, two lacking with a score of 0 (one from data only), partial ones
#: from data and from an analyst.
SEVENTEEN: list[dict[str, Any]] = [
    _condition("cohesion", "Cohesion and command", "counterpart", 0.667, "in_place", "analyst"),
    _condition("interest_in_talks", "Interest in talks", "counterpart", 0.45, "partial", "data"),
    _condition("legitimacy", "Local legitimacy and constituency", "counterpart", None, "unknown",
               "none"),
    _condition("access_channel", "Access and a channel", "context", 0.333, "partial", "analyst",
               critical=True),
    _condition("trust", "Trust built so far", "context", None, "unknown", "none"),
    _condition("leverage", "Leverage and incentives", "context", None, "unknown", "none"),
    _condition("spoilers", "Spoilers contained", "context", 0.0, "lacking", "data"),
    _condition("security", "Security of staff and channel", "context", 0.2, "lacking", "data",
               critical=True),
    _condition("legal_clearance", "Legal clearance", "context", None, "unknown", "none",
               critical=True),
    _condition("third_party_support", "Support from third parties", "context", None, "unknown",
               "none"),
    _condition("mandate", "Mandate", "own", 1.0, "in_place", "analyst", critical=True),
    _condition("expertise", "Expertise and knowledge of the context", "own", 0.8, "in_place",
               "data"),
    _condition("impartiality", "Perceived impartiality", "own", None, "unknown", "none"),
    _condition("red_lines", "Red lines agreed", "own", None, "unknown", "none"),
    _condition("exit_strategy", "Exit strategy", "own", None, "unknown", "none"),
    _condition("resources", "Resources for the long run", "own", 0.0, "lacking", "analyst"),
    _condition("discretion", "Capacity for discretion", "own", None, "unknown", "none"),
]  # fmt: skip

LEVEL_COLOURS = {
    "in_place": OKABE_ITO_BLUISH_GREEN,
    "partial": OKABE_ITO_ORANGE,
    "lacking": OKABE_ITO_VERMILLION,
}


def _decodes(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def _row_of(axes: Axes, condition: Mapping[str, Any]) -> float:
    """The y of a condition's row, found by its name among the tick labels."""
    for label, y in zip(axes.get_yticklabels(), axes.get_yticks(), strict=True):
        if label.get_text().removeprefix(f"{CRITICAL_MARK} ") == condition["name"]:
            return float(y)
    raise AssertionError(f"no row for {condition['name']!r}")


def _patches_in_row(axes: Axes, y: float) -> list[Rectangle]:
    return [
        patch
        for patch in axes.patches
        if isinstance(patch, Rectangle) and math.isclose(patch.get_y() + patch.get_height() / 2, y)
    ]


def _texts_in_row(axes: Axes, y: float) -> list[str]:
    # An annotation's y is that of the point it annotates; a plain text's is its own.
    return [
        text.get_text()
        for text in axes.texts
        if math.isclose(getattr(text, "xy", text.get_position())[1], y)
    ]


def _point(line: Line2D) -> tuple[float, float]:
    """Where a one-point line (a marker) sits."""
    return (
        float(np.asarray(line.get_xdata(), dtype=float)[0]),
        float(np.asarray(line.get_ydata(), dtype=float)[0]),
    )


def _markers_in_row(axes: Axes, y: float) -> list[tuple[str, float]]:
    """(marker, x) of each mark in a row, x rounded to compare with a score."""
    return [
        (str(line.get_marker()), round(_point(line)[0], 6))
        for line in axes.lines
        if math.isclose(_point(line)[1], y)
    ]


def _figure_texts(figure: Figure) -> list[str]:
    return [text.get_text() for text in figure.texts]


def _template_share(image_field: str) -> float:
    """The share of the text column the brief's template gives a chart (its max-width)."""
    template = resources.files("backchannel.reports").joinpath(TEMPLATE).read_text("utf-8")
    tag = re.search(rf"<img [^>]*{image_field}[^>]*>", template)
    assert tag, f"no <img> for {image_field} in {TEMPLATE}"
    width = re.search(r"max-width:\s*(\d+)%", tag.group(0))
    return int(width.group(1)) / 100 if width else 1.0


@pytest.mark.parametrize(
    ("chart", "data", "changed", "share"),
    [
        (
            risk_matrix_chart,
            RISKS,
            [*RISKS[:-1], _risk("aid_diversion", 3, 2)],
            RISK_MATRIX_PLACED_SHARE,
        ),
        (
            readiness_chart,
            CONDITIONS,
            [*CONDITIONS[:-1], {**CONDITIONS[-1], "score": 0.55}],
            READINESS_PLACED_SHARE,
        ),
    ],
    ids=["risk_matrix", "readiness"],
)
def test_charts_are_valid_deterministic_pngs_wider_than_their_place(
    chart: Callable[[list[dict[str, Any]]], bytes],
    data: list[dict[str, Any]],
    changed: list[dict[str, Any]],
    share: float,
) -> None:
    first = chart(data)
    width, height = _decodes(first)
    placed_inches = TEXT_COLUMN_INCHES * share
    assert abs(width - placed_inches * PNG_DPI) < 1 and height > 500
    # Wider than its place at CSS's 96 pixels to the inch, so the page scales it down to
    # the column (never up), with at least 150 pixels to each printed inch.
    assert width / CSS_PIXELS_PER_INCH > placed_inches
    assert width / placed_inches >= 150
    assert chart(data) == first
    assert chart(changed) != first


def test_the_figures_are_drawn_as_wide_as_the_template_places_them() -> None:
    assert _template_share("readiness_png_base64") == READINESS_PLACED_SHARE
    assert _template_share("risk_matrix_png_base64") == RISK_MATRIX_PLACED_SHARE
    readiness = readiness_figure(SEVENTEEN)
    risks = risk_matrix_figure(ENGINE_RISKS)
    assert readiness.get_figwidth() == pytest.approx(TEXT_COLUMN_INCHES * READINESS_PLACED_SHARE)
    assert risks.get_figwidth() == pytest.approx(TEXT_COLUMN_INCHES * RISK_MATRIX_PLACED_SHARE)


@pytest.mark.parametrize(
    ("build", "image_field"),
    [
        (lambda: readiness_figure(SEVENTEEN), "readiness_png_base64"),
        (lambda: readiness_figure(CONDITIONS), "readiness_png_base64"),
        (lambda: risk_matrix_figure(ENGINE_RISKS), "risk_matrix_png_base64"),
        (lambda: risk_matrix_figure(RISKS), "risk_matrix_png_base64"),
        (lambda: risk_matrix_figure([]), "risk_matrix_png_base64"),
    ],
    ids=["readiness_17", "readiness_4", "risks_engine", "risks_spread", "risks_none"],
)
def test_every_text_prints_at_8_points_or_more_where_the_brief_places_the_chart(
    build: Callable[[], Figure], image_field: str
) -> None:
    figure = build()
    placed_inches = TEXT_COLUMN_INCHES * _template_share(image_field)
    sizes = printed_text_sizes(figure, placed_inches)
    assert len(sizes) > 10
    smallest, text = sizes[0]
    assert smallest >= SMALLEST_PRINTED_POINTS, f"{text!r} prints at {smallest:.1f} pt"


def _placed_width_inches(png: bytes, style: str) -> float:
    """How wide WeasyPrint places the PNG as ``<img style=...>`` in a brief's A4 page.

    The page is built as the brief's is: its screen stylesheet inline, the print
    stylesheet added by WeasyPrint (the screen sheet's body padding narrows the column).
    """
    screen = resources.files("backchannel.reports").joinpath("templates/brief.css").read_text()
    source = base64.b64encode(png).decode("ascii")
    html = (
        f"<html><head><style>{screen}</style></head><body><section><h2>Readiness</h2>"
        f'<img src="data:image/png;base64,{source}" style="{style}"></section></body></html>'
    )
    document = HTML(
        string=html,
        url_fetcher=DataOnlyURLFetcher(),
        base_url="https://self-contained-brief.invalid/",
        media_type="print",
    ).render(stylesheets=[CSS(string=brief_print_css(redacted=False))])
    boxes = [
        box
        for page in document.pages
        for box in page._page_box.descendants()  # WeasyPrint's laid-out boxes
        if isinstance(box, ReplacedBox)
    ]
    assert len(boxes) == 1
    return float(boxes[0].width) / CSS_PIXELS_PER_INCH


@pytest.mark.parametrize(
    ("build", "chart", "image_field"),
    [
        (lambda: readiness_figure(SEVENTEEN), lambda: readiness_chart(SEVENTEEN), "readiness"),
        (
            lambda: risk_matrix_figure(ENGINE_RISKS),
            lambda: risk_matrix_chart(ENGINE_RISKS),
            "risk_matrix",
        ),
    ],
    ids=["readiness", "risk_matrix"],
)
def test_on_the_a4_page_no_text_prints_under_8_points(
    build: Callable[[], Figure], chart: Callable[[], bytes], image_field: str
) -> None:
    share = _template_share(f"{image_field}_png_base64")
    placed = _placed_width_inches(chart(), f"max-width:{share * 100:.0f}%")
    # The brief's text column is about 17.2 cm (A4 less its margins and the body's
    # padding); the charts are drawn for 17 cm, so the page enlarges them a little.
    assert placed >= TEXT_COLUMN_INCHES * share
    smallest, text = printed_text_sizes(build(), placed)[0]
    assert smallest >= SMALLEST_PRINTED_POINTS, f"{text!r} prints at {smallest:.1f} pt"


@pytest.mark.parametrize(
    "build",
    [
        lambda: readiness_figure(SEVENTEEN),
        lambda: readiness_figure(CONDITIONS),
        lambda: risk_matrix_figure(ENGINE_RISKS),
        lambda: risk_matrix_figure(RISKS),
        lambda: risk_matrix_figure([_risk(f"risk_{n}", 3, 3) for n in range(9)]),
    ],
    ids=["readiness_17", "readiness_4", "risks_engine", "risks_spread", "risks_crowded"],
)
def test_no_text_runs_off_the_figure(build: Callable[[], Figure]) -> None:
    figure = build()
    texts = drawn_texts(figure)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    page = figure.bbox
    for text in texts:
        box = text.get_window_extent(renderer)
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, text.get_text()
        assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, text.get_text()


def test_an_unknown_condition_has_no_bar_only_an_empty_slot_that_says_unknown() -> None:
    figure = readiness_figure(SEVENTEEN)
    axes = figure.axes[0]
    unknown = [c for c in SEVENTEEN if c["level"] == "unknown"]
    assert len(unknown) == 9
    for condition in unknown:
        y = _row_of(axes, condition)
        (slot,) = _patches_in_row(axes, y)
        # Empty: not filled, not hatched, transparent inside; outlined in grey, dashed.
        assert slot.get_fill() is False and to_rgba(slot.get_facecolor())[3] == 0
        assert not slot.get_hatch()
        assert slot.get_edgecolor() == to_rgba(UNKNOWN_GREY)
        assert slot.get_linestyle() not in ("-", "solid")
        # Across the whole scale, as the score could be anywhere on it.
        assert (slot.get_x(), slot.get_width()) == (0.0, 1.0)
        assert _texts_in_row(axes, y) == ["unknown"]
        # No basis mark and no score: nothing rests on anything.
        assert _markers_in_row(axes, y) == []


def test_a_known_bar_is_exactly_as_long_as_its_score_and_coloured_by_its_level() -> None:
    figure = readiness_figure(SEVENTEEN)
    axes = figure.axes[0]
    words = {"in_place": "in place", "partial": "partly", "lacking": "lacking"}
    for condition in (c for c in SEVENTEEN if c["level"] != "unknown"):
        y = _row_of(axes, condition)
        (bar,) = _patches_in_row(axes, y)
        assert bar.get_fill() and not bar.get_hatch()
        assert bar.get_x() == 0.0
        assert bar.get_width() == pytest.approx(condition["score"])
        assert bar.get_facecolor() == to_rgba(LEVEL_COLOURS[condition["level"]])
        # The score and the level in words, beside a swatch of the level's colour.
        assert _texts_in_row(axes, y) == [f"{condition['score']:.2f} {words[condition['level']]}"]
        basis_marker = "o" if condition["basis"] == "data" else "D"
        markers = _markers_in_row(axes, y)
        assert (basis_marker, round(condition["score"], 6)) in markers
        swatches = [line for line in axes.lines if line.get_marker() == "s"]
        swatch = next(s for s in swatches if math.isclose(_point(s)[1], y))
        assert to_rgba(swatch.get_markerfacecolor()) == to_rgba(LEVEL_COLOURS[condition["level"]])


def test_a_partial_condition_read_from_data_only_reads_as_partial_from_data() -> None:
    axes = readiness_figure(SEVENTEEN).axes[0]
    interest = next(c for c in SEVENTEEN if c["id"] == "interest_in_talks")
    y = _row_of(axes, interest)
    (bar,) = _patches_in_row(axes, y)
    assert bar.get_width() == pytest.approx(0.45)
    assert bar.get_facecolor() == to_rgba(OKABE_ITO_ORANGE)
    assert ("o", 0.45) in _markers_in_row(axes, y)
    assert _texts_in_row(axes, y) == ["0.45 partly"]


def test_a_lacking_score_of_zero_still_reads_as_lacking() -> None:
    axes = readiness_figure(SEVENTEEN).axes[0]
    spoilers = next(c for c in SEVENTEEN if c["id"] == "spoilers")
    y = _row_of(axes, spoilers)
    (bar,) = _patches_in_row(axes, y)
    assert bar.get_width() == 0.0
    assert ("o", 0.0) in _markers_in_row(axes, y)
    assert _texts_in_row(axes, y) == ["0.00 lacking"]


def test_no_filled_shape_reaches_past_its_score() -> None:
    axes = readiness_figure(SEVENTEEN).axes[0]
    scores = {_row_of(axes, c): c["score"] for c in SEVENTEEN}
    filled = [p for p in axes.patches if isinstance(p, Rectangle) and p.get_fill()]
    assert len(filled) == 8
    for patch in filled:
        score = scores[patch.get_y() + patch.get_height() / 2]
        assert score is not None, "a filled bar in an unknown condition's row"
        assert patch.get_x() + patch.get_width() <= score + 1e-9


def test_caption_counts_the_conditions_nobody_has_judged() -> None:
    figure = readiness_figure(SEVENTEEN)
    caption = "9 of 17 conditions not yet judged: no analyst judgement and no data."
    assert caption in _figure_texts(figure)
    assert readiness_caption(SEVENTEEN) == caption


@pytest.mark.parametrize(
    ("conditions", "caption"),
    [
        (CONDITIONS, "1 of 4 conditions not yet judged: no analyst judgement and no data."),
        (
            [c for c in SEVENTEEN if c["level"] != "unknown"],
            "All 8 conditions judged by an analyst or read from data.",
        ),
        ([], "No condition for dialogue recorded."),
    ],
)
def test_caption_for_some_none_and_no_conditions(
    conditions: list[dict[str, Any]], caption: str
) -> None:
    assert caption in _figure_texts(readiness_figure(conditions))


def test_readiness_groups_conditions_marks_critical_ones_and_explains_every_mark() -> None:
    figure = readiness_figure(CONDITIONS)
    axes = figure.axes[0]
    labels = axes.get_yticklabels()
    assert [label.get_text() for label in labels] == [
        "THE COUNTERPART",
        f"{CRITICAL_MARK} Command and control over fighters",
        "Interest in dialogue",
        "THE CONTEXT",
        f"{CRITICAL_MARK} Physical access to the area",
        "OUR OWN ORGANISATION",
        "Mandate to engage",
    ]
    weights = {label.get_text(): label.get_fontweight() for label in labels}
    assert weights[f"{CRITICAL_MARK} Physical access to the area"] == "bold"
    assert weights["Interest in dialogue"] == "normal"
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend == [
        "In place",
        "Partly in place",
        "Lacking",
        "Unknown: not yet judged, no data",
        "Score read from data only",
        "Score judged by an analyst",
        "Critical condition",
    ]
    # The legend's unknown key is drawn as the slot is: empty, dashed, grey.
    unknown_key = figure.legends[0].legend_handles[3]
    assert isinstance(unknown_key, Rectangle) and unknown_key.get_fill() is False
    assert axes.get_xlabel()
    assert "Readiness for dialogue: which conditions are in place" in _figure_texts(figure)


def test_risk_matrix_places_each_risk_in_its_cell_and_names_it_in_the_key() -> None:
    figure = risk_matrix_figure(RISKS)
    grid, key = figure.axes
    cells = [p for p in grid.patches if isinstance(p, Rectangle)]
    assert len(cells) == 9
    shades = {cell.get_xy(): cell.get_facecolor() for cell in cells}
    assert len(set(shades.values())) == 6  # one shade per product 1, 2, 3, 4, 6, 9
    markers = [line for line in grid.lines if line.get_marker() == "o"]
    assert len(markers) == len(RISKS)
    marker_positions = {_point(line) for line in markers}
    # Risk numbers are white on their markers; the cells' products, in grey, are digits too.
    numbers = {t.get_text(): t.get_position() for t in grid.texts if t.get_color() == "white"}
    assert sorted(numbers, key=int) == [str(n) for n in range(1, len(RISKS) + 1)]
    key_text = "\n".join(t.get_text() for t in key.texts).replace("\n    ", " ")
    assert key.texts[0].get_text() == "Risks, by number (assessed level)"
    for number, risk in enumerate(RISKS, start=1):
        # Each number is written on its marker.
        x, y = numbers[str(number)]
        assert (x, y) in marker_positions
        assert round(x) == risk["likelihood"] and round(y) == risk["impact"]
        assert abs(x - risk["likelihood"]) < 0.5 and abs(y - risk["impact"]) < 0.5
        assert f"{number}. {risk['name']} ({risk['level']})" in key_text
    labels = {t.get_text().replace("\n", " ") for t in grid.texts}
    assert {"buying time", "legitimation", "staff security", "spoiler backlash"} <= labels
    assert grid.get_xlabel() == "Likelihood" and grid.get_ylabel() == "Impact"
    assert "Risks of engaging: likelihood and impact" in _figure_texts(figure)
    shading = [t.get_text() for t in figure.legends[0].get_texts()]
    assert shading == ["1-2: low", "3-4: medium", "6-9: high"]


#: The engine's risks as the Somalia example rates them: two share a cell with a label
#: level with the cell's product in its corner.
SOMALIA_RISKS = [
    _risk("staff_safety", 3, 3, name="Safety of staff and intermediaries"),
    _risk("buying_time", 2, 3, name="Manipulation and buying time"),
    _risk("legitimisation", 2, 2, "medium", name="Legitimisation of the group"),
    _risk("legal_exposure", 2, 2, "medium", name="Legal exposure"),
    _risk("spoiler_reaction", 1, 3, "medium", name="Spoiler reaction"),
    _risk("reputation", 1, 2, "low", name="Reputation of our organisation"),
]


#: A long short label at the foot of a cell, level with the cell's product.
LONG_LABEL_RISKS = [
    {**_risk("first", 2, 2, "medium"), "label": "first"},
    {**_risk("exposure", 2, 2, "medium"), "label": "considerable exposure"},
]


@pytest.mark.parametrize(
    "risks",
    [ENGINE_RISKS, SOMALIA_RISKS, RISKS, LONG_LABEL_RISKS],
    ids=["four_in_a_cell", "somalia", "spread", "long_label"],
)
def test_risk_labels_are_whole_words_and_overlap_nothing(risks: list[dict[str, Any]]) -> None:
    figure = risk_matrix_figure(risks)
    grid = figure.axes[0]
    texts = [t for t in grid.texts if t.get_color() != "white"]  # labels and corner products
    labels = sorted(t.get_text().replace("\n", " ") for t in texts if not t.get_text().isdigit())
    assert labels == sorted(str(r.get("label") or r["id"]).replace("_", " ") for r in risks)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    for one, other in itertools.combinations(texts, 2):
        assert not one.get_window_extent(renderer).overlaps(other.get_window_extent(renderer)), (
            one.get_text(),
            other.get_text(),
        )


def test_a_crowded_cell_keeps_numbers_and_gives_labels_to_the_key() -> None:
    crowded = [_risk(f"risk_{n}", 3, 3) for n in range(6)]
    grid = risk_matrix_figure(crowded).axes[0]
    positions = [_point(line) for line in grid.lines]
    assert len(set(positions)) == 6
    texts = {t.get_text() for t in grid.texts}
    assert {str(n) for n in range(1, 7)} <= texts
    assert "risk 0" not in texts


@pytest.mark.parametrize(
    ("text", "width", "lines", "expected"),
    [
        ("spoiler reaction", 200, 2, ["spoiler reaction"]),
        ("spoiler reaction", 50, 2, ["spoiler", "reaction"]),
        ("spoiler reaction", 50, 1, ["spoiler\u2026"]),
        ("legitimisation", 40, 2, ["legitim\u2026"]),
        ("a b c d", 18, 2, ["a b", "c d"]),
        ("a b c d e f", 18, 2, ["a b", "c\u2026"]),
        ("", 50, 2, []),
    ],
)
def test_fit_words_wraps_whole_words_and_marks_what_it_cuts(
    text: str, width: float, lines: int, expected: list[str]
) -> None:
    assert fit_words(text, width, 8.5, lines) == expected


def test_fit_words_without_a_line_limit_keeps_every_word() -> None:
    text = "Engagement breaches sanctions or counter-terrorism law (medium)"
    lines = fit_words(text, 100, 8.5)
    assert len(lines) > 2 and " ".join(lines) == text


@pytest.mark.parametrize("count", range(1, 26))
def test_markers_sharing_a_cell_are_spread_apart_inside_it(count: int) -> None:
    offsets = spread_in_cell(count)
    assert len(offsets) == count
    assert all(abs(dx) < 0.4 and abs(dy) < 0.4 for dx, dy in offsets)
    if count > 1:
        closest = min(math.dist(a, b) for a, b in itertools.combinations(offsets, 2))
        assert closest >= 0.16 - 1e-9, f"{count} markers: two only {closest:.3f} of a cell apart"
    assert spread_in_cell(count) == offsets


def test_spread_in_cell_refuses_nothing_to_place() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        spread_in_cell(0)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("likelihood", 4, "likelihood must be an integer from 1 to 3, got 4"),
        ("likelihood", 0, "likelihood must be an integer from 1 to 3, got 0"),
        ("impact", -1, "impact must be an integer from 1 to 3, got -1"),
        ("impact", 2.5, "impact must be an integer from 1 to 3, got 2.5"),
        ("impact", "3", "impact must be an integer from 1 to 3, got '3'"),
        ("likelihood", True, "likelihood must be an integer from 1 to 3, got True"),
        ("level", "severe", "level must be one of low, medium, high, got 'severe'"),
    ],
)
def test_risk_matrix_refuses_a_risk_off_the_grid(field: str, value: object, expected: str) -> None:
    bad = [*RISKS, {**_risk("manipulation", 2, 2), field: value}]
    with pytest.raises(ValueError) as raised:
        risk_matrix_chart(bad)
    assert str(raised.value) == f"risk 'manipulation': {expected}"


def test_risk_matrix_names_a_missing_field_and_a_risk_without_id() -> None:
    incomplete = {k: v for k, v in _risk("buying_time", 3, 3).items() if k != "impact"}
    with pytest.raises(ValueError, match="risk 'buying_time': missing field 'impact'"):
        risk_matrix_figure([incomplete])
    anonymous = {k: v for k, v in _risk("x", 3, 3).items() if k != "id"}
    with pytest.raises(ValueError, match=r"risk #2 \(no id\): missing field 'id'"):
        risk_matrix_figure([RISKS[0], anonymous])


def test_risk_matrix_without_risks_says_so() -> None:
    figure = risk_matrix_figure([])
    assert "No engagement risk recorded." in [t.get_text() for t in figure.axes[1].texts]
    assert risk_matrix_chart([]).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"score": 1.5}, "score must be a number from 0 to 1 or None, got 1.5"),
        ({"score": -0.1}, "score must be a number from 0 to 1 or None, got -0.1"),
        ({"score": float("nan")}, "score must be a number from 0 to 1 or None, got nan"),
        ({"score": "high"}, "score must be a number from 0 to 1 or None, got 'high'"),
        ({"group": "donors"}, "group must be one of counterpart, context, own, got 'donors'"),
        ({"level": "ready"}, "level must be one of in_place, partial, lacking, unknown, got"),
        ({"basis": "rumour"}, "basis must be one of analyst, data, none, got 'rumour'"),
        # A record that contradicts itself would be drawn overstating or hiding what is known.
        (
            {"level": "unknown"},
            "score must be None, as the level is unknown for level 'unknown', got 0.7",
        ),
        ({"score": None}, "score must be a number for level 'in_place', got None"),
        (
            {"basis": "none"},
            "basis must be analyst or data for a known score, got 'none' with score 0.7",
        ),
        (
            {"score": None, "level": "unknown", "basis": "data"},
            "basis must be none, got 'data' with score None",
        ),
    ],
)
def test_readiness_refuses_a_bad_condition(changes: dict[str, Any], expected: str) -> None:
    bad = [*CONDITIONS, {**CONDITIONS[0], "id": "safe_passage", **changes}]
    with pytest.raises(ValueError) as raised:
        readiness_chart(bad)
    assert str(raised.value).startswith(f"condition 'safe_passage': {expected}")


def test_readiness_names_a_missing_field() -> None:
    incomplete = {k: v for k, v in CONDITIONS[0].items() if k != "basis"}
    with pytest.raises(ValueError, match="condition 'command': missing field 'basis'"):
        readiness_figure([incomplete])


def test_realistic_charts_write_to_png_files_of_their_printed_size(tmp_path: Path) -> None:
    for name, png, share in (
        ("readiness.png", readiness_chart(SEVENTEEN), READINESS_PLACED_SHARE),
        ("risks.png", risk_matrix_chart(ENGINE_RISKS), RISK_MATRIX_PLACED_SHARE),
    ):
        path = write_png(png, tmp_path / name)
        with Image.open(path) as image:
            assert abs(image.width - TEXT_COLUMN_INCHES * share * PNG_DPI) < 1
