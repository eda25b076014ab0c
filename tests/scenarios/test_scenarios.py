"""The scenario suite: every variant of the examples gets the decision a practitioner expects.

Each scenario in ``scenarios.yaml`` states the status and the modality (and, where it
matters, the stage and the legal verdicts) that a demanding mediation adviser would give,
with one sentence of reasoning; the test runs the whole analysis on real data and checks
them. A scenario that fails prints its reasoning beside what the engine said.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from backchannel.casefile import load_case
from backchannel.model.case import Case
from backchannel.reports.case_analysis import CaseAnalysis, analyse_for_brief
from tests.conftest import EXAMPLES
from tests.scenarios.variants import apply_changes, planned_activities

SCENARIOS_FILE = Path(__file__).with_name("scenarios.yaml")


@cache
def _document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SCENARIOS_FILE.read_text(encoding="utf-8"))
    return document


SCENARIOS: list[dict[str, Any]] = _document()["scenarios"]


def _starting_case(scenario: dict[str, Any]) -> tuple[Case, list[dict[str, Any]]]:
    """The case a scenario starts from, and the changes that made it (for the activities)."""
    if "base" in scenario:
        variant = _document()["variants"][scenario["base"]]
        case = load_case(EXAMPLES / f"{variant['case']}.yaml")
        return apply_changes(case, variant["changes"], scenario["base"]), variant["changes"]
    return load_case(EXAMPLES / f"{scenario['case']}.yaml"), []


def run_scenario(scenario: dict[str, Any], installed: Any) -> CaseAnalysis:
    """The whole analysis of one scenario, as ``backchannel assess`` would run it."""
    case, base_changes = _starting_case(scenario)
    changes = scenario.get("changes", [])
    case = apply_changes(case, changes, scenario["id"])
    as_of = scenario.get("as_of")
    day = as_of if isinstance(as_of, dt.date) else None
    inputs: dict[str, Any] = {}
    if scenario["data"] == "installed":
        inputs = {
            "events": installed.events,
            "event_source": installed.event_source,
            "screening": installed.screening,
            "extents": installed.event_extents,
            "conflicts": installed.conflicts,
        }
    return analyse_for_brief(
        case,
        day,
        activities=planned_activities([*base_changes, *changes]),
        timelines=False,
        **inputs,
    )


def test_the_suite_has_at_least_twenty_scenarios_each_with_its_reasoning() -> None:
    assert len(SCENARIOS) >= 20
    assert len({s["id"] for s in SCENARIOS}) == len(SCENARIOS)
    for scenario in SCENARIOS:
        assert scenario["why"].strip().endswith("."), scenario["id"]
        assert {"status", "modality"} <= set(scenario["expect"]), scenario["id"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario(scenario: dict[str, Any], request: pytest.FixtureRequest) -> None:
    installed = (
        request.getfixturevalue("installed_analysis_inputs")
        if scenario["data"] == "installed"
        else None
    )
    analysis = run_scenario(scenario, installed)
    strategy = analysis.strategy
    got = {
        "status": strategy.status,
        "modality": strategy.modality,
        "stage": analysis.assessment.stage.stage,
    }
    wanted = scenario["expect"]
    said = (
        f"{scenario['id']}: expected {wanted} because {' '.join(scenario['why'].split())}\n"
        f"got {got}: {strategy.recommendation.headline} / {strategy.recommendation.why}"
    )
    assert {k: got[k] for k in wanted} == wanted, said
    if "legal" in scenario:
        split = {v.activity: v.level for v in strategy.recommendation.legal_split or []}
        assert split == scenario["legal"], said
    # whatever the scenario, proceed never stands on an unsettled critical condition
    if strategy.status == "proceed":
        assert all(
            c.level == "in_place" and not c.contested
            for c in strategy.readiness.conditions
            if c.critical
        ), said
