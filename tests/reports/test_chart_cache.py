"""Charts kept per process: equal inputs give the kept PNG, different inputs a new one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from matplotlib.figure import Figure

from backchannel.casefile import load_case
from backchannel.reports import chart_cache
from backchannel.reports.case_analysis import analyse_for_brief
from backchannel.reports.charts import render_png
from backchannel.reports.readiness_chart import readiness_chart, readiness_figure
from backchannel.reports.strategy_charts import risk_matrix_chart
from tests.conftest import EXAMPLES


@pytest.fixture(autouse=True)
def no_kept_charts() -> Iterator[None]:
    chart_cache.forget_charts()
    yield
    chart_cache.forget_charts()


def _document(name: str) -> dict[str, Any]:
    analysis = analyse_for_brief(load_case(EXAMPLES / f"{name}.yaml"))
    document: dict[str, Any] = analysis.strategy.as_dict()
    return document


def test_equal_inputs_are_drawn_once_and_give_the_bytes_a_fresh_drawing_gives() -> None:
    conditions = _document("somalia-2011")["readiness"]["conditions"]
    drawn: list[int] = []

    def counting(inputs: Any) -> Figure:
        drawn.append(len(inputs))
        return readiness_figure(inputs)

    first = chart_cache.chart_png("readiness", conditions, counting)
    again = chart_cache.chart_png("readiness", [dict(c) for c in conditions], counting)
    assert again == first and len(drawn) == 1
    assert first == render_png(readiness_figure(conditions))


def test_different_inputs_or_kinds_are_drawn_anew() -> None:
    somalia, car = _document("somalia-2011"), _document("central-african-republic-2013")
    assert somalia["readiness"] != car["readiness"]
    assert readiness_chart(somalia["readiness"]["conditions"]) != readiness_chart(
        car["readiness"]["conditions"]
    )
    changed = [dict(c) for c in somalia["readiness"]["conditions"]]
    known = next(c for c in changed if c["score"] is not None)
    known["level"], known["score"], known["basis"] = "unknown", None, "none"
    assert readiness_chart(changed) != readiness_chart(somalia["readiness"]["conditions"])
    # a risk matrix of no risks and a readiness chart of no conditions are different charts
    assert risk_matrix_chart([]) != readiness_chart([])
