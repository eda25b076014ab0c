"""A stale or undated designation list keeps legal clearance at most partial, with the reason.

The cases start from the Colombia example made ready: our own working channel to the FARC
and security, mandate and legal clearance judged in place, so that with current lists the
decision is ``proceed``. The lists are the real UN and OFAC files from the data mirror;
copies of other ages are the real UN list with its publication date moved, in memory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
import yaml

from backchannel.actors.analysis import analyse_case
from backchannel.casefile import load_case
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.strategy import Strategy, recommend
from backchannel.model.as_of import known_on
from backchannel.model.case import Case
from backchannel.reports.case_analysis import analyse_for_brief, brief_report
from backchannel.reports.render import render_case_html
from backchannel.risk.assessment import assess_case
from backchannel.screening.case_screening import screen_case
from backchannel.screening.entity import ReadResult
from backchannel.screening.lists import load_lists
from backchannel.screening.screen import Screening
from tests.conftest import EXAMPLES, mirror_path
from tests.scenarios.test_scenarios import SCENARIOS_FILE
from tests.scenarios.variants import apply_changes

DAY = dt.date(2012, 12, 31)  # the end of the Colombia example's period


@pytest.fixture(scope="module")
def real_lists() -> dict[str, ReadResult]:
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    return {r.list_id: r for r in load_lists(mirror / "sanctions")}


def _un_published(lists: dict[str, ReadResult], published: dt.date | None) -> ReadResult:
    """The real UN list as if published on ``published`` (``None``: undated)."""
    return dataclasses.replace(lists["un-sc"], published=published)


@pytest.fixture(scope="module")
def ready_colombia() -> Case:
    variant = yaml.safe_load(SCENARIOS_FILE.read_text(encoding="utf-8"))["variants"][
        "colombia-ready"
    ]
    case = load_case(EXAMPLES / f"{variant['case']}.yaml")
    return apply_changes(case, variant["changes"], "colombia-ready")


def _strategy(
    case: Case,
    lists: Sequence[ReadResult],
    *,
    day: dt.date = DAY,
    max_age_days: int = 30,
    activities: Sequence[str] = ("meeting",),
) -> Strategy:
    cut = known_on(case, day).case
    screened = screen_case(
        cut, Screening(lists, max_age_days=max_age_days), activities=activities, as_of=day
    )
    return recommend(
        StrategyInputs(
            cut,
            day,
            analyse_case(cut, day),
            stage=assess_case(cut, day),
            screening=screened,
            activities=tuple(activities),
        )
    )


def _legal(strategy: Strategy) -> Any:
    return strategy.readiness.condition("legal_clearance")


def test_with_a_current_list_the_ready_case_proceeds(
    ready_colombia: Case, real_lists: dict[str, ReadResult]
) -> None:
    current = _un_published(real_lists, DAY - dt.timedelta(days=5))
    strategy = _strategy(ready_colombia, [current])
    legal = _legal(strategy)
    assert (legal.level, legal.basis, legal.capped_by) == ("in_place", "analyst", [])
    assert not any(s.signal == "list_currency" for s in legal.signals)
    assert strategy.status == "proceed"


@pytest.mark.parametrize(
    ("age", "max_age", "capped"),
    [(30, 30, False), (31, 30, True), (31, 60, False), (400, 365, True)],
)
def test_a_list_older_than_the_limit_caps_clearance_even_when_judged_in_place(
    ready_colombia: Case, real_lists: dict[str, ReadResult], age: int, max_age: int, capped: bool
) -> None:
    published = DAY - dt.timedelta(days=age)
    strategy = _strategy(
        ready_colombia, [_un_published(real_lists, published)], max_age_days=max_age
    )
    legal = _legal(strategy)
    if not capped:
        assert legal.level == "in_place" and strategy.status == "proceed"
        return
    assert (legal.level, legal.basis, legal.capped_by) == ("partial", "analyst", ["list_currency"])
    [signal] = [s for s in legal.signals if s.signal == "list_currency"]
    reason = f"un-sc was published {published.isoformat()}, {age} days before {DAY.isoformat()}"
    assert reason in signal.text and f"current for {max_age} days" in signal.text
    assert legal.action is not None and legal.action.startswith(f"Lists not current: {reason}")
    assert strategy.status == "conditional"
    [settle] = [s for s in strategy.recommendation.to_settle if s.condition == "legal_clearance"]
    assert reason in settle.action


def test_the_real_undated_ofac_list_caps_clearance_and_the_output_says_why(
    ready_colombia: Case, real_lists: dict[str, ReadResult]
) -> None:
    strategy = _strategy(ready_colombia, list(real_lists.values()))
    legal = _legal(strategy)
    assert legal.level == "partial" and legal.capped_by == ["list_currency"]
    [signal] = [s for s in legal.signals if s.signal == "list_currency"]
    assert "ofac-sdn states no publication date" in signal.text
    # the UN copy of 2026 is a later copy in a replay of 2012: named by the screening, not stale
    assert "un-sc" not in signal.read["lists"]
    document = strategy.as_dict()
    assert "ofac-sdn states no publication date" in str(document["recommendation"])
    assert strategy.status == "conditional"


def test_without_a_judgement_the_data_read_partial_with_the_reason(
    real_lists: dict[str, ReadResult],
) -> None:
    case = load_case(EXAMPLES / "colombia-2012.yaml")
    stale = _un_published(real_lists, DAY - dt.timedelta(days=90))
    legal = _legal(_strategy(case, [stale]))
    assert (legal.level, legal.basis) == ("partial", "data")
    assert any("90 days before" in s.text for s in legal.signals)


def test_a_cap_never_raises_a_lacking_clearance(
    ready_colombia: Case, real_lists: dict[str, ReadResult]
) -> None:
    legal_ids = [
        j.id for j in ready_colombia.judgements if j.subject == "condition:legal_clearance"
    ]
    case = apply_changes(
        ready_colombia, [{"remove": {"collection": "judgements", "ids": legal_ids}}], "test"
    )
    # OFAC's undated list designates the FARC: per diems to its delegates are prohibited
    strategy = _strategy(case, list(real_lists.values()), activities=["per_diem_or_cash"])
    legal = _legal(strategy)
    assert (legal.level, legal.basis) == ("lacking", "data")
    assert strategy.status == "hold"


def test_the_demo_brief_shows_the_list_dates_and_the_partial_clearance(
    ready_colombia: Case, installed_analysis_inputs: Any
) -> None:
    inputs = installed_analysis_inputs
    analysis = analyse_for_brief(
        ready_colombia,
        events=inputs.events,
        event_source=inputs.event_source,
        screening=inputs.screening,
        extents=inputs.event_extents,
        conflicts=inputs.conflicts,
        timelines=False,
    )
    assert _legal(analysis.strategy).level == "partial"
    html = render_case_html(brief_report(analysis))
    end = ready_colombia.context.period.end
    assert end is not None
    later = (dt.date(2026, 2, 27) - end).days
    assert f"un-sc (published 2026-02-27, {later} days after {end.isoformat()})" in html
    assert "ofac-sdn (undated)" in html
    # the reason stands in what to settle, in the readiness table and beside the legal section
    assert html.count("ofac-sdn states no publication date") >= 3
