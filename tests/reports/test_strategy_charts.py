"""Strategy charts: PNGs that decode and repeat byte for byte, risks kept apart in a cell,
unknown readiness drawn as unknown, and bad input refused by id and field."""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Callable
from typing import Any

import pytest
from matplotlib.patches import Rectangle
from PIL import Image

from backchannel.reports.strategy_charts import (
    CRITICAL_MARK,
    readiness_chart,
    readiness_figure,
    risk_matrix_chart,
    risk_matrix_figure,
    spread_in_cell,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _risk(identifier: str, likelihood: int, impact: int, level: str = "high") -> dict[str, Any]:
    return {
        "id": identifier,
        "name": identifier.replace("_", " ").capitalize() + " (full name)",
        "likelihood": likelihood,
        "impact": impact,
        "level": level,
    }


RISKS = [
    _risk("buying_time", 3, 3),
    _risk("legitimation", 2, 3),
    _risk("staff_security", 3, 3),
    _risk("legal_exposure", 1, 3, "medium"),
    _risk("spoiler_backlash", 2, 2, "medium"),
    _risk("aid_diversion", 3, 3),
]

CONDITIONS: list[dict[str, Any]] = [
    {
        "id": "command",
        "name": "Command and control over fighters",
        "group": "counterpart",
        "score": 0.7,
        "level": "in_place",
        "basis": "data",
        "critical": True,
    },
    {
        "id": "interest",
        "name": "Interest in dialogue",
        "group": "counterpart",
        "score": None,
        "level": "unknown",
        "basis": "none",
        "critical": False,
    },
    {
        "id": "access",
        "name": "Physical access to the area",
        "group": "context",
        "score": 0.2,
        "level": "lacking",
        "basis": "analyst",
        "critical": True,
    },
    {
        "id": "mandate",
        "name": "Mandate to engage",
        "group": "own",
        "score": 0.5,
        "level": "partial",
        "basis": "analyst",
        "critical": False,
    },
]


def _decodes(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@pytest.mark.parametrize(
    ("chart", "data", "changed"),
    [
        (risk_matrix_chart, RISKS, [*RISKS[:-1], _risk("aid_diversion", 3, 2)]),
        (
            readiness_chart,
            CONDITIONS,
            [*CONDITIONS[:-1], {**CONDITIONS[-1], "score": 0.55}],
        ),
    ],
    ids=["risk_matrix", "readiness"],
)
def test_charts_are_valid_deterministic_pngs(
    chart: Callable[[list[dict[str, Any]]], bytes],
    data: list[dict[str, Any]],
    changed: list[dict[str, Any]],
) -> None:
    first = chart(data)
    width, height = _decodes(first)
    # Drawn about 7 inches wide at 150 dpi: the width of an A4 page's text, unscaled.
    assert 1000 <= width <= 1100 and height > 500
    assert chart(data) == first
    assert chart(changed) != first


def test_risk_matrix_places_each_risk_in_its_cell_and_names_it_in_the_key() -> None:
    figure = risk_matrix_figure(RISKS)
    grid, key = figure.axes
    cells = [p for p in grid.patches if isinstance(p, Rectangle)]
    assert len(cells) == 9
    shades = {cell.get_xy(): cell.get_facecolor() for cell in cells}
    assert len(set(shades.values())) == 6  # one shade per product 1, 2, 3, 4, 6, 9
    markers = [line for line in grid.lines if line.get_marker() == "o"]
    assert len(markers) == len(RISKS)
    marker_positions = {(line.get_xdata()[0], line.get_ydata()[0]) for line in markers}
    # Risk numbers are white on their markers; the cells' products, in grey, are digits too.
    numbers = {t.get_text(): t.get_position() for t in grid.texts if t.get_color() == "white"}
    assert sorted(numbers, key=int) == [str(n) for n in range(1, len(RISKS) + 1)]
    for number, risk in enumerate(RISKS, start=1):
        # Each number is written on its marker.
        x, y = numbers[str(number)]
        assert (x, y) in marker_positions
        assert round(x) == risk["likelihood"] and round(y) == risk["impact"]
        assert abs(x - risk["likelihood"]) < 0.5 and abs(y - risk["impact"]) < 0.5
        assert f"{number}. {risk['name']} ({risk['level']})" in key.texts[0].get_text().replace(
            "\n    ", " "
        )
    labels = {t.get_text() for t in grid.texts}
    assert {"buying time", "legitimation", "staff security"} <= labels
    assert "spoiler backl\u2026" in labels  # short labels are cut to fit the cell
    assert grid.get_xlabel() == "Likelihood" and grid.get_ylabel() == "Impact"
    assert grid.get_title()


def test_a_crowded_cell_keeps_numbers_and_gives_labels_to_the_key() -> None:
    crowded = [_risk(f"risk_{n}", 3, 3) for n in range(6)]
    grid = risk_matrix_figure(crowded).axes[0]
    positions = [(line.get_xdata()[0], line.get_ydata()[0]) for line in grid.lines]
    assert len(set(positions)) == 6
    texts = {t.get_text() for t in grid.texts}
    assert {str(n) for n in range(1, 7)} <= texts
    assert "risk 0" not in texts


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
    assert "No engagement risk recorded." in figure.axes[1].texts[0].get_text()
    assert risk_matrix_chart([]).startswith(PNG_SIGNATURE)


def test_readiness_groups_conditions_and_marks_critical_and_unknown() -> None:
    figure = readiness_figure(CONDITIONS)
    axes = figure.axes[0]
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert labels == [
        "THE COUNTERPART",
        f"{CRITICAL_MARK} Command and control over fighters",
        "Interest in dialogue",
        "THE CONTEXT",
        f"{CRITICAL_MARK} Physical access to the area",
        "OUR OWN ORGANISATION",
        "Mandate to engage",
    ]
    bars = [p for p in axes.patches if isinstance(p, Rectangle)]
    assert sorted(round(bar.get_width(), 2) for bar in bars) == [0.2, 0.5, 0.7, 1.0]
    unknown = [bar for bar in bars if bar.get_hatch()]
    assert len(unknown) == 1 and unknown[0].get_width() == 1.0
    texts = [t.get_text() for t in axes.texts]
    assert "unknown" in texts and "0.70" in texts and "0.20" in texts
    # Colours tell the levels apart: in place, lacking and partial each have their own.
    solid = {tuple(bar.get_facecolor()) for bar in bars if not bar.get_hatch()}
    assert len(solid) == 3
    # A data marker for "command", analyst markers for "access" and "mandate", none for
    # the unknown condition.
    markers = sorted(line.get_marker() for line in axes.lines)
    assert markers == ["D", "D", "o"]
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert "Score from analyst judgement" in legend and "Critical condition" in legend
    assert axes.get_xlabel() and axes.get_ylabel() and figure.get_suptitle()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("score", 1.5, "score must be a number from 0 to 1 or None, got 1.5"),
        ("score", -0.1, "score must be a number from 0 to 1 or None, got -0.1"),
        ("score", float("nan"), "score must be a number from 0 to 1 or None, got nan"),
        ("score", "high", "score must be a number from 0 to 1 or None, got 'high'"),
        ("group", "donors", "group must be one of counterpart, context, own, got 'donors'"),
        ("level", "ready", "level must be one of in_place, partial, lacking, unknown, got"),
        ("basis", "rumour", "basis must be one of analyst, data, none, got 'rumour'"),
    ],
)
def test_readiness_refuses_a_bad_condition(field: str, value: object, expected: str) -> None:
    bad = [*CONDITIONS, {**CONDITIONS[0], "id": "safe_passage", field: value}]
    with pytest.raises(ValueError) as raised:
        readiness_chart(bad)
    assert str(raised.value).startswith(f"condition 'safe_passage': {expected}")


def test_readiness_names_a_missing_field() -> None:
    incomplete = {k: v for k, v in CONDITIONS[0].items() if k != "basis"}
    with pytest.raises(ValueError, match="condition 'command': missing field 'basis'"):
        readiness_figure([incomplete])
